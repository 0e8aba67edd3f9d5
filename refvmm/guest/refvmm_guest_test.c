// SPDX-License-Identifier: GPL-2.0
/*
 * refvmm's guest test module: what a Linux guest of the reference VMM
 * sees of the firmware services the VMM plays. One module, one part per
 * service; each part has its own files under /sys/kernel/debug/refvmm/.
 *
 * - ras.c: the RAS notifications (SDEI record, SError, SEA)
 */
#include <linux/debugfs.h>
#include <linux/module.h>

#include "refvmm_guest.h"

static struct dentry *refvmm_dir;

static int __init refvmm_test_init(void)
{
	int ret;

	refvmm_dir = debugfs_create_dir("refvmm", NULL);
	ret = refvmm_ras_init(refvmm_dir);
	if (ret) {
		debugfs_remove_recursive(refvmm_dir);
		return ret;
	}
	return 0;
}

static void __exit refvmm_test_exit(void)
{
	debugfs_remove_recursive(refvmm_dir);
	refvmm_ras_exit();
}

module_init(refvmm_test_init);
module_exit(refvmm_test_exit);
MODULE_DESCRIPTION("refvmm guest test module");
MODULE_LICENSE("GPL");
