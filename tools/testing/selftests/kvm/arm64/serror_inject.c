// SPDX-License-Identifier: GPL-2.0-only
/*
 * serror_inject - Test KVM_ARM_INJECT_SERROR, which makes a virtual SError
 * pending with a syndrome chosen by userspace.
 *
 * This test covers:
 *  - The errors for a malformed request (EFAULT, EINVAL) and for a vCPU that
 *    cannot take the SError (ENOEXEC, EOPNOTSUPP, EBUSY), the request
 *    being checked before the state of the vCPU.
 *  - On a host without the RAS extension: the capability is 0, and the
 *    ioctl fails with ENODEV, after the EINVAL and ENOEXEC checks.
 *  - The delivery of IMPLEMENTATION DEFINED and architected syndromes: the
 *    guest reads an ESR_EL1 with EC == SError, IL == 1 and exactly the ISS
 *    that was requested.
 *  - An SError injected while the guest has SErrors unmasked, at an exit
 *    that the guest's call has completed (a hypercall forwarded to
 *    userspace): the guest takes it at the call's return address. KVM may
 *    keep it pending until the next entry, or perform the exception entry
 *    at once (mainline does, since kvm_inject_serror_esr()); both are
 *    checked precisely, and the guest sees the same either way.
 *  - An SError made pending while the guest masks SErrors is only taken once
 *    the guest unmasks them.
 *  - Injecting while an SError is pending fails with EBUSY, unless
 *    KVM_ARM_SERROR_REPLACE is set, which replaces the pending syndrome.
 *  - A pending SError moves to a new VM with KVM_GET/SET_VCPU_EVENTS and is
 *    delivered there with the same syndrome.
 *  - Injecting from another thread while the vCPU thread is in KVM_RUN: the
 *    injecting thread kicks the vCPU thread out of KVM_RUN with a signal, and
 *    the guest takes the SError exactly once.
 *  - An SError the guest never unmasks stays pending.
 *  - KVM_SET_VCPU_EVENTS, which a VMM without this ioctl would use, is left
 *    as it is: it still overwrites a pending SError without a word and
 *    takes any ISS, which the ioctl refuses.
 *  - KVM_ARM_VCPU_INIT drops a pending SError, made pending with this ioctl
 *    or with KVM_SET_VCPU_EVENTS, whether the vCPU has run or not: the
 *    reset vCPU reports none, and its guest takes none once it unmasks
 *    SErrors.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define ESR_EC_SERROR		0x2f
#define ESR_EC_SERROR_SHIFT	26
#define ESR_IL			BIT(25)

/* ISS encoding for an SError exception, see ESR_EL1 in the Arm ARM */
#define ISS_IDS			BIT(24)
#define ISS_IESB		BIT(13)
#define ISS_AET(aet)		((uint64_t)(aet) << 10)
#define ISS_EA			BIT(9)
#define ISS_DFSC_SERROR		0x11

#define AET_UC			0
#define AET_UEU			1
#define AET_UEO			2
#define AET_UER			3
#define AET_CE			6

#define SERROR_ESR(iss)		(((uint64_t)ESR_EC_SERROR << ESR_EC_SERROR_SHIFT) | \
				 ESR_IL | (iss))

/* Syndromes a guest can take, of each kind */
static const uint64_t valid_iss[] = {
	/* IMPLEMENTATION DEFINED */
	ISS_IDS | 0x42,
	ISS_IDS | GENMASK(23, 0),
	/* Uncategorized */
	0,
	/* Asynchronous SError interrupt, every error type */
	ISS_DFSC_SERROR | ISS_AET(AET_UC),
	ISS_DFSC_SERROR | ISS_AET(AET_UEU),
	ISS_DFSC_SERROR | ISS_AET(AET_UEO),
	ISS_DFSC_SERROR | ISS_AET(AET_UER),
	ISS_DFSC_SERROR | ISS_AET(AET_CE),
	ISS_DFSC_SERROR | ISS_AET(AET_UER) | ISS_EA,
};

/* Malformed syndromes, with IDS == 0 */
static const uint64_t invalid_iss[] = {
	/* Uncategorized, with any other bit set */
	ISS_EA,
	ISS_AET(AET_UEU),
	ISS_IESB,
	BIT(6),
	BIT(8),
	BIT(23),
	/* DFSC neither Uncategorized nor Asynchronous SError interrupt */
	0x10,
	0x01,
	0x3f,
	/* Reserved error types, IESB or RES0 bits set */
	ISS_DFSC_SERROR | ISS_AET(4),
	ISS_DFSC_SERROR | ISS_AET(5),
	ISS_DFSC_SERROR | ISS_AET(7),
	ISS_DFSC_SERROR | ISS_IESB,
	ISS_DFSC_SERROR | BIT(6),
	ISS_DFSC_SERROR | BIT(8),
	ISS_DFSC_SERROR | BIT(14),
	ISS_DFSC_SERROR | BIT(23),
};

/* Bits outside of the ISS */
static const uint64_t non_iss[] = {
	ESR_IL | ISS_IDS,
	SERROR_ESR(0),
	BIT_ULL(32) | ISS_IDS,
	BIT_ULL(63),
};

/* Bounds the guest's wait for an SError it expects to take */
#define GUEST_WAIT_LOOPS	1000000
/* Bounds the host's wait for the guest or the injecting thread, in ms */
#define HOST_WAIT_MS		10000

/* Written by the guest */
static uint64_t guest_esr;
static uint64_t guest_elr;
static uint64_t guest_nr_serrors;
static bool guest_spinning;

/* Written by the host */
static uint64_t expected_iss;

enum {
	STAGE_INJECT,
	STAGE_UNMASK,
};

static void guest_serror_handler(struct ex_regs *regs)
{
	WRITE_ONCE(guest_esr, read_sysreg(esr_el1));
	WRITE_ONCE(guest_elr, regs->pc);
	WRITE_ONCE(guest_nr_serrors, READ_ONCE(guest_nr_serrors) + 1);
}

static void guest_unmask_serror(void)
{
	asm volatile("msr daifclr, #4" : : : "memory");
	isb();
}

static void guest_mask_serror(void)
{
	asm volatile("msr daifset, #4" : : : "memory");
	isb();
}

static void guest_wait_for_serrors(uint64_t nr)
{
	int i;

	for (i = 0; i < GUEST_WAIT_LOOPS; i++) {
		if (READ_ONCE(guest_nr_serrors) >= nr)
			break;
		isb();
	}

	GUEST_ASSERT_EQ(READ_ONCE(guest_nr_serrors), nr);
	GUEST_ASSERT_EQ(READ_ONCE(guest_esr),
			SERROR_ESR(READ_ONCE(expected_iss)));
}

/* Give a masked (or already taken) SError every chance to be taken */
static void guest_expect_no_new_serror(uint64_t nr)
{
	int i;

	for (i = 0; i < 1000; i++)
		isb();

	GUEST_ASSERT_EQ(READ_ONCE(guest_nr_serrors), nr);
}

/*
 * Takes one SError per entry of valid_iss[]. SErrors are masked across the
 * GUEST_SYNC exit in which the host injects, so that the SError is pending
 * and taken after the exit's MMIO access has completed.
 */
static void guest_code_unmasked(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(valid_iss); i++) {
		guest_mask_serror();
		GUEST_SYNC(i);
		guest_unmask_serror();
		guest_wait_for_serrors(i + 1);
	}

	guest_expect_no_new_serror(ARRAY_SIZE(valid_iss));
	GUEST_DONE();
}

/* Runs with SErrors masked (as out of reset) while one is injected */
static void guest_code_masked(void)
{
	GUEST_SYNC(STAGE_INJECT);
	guest_expect_no_new_serror(0);

	GUEST_SYNC(STAGE_UNMASK);
	guest_unmask_serror();
	guest_wait_for_serrors(1);
	guest_expect_no_new_serror(1);

	GUEST_DONE();
}

/*
 * A hypercall that the SMCCC filter hands to userspace, made with SErrors
 * unmasked. The host injects in the exit: the call is complete by then (the
 * PC is past the HVC), so the SError is taken at the call's return address.
 */
#define FWD_FUNC_ID	0xc3000001	/* SiP service, 64-bit fast call */

static void guest_code_call(void)
{
	uint64_t ret_addr;

	guest_unmask_serror();
	asm volatile("mov	x0, %1\n"
		     "hvc	#0\n"
		     "1:	adr	%0, 1b\n"
		     : "=r" (ret_addr) : "r" ((uint64_t)FWD_FUNC_ID)
		     : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8",
		       "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
		       "x17", "memory");

	GUEST_ASSERT_EQ(READ_ONCE(guest_nr_serrors), 1);
	GUEST_ASSERT_EQ(READ_ONCE(guest_esr),
			SERROR_ESR(READ_ONCE(expected_iss)));
	GUEST_ASSERT_EQ(READ_ONCE(guest_elr), ret_addr);
	guest_expect_no_new_serror(1);
	GUEST_DONE();
}

/* Never unmasks SErrors */
static void guest_code_never_unmasks(void)
{
	GUEST_SYNC(STAGE_INJECT);
	guest_expect_no_new_serror(0);
	GUEST_DONE();
}

/*
 * Stops with SErrors masked (as out of reset) for the host to inject and
 * reset the vCPU, then runs again from the start: with SErrors unmasked,
 * it must take none.
 */
static void guest_code_reset(void)
{
	GUEST_SYNC(STAGE_INJECT);
	guest_unmask_serror();
	guest_expect_no_new_serror(0);
	GUEST_DONE();
}

/* Spins without exiting until it takes an SError injected by another thread */
static void guest_code_spin(void)
{
	guest_unmask_serror();
	WRITE_ONCE(guest_spinning, true);

	while (!READ_ONCE(guest_nr_serrors))
		cpu_relax();

	guest_wait_for_serrors(1);
	guest_expect_no_new_serror(1);
	GUEST_DONE();
}

static int __inject_serror(struct kvm_vcpu *vcpu, uint64_t esr, uint32_t flags)
{
	struct kvm_arm_serror serror = {
		.esr	= esr,
		.flags	= flags,
	};

	return __vcpu_ioctl(vcpu, KVM_ARM_INJECT_SERROR, &serror);
}

static void inject_serror(struct kvm_vcpu *vcpu, uint64_t esr, uint32_t flags)
{
	int r = __inject_serror(vcpu, esr, flags);

	TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_ARM_INJECT_SERROR, r));
}

static void assert_serror_pending(struct kvm_vcpu *vcpu, uint64_t iss)
{
	struct kvm_vcpu_events events;

	vcpu_events_get(vcpu, &events);
	TEST_ASSERT(events.exception.serror_pending &&
		    events.exception.serror_has_esr &&
		    events.exception.serror_esr == iss,
		    "Expected pending SError with ISS 0x%lx, got pending=%u has_esr=%u esr=0x%llx",
		    iss, events.exception.serror_pending,
		    events.exception.serror_has_esr,
		    events.exception.serror_esr);
}

static uint64_t get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)&val };

	/* Not vcpu_get_reg(), which differs in 6.12.y: see smccc_fwd.c */
	vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	return val;
}

#define REG_ESR_EL1		ARM64_SYS_REG(3, 0, 5, 2, 0)
#define REG_VBAR_EL1		ARM64_SYS_REG(3, 0, 12, 0, 0)
/* "Current Exception level with SP_ELx", SError (Arm ARM D1.3.1) */
#define VECTOR_OFFSET_SERROR_SPX	0x380

/*
 * Injected while the guest has SErrors unmasked: KVM either keeps the SError
 * pending for the next entry, or performs the exception entry at once, in
 * which case the vCPU is already at its SError vector with the syndrome in
 * ESR_EL1. Returns true for the latter.
 */
static bool assert_serror_pending_or_taken(struct kvm_vcpu *vcpu, uint64_t iss)
{
	struct kvm_vcpu_events events;
	uint64_t pc, vector;

	vcpu_events_get(vcpu, &events);
	if (events.exception.serror_pending) {
		assert_serror_pending(vcpu, iss);
		return false;
	}

	pc = get_reg(vcpu, ARM64_CORE_REG(regs.pc));
	vector = get_reg(vcpu, REG_VBAR_EL1) + VECTOR_OFFSET_SERROR_SPX;
	TEST_ASSERT(pc == vector,
		    "SError neither pending nor taken: PC 0x%lx, vector 0x%lx",
		    pc, vector);
	TEST_ASSERT_EQ(get_reg(vcpu, REG_ESR_EL1), SERROR_ESR(iss));
	return true;
}

static void assert_no_serror_pending(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events events;

	vcpu_events_get(vcpu, &events);
	TEST_ASSERT(!events.exception.serror_pending,
		    "Unexpected pending SError, ESR 0x%llx",
		    events.exception.serror_esr);
}

static struct kvm_vm *create_vm(void *guest_code, struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	vm_install_exception_handler(vm, VECTOR_ERROR_CURRENT,
				     guest_serror_handler);
	return vm;
}

static void set_expected_iss(struct kvm_vm *vm, uint64_t iss)
{
	expected_iss = iss;
	sync_global_to_guest(vm, expected_iss);
}

static void handle_ucall(struct kvm_vcpu *vcpu, uint64_t cmd, uint64_t stage)
{
	struct ucall uc;

	switch (get_ucall(vcpu, &uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_SYNC:
		TEST_ASSERT(cmd == UCALL_SYNC && uc.args[1] == stage,
			    "Unexpected GUEST_SYNC(%lu)", uc.args[1]);
		break;
	case UCALL_DONE:
		TEST_ASSERT(cmd == UCALL_DONE, "Unexpected GUEST_DONE");
		break;
	default:
		TEST_FAIL("Unexpected ucall %lu", uc.cmd);
	}
}

static void run_to_stage(struct kvm_vcpu *vcpu, uint64_t stage)
{
	vcpu_run(vcpu);
	handle_ucall(vcpu, UCALL_SYNC, stage);
}

static void run_to_done(struct kvm_vcpu *vcpu)
{
	vcpu_run(vcpu);
	handle_ucall(vcpu, UCALL_DONE, 0);
}

static uint64_t guest_nr_serrors_of(struct kvm_vm *vm)
{
	sync_global_from_guest(vm, guest_nr_serrors);
	return guest_nr_serrors;
}

static void test_invalid_requests(void)
{
	struct kvm_arm_serror serror = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int i, r;

	vm = create_vm(guest_code_masked, &vcpu);

	r = __vcpu_ioctl(vcpu, KVM_ARM_INJECT_SERROR,
			 (struct kvm_arm_serror *)NULL);
	TEST_ASSERT(r < 0 && errno == EFAULT,
		    "Unreadable argument should return EFAULT");

	serror.esr = ISS_IDS;
	serror.pad = 1;
	r = __vcpu_ioctl(vcpu, KVM_ARM_INJECT_SERROR, &serror);
	TEST_ASSERT(r < 0 && errno == EINVAL,
		    "Non-zero pad should return EINVAL");
	serror.pad = 0;

	for (i = 0; i < ARRAY_SIZE(serror.reserved); i++) {
		serror.reserved[i] = 1;
		r = __vcpu_ioctl(vcpu, KVM_ARM_INJECT_SERROR, &serror);
		TEST_ASSERT(r < 0 && errno == EINVAL,
			    "Non-zero reserved[%d] should return EINVAL", i);
		serror.reserved[i] = 0;
	}

	for (i = 1; i < 32; i++) {
		r = __inject_serror(vcpu, ISS_IDS, BIT(i));
		TEST_ASSERT(r < 0 && errno == EINVAL,
			    "Unknown flag 0x%lx should return EINVAL", BIT(i));
	}

	for (i = 0; i < ARRAY_SIZE(non_iss); i++) {
		r = __inject_serror(vcpu, non_iss[i], 0);
		TEST_ASSERT(r < 0 && errno == EINVAL,
			    "ESR 0x%lx (not an ISS) should return EINVAL",
			    non_iss[i]);
	}

	for (i = 0; i < ARRAY_SIZE(invalid_iss); i++) {
		r = __inject_serror(vcpu, invalid_iss[i], 0);
		TEST_ASSERT(r < 0 && errno == EINVAL,
			    "Malformed ISS 0x%lx should return EINVAL",
			    invalid_iss[i]);
	}

	/* None of the above left an SError pending */
	assert_no_serror_pending(vcpu);

	/* A malformed request fails even when an SError is pending */
	inject_serror(vcpu, ISS_IDS, 0);
	r = __inject_serror(vcpu, ISS_IESB, 0);
	TEST_ASSERT(r < 0 && errno == EINVAL,
		    "Malformed ISS should return EINVAL, not EBUSY");
	assert_serror_pending(vcpu, ISS_IDS);

	kvm_vm_free(vm);
	ksft_test_result_pass("malformed requests: EFAULT, EINVAL\n");
}

static void test_uninitialized_vcpu(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int r;

	vm = vm_create_barebones();
	vcpu = __vm_vcpu_add(vm, 0);

	/* The request is checked before the state of the vCPU */
	r = __inject_serror(vcpu, ISS_IESB, 0);
	TEST_ASSERT(r < 0 && errno == EINVAL,
		    "Malformed ISS should return EINVAL, not ENOEXEC");

	r = __inject_serror(vcpu, ISS_IDS, 0);
	TEST_ASSERT(r < 0 && errno == ENOEXEC,
		    "Uninitialized vCPU should return ENOEXEC");

	kvm_vm_free(vm);
	ksft_test_result_pass("uninitialized vCPU: ENOEXEC\n");
}

/*
 * A host without the RAS extension has no VSESR_EL2 to hold the syndrome:
 * KVM_CAP_ARM_INJECT_SERROR_EVENT is 0 and KVM_ARM_INJECT_SERROR fails with
 * ENODEV for any initialized vCPU, AArch32 EL1 ones included. The request
 * and the vCPU's initialization are still checked first.
 */
static void test_no_ras_extension(void)
{
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int r;

	TEST_ASSERT(!kvm_check_cap(KVM_CAP_ARM_INJECT_SERROR_EVENT),
		    "KVM_CAP_ARM_INJECT_SERROR_EVENT set on a host without RAS");

	vm = vm_create_barebones();
	TEST_ASSERT(!vm_check_cap(vm, KVM_CAP_ARM_INJECT_SERROR_EVENT),
		    "KVM_CAP_ARM_INJECT_SERROR_EVENT set for a VM on a host without RAS");
	vcpu = __vm_vcpu_add(vm, 0);

	r = __inject_serror(vcpu, ISS_IESB, 0);
	TEST_ASSERT(r < 0 && errno == EINVAL,
		    "Malformed ISS should return EINVAL, got %d (%s)", r,
		    r ? strerror(errno) : "success");
	r = __inject_serror(vcpu, ISS_IDS, 0);
	TEST_ASSERT(r < 0 && errno == ENOEXEC,
		    "Uninitialized vCPU should return ENOEXEC, got %d (%s)", r,
		    r ? strerror(errno) : "success");

	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
	r = __inject_serror(vcpu, ISS_IDS, 0);
	TEST_ASSERT(r < 0 && errno == ENODEV,
		    "No RAS extension: expected ENODEV, got %d (%s)", r,
		    r ? strerror(errno) : "success");
	assert_no_serror_pending(vcpu);
	kvm_vm_free(vm);

	if (kvm_check_cap(KVM_CAP_ARM_EL1_32BIT)) {
		vm = vm_create_barebones();
		vcpu = __vm_vcpu_add(vm, 0);
		init.features[0] |= BIT(KVM_ARM_VCPU_EL1_32BIT);
		vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
		r = __inject_serror(vcpu, ISS_IDS, 0);
		TEST_ASSERT(r < 0 && errno == ENODEV,
			    "No RAS extension, AArch32 EL1: expected ENODEV, got %d (%s)",
			    r, r ? strerror(errno) : "success");
		assert_no_serror_pending(vcpu);
		kvm_vm_free(vm);
	}

	ksft_test_result_pass("no RAS extension: capability 0, ENODEV\n");
}

static void test_aarch32_vcpu(void)
{
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int r;

	if (!kvm_has_cap(KVM_CAP_ARM_EL1_32BIT)) {
		ksft_test_result_skip("AArch32 EL1 vCPU: KVM_CAP_ARM_EL1_32BIT not supported\n");
		return;
	}

	vm = vm_create_barebones();
	vcpu = __vm_vcpu_add(vm, 0);
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= BIT(KVM_ARM_VCPU_EL1_32BIT);
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);

	r = __inject_serror(vcpu, ISS_DFSC_SERROR | BIT(14), 0);
	TEST_ASSERT(r < 0 && errno == EINVAL,
		    "Malformed ISS should return EINVAL, not EOPNOTSUPP");

	r = __inject_serror(vcpu, ISS_IDS, 0);
	TEST_ASSERT(r < 0 && errno == EOPNOTSUPP,
		    "AArch32 EL1 vCPU should return EOPNOTSUPP");
	assert_no_serror_pending(vcpu);

	kvm_vm_free(vm);
	ksft_test_result_pass("AArch32 EL1 vCPU: EOPNOTSUPP\n");
}

static void test_delivery(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int i;

	vm = create_vm(guest_code_unmasked, &vcpu);

	for (i = 0; i < ARRAY_SIZE(valid_iss); i++) {
		run_to_stage(vcpu, i);
		assert_no_serror_pending(vcpu);

		set_expected_iss(vm, valid_iss[i]);
		inject_serror(vcpu, valid_iss[i], 0);
		assert_serror_pending(vcpu, valid_iss[i]);
	}

	run_to_done(vcpu);
	assert_no_serror_pending(vcpu);
	TEST_ASSERT_EQ(guest_nr_serrors_of(vm), ARRAY_SIZE(valid_iss));

	kvm_vm_free(vm);
	ksft_test_result_pass("delivery of IMPDEF and architected syndromes\n");
}

static void test_masked(void)
{
	uint64_t iss = ISS_DFSC_SERROR | ISS_AET(AET_UEO);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = create_vm(guest_code_masked, &vcpu);
	set_expected_iss(vm, iss);

	run_to_stage(vcpu, STAGE_INJECT);
	inject_serror(vcpu, iss, 0);

	/* Masked by the guest: not taken, still pending */
	run_to_stage(vcpu, STAGE_UNMASK);
	assert_serror_pending(vcpu, iss);

	run_to_done(vcpu);
	assert_no_serror_pending(vcpu);

	/* Once taken, another one can be injected (the guest has unmasked) */
	inject_serror(vcpu, ISS_IDS, 0);
	assert_serror_pending_or_taken(vcpu, ISS_IDS);

	kvm_vm_free(vm);
	ksft_test_result_pass("masked, then taken once unmasked\n");
}

static void test_unmasked_at_call(void)
{
	uint64_t iss = ISS_DFSC_SERROR | ISS_AET(AET_UER);
	struct kvm_smccc_filter filter = {
		.base		= FWD_FUNC_ID,
		.nr_functions	= 1,
		.action		= KVM_SMCCC_FILTER_FWD_TO_USER,
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool taken;

	vm = create_vm(guest_code_call, &vcpu);
	set_expected_iss(vm, iss);
	kvm_device_attr_set(vm->fd, KVM_ARM_VM_SMCCC_CTRL,
			    KVM_ARM_VM_SMCCC_FILTER, &filter);

	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_HYPERCALL);
	TEST_ASSERT_EQ(vcpu->run->hypercall.nr, FWD_FUNC_ID);

	inject_serror(vcpu, iss, 0);
	taken = assert_serror_pending_or_taken(vcpu, iss);

	run_to_done(vcpu);
	assert_no_serror_pending(vcpu);
	TEST_ASSERT_EQ(guest_nr_serrors_of(vm), 1);

	kvm_vm_free(vm);
	ksft_test_result_pass("unmasked, at a forwarded call: taken at its return address (%s)\n",
			      taken ? "entry performed by the ioctl" :
				      "pending until the next entry");
}

static void test_busy_and_replace(void)
{
	uint64_t first = ISS_DFSC_SERROR | ISS_AET(AET_CE);
	uint64_t second = ISS_DFSC_SERROR | ISS_AET(AET_UER);
	uint64_t merged = ISS_DFSC_SERROR | ISS_AET(AET_UC);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int r;

	vm = create_vm(guest_code_masked, &vcpu);
	set_expected_iss(vm, merged);

	run_to_stage(vcpu, STAGE_INJECT);
	inject_serror(vcpu, first, 0);

	r = __inject_serror(vcpu, second, 0);
	TEST_ASSERT(r < 0 && errno == EBUSY,
		    "Injecting with an SError pending should return EBUSY");
	assert_serror_pending(vcpu, first);

	inject_serror(vcpu, merged, KVM_ARM_SERROR_REPLACE);
	assert_serror_pending(vcpu, merged);

	run_to_stage(vcpu, STAGE_UNMASK);
	run_to_done(vcpu);
	assert_no_serror_pending(vcpu);

	kvm_vm_free(vm);
	ksft_test_result_pass("EBUSY while pending, REPLACE replaces\n");
}

static void test_migration(void)
{
	uint64_t iss = ISS_IDS | 0x5a5a5a;
	struct kvm_vcpu_events events;
	struct kvm_vcpu *src, *dst;
	struct kvm_vm *vm;

	vm = create_vm(guest_code_masked, &src);
	run_to_stage(src, STAGE_INJECT);
	inject_serror(src, iss, 0);

	vcpu_events_get(src, &events);
	TEST_ASSERT(events.exception.serror_pending == 1 &&
		    events.exception.serror_has_esr == 1 &&
		    events.exception.serror_esr == iss,
		    "Saved events: pending=%u has_esr=%u esr=0x%llx, expected ESR 0x%lx",
		    events.exception.serror_pending,
		    events.exception.serror_has_esr,
		    events.exception.serror_esr, iss);
	kvm_vm_free(vm);

	/* The destination runs the same guest up to the same point */
	vm = create_vm(guest_code_masked, &dst);
	set_expected_iss(vm, iss);
	run_to_stage(dst, STAGE_INJECT);
	assert_no_serror_pending(dst);

	vcpu_events_set(dst, &events);
	assert_serror_pending(dst, iss);

	run_to_stage(dst, STAGE_UNMASK);
	run_to_done(dst);
	assert_no_serror_pending(dst);
	TEST_ASSERT_EQ(guest_nr_serrors_of(vm), 1);

	kvm_vm_free(vm);
	ksft_test_result_pass("migration with KVM_GET/SET_VCPU_EVENTS\n");
}

struct thread_args {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	pthread_t vcpu_thread;
	uint64_t iss;
	bool injected;
	int nr_eintr;
};

static void kick_handler(int sig)
{
}

static bool guest_is_spinning(struct kvm_vm *vm)
{
	bool *spinning = addr_gva2hva(vm, (uint64_t)&guest_spinning);

	return READ_ONCE(*spinning);
}

static void *vcpu_thread_fn(void *data)
{
	struct thread_args *args = data;
	int r;

	for (;;) {
		r = __vcpu_run(args->vcpu);
		if (r < 0 && errno == EINTR) {
			/* Kicked: go back into the guest */
			args->nr_eintr++;
			continue;
		}

		TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_RUN, r));
		handle_ucall(args->vcpu, UCALL_DONE, 0);
		return NULL;
	}
}

static void *injector_thread_fn(void *data)
{
	struct thread_args *args = data;
	int i;

	/* Wait until the vCPU thread is in KVM_RUN, running the guest */
	for (i = 0; !guest_is_spinning(args->vm); i++) {
		TEST_ASSERT(i < HOST_WAIT_MS, "Guest not running");
		usleep(1000);
	}

	/*
	 * The ioctl waits for the vCPU mutex, held by KVM_RUN: kick the vCPU
	 * thread out of KVM_RUN first.
	 */
	pthread_kill(args->vcpu_thread, SIGUSR1);
	inject_serror(args->vcpu, args->iss, 0);
	WRITE_ONCE(args->injected, true);

	return NULL;
}

static void test_inject_from_thread(void)
{
	struct sigaction sa = {
		.sa_handler = kick_handler,
	};
	struct thread_args args = {
		.iss = ISS_DFSC_SERROR | ISS_AET(AET_UEU) | ISS_EA,
	};
	pthread_t injector;
	int i;

	args.vm = create_vm(guest_code_spin, &args.vcpu);
	set_expected_iss(args.vm, args.iss);

	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction() failed");
	pthread_create(&args.vcpu_thread, NULL, vcpu_thread_fn, &args);
	pthread_create(&injector, NULL, injector_thread_fn, &args);

	/*
	 * The vCPU thread may get back into KVM_RUN before the injecting
	 * thread gets the vCPU mutex. Kick it again until the injection is
	 * done.
	 */
	for (i = 0; !READ_ONCE(args.injected); i++) {
		TEST_ASSERT(i < HOST_WAIT_MS, "Injection did not complete");
		usleep(1000);
		if (guest_is_spinning(args.vm))
			pthread_kill(args.vcpu_thread, SIGUSR1);
	}

	pthread_join(injector, NULL);
	pthread_join(args.vcpu_thread, NULL);

	TEST_ASSERT(args.nr_eintr > 0, "KVM_RUN was never interrupted");
	TEST_ASSERT_EQ(guest_nr_serrors_of(args.vm), 1);
	assert_no_serror_pending(args.vcpu);

	kvm_vm_free(args.vm);
	ksft_test_result_pass("injection from another thread during KVM_RUN\n");
}

static void test_never_unmasked(void)
{
	uint64_t iss = ISS_DFSC_SERROR | ISS_AET(AET_UC) | ISS_EA;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = create_vm(guest_code_never_unmasks, &vcpu);

	run_to_stage(vcpu, STAGE_INJECT);
	inject_serror(vcpu, iss, 0);
	run_to_done(vcpu);

	assert_serror_pending(vcpu, iss);
	TEST_ASSERT_EQ(guest_nr_serrors_of(vm), 0);

	kvm_vm_free(vm);
	ksft_test_result_pass("never unmasked: still pending\n");
}

/*
 * What a VMM that only has KVM_SET_VCPU_EVENTS gets, and must keep getting:
 * it restores state, so it replaces an SError already pending without
 * saying so, and it takes a syndrome that is no SError syndrome at all.
 */
static void test_set_vcpu_events_unchanged(void)
{
	uint64_t first = ISS_DFSC_SERROR | ISS_AET(AET_CE);
	uint64_t bogus = ISS_DFSC_SERROR | ISS_IESB | ISS_AET(5);
	struct kvm_vcpu_events events = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int r;

	vm = create_vm(guest_code_never_unmasks, &vcpu);
	run_to_stage(vcpu, STAGE_INJECT);
	inject_serror(vcpu, first, 0);

	events.exception.serror_pending = 1;
	events.exception.serror_has_esr = 1;
	events.exception.serror_esr = bogus;
	vcpu_events_set(vcpu, &events);
	assert_serror_pending(vcpu, bogus);

	r = __inject_serror(vcpu, bogus, KVM_ARM_SERROR_REPLACE);
	TEST_ASSERT(r < 0 && errno == EINVAL,
		    "A reserved AET with IESB should return EINVAL, got %d (errno %d)",
		    r, errno);

	kvm_vm_free(vm);
	ksft_test_result_pass("KVM_SET_VCPU_EVENTS unchanged: overwrites, takes any ISS\n");
}

/*
 * A VMM that reboots its guest resets every vCPU with KVM_ARM_VCPU_INIT: a
 * pending SError must not survive into the new boot, whether the vCPU had
 * run before (KVM then keeps the HCR_EL2 it computed at the first run) or
 * not. The vCPU is then set up again as the library does for a new one.
 */
static void test_reset(bool with_ioctl, bool has_run)
{
	uint64_t iss = ISS_DFSC_SERROR | ISS_AET(AET_UEU);
	struct kvm_vcpu_events events = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t sp, pc;

	vm = create_vm(guest_code_reset, &vcpu);
	sp = get_reg(vcpu, ARM64_CORE_REG(sp_el1));
	pc = get_reg(vcpu, ARM64_CORE_REG(regs.pc));

	if (has_run)
		run_to_stage(vcpu, STAGE_INJECT);

	if (with_ioctl) {
		inject_serror(vcpu, iss, 0);
	} else {
		events.exception.serror_pending = 1;
		events.exception.serror_has_esr = 1;
		events.exception.serror_esr = iss;
		vcpu_events_set(vcpu, &events);
	}
	assert_serror_pending(vcpu, iss);

	aarch64_vcpu_setup(vcpu, NULL);
	assert_no_serror_pending(vcpu);

	vcpu_set_reg(vcpu, ARM64_CORE_REG(sp_el1), sp);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.pc), pc);
	vcpu_init_descriptor_tables(vcpu);
	run_to_stage(vcpu, STAGE_INJECT);
	assert_no_serror_pending(vcpu);
	run_to_done(vcpu);
	TEST_ASSERT_EQ(guest_nr_serrors_of(vm), 0);

	kvm_vm_free(vm);
	ksft_test_result_pass("KVM_ARM_VCPU_INIT drops an SError from %s, vCPU %s\n",
			      with_ioctl ? "KVM_ARM_INJECT_SERROR" :
					   "KVM_SET_VCPU_EVENTS",
			      has_run ? "has run" : "never ran");
}

int main(void)
{
	/*
	 * KVM_CAP_ARM_INJECT_SERROR_ESR, older than this test, says whether
	 * the host has the RAS extension. With it, a kernel without
	 * KVM_ARM_INJECT_SERROR has nothing to test.
	 */
	bool ras = kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_ESR);

	TEST_REQUIRE(!ras || kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_EVENT));

	ksft_print_header();
	if (!ras) {
		ksft_set_plan(1);
		test_no_ras_extension();
		ksft_finished();
	}
	ksft_set_plan(15);

	test_invalid_requests();
	test_uninitialized_vcpu();
	test_aarch32_vcpu();
	test_delivery();
	test_masked();
	test_unmasked_at_call();
	test_busy_and_replace();
	test_migration();
	test_inject_from_thread();
	test_never_unmasked();
	test_set_vcpu_events_unchanged();
	test_reset(true, false);
	test_reset(true, true);
	test_reset(false, false);
	test_reset(false, true);

	ksft_finished();
}
