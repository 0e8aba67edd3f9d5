// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI 1.1 (Arm DEN0022D.b) in userspace: the VMM forwards both PSCI
 * ranges with KVM_CAP_ARM_SMCCC_FORWARD, which takes them from KVM's own
 * PSCI, and answers here. The DT says "arm,psci-1.0", method hvc.
 *
 * Both conduits are forwarded, though the guest is told of HVC only: KVM
 * handles an SMC #0 as an SMCCC call too, so a range on HVC alone would
 * leave KVM's PSCI answering on SMC, where a CPU_OFF or CPU_ON would
 * change a vCPU's power state behind the VMM's back (a vCPU that KVM
 * powers off sleeps in KVM_RUN while the VMM believes it on). Calls on the
 * conduit the DT does not name get NOT_SUPPORTED, as from a platform whose
 * PSCI lives at the other exception level.
 */
#include <errno.h>
#include <string.h>

#include "vmm.h"

#define PSCI_FN32(n)		(0x84000000U + (n))
#define PSCI_FN64(n)		(0xc4000000U + (n))
#define PSCI_RANGE		0x20	/* 0x00-0x1f: PSCI, 0x20-0x3f: SDEI */

#define PSCI_N_VERSION		0x00
#define PSCI_N_CPU_SUSPEND	0x01
#define PSCI_N_CPU_OFF		0x02
#define PSCI_N_CPU_ON		0x03
#define PSCI_N_AFFINITY_INFO	0x04
#define PSCI_N_MIGRATE		0x05
#define PSCI_N_MIGRATE_INFO_TYPE	0x06
#define PSCI_N_SYSTEM_OFF		0x08
#define PSCI_N_SYSTEM_RESET	0x09
#define PSCI_N_FEATURES		0x0a

#define SMCCC_VERSION_FID	0x80000000U
#define SMC64			0x40000000U

/* DEN0022D.b 5.2.2 return codes */
#define PSCI_SUCCESS			0
#define PSCI_NOT_SUPPORTED		(-1)
#define PSCI_INVALID_PARAMETERS		(-2)
#define PSCI_ALREADY_ON			(-4)
#define PSCI_ON_PENDING			(-5)
#define PSCI_INVALID_ADDRESS		(-9)

/* AFFINITY_INFO results (5.1.5) */
#define PSCI_AFF_ON		0
#define PSCI_AFF_OFF		1
#define PSCI_AFF_ON_PENDING	2

/* MIGRATE_INFO_TYPE (5.1.7): no Trusted OS that needs migrating */
#define PSCI_TOS_NOT_PRESENT_MP	2

#define PSCI_VERSION_1_1	0x10001

/* target_cpu holds MPIDR's affinity fields: Aff3 [39:32], Aff2-0 [23:0] */
#define MPIDR_AFF_MASK		0xff00ffffffULL

static long psci_ret(struct vcpu *v, long r)
{
	/* negative codes sign-extended, as KVM does for an SMC32 call */
	vcpu_smccc_ret(v, (uint64_t)(int64_t)r);
	return 0;
}

static struct vcpu *psci_find_cpu(struct vm *vm, uint64_t target)
{
	int i;

	if (target & ~MPIDR_AFF_MASK)
		return NULL;
	for (i = 0; i < vm->nr_vcpus; i++)
		if ((vm->vcpus[i].mpidr & MPIDR_AFF_MASK) == target)
			return &vm->vcpus[i];
	return NULL;
}

/* 5.1.4 CPU_ON: the target is reset in its own thread (vcpu.c) */
static long psci_cpu_on(struct vcpu *v, uint64_t target, uint64_t entry,
			uint64_t ctx)
{
	struct vcpu *t = psci_find_cpu(v->vm, target);
	long r = PSCI_SUCCESS;

	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if (!vm_gpa_to_hva(v->vm, entry, 4))
		return PSCI_INVALID_ADDRESS;

	pthread_mutex_lock(&t->lock);
	switch (t->power) {
	case VCPU_ON:
		r = PSCI_ALREADY_ON;
		break;
	case VCPU_ON_PENDING:
		r = PSCI_ON_PENDING;
		break;
	case VCPU_OFF:
		t->entry = entry;
		t->context_id = ctx;
		t->power = VCPU_ON_PENDING;
		pthread_cond_signal(&t->cond);
		break;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* 5.1.5 AFFINITY_INFO: level 0 only, higher levels are optional (1.0+) */
static long psci_affinity_info(struct vcpu *v, uint64_t target,
			       uint64_t level)
{
	struct vcpu *t;

	if (level != 0)
		return PSCI_INVALID_PARAMETERS;
	t = psci_find_cpu(v->vm, target);
	if (!t)
		return PSCI_INVALID_PARAMETERS;
	switch (vcpu_power(t)) {
	case VCPU_ON:
		return PSCI_AFF_ON;
	case VCPU_ON_PENDING:
		return PSCI_AFF_ON_PENDING;
	default:
		return PSCI_AFF_OFF;
	}
}

static bool psci_implemented(uint32_t fid)
{
	uint32_t n = fid & 0x1f;
	bool smc64 = fid & SMC64;

	switch (n) {
	case PSCI_N_VERSION:
	case PSCI_N_CPU_OFF:
	case PSCI_N_MIGRATE_INFO_TYPE:
	case PSCI_N_SYSTEM_OFF:
	case PSCI_N_SYSTEM_RESET:
	case PSCI_N_FEATURES:
		return !smc64;
	case PSCI_N_CPU_SUSPEND:
	case PSCI_N_CPU_ON:
	case PSCI_N_AFFINITY_INFO:
		return true;
	}
	return false;
}

/* 5.1.14 PSCI_N_FEATURES: 0 for what is implemented, flags for CPU_SUSPEND */
static long psci_features(uint32_t fid)
{
	if (fid == SMCCC_VERSION_FID)
		return PSCI_SUCCESS;	/* SMCCC v1.1+, answered by KVM */
	if ((fid & ~(SMC64 | 0x1f)) != PSCI_FN32(0) || !psci_implemented(fid))
		return PSCI_NOT_SUPPORTED;
	/* CPU_SUSPEND: original power_state format, no OS-initiated mode */
	return PSCI_SUCCESS;
}

static int psci_call(struct vcpu *v, const struct hcall *c)
{
	uint64_t a1 = c->args[0], a2 = c->args[1], a3 = c->args[2];
	uint32_t n = c->fid & 0x1f;

	if ((c->flags & KVM_HYPERCALL_EXIT_SMC) || !psci_implemented(c->fid))
		return psci_ret(v, PSCI_NOT_SUPPORTED);
	if (!(c->fid & SMC64)) {
		/* SMC32: the arguments are 32 bits wide (DEN0028 2.6) */
		a1 = (uint32_t)a1;
		a2 = (uint32_t)a2;
		a3 = (uint32_t)a3;
	}

	switch (n) {
	case PSCI_N_VERSION:
		return psci_ret(v, PSCI_VERSION_1_1);
	case PSCI_N_CPU_SUSPEND:
		/*
		 * 5.1.2: a standby or a power down request may return at once,
		 * as if woken by an interrupt; the VMM models no deeper state.
		 */
		return psci_ret(v, PSCI_SUCCESS);
	case PSCI_N_CPU_OFF:
		/* 5.1.3: does not return; the vCPU waits for a CPU_ON */
		vcpu_power_off(v);
		return 0;
	case PSCI_N_CPU_ON:
		return psci_ret(v, psci_cpu_on(v, a1, a2, a3));
	case PSCI_N_AFFINITY_INFO:
		return psci_ret(v, psci_affinity_info(v, a1, a2));
	case PSCI_N_MIGRATE_INFO_TYPE:
		return psci_ret(v, PSCI_TOS_NOT_PRESENT_MP);
	case PSCI_N_SYSTEM_OFF:
		vm_stop(v->vm, VMM_EXIT_SYSTEM_OFF);
		return 0;
	case PSCI_N_SYSTEM_RESET:
		vm_stop(v->vm, VMM_EXIT_SYSTEM_RESET);
		return 0;
	case PSCI_N_FEATURES:
		return psci_ret(v, psci_features((uint32_t)a1));
	}
	return psci_ret(v, PSCI_NOT_SUPPORTED);
}

static int psci_init(struct vm *vm)
{
	uint32_t base[] = { PSCI_FN32(0), PSCI_FN64(0) };
	int i, r;

	for (i = 0; i < 2; i++) {
		r = vm_smccc_forward(vm, base[i], PSCI_RANGE,
				     KVM_ARM_SMCCC_FWD_HVC |
				     KVM_ARM_SMCCC_FWD_SMC);
		if (r)
			vmm_die("forwarding PSCI 0x%08x: %s", base[i],
				strerror(-r));
		r = vm_hcall_register(vm, base[i], PSCI_RANGE, psci_call);
		if (r)
			return r;
	}
	return 0;
}

static struct vmm_unit psci_unit = {
	.name = "psci",
	.init = psci_init,
};
VMM_UNIT(psci_unit)
