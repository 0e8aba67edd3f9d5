// SPDX-License-Identifier: GPL-2.0-only
/*
 * sync_regs_test - KVM_CAP_SYNC_REGS on arm64: KVM_SYNC_ARM64_REGS.
 *
 * This test covers:
 *  - KVM_CHECK_EXTENSION on /dev/kvm and on a VM fd;
 *  - the stored set equals KVM_GET_ONE_REG register by register, and holds
 *    what the guest left, after an exit and after immediate_exit;
 *  - nothing is stored without the valid bit;
 *  - a dirty set is loaded before an MMIO load completes, and its bit is
 *    cleared; a clean set is never read;
 *  - values in kvm_run win over KVM_SET_ONE_REG writes made since the exit;
 *  - a new PC at an MMIO exit: KVM still completes the MMIO instruction, so
 *    the vCPU resumes at PC + 4;
 *  - KVM_ARM_VCPU_INIT between an exit and the next KVM_RUN;
 *  - a reset owed to PSCI CPU_ON is done before the set is stored or
 *    loaded, as before KVM_{GET,SET}_ONE_REG;
 *  - EINVAL for unknown bits and for a PSTATE the vCPU cannot be in, with
 *    nothing loaded;
 *  - an AArch32 vCPU: the set narrowed to 32 bits, as ONE_REG narrows it.
 */
#include <linux/arm-smccc.h>
#include <linux/psci.h>
#include <stdint.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"

/* What the guest's asm below puts in xN */
static inline uint64_t pattern(int n)
{
	return 0x5a5a000000000000ull | ((uint64_t)n << 8) | n;
}

#define MMIO_DATA	0x0123456789abcdefull
#define LOADED_X6	0xfedcba9876543210ull

/*
 * Not the ucall page: the library would take every write there for a ucall.
 * Read by the guest's asm, hence not static.
 */
uint64_t test_mmio_gva;

/* AArch32 CPSR: Supervisor mode, and the same with A, I and F masked */
#define AARCH32_SVC		0x13
#define AARCH32_SVC_MASKED	0x1d3

/*
 * x0-x29 = pattern(n), x30 = an MMIO page of the test's own, then:
 *	str x0, [x30]	exit 1: a write, with every register known
 *	ldr x5, [x30]	exit 2: a read, completed into x5
 *	str x5, [x30]	exit 3: shows x5
 *	str x6, [x30]	exit 4: shows x6
 */
static void guest_sync_regs(void)
{
	/* Never returns: from here on, every register is the test's. */
	asm volatile(".macro pattern n\n"
		     "	ldr x\\n, =(0x5a5a000000000000 + (\\n << 8) + \\n)\n"
		     ".endm\n"
		     ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
		     "	pattern \\n\n"
		     ".endr\n"
		     ".irp n,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29\n"
		     "	pattern \\n\n"
		     ".endr\n"
		     ".purgem pattern\n"
		     "	ldr x30, =test_mmio_gva\n"
		     "	ldr x30, [x30]\n"
		     "	str x0, [x30]\n"
		     "	ldr x5, [x30]\n"
		     "	str x5, [x30]\n"
		     "	str x6, [x30]\n"
		     "1:	b 1b\n"
		     ".ltorg\n");
}

/* The registers of KVM_SYNC_ARM64_REGS, in the order of the struct. */
#define NR_SYNC_REGS	(31 + 3 + 2 + KVM_NR_SPSR)

static uint64_t sync_reg_id(int i)
{
	if (i < 31)
		return ARM64_CORE_REG(regs.regs[i]);
	switch (i) {
	case 31: return ARM64_CORE_REG(regs.sp);
	case 32: return ARM64_CORE_REG(regs.pc);
	case 33: return ARM64_CORE_REG(regs.pstate);
	case 34: return ARM64_CORE_REG(sp_el1);
	case 35: return ARM64_CORE_REG(elr_el1);
	default: return ARM64_CORE_REG(spsr[i - 36]);
	}
}

/* The same layout lets the set be indexed like the IDs above. */
static uint64_t *sync_reg(struct kvm_run *run, int i)
{
	return &((uint64_t *)&run->s.regs.regs)[i];
}

static uint64_t get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)&val };

	/*
	 * KVM_GET_ONE_REG itself, not vcpu_get_reg(): that helper takes an
	 * out parameter in 6.12.y, and this source also builds there.
	 */
	vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	return val;
}

static void assert_set_matches_one_reg(struct kvm_vcpu *vcpu, const char *when)
{
	uint64_t val;
	int i;

	for (i = 0; i < NR_SYNC_REGS; i++) {
		val = get_reg(vcpu, sync_reg_id(i));
		TEST_ASSERT(*sync_reg(vcpu->run, i) == val,
			    "%s: register %d is 0x%lx in kvm_run, 0x%lx by ONE_REG",
			    when, i, *sync_reg(vcpu->run, i), val);
	}
}

/* The page after the ucall one, which no memslot backs either. */
static uint64_t test_mmio_gpa(struct kvm_vm *vm)
{
	return vm->ucall_mmio_addr + vm->page_size;
}

static void run_to_mmio(struct kvm_vcpu *vcpu, bool write, int exit)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.is_write == write &&
		    run->mmio.phys_addr == test_mmio_gpa(vcpu->vm),
		    "exit %d: expected an MMIO %s, got %s", exit,
		    write ? "write" : "read", exit_reason_str(run->exit_reason));
}

static uint64_t mmio_data(struct kvm_run *run)
{
	uint64_t data;

	memcpy(&data, run->mmio.data, sizeof(data));
	return data;
}

static struct kvm_vm *setup_vm(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_sync_regs);
	uint64_t gpa = test_mmio_gpa(vm);

	/* Identity-mapped, far above the VAs the library hands out */
	virt_map(vm, gpa, gpa, 1);
	write_guest_global(vm, test_mmio_gva, gpa);
	(*vcpu)->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
	return vm;
}

static void test_check_extension(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu);

	TEST_ASSERT_EQ(kvm_check_cap(KVM_CAP_SYNC_REGS),
		       KVM_SYNC_ARM64_VALID_FIELDS);
	TEST_ASSERT_EQ(vm_check_cap(vm, KVM_CAP_SYNC_REGS),
		       KVM_SYNC_ARM64_VALID_FIELDS);
	kvm_vm_free(vm);
	ksft_test_result_pass("KVM_CHECK_EXTENSION on /dev/kvm and the VM\n");
}

/* Exit 1 stores what the guest left; without the valid bit, nothing. */
static void test_store(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu);
	struct kvm_run *run = vcpu->run;
	uint64_t pc;
	int i;

	run_to_mmio(vcpu, true, 1);
	assert_set_matches_one_reg(vcpu, "exit 1");
	for (i = 0; i < 30; i++)
		TEST_ASSERT(run->s.regs.regs.regs[i] == pattern(i),
			    "x%d is 0x%llx", i, run->s.regs.regs.regs[i]);
	TEST_ASSERT_EQ(mmio_data(run), pattern(0));

	/* The PC stays on the store until the MMIO exit completes. */
	pc = run->s.regs.regs.pc;
	run->kvm_valid_regs = 0;
	run_to_mmio(vcpu, false, 2);
	TEST_ASSERT(run->s.regs.regs.pc == pc,
		    "stored without KVM_SYNC_ARM64_REGS in kvm_valid_regs");
	TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.pc)), pc + 4);
	kvm_vm_free(vm);
	ksft_test_result_pass("stored at an exit, as ONE_REG reads them\n");
}

/* A dirty set is loaded first; the MMIO load then completes into x5. */
static void test_load_under_mmio(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu);
	struct kvm_run *run = vcpu->run;

	run_to_mmio(vcpu, true, 1);
	run_to_mmio(vcpu, false, 2);
	memcpy(run->mmio.data, &(uint64_t){ MMIO_DATA }, sizeof(uint64_t));
	run->s.regs.regs.regs[5] = 0xbad;
	run->s.regs.regs.regs[6] = LOADED_X6;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;

	run_to_mmio(vcpu, true, 3);
	TEST_ASSERT_EQ(run->kvm_dirty_regs, 0);
	TEST_ASSERT_EQ(mmio_data(run), MMIO_DATA);
	TEST_ASSERT_EQ(run->s.regs.regs.regs[6], LOADED_X6);

	/* Clean: whatever is in kvm_run now is never read. */
	run->s.regs.regs.regs[6] = 0xbad;
	run_to_mmio(vcpu, true, 4);
	TEST_ASSERT_EQ(mmio_data(run), LOADED_X6);
	kvm_vm_free(vm);
	ksft_test_result_pass("loaded when dirty, before the MMIO load completes\n");
}

/* kvm_run wins over KVM_SET_ONE_REG when dirty, and only then. */
static void test_dirty_and_one_reg(void)
{
	const uint64_t x7 = ARM64_CORE_REG(regs.regs[7]);
	const uint64_t elr = ARM64_CORE_REG(elr_el1);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu);
	struct kvm_run *run = vcpu->run;

	run_to_mmio(vcpu, true, 1);
	vcpu_set_reg(vcpu, x7, 0xaaaa);
	run->s.regs.regs.regs[7] = 0xbbbb;
	run->s.regs.elr_el1 = 0xcccc;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	vcpu_run_complete_io(vcpu);
	TEST_ASSERT_EQ(get_reg(vcpu, x7), 0xbbbb);
	TEST_ASSERT_EQ(get_reg(vcpu, elr), 0xcccc);
	TEST_ASSERT_EQ(run->kvm_dirty_regs, 0);

	/* Not dirty: the ONE_REG value stands and is what gets stored. */
	vcpu_set_reg(vcpu, x7, 0xaaaa);
	run->s.regs.regs.regs[7] = 0xbbbb;
	vcpu_run_complete_io(vcpu);
	TEST_ASSERT_EQ(get_reg(vcpu, x7), 0xaaaa);
	TEST_ASSERT_EQ(run->s.regs.regs.regs[7], 0xaaaa);
	assert_set_matches_one_reg(vcpu, "immediate_exit");
	kvm_vm_free(vm);
	ksft_test_result_pass("dirty set over KVM_SET_ONE_REG; immediate_exit stores\n");
}

/* KVM_ARM_VCPU_INIT resets the vCPU, not kvm_run. */
static void test_vcpu_init(void)
{
	const uint64_t reset_pstate = PSR_MODE_EL1h | PSR_A_BIT | PSR_I_BIT |
				      PSR_F_BIT | PSR_D_BIT;
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu);
	struct kvm_run *run = vcpu->run;

	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	run_to_mmio(vcpu, true, 1);
	/* As a VMM does before a reset: no MMIO left to complete (api.rst). */
	vcpu_run_complete_io(vcpu);
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
	vcpu_run_complete_io(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.regs[1], 0);
	TEST_ASSERT_EQ(run->s.regs.regs.pc, 0);
	TEST_ASSERT_EQ(run->s.regs.regs.pstate, reset_pstate);
	assert_set_matches_one_reg(vcpu, "after KVM_ARM_VCPU_INIT");

	/* A set marked dirty before the reset is still loaded after it. */
	run->s.regs.regs.regs[1] = pattern(1);
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
	vcpu_run_complete_io(vcpu);
	TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.regs[1])), pattern(1));
	kvm_vm_free(vm);
	ksft_test_result_pass("KVM_ARM_VCPU_INIT between an exit and KVM_RUN\n");
}

/*
 * At an MMIO exit the PC is still on the access: a PC loaded there is
 * advanced past it when KVM completes the access, as for KVM_SET_ONE_REG.
 */
static void test_pc_at_mmio_exit(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu);
	struct kvm_run *run = vcpu->run;
	uint64_t pc;

	run_to_mmio(vcpu, true, 1);
	pc = run->s.regs.regs.pc + 0x100;
	run->s.regs.regs.pc = pc;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	vcpu_run_complete_io(vcpu);
	TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.pc)), pc + 4);
	TEST_ASSERT_EQ(run->s.regs.regs.pc, pc + 4);
	kvm_vm_free(vm);
	ksft_test_result_pass("a PC loaded at an MMIO exit gets the access's +4\n");
}

/*
 * vCPU 0 starts the stopped vCPU 1 with PSCI CPU_ON. vCPU 1 owes a reset:
 * KVM does it before userspace next touches its registers, through
 * KVM_GET_ONE_REG or through sync regs, so what is stored shows the entry
 * point and what is loaded overrides the reset state.
 */
#define CPU_ON_ENTRY	0x80001000ull
#define CPU_ON_CTX	0xc7c7c7c7ull

static void guest_cpu_on(void)
{
	struct arm_smccc_res res;

	smccc_hvc(PSCI_0_2_FN64_CPU_ON, 1, CPU_ON_ENTRY, CPU_ON_CTX, 0, 0, 0,
		  0, &res);
	GUEST_ASSERT_EQ(res.a0, PSCI_RET_SUCCESS);
	GUEST_DONE();
}

static struct kvm_vm *cpu_on_vm(struct kvm_vcpu **target)
{
	struct kvm_mp_state stopped = { .mp_state = KVM_MP_STATE_STOPPED };
	struct kvm_vcpu_init init;
	struct kvm_vcpu *source;
	struct kvm_vm *vm;
	struct ucall uc;

	vm = vm_create(2);
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= BIT(KVM_ARM_VCPU_PSCI_0_2);
	source = aarch64_vcpu_add(vm, 0, &init, guest_cpu_on);
	*target = aarch64_vcpu_add(vm, 1, &init, guest_cpu_on);
	kvm_arch_vm_finalize_vcpus(vm);
	vcpu_mp_state_set(*target, &stopped);
	(*target)->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;

	vcpu_run(source);
	TEST_ASSERT(get_ucall(source, &uc) == UCALL_DONE,
		    "vCPU 0 did not finish CPU_ON");
	return vm;
}

static void test_cpu_on_reset(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;

	/* Stored: the state the reset gives, entry point and context ID. */
	vm = cpu_on_vm(&vcpu);
	run = vcpu->run;
	vcpu_run_complete_io(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.pc, CPU_ON_ENTRY);
	TEST_ASSERT_EQ(run->s.regs.regs.regs[0], CPU_ON_CTX);
	kvm_vm_free(vm);

	/* Loaded: the set overrides the reset, as KVM_SET_ONE_REG would. */
	vm = cpu_on_vm(&vcpu);
	run = vcpu->run;
	memset(&run->s.regs.regs, 0, sizeof(run->s.regs.regs));
	run->s.regs.regs.pc = CPU_ON_ENTRY + 8;
	run->s.regs.regs.pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT |
				  PSR_I_BIT | PSR_F_BIT;
	run->s.regs.regs.regs[1] = 0x1234;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	vcpu_run_complete_io(vcpu);
	TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.pc)), CPU_ON_ENTRY + 8);
	TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.regs[1])), 0x1234);
	TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.regs[0])), 0);
	kvm_vm_free(vm);
	ksft_test_result_pass("PSCI CPU_ON: the owed reset comes before the set\n");
}

static void expect_run_einval(struct kvm_vcpu *vcpu, const char *what)
{
	int r = __vcpu_run(vcpu);

	TEST_ASSERT(r == -1 && errno == EINVAL, "%s: KVM_RUN gave %d (%s)",
		    what, r, r ? strerror(errno) : "success");
}

static void test_einval(void)
{
	const uint64_t x1 = ARM64_CORE_REG(regs.regs[1]);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu);
	struct kvm_run *run = vcpu->run;

	run_to_mmio(vcpu, true, 1);
	run->kvm_valid_regs = KVM_SYNC_ARM64_REGS | BIT(1);
	expect_run_einval(vcpu, "unknown bit in kvm_valid_regs");
	run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
	run->kvm_dirty_regs = BIT(63);
	expect_run_einval(vcpu, "unknown bit in kvm_dirty_regs");

	run->s.regs.regs.regs[1] = 0xbad;
	run->s.regs.regs.pstate = AARCH32_SVC;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	expect_run_einval(vcpu, "AArch32 PSTATE on an AArch64 vCPU");
	run->s.regs.regs.pstate = PSR_MODE_EL2h;
	expect_run_einval(vcpu, "EL2 PSTATE without KVM_ARM_VCPU_HAS_EL2");
	TEST_ASSERT_EQ(get_reg(vcpu, x1), pattern(1));
	TEST_ASSERT_EQ(run->kvm_dirty_regs, KVM_SYNC_ARM64_REGS);

	/* Nothing was lost: the guest goes on with its own registers. */
	run->kvm_dirty_regs = 0;
	run_to_mmio(vcpu, false, 2);
	TEST_ASSERT_EQ(run->s.regs.regs.regs[1], pattern(1));
	kvm_vm_free(vm);
	ksft_test_result_pass("EINVAL: unknown bits, PSTATE; nothing loaded\n");
}

/* An AArch32 vCPU gets the set narrowed, as with KVM_SET_ONE_REG. */
static void test_aarch32(void)
{
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int i;

	if (!kvm_check_cap(KVM_CAP_ARM_EL1_32BIT)) {
		ksft_test_result_skip("AArch32: no AArch32 EL1 (KVM_CAP_ARM_EL1_32BIT)\n");
		return;
	}

	/* The guest never runs an instruction: immediate_exit throughout. */
	vm = vm_create(1);
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT;
	vcpu = __vm_vcpu_add(vm, 0);
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
	kvm_arch_vm_finalize_vcpus(vm);
	run = vcpu->run;
	run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;

	vcpu_run_complete_io(vcpu);
	for (i = 0; i < 31; i++)
		run->s.regs.regs.regs[i] = 0xffffffff00000000ull | i;
	run->s.regs.regs.pc = 0xdead000000001000ull;
	run->s.regs.regs.pstate = AARCH32_SVC_MASKED;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	vcpu_run_complete_io(vcpu);
	for (i = 0; i < 31; i++)
		TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.regs[i])), i);
	TEST_ASSERT_EQ(get_reg(vcpu, ARM64_CORE_REG(regs.pc)), 0x1000);
	assert_set_matches_one_reg(vcpu, "AArch32");

	run->s.regs.regs.pstate = PSR_MODE_EL1h;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	expect_run_einval(vcpu, "AArch64 PSTATE on an AArch32 vCPU");
	kvm_vm_free(vm);
	ksft_test_result_pass("AArch32: narrowed as by ONE_REG; AArch64 PSTATE refused\n");
}

int main(void)
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SYNC_REGS));

	ksft_print_header();
	ksft_set_plan(9);

	test_check_extension();
	test_store();
	test_load_under_mmio();
	test_dirty_and_one_reg();
	test_pc_at_mmio_exit();
	test_vcpu_init();
	test_cpu_on_reset();
	test_einval();
	test_aarch32();

	ksft_finished();
}
