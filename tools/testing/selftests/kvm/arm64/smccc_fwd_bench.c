// SPDX-License-Identifier: GPL-2.0-only
/*
 * smccc_fwd_bench - Round trip of an SMCCC call forwarded to userspace.
 *
 * Measures the time a guest waits for an SMCCC call that its VMM serves,
 * from the HVC instruction until the guest has the results, and counts the
 * ioctls the VMM issues per call. One forwarded call returning 4 results in
 * x0-x3 is completed in three ways:
 *
 *  (a)  upstream semantics: the call is forwarded by KVM_ARM_VM_SMCCC_FILTER
 *       with KVM_SMCCC_FILTER_FWD_TO_USER; the VMM reads x0-x3 with four
 *       KVM_GET_ONE_REG (it does not look at hypercall.args[]), writes the
 *       results with four KVM_SET_ONE_REG and calls KVM_RUN: 9 ioctls;
 *  (b)  the filter on the patched kernel, which fills hypercall.args[0..5]
 *       with x1-x6 for filter exits too: the VMM reads the arguments from
 *       kvm_run and writes x0-x3 with KVM_SET_ONE_REG: 5 ioctls;
 *  (b1) as (b), for a call that returns a single result, in x0: 2 ioctls;
 *  (c)  a range forwarded with KVM_CAP_ARM_SMCCC_FORWARD, completed through
 *       KVM_CAP_SYNC_REGS: the VMM reads the arguments from kvm_run, writes
 *       the results to run->s.regs.regs.regs[0-3], marks the set dirty and
 *       calls KVM_RUN: 1 ioctl.
 *
 * Next to them, as floors and scale:
 *
 *  (d)  the floor of any exit to userspace: an MMIO write to a GPA that no
 *       memslot backs, re-entered at once;
 *  (e)  an HVC that KVM handles itself, PSCI_VERSION, which does not exit;
 *  (c1000) as (c), with 999 more forwarded ranges installed in the VM, to
 *       see what the lookup of the range costs.
 *
 * And the cost of an SDEI-style context switch (DEN0054C 6.1, 6.2): the
 * VMM delivers an event as the forwarded call of (c) returns. It saves the
 * caller's x0-x17, PC and PSTATE (x0-x3 holding the call's results), sets
 * x0-x3 to the event number, its argument, the interrupted PC and PSTATE,
 * PC to the handler and PSTATE to EL1h with DAIF masked. The handler calls
 * SDEI_EVENT_COMPLETE by HVC at once (forwarded by the
 * KVM_ARM_SMCCC_FWD_SDEI preset), and the VMM restores the saved context,
 * so that the caller gets its results. One event is thus a call, a
 * delivery and a completion, two exits:
 *
 *  (s1) through KVM_GET_ONE_REG and KVM_SET_ONE_REG: 20 GET (x0-x17, PC,
 *       PSTATE), 6 SET to deliver (x0-x3, PC, PSTATE), 20 SET to restore
 *       and 2 KVM_RUN, 48 ioctls per event (a VMM that takes x1-x6 from
 *       hypercall.args[] saves 6 of the GETs);
 *  (s2) through KVM_CAP_SYNC_REGS alone: 2 KVM_RUN per event.
 *
 * Each case has a VM of its own, with one vCPU, since a function ID is
 * either in the filter or in a forwarded range, and since storing the sync
 * regs on every exit (only in (c), (c1000) and (s2)) has a cost of its own.
 * The guest makes batches of N calls (-n), and ends each batch with a
 * ucall. The host times each batch with CLOCK_MONOTONIC and divides by N;
 * the ucall that ends the batch is included. The cases are interleaved,
 * a b b1 c d e c1000 s1 s2 a b ..., for R repetitions (-r), after each VM
 * has warmed up (-w). The report gives each case's median, minimum and
 * maximum, the ratios between the cases and, for (s1) and (s2), the time
 * an event adds to the call (c), each taken per repetition.
 *
 * The host counts the ioctls it issues for each call, from the exit of the
 * call up to and including the KVM_RUN that resumes the guest. The guest
 * checks every result it gets back, the SDEI handler what it is entered
 * with, and the host every exit it gets; a wrong one fails the benchmark.
 * The times, the ratios and the ioctl counts are only reported: this is a
 * benchmark, not a test, and it never fails on them.
 */
#include <linux/arm-smccc.h>
#include <linux/psci.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

/* The measured calls: OEM service calls (owning entity 3), unknown to KVM. */
#define BENCH_FN	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, \
					   ARM_SMCCC_OWNER_OEM, 0)
/* The single-result call of (b1). */
#define BENCH_FN1	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, \
					   ARM_SMCCC_OWNER_OEM, 1)

/*
 * The 999 extra ranges of case (c1000): single function IDs, every other
 * ID, 500 in the SiP service calls below BENCH_FN and 499 in the OEM
 * service calls above it.
 */
#define NR_EXTRA_RANGES		999
#define NR_EXTRA_BELOW		500
#define EXTRA_BELOW_FN(i)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL,		\
						   ARM_SMCCC_SMC_64,		\
						   ARM_SMCCC_OWNER_SIP, 2 * (i))
#define EXTRA_ABOVE_FN(i)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL,		\
						   ARM_SMCCC_SMC_64,		\
						   ARM_SMCCC_OWNER_OEM,		\
						   0x100 + 2 * (i))

/* Arguments the guest passes in x2 and x3; x1 is the number of the call. */
#define ARG2		0x5555aaaa00000000ull
#define ARG3		0x0123456789abcdefull

/* SDEI (DEN0054C): the call that ends a handler, and the event delivered. */
#define SDEI_EVENT_COMPLETE	0xc4000025u
#define SDEI_EVENT		0x1234
#define SDEI_ARG(i)		(0xa5a5a5a500000000ull ^ (i))
#define SDEI_HANDLER_PSTATE	(PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT |	\
				 PSR_I_BIT | PSR_F_BIT)
#define DAIF_MASK		(PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)
/* x0-x17: what an SDEI dispatcher saves, as the handler may clobber them */
#define NR_SAVED_REGS		18
/* What the caller passes in x4-x17 of call i, to get back untouched. */
#define CTX(n, i)		((0xc0deull << 48) ^ ((uint64_t)(n) << 32) ^ (i))

#define DEFAULT_NR_CALLS	3000
#define DEFAULT_NR_REPS		9
#define MIN_NR_REPS		7
#define DEFAULT_NR_WARMUP	500

/* Targets of the feature, for comparison. */
#define TARGET_C_D		1.10
#define TARGET_C1000_C		1.10

enum bench_case {
	CASE_UPSTREAM,
	CASE_FILTER,
	CASE_FILTER_1,
	CASE_FWD,
	CASE_MMIO,
	CASE_PSCI,
	CASE_FWD_1000,
	CASE_SDEI_ONE_REG,
	CASE_SDEI_SYNC,
	NR_CASES,
};

/* What the VMM answers in x0-x3 to a call with arguments x1-x3. */
static void bench_results(uint64_t x1, uint64_t x2, uint64_t x3,
			  struct arm_smccc_res *res)
{
	res->a0 = SMCCC_RET_SUCCESS;
	res->a1 = ~x1;
	res->a2 = x2 + x1;
	res->a3 = x3 ^ x1;
}

/* What the VMM answers in x0 to the single-result call of (b1). */
static uint64_t bench_result1(uint64_t x1, uint64_t x2, uint64_t x3)
{
	return (x1 + x2) ^ x3;
}

/* --- guest side ------------------------------------------------------- */

static uint64_t guest_nr_calls;
static uint64_t guest_psci_version;
static uint64_t *guest_mmio;

static void guest_call4(void)
{
	struct arm_smccc_res res, expected;
	uint64_t i, n;

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++) {
			smccc_hvc(BENCH_FN, i, ARG2, ARG3, 0, 0, 0, 0, &res);
			bench_results(i, ARG2, ARG3, &expected);
			GUEST_ASSERT_EQ(res.a0, expected.a0);
			GUEST_ASSERT_EQ(res.a1, expected.a1);
			GUEST_ASSERT_EQ(res.a2, expected.a2);
			GUEST_ASSERT_EQ(res.a3, expected.a3);
		}
	}
}

static void guest_call1(void)
{
	struct arm_smccc_res res;
	uint64_t i, n;

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++) {
			smccc_hvc(BENCH_FN1, i, ARG2, ARG3, 0, 0, 0, 0, &res);
			GUEST_ASSERT_EQ(res.a0, bench_result1(i, ARG2, ARG3));
		}
	}
}

static void guest_mmio_write(void)
{
	uint64_t i, n;

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++)
			WRITE_ONCE(*guest_mmio, i);
	}
}

static void guest_psci(void)
{
	struct arm_smccc_res res;
	uint64_t i, n;

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++) {
			smccc_hvc(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0, 0, 0, 0, 0,
				  &res);
			GUEST_ASSERT_EQ(res.a0, guest_psci_version);
		}
	}
}

/* The number of the call in flight, its return address, the caller's DAIF */
static uint64_t guest_sdei_call;
static uint64_t guest_sdei_ret_pc;
static uint64_t guest_sdei_daif;
/* Events the handler has taken */
static uint64_t guest_sdei_events;

/* Checks what the handler is entered with; called from the stub below. */
void guest_sdei_check(uint64_t event, uint64_t arg, uint64_t pc,
		      uint64_t pstate)
{
	GUEST_ASSERT_EQ(event, SDEI_EVENT);
	GUEST_ASSERT_EQ(arg, SDEI_ARG(READ_ONCE(guest_sdei_call)));
	GUEST_ASSERT_EQ(pc, READ_ONCE(guest_sdei_ret_pc));
	GUEST_ASSERT_EQ(pstate & (PSR_MODE_MASK | DAIF_MASK),
			PSR_MODE_EL1h | READ_ONCE(guest_sdei_daif));
	GUEST_ASSERT_EQ(read_sysreg(daif), DAIF_MASK);
	WRITE_ONCE(guest_sdei_events, guest_sdei_events + 1);
}

/*
 * The event handler. It keeps x18-x30 and SP, as a client's handler must;
 * the dispatcher restores x0-x17, PC and PSTATE on SDEI_EVENT_COMPLETE.
 * Entered by the VMM, it never returns. Nothing but the asm, so no frame
 * record is pushed: x29, x30 and SP are the interrupted context's.
 */
static void guest_sdei_handler(void)
{
	asm volatile("	stp x18, x30, [sp, #-16]!\n"
		     "	bl guest_sdei_check\n"
		     "	ldp x18, x30, [sp], #16\n"
		     "	ldr x0, =0xc4000025\n"
		     "	hvc #0\n"
		     "1:	b 1b\n"
		     ".ltorg\n");
}

/*
 * Call BENCH_FN with x0-x17 from @x, and put x0-x17 back into @x after the
 * call; the return address goes to guest_sdei_ret_pc first.
 */
static void guest_sdei_hvc(uint64_t *x)
{
	asm volatile("	adr x20, 1f\n"
		     "	str x20, [%1]\n"
		     "	mov x19, %0\n"
		     "	ldp x0, x1, [x19, #0]\n"
		     "	ldp x2, x3, [x19, #16]\n"
		     "	ldp x4, x5, [x19, #32]\n"
		     "	ldp x6, x7, [x19, #48]\n"
		     "	ldp x8, x9, [x19, #64]\n"
		     "	ldp x10, x11, [x19, #80]\n"
		     "	ldp x12, x13, [x19, #96]\n"
		     "	ldp x14, x15, [x19, #112]\n"
		     "	ldp x16, x17, [x19, #128]\n"
		     "	hvc #0\n"
		     "1:	stp x0, x1, [x19, #0]\n"
		     "	stp x2, x3, [x19, #16]\n"
		     "	stp x4, x5, [x19, #32]\n"
		     "	stp x6, x7, [x19, #48]\n"
		     "	stp x8, x9, [x19, #64]\n"
		     "	stp x10, x11, [x19, #80]\n"
		     "	stp x12, x13, [x19, #96]\n"
		     "	stp x14, x15, [x19, #112]\n"
		     "	stp x16, x17, [x19, #128]\n"
		     : : "r"(x), "r"(&guest_sdei_ret_pc)
		     : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8",
		       "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
		       "x17", "x19", "x20", "memory");
}

static void guest_sdei(void)
{
	uint64_t x[NR_SAVED_REGS], events, i, n;
	struct arm_smccc_res expected;
	int r;

	guest_sdei_daif = read_sysreg(daif);

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++) {
			x[0] = BENCH_FN;
			x[1] = i;
			x[2] = ARG2;
			x[3] = ARG3;
			for (r = 4; r < NR_SAVED_REGS; r++)
				x[r] = CTX(r, i);

			events = READ_ONCE(guest_sdei_events);
			WRITE_ONCE(guest_sdei_call, i);
			guest_sdei_hvc(x);
			GUEST_ASSERT_EQ(READ_ONCE(guest_sdei_events), events + 1);

			bench_results(i, ARG2, ARG3, &expected);
			GUEST_ASSERT_EQ(x[0], expected.a0);
			GUEST_ASSERT_EQ(x[1], expected.a1);
			GUEST_ASSERT_EQ(x[2], expected.a2);
			GUEST_ASSERT_EQ(x[3], expected.a3);
			for (r = 4; r < NR_SAVED_REGS; r++)
				GUEST_ASSERT_EQ(x[r], CTX(r, i));
		}
	}
}

/* --- host side -------------------------------------------------------- */

/* The part of the vCPU's context that an SDEI dispatcher saves */
struct sdei_ctx {
	uint64_t x[NR_SAVED_REGS];
	uint64_t pc;
	uint64_t pstate;
};

struct bench_desc;

struct bench {
	const struct bench_desc *desc;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	uint64_t mmio_gpa;
	/* SDEI: the interrupted context while an event is handled */
	struct sdei_ctx saved;
	bool in_event;
	/* Calls made while timed, and the ioctls their exits took */
	uint64_t nr_calls;
	uint64_t nr_call_ioctls;
	/* Per-call time of each repetition, in microseconds */
	double *us;
};

struct bench_desc {
	const char *label;
	const char *name;
	void *guest_code;
	void (*setup)(struct bench *b);
	/* Serve an exit of the case; false for any other exit. */
	bool (*serve)(struct bench *b);
	/* Exits per call: 0, 1, or 2 for the SDEI cases */
	int exits_per_call;
	/* The ioctls per call the design expects, for the report */
	int expected_ioctls;
};

static uint64_t nr_ioctls;

/* Every ioctl on the measured path goes through here, to be counted. */
static int bench_ioctl(int fd, unsigned long cmd, void *arg)
{
	nr_ioctls++;
	return ioctl(fd, cmd, arg);
}

static uint64_t bench_get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;
	struct kvm_one_reg reg = {
		.id	= id,
		.addr	= (uint64_t)&val,
	};
	int r = bench_ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg);

	TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_GET_ONE_REG, r));
	return val;
}

static void bench_set_reg(struct kvm_vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = {
		.id	= id,
		.addr	= (uint64_t)&val,
	};
	int r = bench_ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg);

	TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_SET_ONE_REG, r));
}

#define REG_X(n)	ARM64_CORE_REG(regs.regs[n])
#define REG_PC		ARM64_CORE_REG(regs.pc)
#define REG_PSTATE	ARM64_CORE_REG(regs.pstate)

static void bench_run(struct kvm_vcpu *vcpu)
{
	int r = bench_ioctl(vcpu->fd, KVM_RUN, NULL);

	TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_RUN, r));
}

static bool is_call(struct kvm_run *run, uint32_t fn)
{
	if (run->exit_reason != KVM_EXIT_HYPERCALL)
		return false;

	TEST_ASSERT(run->hypercall.nr == fn,
		    "Unexpected call 0x%llx, flags 0x%llx, expected 0x%x",
		    run->hypercall.nr, run->hypercall.flags, fn);
	return true;
}

/* (a) Upstream semantics: x0-x3 read and written with ONE_REG. */
static bool serve_upstream(struct bench *b)
{
	struct kvm_vcpu *vcpu = b->vcpu;
	struct arm_smccc_res res;
	uint64_t x0, x1, x2, x3;

	if (!is_call(vcpu->run, BENCH_FN))
		return false;

	x0 = bench_get_reg(vcpu, REG_X(0));
	x1 = bench_get_reg(vcpu, REG_X(1));
	x2 = bench_get_reg(vcpu, REG_X(2));
	x3 = bench_get_reg(vcpu, REG_X(3));
	TEST_ASSERT(x0 == BENCH_FN, "Unexpected x0 0x%lx", x0);

	bench_results(x1, x2, x3, &res);

	bench_set_reg(vcpu, REG_X(0), res.a0);
	bench_set_reg(vcpu, REG_X(1), res.a1);
	bench_set_reg(vcpu, REG_X(2), res.a2);
	bench_set_reg(vcpu, REG_X(3), res.a3);
	return true;
}

/* (b) Arguments from kvm_run, x0-x3 written with ONE_REG. */
static bool serve_filter(struct bench *b)
{
	struct kvm_run *run = b->vcpu->run;
	struct arm_smccc_res res;

	if (!is_call(run, BENCH_FN))
		return false;

	bench_results(run->hypercall.args[0], run->hypercall.args[1],
		      run->hypercall.args[2], &res);

	bench_set_reg(b->vcpu, REG_X(0), res.a0);
	bench_set_reg(b->vcpu, REG_X(1), res.a1);
	bench_set_reg(b->vcpu, REG_X(2), res.a2);
	bench_set_reg(b->vcpu, REG_X(3), res.a3);
	return true;
}

/* (b1) Arguments from kvm_run, x0 written with ONE_REG. */
static bool serve_filter_1(struct bench *b)
{
	struct kvm_run *run = b->vcpu->run;

	if (!is_call(run, BENCH_FN1))
		return false;

	bench_set_reg(b->vcpu, REG_X(0),
		      bench_result1(run->hypercall.args[0],
				    run->hypercall.args[1],
				    run->hypercall.args[2]));
	return true;
}

/* (c) Results through kvm_run: nothing to issue but the next KVM_RUN. */
static bool serve_fwd(struct bench *b)
{
	struct kvm_run *run = b->vcpu->run;
	struct arm_smccc_res res;

	if (!is_call(run, BENCH_FN))
		return false;

	bench_results(run->hypercall.args[0], run->hypercall.args[1],
		      run->hypercall.args[2], &res);

	run->s.regs.regs.regs[0] = res.a0;
	run->s.regs.regs.regs[1] = res.a1;
	run->s.regs.regs.regs[2] = res.a2;
	run->s.regs.regs.regs[3] = res.a3;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	return true;
}

/* (d) The MMIO write of the floor case, ignored. */
static bool serve_mmio(struct bench *b)
{
	struct kvm_run *run = b->vcpu->run;

	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr != b->mmio_gpa)
		return false;

	TEST_ASSERT(run->mmio.is_write && run->mmio.len == 8,
		    "Unexpected MMIO access, write %u, len %u",
		    run->mmio.is_write, run->mmio.len);
	return true;
}

/*
 * The SDEI dispatcher of (s1) and (s2). At the call, @ctx holds the
 * caller's context: save it with the call's results in x0-x3, and turn
 * @ctx into the handler's entry context. At SDEI_EVENT_COMPLETE, copy the
 * saved context back into @ctx. Return false for any other exit.
 */
static bool sdei_dispatch(struct bench *b, struct sdei_ctx *ctx)
{
	struct kvm_run *run = b->vcpu->run;
	struct arm_smccc_res res;

	if (run->exit_reason != KVM_EXIT_HYPERCALL)
		return false;

	if (!b->in_event) {
		TEST_ASSERT(run->hypercall.nr == BENCH_FN,
			    "Unexpected call 0x%llx", run->hypercall.nr);
		TEST_ASSERT(ctx->x[0] == BENCH_FN, "Unexpected x0 0x%lx",
			    ctx->x[0]);

		bench_results(ctx->x[1], ctx->x[2], ctx->x[3], &res);
		b->saved = *ctx;
		b->saved.x[0] = res.a0;
		b->saved.x[1] = res.a1;
		b->saved.x[2] = res.a2;
		b->saved.x[3] = res.a3;

		ctx->x[0] = SDEI_EVENT;
		ctx->x[1] = SDEI_ARG(ctx->x[1]);
		ctx->x[2] = b->saved.pc;
		ctx->x[3] = b->saved.pstate;
		ctx->pc = (uint64_t)guest_sdei_handler;
		ctx->pstate = SDEI_HANDLER_PSTATE;
	} else {
		TEST_ASSERT(run->hypercall.nr == SDEI_EVENT_COMPLETE,
			    "Unexpected call 0x%llx in the handler",
			    run->hypercall.nr);
		*ctx = b->saved;
	}

	b->in_event = !b->in_event;
	return true;
}

/* (s1) The context saved and restored with ONE_REG. */
static bool serve_sdei_one_reg(struct bench *b)
{
	struct kvm_vcpu *vcpu = b->vcpu;
	bool deliver = !b->in_event;
	struct sdei_ctx ctx;
	int i;

	if (vcpu->run->exit_reason != KVM_EXIT_HYPERCALL)
		return false;

	/* Nothing of the handler's context is needed at its completion. */
	if (deliver) {
		for (i = 0; i < NR_SAVED_REGS; i++)
			ctx.x[i] = bench_get_reg(vcpu, REG_X(i));
		ctx.pc = bench_get_reg(vcpu, REG_PC);
		ctx.pstate = bench_get_reg(vcpu, REG_PSTATE);
	}

	sdei_dispatch(b, &ctx);

	/* The handler's entry context changes x0-x3, or the whole context */
	for (i = 0; i < (deliver ? 4 : NR_SAVED_REGS); i++)
		bench_set_reg(vcpu, REG_X(i), ctx.x[i]);
	bench_set_reg(vcpu, REG_PC, ctx.pc);
	bench_set_reg(vcpu, REG_PSTATE, ctx.pstate);
	return true;
}

/* (s2) The context saved and restored through kvm_run. */
static bool serve_sdei_sync(struct bench *b)
{
	struct kvm_sync_regs *s = &b->vcpu->run->s.regs;
	struct sdei_ctx ctx;

	memcpy(ctx.x, s->regs.regs, sizeof(ctx.x));
	ctx.pc = s->regs.pc;
	ctx.pstate = s->regs.pstate;

	if (!sdei_dispatch(b, &ctx))
		return false;

	memcpy(s->regs.regs, ctx.x, sizeof(ctx.x));
	s->regs.pc = ctx.pc;
	s->regs.pstate = ctx.pstate;
	b->vcpu->run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
	return true;
}

/* The ucall that ends a batch; anything else fails, naming the case. */
static void expect_sync(struct bench *b)
{
	struct kvm_vcpu *vcpu = b->vcpu;
	struct ucall uc;

	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		break;
	case UCALL_ABORT:
		ksft_print_msg("%s %s: the guest failed\n", b->desc->label,
			       b->desc->name);
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("%s: unexpected exit %s, ucall %lu", b->desc->label,
			  exit_reason_str(vcpu->run->exit_reason), uc.cmd);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/*
 * Run one batch of @n calls; the vCPU waits in the ucall of the previous
 * batch. Return the time the batch took, in nanoseconds.
 */
static uint64_t run_batch(struct bench *b, uint64_t n, bool timed)
{
	const struct bench_desc *d = b->desc;
	uint64_t exits = 0, call_ioctls = 0, mark = 0;
	bool in_call = false;
	uint64_t start, end;

	guest_nr_calls = n;
	sync_global_to_guest(b->vm, guest_nr_calls);

	start = now_ns();
	for (;;) {
		bench_run(b->vcpu);

		/* The ioctls since the last exit served that exit. */
		if (in_call)
			call_ioctls += nr_ioctls - mark;

		mark = nr_ioctls;
		in_call = d->serve && d->serve(b);
		if (!in_call)
			break;
		exits++;
	}
	end = now_ns();

	expect_sync(b);
	TEST_ASSERT(exits == n * d->exits_per_call && !b->in_event,
		    "%s: %lu exits for %lu calls", d->label, exits, n);

	if (timed) {
		b->nr_calls += n;
		b->nr_call_ioctls += call_ioctls;
	}

	return end - start;
}

static int enable_fwd(struct kvm_vm *vm, uint32_t base, uint32_t nr,
		      uint64_t flags)
{
	struct kvm_enable_cap cap = {
		.cap	= KVM_CAP_ARM_SMCCC_FORWARD,
		.args	= { base, nr, flags },
	};

	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static void setup_fwd_ranges(struct bench *b, int nr_extra)
{
	int i, r;

	r = enable_fwd(b->vm, BENCH_FN, 1, KVM_ARM_SMCCC_FWD_HVC);
	TEST_ASSERT(!r, "KVM_CAP_ARM_SMCCC_FORWARD 0x%x: %s",
		    BENCH_FN, strerror(errno));
	b->vcpu->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;

	for (i = 0; i < nr_extra; i++) {
		uint32_t fn = i < NR_EXTRA_BELOW ?
			      EXTRA_BELOW_FN(i) :
			      EXTRA_ABOVE_FN(i - NR_EXTRA_BELOW);

		r = enable_fwd(b->vm, fn, 1, KVM_ARM_SMCCC_FWD_HVC);
		TEST_ASSERT(!r, "KVM_CAP_ARM_SMCCC_FORWARD 0x%x (range %d): %s",
			    fn, i + 2, strerror(errno));
	}
}

static void setup_fwd(struct bench *b)
{
	setup_fwd_ranges(b, 0);
}

static void setup_fwd_1000(struct bench *b)
{
	setup_fwd_ranges(b, NR_EXTRA_RANGES);
}

static void setup_filter_fn(struct bench *b, uint32_t fn)
{
	struct kvm_smccc_filter filter = {
		.base		= fn,
		.nr_functions	= 1,
		.action		= KVM_SMCCC_FILTER_FWD_TO_USER,
	};
	int r;

	r = __kvm_device_attr_set(b->vm->fd, KVM_ARM_VM_SMCCC_CTRL,
				  KVM_ARM_VM_SMCCC_FILTER, &filter);
	TEST_ASSERT(!r, "KVM_ARM_VM_SMCCC_FILTER 0x%x: %s",
		    fn, strerror(errno));
}

static void setup_filter(struct bench *b)
{
	setup_filter_fn(b, BENCH_FN);
}

static void setup_filter_1(struct bench *b)
{
	setup_filter_fn(b, BENCH_FN1);
}

/* A GPA past the ucall page, which no memslot backs, mapped for the guest. */
static void setup_mmio(struct bench *b)
{
	b->mmio_gpa = b->vm->ucall_mmio_addr + b->vm->page_size;
	/* Identity-mapped, far above the VAs the library hands out */
	virt_map(b->vm, b->mmio_gpa, b->mmio_gpa, 1);

	guest_mmio = (uint64_t *)b->mmio_gpa;
	sync_global_to_guest(b->vm, guest_mmio);
}

static void setup_psci(struct bench *b)
{
	struct kvm_one_reg reg = {
		.id	= KVM_REG_ARM_PSCI_VERSION,
		.addr	= (uint64_t)&guest_psci_version,
	};

	/* Not vcpu_get_reg(), which differs in 6.12.y: see smccc_fwd.c */
	vcpu_ioctl(b->vcpu, KVM_GET_ONE_REG, &reg);
	sync_global_to_guest(b->vm, guest_psci_version);
}

/* The call of (c), and SDEI_EVENT_COMPLETE with the SDEI preset. */
static void setup_sdei(struct bench *b, bool sync_regs)
{
	int r;

	r = enable_fwd(b->vm, BENCH_FN, 1, KVM_ARM_SMCCC_FWD_HVC);
	TEST_ASSERT(!r, "KVM_CAP_ARM_SMCCC_FORWARD 0x%x: %s",
		    BENCH_FN, strerror(errno));
	r = enable_fwd(b->vm, 0, 0,
		       KVM_ARM_SMCCC_FWD_HVC | KVM_ARM_SMCCC_FWD_SDEI);
	TEST_ASSERT(!r, "KVM_CAP_ARM_SMCCC_FORWARD, SDEI: %s", strerror(errno));

	if (sync_regs)
		b->vcpu->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
}

static void setup_sdei_one_reg(struct bench *b)
{
	setup_sdei(b, false);
}

static void setup_sdei_sync(struct bench *b)
{
	setup_sdei(b, true);
}

static const struct bench_desc bench_desc[NR_CASES] = {
	[CASE_UPSTREAM] = {
		"(a)", "filter, GET+SET_ONE_REG x0-x3 (upstream)",
		guest_call4, setup_filter, serve_upstream, 1, 9,
	},
	[CASE_FILTER] = {
		"(b)", "filter, args in kvm_run, SET_ONE_REG x0-x3",
		guest_call4, setup_filter, serve_filter, 1, 5,
	},
	[CASE_FILTER_1] = {
		"(b1)", "as (b), one result: SET_ONE_REG x0",
		guest_call1, setup_filter_1, serve_filter_1, 1, 2,
	},
	[CASE_FWD] = {
		"(c)", "SMCCC_FORWARD, results in sync regs",
		guest_call4, setup_fwd, serve_fwd, 1, 1,
	},
	[CASE_MMIO] = {
		"(d)", "MMIO write exit (floor)",
		guest_mmio_write, setup_mmio, serve_mmio, 1, 1,
	},
	[CASE_PSCI] = {
		"(e)", "PSCI_VERSION, handled by KVM",
		guest_psci, setup_psci, NULL, 0, 0,
	},
	[CASE_FWD_1000] = {
		"(c1000)", "as (c), 1000 ranges installed",
		guest_call4, setup_fwd_1000, serve_fwd, 1, 1,
	},
	[CASE_SDEI_ONE_REG] = {
		"(s1)", "(c) + SDEI event, context by ONE_REG",
		guest_sdei, setup_sdei_one_reg, serve_sdei_one_reg, 2, 48,
	},
	[CASE_SDEI_SYNC] = {
		"(s2)", "(c) + SDEI event, context by sync regs",
		guest_sdei, setup_sdei_sync, serve_sdei_sync, 2, 2,
	},
};

static void setup_bench(struct bench *b, enum bench_case type, int nr_reps,
			int nr_warmup)
{
	const struct bench_desc *d = &bench_desc[type];
	struct kvm_vcpu_init init;

	b->desc = d;
	b->us = calloc(nr_reps, sizeof(*b->us));
	TEST_ASSERT(b->us, "calloc() failed");

	/* PSCI 0.2 or later, for PSCI_VERSION */
	b->vm = vm_create(1);
	vm_ioctl(b->vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= BIT(KVM_ARM_VCPU_PSCI_0_2);
	b->vcpu = aarch64_vcpu_add(b->vm, 0, &init, d->guest_code);
	kvm_arch_vm_finalize_vcpus(b->vm);

	/* The ranges must be in place before the vCPU first runs. */
	d->setup(b);

	/* Up to the first ucall, then a warm-up batch. */
	vcpu_run(b->vcpu);
	expect_sync(b);
	run_batch(b, nr_warmup, false);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct summary {
	double median, min, max;
};

static struct summary summarize(const double *val, int n)
{
	double *sorted = malloc(n * sizeof(*sorted));
	struct summary s;

	TEST_ASSERT(sorted, "malloc() failed");
	memcpy(sorted, val, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);

	s.min = sorted[0];
	s.max = sorted[n - 1];
	s.median = n % 2 ? sorted[n / 2] :
			   (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	free(sorted);
	return s;
}

/* A ratio of two cases' times, or their difference, per repetition. */
struct derived {
	const char *name;
	enum bench_case x, y;
	bool diff;
	double target;		/* 0: none */
};

static const struct derived ratios[] = {
	{ "b/a     (args in kvm_run / upstream)", CASE_FILTER, CASE_UPSTREAM },
	{ "b1/a    (one result / upstream)", CASE_FILTER_1, CASE_UPSTREAM },
	{ "c/a     (sync regs / upstream)", CASE_FWD, CASE_UPSTREAM },
	{ "c/b     (sync regs / args in kvm_run)", CASE_FWD, CASE_FILTER },
	{ "c/d     (forwarded call / MMIO exit)", CASE_FWD, CASE_MMIO,
	  false, TARGET_C_D },
	{ "c1000/c (1000 ranges / 1 range)", CASE_FWD_1000, CASE_FWD,
	  false, TARGET_C1000_C },
	{ "s2/s1   (SDEI event: sync regs / ONE_REG)", CASE_SDEI_SYNC,
	  CASE_SDEI_ONE_REG },
	{ "s1-c    (event by ONE_REG, beyond the call)", CASE_SDEI_ONE_REG,
	  CASE_FWD, true },
	{ "s2-c    (event by sync regs, beyond the call)", CASE_SDEI_SYNC,
	  CASE_FWD, true },
};

static void help(const char *name)
{
	puts("");
	printf("usage: %s [-n calls] [-r repetitions] [-w warm-up calls]\n", name);
	printf(" -n: calls per batch, i.e. per sample (default %d)\n",
	       DEFAULT_NR_CALLS);
	printf(" -r: repetitions of the whole series, at least %d (default %d)\n",
	       MIN_NR_REPS, DEFAULT_NR_REPS);
	printf(" -w: calls made in each VM before timing (default %d)\n",
	       DEFAULT_NR_WARMUP);
	puts("");
	exit(0);
}

int main(int argc, char *argv[])
{
	int nr_calls = DEFAULT_NR_CALLS, nr_reps = DEFAULT_NR_REPS;
	uint64_t needed = KVM_ARM_SMCCC_FWD_HVC | KVM_ARM_SMCCC_FWD_SDEI;
	int nr_warmup = DEFAULT_NR_WARMUP;
	struct bench bench[NR_CASES] = {};
	cpu_set_t cpus;
	double *val;
	uint64_t start;
	int opt, i, r;

	while ((opt = getopt(argc, argv, "hn:r:w:")) != -1) {
		switch (opt) {
		case 'n':
			nr_calls = atoi_positive("Calls per batch", optarg);
			break;
		case 'r':
			nr_reps = atoi_positive("Repetitions", optarg);
			TEST_ASSERT(nr_reps >= MIN_NR_REPS,
				    "At least %d repetitions", MIN_NR_REPS);
			break;
		case 'w':
			nr_warmup = atoi_non_negative("Warm-up calls", optarg);
			break;
		case 'h':
		default:
			help(argv[0]);
		}
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SMCCC_FORWARD));
	TEST_REQUIRE((kvm_check_cap(KVM_CAP_ARM_SMCCC_FORWARD) & needed) == needed);
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_SYNC_REGS) & KVM_SYNC_ARM64_REGS);

	/* Keep the vCPU threads, i.e. this one, on one physical CPU. */
	r = sched_getcpu();
	TEST_ASSERT(r >= 0, "sched_getcpu() failed");
	CPU_ZERO(&cpus);
	CPU_SET(r, &cpus);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus),
		    "sched_setaffinity() failed");

	ksft_print_msg("smccc_fwd_bench: ID 0x%x over HVC, %d calls per sample\n",
		       BENCH_FN, nr_calls);
	ksft_print_msg("%d repetitions, %d warm-up calls per VM, pinned to CPU %d\n",
		       nr_reps, nr_warmup, r);

	start = now_ns();
	for (i = 0; i < NR_CASES; i++)
		setup_bench(&bench[i], i, nr_reps, nr_warmup);

	for (r = 0; r < nr_reps; r++) {
		for (i = 0; i < NR_CASES; i++) {
			uint64_t ns = run_batch(&bench[i], nr_calls, true);

			bench[i].us[r] = ns / 1000.0 / nr_calls;
		}
	}

	ksft_print_msg("\n");
	ksft_print_msg("Round trip guest -> VMM -> guest, in us per call (s1, s2: per event),\n");
	ksft_print_msg("over %d samples; ioctls per call counted by the VMM, and as designed:\n",
		       nr_reps);
	ksft_print_msg("%-8s %-44s %7s %5s %9s %9s %9s\n", "case", "",
		       "ioctls", "(exp)", "median", "min", "max");
	for (i = 0; i < NR_CASES; i++) {
		const struct bench_desc *d = &bench_desc[i];
		struct summary s = summarize(bench[i].us, nr_reps);
		char ioctls[32];

		if (d->exits_per_call)
			snprintf(ioctls, sizeof(ioctls), "%.2f",
				 (double)bench[i].nr_call_ioctls / bench[i].nr_calls);
		else
			snprintf(ioctls, sizeof(ioctls), "no exit");

		ksft_print_msg("%-8s %-44s %7s %5d %9.2f %9.2f %9.2f\n",
			       d->label, d->name, ioctls, d->expected_ioctls,
			       s.median, s.min, s.max);
	}

	ksft_print_msg("\n");
	ksft_print_msg("Per repetition, in us per call:\n");
	ksft_print_msg("%4s", "rep");
	for (i = 0; i < NR_CASES; i++)
		printf(" %8s", bench_desc[i].label);
	printf("\n");
	for (r = 0; r < nr_reps; r++) {
		ksft_print_msg("%4d", r);
		for (i = 0; i < NR_CASES; i++)
			printf(" %8.2f", bench[i].us[r]);
		printf("\n");
	}

	val = calloc(nr_reps, sizeof(*val));
	TEST_ASSERT(val, "calloc() failed");

	ksft_print_msg("\n");
	ksft_print_msg("Ratios, and differences in us, computed per repetition:\n");
	ksft_print_msg("%-48s %9s %9s %9s %8s\n", "", "median", "min", "max",
		       "target");
	for (i = 0; i < ARRAY_SIZE(ratios); i++) {
		const struct derived *d = &ratios[i];
		struct summary s;
		char target[32] = "";

		for (r = 0; r < nr_reps; r++)
			val[r] = d->diff ?
				 bench[d->x].us[r] - bench[d->y].us[r] :
				 bench[d->x].us[r] / bench[d->y].us[r];
		s = summarize(val, nr_reps);

		if (d->target)
			snprintf(target, sizeof(target), "<= %.2f%s", d->target,
				 s.median <= d->target ? "" : " NOT met");

		ksft_print_msg("%-48s %9.3f %9.3f %9.3f %8s\n", d->name,
			       s.median, s.min, s.max, target);
	}

	ksft_print_msg("\n");
	ksft_print_msg("Total time %.1f s\n", (now_ns() - start) / 1e9);

	for (i = 0; i < NR_CASES; i++) {
		kvm_vm_free(bench[i].vm);
		free(bench[i].us);
	}
	free(val);

	return 0;
}
