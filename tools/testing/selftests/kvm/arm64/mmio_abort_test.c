// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmio_abort_test - An MMIO read that userspace answers with an external
 * data abort (KVM_SET_VCPU_EVENTS, ext_dabt_pending), or abandons by
 * resetting the vCPU, must never be completed afterwards.
 *
 * The guest loads x1 (r1) from an address outside its memslot and exits
 * with KVM_EXIT_MMIO. The VMM then completes the read, injects an external
 * data abort instead, or resets the vCPU:
 *  - the read completed: x1 holds the VMM's data, the load is retired;
 *  - the abort injected, then KVM_RUN: the guest enters its abort handler
 *    with x1 untouched, ELR (LR_abt) at the load, the injected ESR (DFSR)
 *    and FAR (DFAR), and the handler's first instruction runs;
 *  - the abort injected, then a KVM_RUN with immediate_exit (-EINTR), then
 *    KVM_RUN: exactly the same as without the interrupted KVM_RUN;
 *  - neither, the vCPU reset instead (KVM_ARM_VCPU_INIT, as a VMM that
 *    reboots its guest from an MMIO exit does) and started again at the
 *    load: the load runs again, its register untouched by the old access.
 * Each from AArch64 EL1, and from AArch32 EL1 (A32) where the CPU has it.
 *
 * The guests run hand-assembled code with the MMU off, from a page at
 * CODE_GPA, with their own vector table, and report through MMIO stores
 * that the VMM reads with KVM_GET_ONE_REG: it never relies on the guest
 * library, whose vectors would themselves be skipped into.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define CODE_GPA		0x40000000ul
#define CODE_SLOT_SIZE		0x10000ul
#define MMIO_GPA		0x50000000ul	/* the load: outside every memslot */
#define DONE_GPA		0x50001000ul	/* "the load retired", with x1 */
#define HANDLER_GPA		0x50002000ul	/* "a vector ran", with x2 */

#define SENTINEL		0x5e5e5e5eul	/* x1 before the load */
#define MMIO_DATA		0x11223344ul	/* what the VMM returns for it */
#define MARK_DABT		1		/* x2 from the right handler */
#define MARK_OTHER		2		/* x2 from any other vector */

/* ESR_EL1 of an injected external abort on a data access from EL1 */
#define ESR_EC_DABT_CUR		0x25ul
#define ESR_IL			BIT(25)
#define ESR_FSC_EXTABT		0x10ul
#define A64_INJECTED_ESR	((ESR_EC_DABT_CUR << 26) | ESR_IL | ESR_FSC_EXTABT)
/* DFSR of the same with the short-descriptor format (TTBCR.EAE == 0) */
#define A32_INJECTED_DFSR	0x8ul

#define A64_EL1H_DAIF		0x3c5ul		/* EL1h, D, A, I and F masked */
#define A32_CPSR_SVC		0x1d3ul		/* SVC mode, A, I and F masked */
#define A32_MODE_MASK		0x1ful
#define A32_MODE_ABT		0x17ul

/*
 * AArch64: x0 = MMIO_GPA, x3 = HANDLER_GPA, x4 = DONE_GPA. VBAR_EL1 is
 * CODE_GPA + 0x800; every vector stores MARK_OTHER but the synchronous one
 * of the current EL with SP_ELx (offset 0x200), whose first instruction
 * sets MARK_DABT. Encodings from ARM DDI 0487K.a, C6.
 */
#define A64_VBAR		0x800ul
#define A64_SYNC_VECTOR		(A64_VBAR + 0x200)

static const uint32_t a64_load[] = {
	0xf9400001,	/* 0x0: ldr	x1, [x0] */
	0xf9000081,	/* 0x4: str	x1, [x4] */
	0x14000000,	/* 0x8: b	. */
};

static const uint32_t a64_vector_dabt[] = {
	0xd2800022,	/* mov	x2, #MARK_DABT */
	0xf9000062,	/* str	x2, [x3] */
	0x14000000,	/* b	. */
};

static const uint32_t a64_vector_other[] = {
	0xd2800042,	/* mov	x2, #MARK_OTHER */
	0xf9000062,	/* str	x2, [x3] */
	0x14000000,	/* b	. */
};

/*
 * A32: r0 = MMIO_GPA, r3 = HANDLER_GPA, r4 = DONE_GPA. VBAR is CODE_GPA +
 * 0x800 (SCTLR.V == 0); each vector branches to a handler, the data abort
 * one (0x10) to the handler that sets MARK_DABT, every other one to the
 * handler that sets MARK_OTHER. Encodings from ARM DDI 0487K.a, F5.1.
 */
#define A32_VBAR		0x800ul
#define A32_DABT_HANDLER	0x840ul
#define A32_OTHER_HANDLER	0x860ul

static const uint32_t a32_load[] = {
	0xe5901000,	/* 0x0: ldr	r1, [r0] */
	0xe5841000,	/* 0x4: str	r1, [r4] */
	0xeafffffe,	/* 0x8: b	. */
};

static const uint32_t a32_handler_dabt[] = {
	0xe3a02001,	/* mov	r2, #MARK_DABT */
	0xe5832000,	/* str	r2, [r3] */
	0xeafffffe,	/* b	. */
};

static const uint32_t a32_handler_other[] = {
	0xe3a02002,	/* mov	r2, #MARK_OTHER */
	0xe5832000,	/* str	r2, [r3] */
	0xeafffffe,	/* b	. */
};

/* "b target" at @at, both offsets into the code page */
static uint32_t a32_branch(uint64_t at, uint64_t target)
{
	return 0xea000000 | (((target - (at + 8)) >> 2) & 0xffffff);
}

enum completion {
	COMPLETE_READ,		/* the VMM emulates the read */
	INJECT_DABT,		/* the VMM injects an abort, then KVM_RUN */
	INJECT_DABT_EINTR,	/* ... then KVM_RUN with immediate_exit first */
	RESET_VCPU,		/* the VMM resets the vCPU, then KVM_RUN */
};

static const char * const completion_str[] = {
	[COMPLETE_READ]		= "MMIO read completed",
	[INJECT_DABT]		= "abort injected, KVM_RUN",
	[INJECT_DABT_EINTR]	= "abort injected, immediate_exit KVM_RUN, KVM_RUN",
	[RESET_VCPU]		= "vCPU reset (KVM_ARM_VCPU_INIT), KVM_RUN",
};

static uint64_t get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)&val };

	vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	return val;
}

static void set_reg(struct kvm_vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)&val };

	vcpu_ioctl(vcpu, KVM_SET_ONE_REG, &reg);
}

#define X(n)		ARM64_CORE_REG(regs.regs[n])
#define PC		ARM64_CORE_REG(regs.pc)
#define PSTATE		ARM64_CORE_REG(regs.pstate)

/* (Re)initialise the vCPU to run the code at CODE_GPA from its start */
static void vcpu_start(struct kvm_vcpu *vcpu, bool aarch32)
{
	struct kvm_vcpu_init init;

	vm_ioctl(vcpu->vm, KVM_ARM_PREFERRED_TARGET, &init);
	if (aarch32)
		init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT;
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);

	set_reg(vcpu, PC, CODE_GPA);
	set_reg(vcpu, PSTATE, aarch32 ? A32_CPSR_SVC : A64_EL1H_DAIF);
	set_reg(vcpu, KVM_ARM64_SYS_REG(SYS_VBAR_EL1),
		CODE_GPA + (aarch32 ? A32_VBAR : A64_VBAR));
	set_reg(vcpu, X(0), MMIO_GPA);
	set_reg(vcpu, X(1), SENTINEL);
	set_reg(vcpu, X(2), 0);
	set_reg(vcpu, X(3), HANDLER_GPA);
	set_reg(vcpu, X(4), DONE_GPA);
}

/* A VM whose vCPU runs @load at CODE_GPA, with the MMU off */
static struct kvm_vm *mmio_vm(bool aarch32, struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm;
	uint32_t *code;
	int i;

	vm = vm_create_barebones();
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, CODE_GPA, 1,
				    CODE_SLOT_SIZE / vm->page_size, 0);
	code = addr_gpa2hva(vm, CODE_GPA);

	if (aarch32) {
		memcpy(code, a32_load, sizeof(a32_load));
		for (i = 0; i < 8; i++) {
			uint64_t at = A32_VBAR + 4 * i;

			code[at / 4] = a32_branch(at, i == 4 ? A32_DABT_HANDLER :
							      A32_OTHER_HANDLER);
		}
		memcpy(&code[A32_DABT_HANDLER / 4], a32_handler_dabt,
		       sizeof(a32_handler_dabt));
		memcpy(&code[A32_OTHER_HANDLER / 4], a32_handler_other,
		       sizeof(a32_handler_other));
	} else {
		memcpy(code, a64_load, sizeof(a64_load));
		for (i = 0; i < 16; i++)
			memcpy(&code[(A64_VBAR + 0x80 * i) / 4],
			       i == 4 ? a64_vector_dabt : a64_vector_other,
			       sizeof(a64_vector_other));
	}

	*vcpu = __vm_vcpu_add(vm, 0);
	vcpu_start(*vcpu, aarch32);
	return vm;
}

static void run(struct kvm_vcpu *vcpu)
{
	int r = ioctl(vcpu->fd, KVM_RUN, NULL);

	TEST_ASSERT(!r, "KVM_RUN: %d, errno %d", r, errno);
}

/*
 * The next exit must be an MMIO access of 4 (A32) or 8 bytes at @gpa; a
 * store must store @data, unless @data is NULL.
 */
static void expect_mmio(struct kvm_vcpu *vcpu, bool aarch32, uint64_t gpa,
			bool is_write, const uint64_t *data)
{
	struct kvm_run *r = vcpu->run;
	uint32_t len = aarch32 ? 4 : 8;
	uint64_t val = 0;

	TEST_ASSERT(r->exit_reason == KVM_EXIT_MMIO,
		    "expected an MMIO exit at 0x%lx, got %s (PC 0x%lx)", gpa,
		    exit_reason_str(r->exit_reason), get_reg(vcpu, PC));
	TEST_ASSERT(r->mmio.phys_addr == gpa && r->mmio.is_write == is_write &&
		    r->mmio.len == len,
		    "expected a %u-byte %s at 0x%lx, got %u bytes %s at 0x%llx (PC 0x%lx)",
		    len, is_write ? "write" : "read", gpa, r->mmio.len,
		    r->mmio.is_write ? "written" : "read", r->mmio.phys_addr,
		    get_reg(vcpu, PC));
	if (!is_write || !data)
		return;
	memcpy(&val, r->mmio.data, len);
	TEST_ASSERT(val == *data, "the guest stored 0x%lx to 0x%lx, expected 0x%lx",
		    val, gpa, *data);
}

static void inject_dabt(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events events = {
		.exception.ext_dabt_pending = 1,
	};

	vcpu_ioctl(vcpu, KVM_SET_VCPU_EVENTS, &events);
}

/* The abort handler ran from its first instruction, as if the load faulted. */
static void check_abort_taken(struct kvm_vcpu *vcpu, bool aarch32)
{
	uint64_t esr = get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ESR_EL1));
	uint64_t far = get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_FAR_EL1));
	uint64_t x1 = get_reg(vcpu, X(1)), x2 = get_reg(vcpu, X(2));
	uint64_t pc = get_reg(vcpu, PC), pstate = get_reg(vcpu, PSTATE);
	uint64_t handler;

	TEST_ASSERT(x2 == MARK_DABT,
		    "x2 is %lu: %s", x2, x2 == MARK_OTHER ?
		    "the vector after the data abort's ran" :
		    "the handler's first instruction was skipped");
	TEST_ASSERT(x1 == SENTINEL,
		    "x1 is 0x%lx, was 0x%lx: the aborted load was completed",
		    x1, SENTINEL);

	if (aarch32) {
		uint64_t lr_abt = get_reg(vcpu, X(20));

		handler = CODE_GPA + A32_DABT_HANDLER;
		TEST_ASSERT((pstate & A32_MODE_MASK) == A32_MODE_ABT,
			    "CPSR is 0x%lx, not in Abort mode", pstate);
		/* ARM DDI 0487K.a, G1.12.3: LR_abt is the faulting address + 8 */
		TEST_ASSERT(lr_abt == CODE_GPA + 8,
			    "LR_abt is 0x%lx, expected 0x%lx", lr_abt,
			    CODE_GPA + 8);
		TEST_ASSERT((uint32_t)esr == A32_INJECTED_DFSR,
			    "DFSR is 0x%x, expected 0x%lx", (uint32_t)esr,
			    A32_INJECTED_DFSR);
		TEST_ASSERT((uint32_t)far == MMIO_GPA,
			    "DFAR is 0x%x, expected 0x%lx", (uint32_t)far, MMIO_GPA);
	} else {
		uint64_t elr = get_reg(vcpu, ARM64_CORE_REG(elr_el1));
		uint64_t spsr = get_reg(vcpu, ARM64_CORE_REG(spsr[KVM_SPSR_EL1]));

		handler = CODE_GPA + A64_SYNC_VECTOR;
		TEST_ASSERT(elr == CODE_GPA, "ELR_EL1 is 0x%lx, expected 0x%lx",
			    elr, CODE_GPA);
		TEST_ASSERT(spsr == A64_EL1H_DAIF,
			    "SPSR_EL1 is 0x%lx, expected 0x%lx", spsr,
			    A64_EL1H_DAIF);
		TEST_ASSERT(esr == A64_INJECTED_ESR,
			    "ESR_EL1 is 0x%lx, expected 0x%lx", esr,
			    A64_INJECTED_ESR);
		TEST_ASSERT(far == MMIO_GPA, "FAR_EL1 is 0x%lx, expected 0x%lx",
			    far, MMIO_GPA);
	}
	/* Stopped at the handler's store, its second instruction */
	TEST_ASSERT(pc == handler + 4, "PC is 0x%lx, expected 0x%lx", pc,
		    handler + 4);
}

static void test_mmio_read(bool aarch32, enum completion how)
{
	const char *isa = aarch32 ? "A32" : "AArch64";
	const uint64_t data = MMIO_DATA;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int r;

	if (aarch32 && !kvm_check_cap(KVM_CAP_ARM_EL1_32BIT)) {
		ksft_test_result_skip("%s: %s: no AArch32 EL1\n", isa,
				      completion_str[how]);
		return;
	}

	vm = mmio_vm(aarch32, &vcpu);
	run(vcpu);
	expect_mmio(vcpu, aarch32, MMIO_GPA, false, NULL);
	/* What a completion of the aborted read would load */
	memcpy(vcpu->run->mmio.data, &data, sizeof(data));

	switch (how) {
	case COMPLETE_READ:
		run(vcpu);
		expect_mmio(vcpu, aarch32, DONE_GPA, true, &data);
		TEST_ASSERT(get_reg(vcpu, X(1)) == MMIO_DATA,
			    "x1 is 0x%lx, expected 0x%lx", get_reg(vcpu, X(1)),
			    MMIO_DATA);
		TEST_ASSERT(get_reg(vcpu, PC) == CODE_GPA + 4,
			    "PC is 0x%lx, expected 0x%lx", get_reg(vcpu, PC),
			    CODE_GPA + 4);
		break;
	case INJECT_DABT:
	case INJECT_DABT_EINTR:
		inject_dabt(vcpu);
		if (how == INJECT_DABT_EINTR) {
			vcpu->run->immediate_exit = 1;
			r = ioctl(vcpu->fd, KVM_RUN, NULL);
			TEST_ASSERT(r == -1 && errno == EINTR,
				    "KVM_RUN with immediate_exit: %d, errno %d",
				    r, errno);
			vcpu->run->immediate_exit = 0;
		}
		run(vcpu);
		/* The value stored, x2, is checked with the rest */
		expect_mmio(vcpu, aarch32, HANDLER_GPA, true, NULL);
		check_abort_taken(vcpu, aarch32);
		break;
	case RESET_VCPU:
		vcpu_start(vcpu, aarch32);
		run(vcpu);
		expect_mmio(vcpu, aarch32, MMIO_GPA, false, NULL);
		TEST_ASSERT(get_reg(vcpu, PC) == CODE_GPA,
			    "PC is 0x%lx, expected 0x%lx: the reset vCPU's first instruction was skipped",
			    get_reg(vcpu, PC), CODE_GPA);
		TEST_ASSERT(get_reg(vcpu, X(1)) == SENTINEL,
			    "x1 is 0x%lx, was 0x%lx: the old access was completed into the reset vCPU",
			    get_reg(vcpu, X(1)), SENTINEL);
		break;
	}

	kvm_vm_free(vm);
	ksft_test_result_pass("%s: %s\n", isa, completion_str[how]);
}

int main(void)
{
	int i;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_VCPU_EVENTS));

	ksft_print_header();
	ksft_set_plan(8);

	for (i = 0; i < 2; i++) {
		test_mmio_read(i, COMPLETE_READ);
		test_mmio_read(i, INJECT_DABT);
		test_mmio_read(i, INJECT_DABT_EINTR);
		test_mmio_read(i, RESET_VCPU);
	}

	ksft_finished();
}
