// SPDX-License-Identifier: GPL-2.0
/*
 * refvmm's guest test module: loaded by the guest's /init, it runs the
 * SDEI scenarios (sdei_test.c) and the RAS ones (ras.c), prints their
 * markers on the console and keeps counters in debugfs
 * (/sys/kernel/debug/refvmm/).
 */
#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/module.h>

#include "refvmm_guest.h"

static struct dentry *refvmm_dir;

unsigned long refvmm_lookup(const char *name)
{
	static unsigned long (*lookup_name)(const char *name);

	/*
	 * kallsyms_lookup_name() is not exported either; a kprobe on it
	 * tells its address.
	 */
	if (!lookup_name) {
		struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

		if (register_kprobe(&kp))
			return 0;
		lookup_name = (void *)kp.addr;
		unregister_kprobe(&kp);
	}
	return lookup_name(name);
}

/* Weak stand-ins, so that either part builds and runs alone. */
int __weak refvmm_ras_init(struct dentry *dir)
{
	return 0;
}

void __weak refvmm_ras_exit(void)
{
}

int __weak refvmm_sdei_init(struct dentry *dir)
{
	return 0;
}

void __weak refvmm_sdei_exit(void)
{
}

static int __init refvmm_test_init(void)
{
	int ret;

	refvmm_dir = debugfs_create_dir("refvmm", NULL);
	ret = refvmm_sdei_init(refvmm_dir);
	if (ret)
		goto out;
	ret = refvmm_ras_init(refvmm_dir);
	if (ret)
		refvmm_sdei_exit();
out:
	if (ret)
		debugfs_remove_recursive(refvmm_dir);
	return ret;
}

static void __exit refvmm_test_exit(void)
{
	refvmm_ras_exit();
	refvmm_sdei_exit();
	debugfs_remove_recursive(refvmm_dir);
}

module_init(refvmm_test_init);
module_exit(refvmm_test_exit);
MODULE_DESCRIPTION("refvmm guest tests: SDEI and RAS from a VMM-played firmware");
MODULE_LICENSE("GPL");
