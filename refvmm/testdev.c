// SPDX-License-Identifier: GPL-2.0
/*
 * The test device: a SiP service on HVC (testdev.h), with --testdev only.
 * VERSION is answered
 * here; the other calls are registered by the units that implement them
 * (testdev_register(), from their init()): SDEI_SIGNAL by the SDEI glue,
 * POISON by ras.c.
 */
#include <errno.h>
#include <string.h>

#include "testdev.h"
#include "vmm.h"

static hcall_fn testdev_fns[TESTDEV_FN_COUNT];

int testdev_register(unsigned int n, hcall_fn fn)
{
	if (n >= TESTDEV_FN_COUNT || !fn)
		return -EINVAL;
	if (testdev_fns[n])
		return -EEXIST;
	testdev_fns[n] = fn;
	return 0;
}

static int testdev_version(struct vcpu *v, const struct hcall *c)
{
	vcpu_smccc_ret(v, TESTDEV_VERSION_1);
	return 0;
}

static int testdev_call(struct vcpu *v, const struct hcall *c)
{
	hcall_fn fn = testdev_fns[c->fid - TESTDEV_FN_BASE];

	if (!fn) {
		vcpu_smccc_ret(v, (uint64_t)(int64_t)TESTDEV_NOT_SUPPORTED);
		return 0;
	}
	return fn(v, c);
}

static int testdev_init(struct vm *vm)
{
	int r;

	/*
	 * Without --testdev the SiP range is not forwarded: KVM answers it
	 * as upstream does (NOT_SUPPORTED), and the calls that the units
	 * registered are out of the guest's reach.
	 */
	if (!vm->testdev)
		return 0;
	r = vm_smccc_forward(vm, TESTDEV_FN_BASE, TESTDEV_FN_COUNT,
			     KVM_ARM_SMCCC_FWD_HVC);
	if (r)
		vmm_die("forwarding the test device: %s", strerror(-r));
	r = vm_hcall_register(vm, TESTDEV_FN_BASE, TESTDEV_FN_COUNT,
			      testdev_call);
	if (r)
		return r;
	return testdev_register(0, testdev_version);
}

static struct vmm_unit testdev_unit = {
	.name = "testdev",
	.init = testdev_init,
};
VMM_UNIT(testdev_unit)
