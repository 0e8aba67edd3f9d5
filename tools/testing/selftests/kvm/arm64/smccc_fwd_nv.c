// SPDX-License-Identifier: GPL-2.0-only
/*
 * smccc_fwd_nv - KVM_CAP_ARM_SMCCC_FORWARD and KVM_ARM_INJECT_SERROR with a
 * guest hypervisor: a vCPU that starts at EL2 (KVM_ARM_VCPU_HAS_EL2).
 *
 * What the architecture says each call or error is, decides where it goes
 * (ARM DDI 0487, D1.3 "Exception entry" and the HVC, SMC and SError routing
 * rules; HCR_EL2.{TSC,AMO}):
 *  - an SMC from vEL2 is a call to EL3, the firmware the VMM plays: in a
 *    forwarded range it exits with KVM_EXIT_HYPERCALL and its arguments;
 *  - an HVC from vEL2 is taken to EL2 itself: it goes to the guest
 *    hypervisor's own vector, never to the VMM, even in a forwarded range;
 *  - an HVC from the guest hypervisor's guest (vEL1) goes to the guest
 *    hypervisor's vector, never to the VMM, even in a forwarded range;
 *  - an SMC from vEL1 goes to the guest hypervisor when it traps SMCs
 *    (HCR_EL2.TSC), else to the firmware, the VMM;
 *  - an SError injected with KVM_ARM_INJECT_SERROR (or upstream's
 *    KVM_SET_VCPU_EVENTS) while vEL1 runs with HCR_EL2.AMO set (and
 *    PSTATE.A set at EL1, which does not mask an SError routed to EL2) is
 *    taken at vEL2's "lower EL, AArch64" SError vector, with ESR_EL2 = EC
 *    SError, IL, and the ISS the VMM chose;
 *  - an external data abort injected with KVM_SET_VCPU_EVENTS while vEL1
 *    runs with HCR_EL2.TEA set is taken at vEL2's "lower EL, AArch64"
 *    synchronous vector, as a data abort from a lower EL.
 */
#include <linux/arm-smccc.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall.h"

#include <asm/sysreg.h>

/* An OEM service call (owning entity 3, DEN0028E), unknown to KVM. */
#define OEM_FN(n)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, \
					   ARM_SMCCC_OWNER_OEM, (n))
#define FWD_BASE	OEM_FN(0)
#define FWD_NR		16
#define FN_SMC_EL2	OEM_FN(1)
#define FN_HVC_EL2	OEM_FN(2)
#define FN_HVC_EL1	OEM_FN(3)
#define FN_SMC_EL1	OEM_FN(4)
/* Outside the forwarded range: the guest hypervisor's own service. */
#define FN_GH_TRAP_SMC	OEM_FN(FWD_NR)

/* The arguments the callers pass in x1-x6, and the VMM's results. */
#define ARG(i)		(0xa0a0a0a000000000ull | (i))
#define VMM_RES(i)	(0x7e7e7e7e00000000ull | (i))
/* What the guest hypervisor answers in x0-x3 for a call it took. */
#define GH_RES(i)	(0x6d6d6d6d00000000ull | (i))

#define ESR_EC(ec)	((u64)(ec) << ESR_ELx_EC_SHIFT)
#define SERROR_ISS	(ESR_ELx_IDS | 0x1234)

/* "Lower Exception level, using AArch64" (Arm ARM D1.3.1) */
#define VECTOR_OFFSET_SYNC_LOWER_A64	0x400
#define VECTOR_OFFSET_SERROR_LOWER_A64	0x580

/* --- guest side ------------------------------------------------------- */

/* What the guest hypervisor's vectors saw: one record per exception. */
struct gh_record {
	u64 count;
	u64 vector;
	u64 esr;
	u64 x0;
	u64 elr;
	u64 spsr;
};

static struct gh_record gh;

/* The vEL1 guest's stack: SP_EL1 when the guest hypervisor enters it. */
static u8 el1_stack[4096] __aligned(16);

static void gh_record(struct ex_regs *regs, int vector)
{
	WRITE_ONCE(gh.vector, vector);
	WRITE_ONCE(gh.esr, read_sysreg(esr_el2));
	WRITE_ONCE(gh.x0, regs->regs[0]);
	WRITE_ONCE(gh.elr, regs->pc);
	WRITE_ONCE(gh.spsr, regs->pstate);
	WRITE_ONCE(gh.count, READ_ONCE(gh.count) + 1);
}

/* The guest hypervisor answers a call it took itself. */
static void gh_answer(struct ex_regs *regs)
{
	int i;

	for (i = 0; i < 4; i++)
		regs->regs[i] = GH_RES(i);
}

static void gh_sync_current(struct ex_regs *regs)
{
	gh_record(regs, VECTOR_SYNC_CURRENT);
	gh_answer(regs);
}

static void gh_sync_lower(struct ex_regs *regs)
{
	gh_record(regs, VECTOR_SYNC_LOWER_64);
	/* Its guest asks it to trap SMCs from now on */
	if (regs->regs[0] == FN_GH_TRAP_SMC) {
		sysreg_clear_set(hcr_el2, 0, HCR_EL2_TSC);
		isb();
	}
	gh_answer(regs);
	/*
	 * A trapped SMC returns to the SMC itself (ELR_EL2 is its address,
	 * Arm ARM D1.3.1, "preferred return address"): step over it.
	 */
	if (ESR_ELx_EC(read_sysreg(esr_el2)) == ESR_ELx_EC_SMC64)
		regs->pc += 4;
}

static void gh_serror_lower(struct ex_regs *regs)
{
	gh_record(regs, VECTOR_ERROR_LOWER_64);
}

static void guest_check_results(struct arm_smccc_res *res, u64 base)
{
	GUEST_ASSERT_EQ(res->a0, base + 0);
	GUEST_ASSERT_EQ(res->a1, base + 1);
	GUEST_ASSERT_EQ(res->a2, base + 2);
	GUEST_ASSERT_EQ(res->a3, base + 3);
}

static void call(u32 fn, bool smc, struct arm_smccc_res *res)
{
	if (smc)
		smccc_smc(fn, ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6), 0, res);
	else
		smccc_hvc(fn, ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6), 0, res);
}

/* At vEL2: an SMC is forwarded, an HVC is taken by vEL2 itself. */
static void guest_el2_calls(void)
{
	struct arm_smccc_res res;

	GUEST_ASSERT_EQ(get_current_el(), 2);

	call(FN_SMC_EL2, true, &res);
	guest_check_results(&res, VMM_RES(0));
	GUEST_ASSERT_EQ(READ_ONCE(gh.count), 0);

	call(FN_HVC_EL2, false, &res);
	guest_check_results(&res, GH_RES(0));
	GUEST_ASSERT_EQ(READ_ONCE(gh.count), 1);
	GUEST_ASSERT_EQ(READ_ONCE(gh.vector), VECTOR_SYNC_CURRENT);
	GUEST_ASSERT_EQ(READ_ONCE(gh.esr),
			ESR_EC(ESR_ELx_EC_HVC64) | ESR_ELx_IL);
	GUEST_ASSERT_EQ(READ_ONCE(gh.x0), FN_HVC_EL2);

	GUEST_DONE();
}

/* The guest hypervisor's guest, at vEL1 */
static void guest_el1_calls(void)
{
	struct arm_smccc_res res;

	GUEST_ASSERT_EQ(get_current_el(), 1);

	/* HVC: to the guest hypervisor, whatever the VMM forwards */
	call(FN_HVC_EL1, false, &res);
	guest_check_results(&res, GH_RES(0));
	GUEST_ASSERT_EQ(READ_ONCE(gh.count), 1);
	GUEST_ASSERT_EQ(READ_ONCE(gh.vector), VECTOR_SYNC_LOWER_64);
	GUEST_ASSERT_EQ(READ_ONCE(gh.esr),
			ESR_EC(ESR_ELx_EC_HVC64) | ESR_ELx_IL);
	GUEST_ASSERT_EQ(READ_ONCE(gh.x0), FN_HVC_EL1);
	GUEST_ASSERT_EQ(READ_ONCE(gh.spsr) & PSR_MODE_MASK, PSR_MODE_EL1h);

	/* SMC, HCR_EL2.TSC clear: to the firmware, the VMM */
	call(FN_SMC_EL1, true, &res);
	guest_check_results(&res, VMM_RES(0));
	GUEST_ASSERT_EQ(READ_ONCE(gh.count), 1);

	/* SMC, HCR_EL2.TSC set by the guest hypervisor: trapped */
	call(FN_GH_TRAP_SMC, false, &res);
	GUEST_ASSERT_EQ(READ_ONCE(gh.count), 2);
	call(FN_SMC_EL1, true, &res);
	guest_check_results(&res, GH_RES(0));
	GUEST_ASSERT_EQ(READ_ONCE(gh.count), 3);
	GUEST_ASSERT_EQ(READ_ONCE(gh.vector), VECTOR_SYNC_LOWER_64);
	GUEST_ASSERT_EQ(READ_ONCE(gh.esr),
			ESR_EC(ESR_ELx_EC_SMC64) | ESR_ELx_IL);

	GUEST_DONE();
}

/*
 * At vEL1 with SErrors masked: the VMM injects while the forwarded call
 * exits, and the SError is taken at vEL2 as the call returns.
 */
static void guest_el1_serror(void)
{
	struct arm_smccc_res res;

	GUEST_ASSERT_EQ(get_current_el(), 1);
	GUEST_ASSERT(read_sysreg(daif) & PSR_A_BIT);

	call(FN_SMC_EL1, true, &res);
	GUEST_ASSERT_EQ(READ_ONCE(gh.count), 1);
	GUEST_ASSERT_EQ(READ_ONCE(gh.vector), VECTOR_ERROR_LOWER_64);
	GUEST_ASSERT_EQ(READ_ONCE(gh.esr),
			ESR_EC(ESR_ELx_EC_SERROR) | ESR_ELx_IL | SERROR_ISS);
	GUEST_ASSERT_EQ(READ_ONCE(gh.spsr) & PSR_MODE_MASK, PSR_MODE_EL1h);
	guest_check_results(&res, VMM_RES(0));

	GUEST_DONE();
}

#define copy_el2_to_el1(reg)						\
	write_sysreg_s(read_sysreg_s(SYS_##reg##_EL1), SYS_##reg##_EL12)

/*
 * The guest hypervisor runs @el1_code at vEL1: the same stage-1 tables and
 * vectors as its own, no stage 2 of its own (HCR_EL2.VM clear), a guest
 * context (TGE clear), SErrors and external aborts routed to it (AMO, TEA),
 * and SErrors masked at EL1.
 */
static void guest_enter_el1(void *el1_code)
{
	copy_el2_to_el1(SCTLR);
	copy_el2_to_el1(MAIR);
	copy_el2_to_el1(TCR);
	copy_el2_to_el1(TTBR0);
	copy_el2_to_el1(TTBR1);
	copy_el2_to_el1(VBAR);
	copy_el2_to_el1(CPACR);
	write_sysreg(0, vtcr_el2);
	write_sysreg(0, vttbr_el2);
	write_sysreg(HCR_EL2_E2H | HCR_EL2_RW | HCR_EL2_AMO | HCR_EL2_TEA,
		    hcr_el2);
	isb();

	asm volatile("msr	sp_el1, %0\n"
		     "msr	elr_el2, %1\n"
		     "msr	spsr_el2, %2\n"
		     "eret"
		     : : "r" (el1_stack + sizeof(el1_stack)), "r" (el1_code),
		       "r" ((u64)(PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT |
				  PSR_I_BIT | PSR_F_BIT))
		     : "memory");
	__builtin_unreachable();
}

static void guest_el1_calls_from_el2(void)
{
	guest_enter_el1(guest_el1_calls);
}

static void guest_el1_serror_from_el2(void)
{
	guest_enter_el1(guest_el1_serror);
}

/* --- host side --------------------------------------------------------- */

static void enable_fwd(struct kvm_vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap	= KVM_CAP_ARM_SMCCC_FORWARD,
		.args	= { FWD_BASE, FWD_NR,
			    KVM_ARM_SMCCC_FWD_HVC | KVM_ARM_SMCCC_FWD_SMC },
	};

	vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static struct kvm_vm *setup_vm(struct kvm_vcpu **vcpu, void *guest_code)
{
	struct kvm_vcpu_init init;
	struct kvm_vm *vm;

	vm = vm_create(1);
	kvm_get_default_vcpu_target(vm, &init);
	init.features[0] |= BIT(KVM_ARM_VCPU_HAS_EL2);
	*vcpu = aarch64_vcpu_add(vm, 0, &init, guest_code);
	kvm_arch_vm_finalize_vcpus(vm);

	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, ESR_ELx_EC_HVC64,
				gh_sync_current);
	vm_install_sync_handler(vm, VECTOR_SYNC_LOWER_64, ESR_ELx_EC_HVC64,
				gh_sync_lower);
	vm_install_sync_handler(vm, VECTOR_SYNC_LOWER_64, ESR_ELx_EC_SMC64,
				gh_sync_lower);
	vm_install_exception_handler(vm, VECTOR_ERROR_LOWER_64,
				     gh_serror_lower);
	enable_fwd(vm);
	return vm;
}

static u64 pstate_mode(struct kvm_vcpu *vcpu)
{
	return vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pstate)) & PSR_MODE_MASK;
}

/* Run into the forwarded SMC @fn, made at @mode; check what it reports. */
static void expect_smc_exit(struct kvm_vcpu *vcpu, u64 fn, u64 mode)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;
	int i;

	vcpu_run(vcpu);
	if (run->exit_reason != KVM_EXIT_HYPERCALL &&
	    get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_HYPERCALL,
		    "0x%lx: expected KVM_EXIT_HYPERCALL, got %s", fn,
		    exit_reason_str(run->exit_reason));
	TEST_ASSERT(run->hypercall.nr == fn, "nr 0x%llx, expected 0x%lx",
		    run->hypercall.nr, fn);
	TEST_ASSERT(run->hypercall.flags == KVM_HYPERCALL_EXIT_SMC,
		    "0x%lx: flags 0x%llx, expected SMC", fn,
		    run->hypercall.flags);
	for (i = 0; i < 6; i++)
		TEST_ASSERT(run->hypercall.args[i] == ARG(i + 1),
			    "0x%lx: args[%d] 0x%llx, expected 0x%llx", fn, i,
			    run->hypercall.args[i], ARG(i + 1));
	TEST_ASSERT(pstate_mode(vcpu) == mode,
		    "0x%lx: made at PSTATE mode 0x%lx, expected 0x%lx", fn,
		    pstate_mode(vcpu), mode);

	for (i = 0; i < 4; i++)
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[i]), VMM_RES(i));
}

/* Run to the next ucall, which must be @cmd (no call may exit before it). */
static void expect_ucall(struct kvm_vcpu *vcpu, u64 cmd)
{
	struct ucall uc;

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_NONE:
		TEST_FAIL("expected ucall %lu, got exit %s (nr 0x%llx)", cmd,
			  exit_reason_str(vcpu->run->exit_reason),
			  vcpu->run->hypercall.nr);
		break;
	default:
		TEST_ASSERT(uc.cmd == cmd, "expected ucall %lu, got %lu",
			    cmd, uc.cmd);
	}
}

static void test_el2_calls(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_el2_calls);

	expect_smc_exit(vcpu, FN_SMC_EL2, PSR_MODE_EL2h);
	expect_ucall(vcpu, UCALL_DONE);
	kvm_vm_free(vm);
	ksft_test_result_pass("vEL2: SMC forwarded, HVC to its own vector\n");
}

static void test_el1_calls(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_el1_calls_from_el2);

	expect_smc_exit(vcpu, FN_SMC_EL1, PSR_MODE_EL1h);
	expect_ucall(vcpu, UCALL_DONE);
	kvm_vm_free(vm);
	ksft_test_result_pass("vEL1: HVC and trapped SMC to vEL2, untrapped SMC forwarded\n");
}

/*
 * @set_events: inject with upstream's KVM_SET_VCPU_EVENTS, which routes the
 * SError the same way, instead of KVM_ARM_INJECT_SERROR.
 */
static void test_el1_serror(bool set_events)
{
	struct kvm_arm_serror serror = { .esr = SERROR_ISS };
	struct kvm_vcpu_events events = {
		.exception.serror_pending	= 1,
		.exception.serror_has_esr	= 1,
		.exception.serror_esr		= SERROR_ISS,
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_el1_serror_from_el2);
	u64 vbar, pc, esr;

	/* The vCPU is at vEL1, in the call's exit, when the VMM injects */
	expect_smc_exit(vcpu, FN_SMC_EL1, PSR_MODE_EL1h);
	if (set_events)
		vcpu_events_set(vcpu, &events);
	else
		vcpu_ioctl(vcpu, KVM_ARM_INJECT_SERROR, &serror);

	/*
	 * HCR_EL2.AMO routes it to vEL2, where PSTATE.A of EL1 does not mask
	 * it: KVM performs the exception entry before the ioctl returns.
	 */
	vbar = vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_VBAR_EL2));
	pc = vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc));
	esr = vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ESR_EL2));
	TEST_ASSERT(pc == vbar + VECTOR_OFFSET_SERROR_LOWER_A64,
		    "PC 0x%lx, expected vEL2's lower-EL SError vector 0x%lx",
		    pc, vbar + VECTOR_OFFSET_SERROR_LOWER_A64);
	TEST_ASSERT(pstate_mode(vcpu) == PSR_MODE_EL2h,
		    "PSTATE mode 0x%lx, expected EL2h", pstate_mode(vcpu));
	TEST_ASSERT(esr == (ESR_EC(ESR_ELx_EC_SERROR) | ESR_ELx_IL | SERROR_ISS),
		    "ESR_EL2 0x%lx", esr);

	expect_ucall(vcpu, UCALL_DONE);
	kvm_vm_free(vm);
	ksft_test_result_pass("vEL1 with HCR_EL2.AMO: SError taken at vEL2 (%s)\n",
			      set_events ? "KVM_SET_VCPU_EVENTS" :
					   "KVM_ARM_INJECT_SERROR");
}

/*
 * KVM_SET_VCPU_EVENTS(ext_dabt_pending) at vEL1 with HCR_EL2.TEA set: the
 * data abort is routed to vEL2 and taken before the ioctl returns.
 */
static void test_el1_sea(void)
{
	struct kvm_vcpu_events events = {
		.exception.ext_dabt_pending	= 1,
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_el1_serror_from_el2);
	u64 vbar, pc, esr;

	expect_smc_exit(vcpu, FN_SMC_EL1, PSR_MODE_EL1h);
	vcpu_events_set(vcpu, &events);

	vbar = vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_VBAR_EL2));
	pc = vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc));
	esr = vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ESR_EL2));
	TEST_ASSERT(pc == vbar + VECTOR_OFFSET_SYNC_LOWER_A64,
		    "PC 0x%lx, expected vEL2's lower-EL sync vector 0x%lx",
		    pc, vbar + VECTOR_OFFSET_SYNC_LOWER_A64);
	TEST_ASSERT(pstate_mode(vcpu) == PSR_MODE_EL2h,
		    "PSTATE mode 0x%lx, expected EL2h", pstate_mode(vcpu));
	TEST_ASSERT(ESR_ELx_EC(esr) == ESR_ELx_EC_DABT_LOW &&
		    (esr & ESR_ELx_IL) &&
		    (esr & ESR_ELx_FSC) == ESR_ELx_FSC_EXTABT,
		    "ESR_EL2 0x%lx, expected a synchronous external abort from a lower EL",
		    esr);

	kvm_vm_free(vm);
	ksft_test_result_pass("vEL1 with HCR_EL2.TEA: external abort taken at vEL2\n");
}

int main(void)
{
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_ARM_EL2));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SMCCC_FORWARD));

	ksft_print_header();
	ksft_set_plan(5);

	test_el2_calls();
	test_el1_calls();
	/* The SError's syndrome needs RAS, as for a guest without a hypervisor */
	if (kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_ESR))
		test_el1_serror(true);
	else
		ksft_test_result_skip("no KVM_CAP_ARM_INJECT_SERROR_ESR\n");
	test_el1_sea();
	if (kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_EVENT))
		test_el1_serror(false);
	else
		ksft_test_result_skip("no KVM_CAP_ARM_INJECT_SERROR_EVENT\n");

	ksft_finished();
}
