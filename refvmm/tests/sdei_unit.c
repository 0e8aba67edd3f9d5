// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the SDEI dispatcher (refvmm/sdei.c) alone, on the host or
 * in the test VM: no KVM. A fake client of 3 PEs makes calls through
 * sdei_handle_call() and takes events through sdei_dispatch(), with
 * registers it fills with recognisable values.
 *
 * Covers: VERSION, FEATURES; PEs start masked; event entry registers;
 * COMPLETE and COMPLETE_AND_RESUME (x0-x17, PC, PSTATE, ELR_EL1,
 * SPSR_EL1); EVENT_CONTEXT; critical preempting normal and not the
 * reverse; unregister while running; PE_MASK/UNMASK; PRIVATE_RESET and
 * SHARED_RESET; shared routing and one-PE-at-a-time; EVENT_SIGNAL;
 * INTERRUPT_BIND/RELEASE; the exact error of each call's negative paths;
 * power-on; signalling from another thread with kicks.
 *
 * Output is TAP; the exit status is non-zero if a check failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../sdei.h"

#define NR_PES		3
#define EV_PN		0x100	/* private normal */
#define EV_PC		0x101	/* private critical */
#define EV_SN		0x200	/* shared normal */
#define EV_SC		0x201	/* shared critical */
#define EP(n)		(0xffff800010000000ull + 0x1000 * (n))
#define ARG(n)		(0xa000 + (n))
#define CTX_PC		0xffff800008123450ull
#define CTX_ELR		0xffff80000800aaa0ull
#define CTX_SPSR	0x3c5ull

#define PSR_EL1h	0x5ull
#define PSR_DAIF	(0xfull << 6)
#define PSR_I		(1ull << 7)
#define PSR_NZCV	(0xfull << 28)
#define PSR_SS		(1ull << 21)
#define PSR_PAN		(1ull << 22)

static const struct sdei_event_desc events[] = {
	{ EV_PN, false, false },
	{ EV_PC, false, true },
	{ EV_SN, true, false },
	{ EV_SC, true, true },
};

static unsigned int kicks[NR_PES];
static pthread_mutex_t kick_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int completions;
static uint64_t last_status;

static void kick(void *opaque, unsigned int pe)
{
	(void)opaque;
	pthread_mutex_lock(&kick_lock);
	kicks[pe]++;
	pthread_mutex_unlock(&kick_lock);
}

static uint64_t mpidr(void *opaque, unsigned int pe)
{
	(void)opaque;
	return 0x80000000ull | (pe << 8);	/* Aff1 = pe, like RES1 bit 31 */
}

static void completed(void *opaque, unsigned int pe, uint32_t event,
		      uint64_t status, bool resumed)
{
	(void)opaque; (void)pe; (void)event; (void)resumed;
	completions++;
	last_status = status;
}

static const struct sdei_ops ops = {
	.kick = kick,
	.mpidr = mpidr,
	.completed = completed,
};

static struct sdei *s;
static struct sdei_regs regs[NR_PES];
static int nr_test, nr_failed;

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	nr_test++;
	if (!cond)
		nr_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", nr_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define CHECK_EQ(a, b, name)						\
	do {								\
		uint64_t _a = (a), _b = (b);				\
		check(_a == _b, "%s (0x%llx, want 0x%llx)", name,	\
		      (unsigned long long)_a, (unsigned long long)_b);	\
	} while (0)

/* A fresh interrupted context: x[i] = 0xc0de00 + i, EL1h, IRQs unmasked. */
static void fill_ctx(unsigned int pe, uint64_t pc)
{
	struct sdei_regs *r = &regs[pe];
	int i;

	for (i = 0; i < 31; i++)
		r->x[i] = 0xc0de00 + 0x100 * pe + i;
	r->pc = pc;
	r->pstate = PSR_EL1h | (0x6ull << 28);	/* Z, C set, DAIF clear */
	r->elr_el1 = CTX_ELR;
	r->spsr_el1 = CTX_SPSR;
}

/* Make a call from @pe with up to 5 arguments; returns x0. */
static int64_t call(unsigned int pe, uint32_t fn, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct sdei_regs *r = &regs[pe];

	r->x[0] = fn;
	r->x[1] = a1;
	r->x[2] = a2;
	r->x[3] = a3;
	r->x[4] = a4;
	r->x[5] = a5;
	sdei_handle_call(s, pe, r);
	return (int64_t)r->x[0];
}

#define CALL0(pe, fn)			call(pe, fn, 0, 0, 0, 0, 0)
#define CALL1(pe, fn, a)		call(pe, fn, a, 0, 0, 0, 0)

static int64_t reg_private(unsigned int pe, uint32_t ev)
{
	return call(pe, SDEI_EVENT_REGISTER, ev, EP(ev), ARG(ev), 0, 0);
}

static void setup(void)
{
	struct sdei_config cfg = {
		.nr_pes = NR_PES,
		.events = events,
		.nr_events = sizeof(events) / sizeof(events[0]),
		.ops = &ops,
	};

	sdei_destroy(s);
	s = sdei_create(&cfg);
	memset(kicks, 0, sizeof(kicks));
	completions = 0;
}

/* Register, enable @ev on @pe, unmask @pe. */
static void ready(unsigned int pe, uint32_t ev)
{
	reg_private(pe, ev);
	CALL1(pe, SDEI_EVENT_ENABLE, ev);
	CALL0(pe, SDEI_PE_UNMASK);
}

static void test_version_features(void)
{
	setup();
	CHECK_EQ(CALL0(0, SDEI_VERSION), 0x1000100000000ull, "VERSION is 1.1");
	CHECK_EQ(CALL1(0, SDEI_FEATURES, 0), (4 << 16) | 4,
		 "FEATURES BIND_SLOTS: 4 shared, 4 private");
	CHECK_EQ(CALL1(0, SDEI_FEATURES, 1), 0, "FEATURES RELATIVE_MODE: no");
	CHECK_EQ(CALL1(0, SDEI_FEATURES, 2), SDEI_INVALID_PARAMETERS,
		 "FEATURES 2: INVALID_PARAMETERS");
	CHECK_EQ(CALL0(0, SDEI_FN(0x13)), SDEI_NOT_SUPPORTED,
		 "unallocated SDEI ID: NOT_SUPPORTED");
	CHECK_EQ(CALL0(0, 0x84000020), SDEI_NOT_SUPPORTED,
		 "SMC32 SDEI_VERSION: NOT_SUPPORTED");
	check(sdei_is_call(0xc4000020) && sdei_is_call(0x8400003f) &&
	      !sdei_is_call(0xc4000040) && !sdei_is_call(0xc4000000),
	      "sdei_is_call() covers the preset's ranges only");
}

/* Event entry and COMPLETE, from an EL1 context with IRQs unmasked. */
static void test_entry_and_complete(void)
{
	struct sdei_regs before, *r = &regs[0];
	unsigned int dirty;
	struct sdei_stats st;
	int i, ok;

	setup();
	ready(0, EV_PN);
	CHECK_EQ(sdei_signal(s, EV_PN, 0), 0, "signal a registered event");
	check(kicks[0] == 1, "signal kicks the target PE");

	fill_ctx(0, CTX_PC);
	before = *r;
	dirty = sdei_dispatch(s, 0, r);
	CHECK_EQ(dirty, SDEI_REG_X(0) | SDEI_REG_X(1) | SDEI_REG_X(2) |
		 SDEI_REG_X(3) | SDEI_REG_PC | SDEI_REG_PSTATE,
		 "entry writes x0-x3, PC, PSTATE");
	CHECK_EQ(r->x[0], EV_PN, "entry: x0 = event");
	CHECK_EQ(r->x[1], ARG(EV_PN), "entry: x1 = ep_argument");
	CHECK_EQ(r->x[2], CTX_PC, "entry: x2 = interrupted PC");
	CHECK_EQ(r->x[3], before.pstate, "entry: x3 = interrupted PSTATE");
	CHECK_EQ(r->pc, EP(EV_PN), "entry: PC = entry point");
	CHECK_EQ(r->pstate, PSR_EL1h | PSR_DAIF | (before.pstate & PSR_NZCV),
		 "entry: PSTATE = EL1h, DAIF masked, flags kept");
	ok = 1;
	for (i = 4; i < 31; i++)
		ok &= r->x[i] == before.x[i];
	check(ok, "entry: x4-x30 untouched");
	check(r->elr_el1 == CTX_ELR && r->spsr_el1 == CTX_SPSR,
	      "entry: ELR_EL1 and SPSR_EL1 untouched");
	CHECK_EQ(sdei_running_depth(s, 0), 1, "handler running");
	CHECK_EQ(sdei_dispatch(s, 0, r), 0, "nothing more to dispatch");

	/* The handler: EVENT_CONTEXT gives the interrupted x0-x17. */
	ok = 1;
	for (i = 0; i < 18; i++)
		ok &= (uint64_t)CALL1(0, SDEI_EVENT_CONTEXT, i) == before.x[i];
	check(ok, "EVENT_CONTEXT 0-17: interrupted x0-x17");
	CHECK_EQ(CALL1(0, SDEI_EVENT_CONTEXT, 18), SDEI_INVALID_PARAMETERS,
		 "EVENT_CONTEXT 18: INVALID_PARAMETERS");
	CHECK_EQ(CALL1(1, SDEI_EVENT_CONTEXT, 0), SDEI_DENIED,
		 "EVENT_CONTEXT on a PE running no handler: DENIED");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PN), 7,
		 "STATUS while running: registered, enabled, running");

	/* The handler clobbers things, as handlers do, then completes. */
	for (i = 0; i < 18; i++)
		r->x[i] = 0xdead0000 + i;
	r->elr_el1 = 0x1111;
	r->spsr_el1 = 0x2222;
	r->x[0] = SDEI_EVENT_COMPLETE;
	r->x[1] = 0;
	dirty = sdei_handle_call(s, 0, r);
	CHECK_EQ(dirty, SDEI_REG_X0_X17 | SDEI_REG_PC | SDEI_REG_PSTATE,
		 "COMPLETE writes x0-x17, PC, PSTATE");
	ok = 1;
	for (i = 0; i < 18; i++)
		ok &= r->x[i] == before.x[i];
	check(ok, "COMPLETE: x0-x17 of the interrupted context");
	CHECK_EQ(r->pc, CTX_PC, "COMPLETE: PC = interrupted PC");
	CHECK_EQ(r->pstate, before.pstate, "COMPLETE: PSTATE = interrupted");
	check(r->elr_el1 == 0x1111 && r->spsr_el1 == 0x2222,
	      "COMPLETE: ELR_EL1 and SPSR_EL1 left to the client");
	CHECK_EQ(sdei_running_depth(s, 0), 0, "no handler running after it");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PN), 3,
		 "STATUS after: registered, enabled");
	CHECK_EQ(CALL1(0, SDEI_EVENT_COMPLETE, 0), SDEI_DENIED,
		 "COMPLETE with no handler running: DENIED");
	CHECK_EQ(CALL1(0, SDEI_EVENT_COMPLETE_AND_RESUME, 0x1000),
		 SDEI_DENIED, "COMPLETE_AND_RESUME with none: DENIED");
	CHECK_EQ(completions, 1, "the VMM heard of one completion");

	/* EV_FAILED is counted, and told to the VMM. */
	sdei_signal(s, EV_PN, 0);
	fill_ctx(0, CTX_PC);
	sdei_dispatch(s, 0, r);
	CALL1(0, SDEI_EVENT_COMPLETE, 1);
	sdei_get_stats(s, 0, &st);
	check(st.failed == 1 && st.completed == 2 && st.dispatched == 2 &&
	      last_status == 1, "EV_FAILED counted and passed on");
}

static void test_complete_and_resume(void)
{
	struct sdei_regs before, *r = &regs[1];
	struct sdei_stats st;
	unsigned int dirty;
	int i, ok;

	setup();
	ready(1, EV_PN);
	sdei_signal(s, EV_PN, 1);
	fill_ctx(1, CTX_PC);
	r->pstate = 0;		/* EL0t, all unmasked: a user task */
	before = *r;
	sdei_dispatch(s, 1, r);
	CHECK_EQ(r->x[3], 0, "entry from EL0: x3 = EL0t PSTATE");
	CHECK_EQ(r->pstate, PSR_EL1h | PSR_DAIF, "entry from EL0: EL1h");

	CHECK_EQ(CALL1(1, SDEI_EVENT_COMPLETE_AND_RESUME, 0x1002),
		 SDEI_INVALID_PARAMETERS,
		 "COMPLETE_AND_RESUME to an unaligned address: INVALID");
	CHECK_EQ(sdei_running_depth(s, 1), 1, "... and the handler still runs");

	for (i = 0; i < 18; i++)
		r->x[i] = 0xdead0000 + i;
	r->x[0] = SDEI_EVENT_COMPLETE_AND_RESUME;
	r->x[1] = 0xffff800008010480ull;	/* VBAR + 0x480 */
	dirty = sdei_handle_call(s, 1, r);
	CHECK_EQ(dirty, SDEI_REG_X0_X17 | SDEI_REG_PC | SDEI_REG_PSTATE |
		 SDEI_REG_ELR_EL1 | SDEI_REG_SPSR_EL1,
		 "COMPLETE_AND_RESUME writes x0-x17, PC, PSTATE, ELR, SPSR");
	ok = 1;
	for (i = 0; i < 18; i++)
		ok &= r->x[i] == before.x[i];
	check(ok, "COMPLETE_AND_RESUME: x0-x17 of the interrupted context");
	CHECK_EQ(r->pc, 0xffff800008010480ull, "... PC = resume_addr");
	CHECK_EQ(r->pstate, PSR_EL1h | PSR_DAIF,
		 "... PSTATE = exception entry to EL1h");
	CHECK_EQ(r->elr_el1, CTX_PC, "... ELR_EL1 = interrupted PC");
	CHECK_EQ(r->spsr_el1, 0, "... SPSR_EL1 = interrupted PSTATE");
	CHECK_EQ(sdei_running_depth(s, 1), 0, "... and no handler runs");
	sdei_get_stats(s, 1, &st);
	CHECK_EQ(st.resume_pc, 0xffff800008010480ull,
		 "... and the stats tell the resume address");

	/* SS and IL of the interrupted PSTATE do not reach the handler. */
	sdei_signal(s, EV_PN, 1);
	fill_ctx(1, CTX_PC);
	r->pstate = PSR_EL1h | PSR_SS;
	sdei_dispatch(s, 1, r);
	CHECK_EQ(r->pstate, PSR_EL1h | PSR_DAIF, "entry clears PSTATE.SS");
}

/*
 * PSTATE.PAN at handler entry and at COMPLETE_AND_RESUME's address: that
 * of an exception to EL1, set when the PE has SCTLR_EL1.SPAN = 0
 * (sdei_pe_set_pan()), else kept from the interrupted context.
 */
static void test_pan(void)
{
	struct sdei_regs *r = &regs[1];

	setup();
	ready(1, EV_PN);
	sdei_signal(s, EV_PN, 1);
	fill_ctx(1, CTX_PC);
	r->pstate = 0;		/* EL0t, PAN clear */
	sdei_dispatch(s, 1, r);
	CHECK_EQ(r->pstate, PSR_EL1h | PSR_DAIF,
		 "SPAN = 1: entry from EL0 keeps PAN clear");
	CALL1(1, SDEI_EVENT_COMPLETE, 0);

	sdei_pe_set_pan(s, 1, true);
	sdei_signal(s, EV_PN, 1);
	fill_ctx(1, CTX_PC);
	r->pstate = 0;
	sdei_dispatch(s, 1, r);
	CHECK_EQ(r->pstate, PSR_EL1h | PSR_DAIF | PSR_PAN,
		 "SPAN = 0: entry from EL0 sets PAN");
	r->x[0] = SDEI_EVENT_COMPLETE_AND_RESUME;
	r->x[1] = 0xffff800008010480ull;
	sdei_handle_call(s, 1, r);
	CHECK_EQ(r->pstate, PSR_EL1h | PSR_DAIF | PSR_PAN,
		 "SPAN = 0: COMPLETE_AND_RESUME sets PAN");
	CHECK_EQ(r->spsr_el1, 0, "... SPSR_EL1 keeps the interrupted PAN");

	/* another PE is not affected */
	ready(0, EV_PN);
	sdei_signal(s, EV_PN, 0);
	fill_ctx(0, CTX_PC);
	regs[0].pstate = 0;
	sdei_dispatch(s, 0, &regs[0]);
	CHECK_EQ(regs[0].pstate, PSR_EL1h | PSR_DAIF,
		 "SPAN is per PE: PE 0 keeps PAN clear");
}

/* A critical event preempts a running normal one, and not the reverse. */
static void test_nesting(void)
{
	struct sdei_regs ctx, hctx, *r = &regs[0];
	struct sdei_stats st;

	setup();
	reg_private(0, EV_PN);
	reg_private(0, EV_PC);
	CALL1(0, SDEI_EVENT_ENABLE, EV_PN);
	CALL1(0, SDEI_EVENT_ENABLE, EV_PC);
	CALL0(0, SDEI_PE_UNMASK);

	/* Both pending at once: the critical one goes first. */
	sdei_signal(s, EV_PN, 0);
	sdei_signal(s, EV_PC, 0);
	fill_ctx(0, CTX_PC);
	sdei_dispatch(s, 0, r);
	CHECK_EQ(r->x[0], EV_PC, "critical first when both are pending");
	CHECK_EQ(sdei_dispatch(s, 0, r), 0,
		 "normal does not preempt a running critical");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	CHECK_EQ(r->pc, CTX_PC, "critical completes to the interrupted PC");
	sdei_dispatch(s, 0, r);
	CHECK_EQ(r->x[0], EV_PN, "then the pending normal runs");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);

	/* Normal running, critical arrives: it preempts the handler. */
	sdei_signal(s, EV_PN, 0);
	fill_ctx(0, CTX_PC);
	ctx = *r;
	sdei_dispatch(s, 0, r);
	r->x[5] = 0x5555;		/* the normal handler's own state */
	r->pc = EP(EV_PN) + 0x40;
	hctx = *r;
	sdei_signal(s, EV_PC, 0);
	CHECK_EQ(sdei_dispatch(s, 0, r) != 0, 1, "critical preempts normal");
	CHECK_EQ(sdei_running_depth(s, 0), 2, "two handlers running");
	CHECK_EQ(r->x[2], EP(EV_PN) + 0x40,
		 "critical's x2 = PC in the normal handler");
	CHECK_EQ(CALL1(0, SDEI_EVENT_CONTEXT, 5), 0x5555,
		 "EVENT_CONTEXT in critical: the normal handler's x5");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PN), 7, "normal still running");
	sdei_signal(s, EV_PN, 0);
	CHECK_EQ(sdei_dispatch(s, 0, r), 0,
		 "a second normal does not nest");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	check(r->pc == hctx.pc && r->pstate == hctx.pstate &&
	      r->x[5] == 0x5555 && r->x[0] == hctx.x[0],
	      "critical completes into the normal handler");
	CHECK_EQ(sdei_dispatch(s, 0, r), 0,
		 "pending normal waits for the running normal");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	check(r->pc == ctx.pc && r->x[5] == ctx.x[5],
	      "normal completes into the first context");
	CHECK_EQ(sdei_dispatch(s, 0, r) != 0, 1, "then the pending normal");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	sdei_get_stats(s, 0, &st);
	CHECK_EQ(st.preempted, 1, "one preemption counted");

	/* Another event of the same priority never nests either. */
	call(0, SDEI_EVENT_REGISTER, EV_SN, EP(EV_SN), 0, 0, 0);
	call(0, SDEI_EVENT_REGISTER, EV_SC, EP(EV_SC), 0, 0, 0);
	CALL1(0, SDEI_EVENT_ENABLE, EV_SN);
	CALL1(0, SDEI_EVENT_ENABLE, EV_SC);
	sdei_signal(s, EV_PN, 0);
	fill_ctx(0, CTX_PC);
	sdei_dispatch(s, 0, r);
	sdei_signal(s, EV_SN, 0);
	CHECK_EQ(sdei_dispatch(s, 0, r), 0,
		 "a shared normal does not preempt a private normal");
	sdei_signal(s, EV_PC, 0);
	sdei_dispatch(s, 0, r);
	sdei_signal(s, EV_SC, 0);
	CHECK_EQ(sdei_dispatch(s, 0, r), 0,
		 "a shared critical does not preempt a private critical");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	CHECK_EQ(sdei_dispatch(s, 0, r) != 0 && r->x[0] == EV_SC, 1,
		 "it preempts the normal once the critical completes");
}

static void test_unregister_running(void)
{
	struct sdei_regs *r = &regs[0];

	setup();
	ready(0, EV_PN);
	sdei_signal(s, EV_PN, 0);
	fill_ctx(0, CTX_PC);
	sdei_dispatch(s, 0, r);

	CHECK_EQ(CALL1(0, SDEI_EVENT_UNREGISTER, EV_PN), SDEI_PENDING,
		 "UNREGISTER from the running handler: PENDING");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PN), 4,
		 "STATUS unregister-pending: running only");
	CHECK_EQ(CALL1(0, SDEI_EVENT_UNREGISTER, EV_PN), SDEI_PENDING,
		 "UNREGISTER again: PENDING");
	CHECK_EQ(reg_private(0, EV_PN), SDEI_DENIED,
		 "REGISTER while unregister-pending: DENIED");
	CHECK_EQ(CALL1(0, SDEI_EVENT_ENABLE, EV_PN), SDEI_DENIED,
		 "ENABLE while unregister-pending: DENIED");
	CHECK_EQ(CALL1(0, SDEI_EVENT_DISABLE, EV_PN), SDEI_DENIED,
		 "DISABLE while unregister-pending: DENIED");
	CHECK_EQ(sdei_signal(s, EV_PN, 0), -EAGAIN,
		 "a trigger while unregister-pending is dropped");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	CHECK_EQ(r->pc, CTX_PC, "COMPLETE still resumes");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PN), 0,
		 "unregistered after COMPLETE");
	CHECK_EQ(sdei_dispatch(s, 0, r), 0, "and nothing is delivered");
	CHECK_EQ(CALL1(0, SDEI_EVENT_UNREGISTER, EV_PN), SDEI_DENIED,
		 "UNREGISTER once unregistered: DENIED");
	CHECK_EQ(reg_private(0, EV_PN), SDEI_SUCCESS, "REGISTER again works");

	/* A shared event unregistered by another PE while it runs. */
	call(1, SDEI_EVENT_REGISTER, EV_SN, EP(EV_SN), ARG(EV_SN), 0, 0);
	CALL1(1, SDEI_EVENT_ENABLE, EV_SN);
	CALL0(1, SDEI_PE_UNMASK);
	sdei_signal(s, EV_SN, 1);
	fill_ctx(1, CTX_PC);
	sdei_dispatch(s, 1, &regs[1]);
	CHECK_EQ(CALL1(2, SDEI_EVENT_UNREGISTER, EV_SN), SDEI_PENDING,
		 "UNREGISTER of a shared event running elsewhere: PENDING");
	CALL1(1, SDEI_EVENT_COMPLETE, 0);
	CHECK_EQ(CALL1(2, SDEI_EVENT_STATUS, EV_SN), 0,
		 "shared: unregistered at COMPLETE");
}

static void test_errors(void)
{
	setup();
	CHECK_EQ(reg_private(0, 0x999), SDEI_INVALID_PARAMETERS,
		 "REGISTER unknown event: INVALID_PARAMETERS");
	CHECK_EQ(call(0, SDEI_EVENT_REGISTER, EV_PN, EP(1), 0, 4, 0),
		 SDEI_INVALID_PARAMETERS, "REGISTER reserved flag: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_REGISTER, EV_PN, EP(1), 0, 2, 0),
		 SDEI_INVALID_PARAMETERS, "REGISTER relative_mode: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_REGISTER, EV_PN, EP(1) + 2, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "REGISTER unaligned entry: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_REGISTER, EV_SN, EP(1), 0, 1, 0x700),
		 SDEI_INVALID_PARAMETERS, "REGISTER RM_PE no such PE: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_REGISTER, EV_SN, EP(1), 0, 1,
		      0x80000100), SDEI_INVALID_PARAMETERS,
		 "REGISTER RM_PE with MPIDR bit 31: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_REGISTER, EV_PN, EP(1), 0, 1, 0x700),
		 SDEI_SUCCESS, "REGISTER private: routing ignored");
	CHECK_EQ(call(0, SDEI_EVENT_REGISTER, EV_PN, EP(1), 0, 0, 0),
		 SDEI_DENIED, "REGISTER twice: DENIED");
	CHECK_EQ(reg_private(1, EV_PN), SDEI_SUCCESS,
		 "REGISTER private on another PE: its own");
	CHECK_EQ(CALL1(2, SDEI_EVENT_ENABLE, EV_PN), SDEI_DENIED,
		 "ENABLE unregistered: DENIED");
	CHECK_EQ(CALL1(0, SDEI_EVENT_ENABLE, 0x999), SDEI_INVALID_PARAMETERS,
		 "ENABLE unknown: INVALID");
	CHECK_EQ(CALL1(0, SDEI_EVENT_DISABLE, 0x999), SDEI_INVALID_PARAMETERS,
		 "DISABLE unknown: INVALID");
	CHECK_EQ(CALL1(0, SDEI_EVENT_ENABLE, EV_PN), SDEI_SUCCESS, "ENABLE");
	CHECK_EQ(CALL1(0, SDEI_EVENT_ENABLE, EV_PN), SDEI_SUCCESS,
		 "ENABLE again: no effect, SUCCESS");
	CHECK_EQ(CALL1(2, SDEI_EVENT_UNREGISTER, EV_PN), SDEI_DENIED,
		 "UNREGISTER not registered: DENIED");
	CHECK_EQ(CALL1(2, SDEI_EVENT_UNREGISTER, 0x999),
		 SDEI_INVALID_PARAMETERS, "UNREGISTER unknown: INVALID");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, 0x999), SDEI_INVALID_PARAMETERS,
		 "STATUS unknown: INVALID");
	CHECK_EQ(CALL1(2, SDEI_EVENT_STATUS, EV_PN), 0,
		 "STATUS of a private event is per PE");

	/* GET_INFO. */
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, EV_SC, 0, 0, 0, 0), 1,
		 "GET_INFO TYPE shared");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, EV_PC, 2, 0, 0, 0), 1,
		 "GET_INFO PRIORITY critical");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, 0, 1, 0, 0, 0), 1,
		 "GET_INFO SIGNALED: event 0 can be signalled");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, EV_PN, 1, 0, 0, 0), 0,
		 "GET_INFO SIGNALED: 0x100 cannot");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, EV_PN, 3, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "GET_INFO ROUTING_MODE private");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, EV_SN, 3, 0, 0, 0),
		 SDEI_DENIED, "GET_INFO ROUTING_MODE unregistered: DENIED");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, EV_SN, 5, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "GET_INFO info 5: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, 0x999, 0, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "GET_INFO unknown event: INVALID");
	call(0, SDEI_EVENT_REGISTER, EV_SN, EP(2), 0, 0, 0);
	CHECK_EQ(call(1, SDEI_EVENT_GET_INFO, EV_SN, 3, 0, 0, 0), 0,
		 "GET_INFO ROUTING_MODE RM_ANY, from any PE");
	CHECK_EQ(call(1, SDEI_EVENT_GET_INFO, EV_SN, 4, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "GET_INFO ROUTING_AFF of RM_ANY");

	/* ROUTING_SET. */
	CHECK_EQ(call(0, SDEI_EVENT_ROUTING_SET, EV_PN, 0, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "ROUTING_SET private: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_ROUTING_SET, EV_SN, 2, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "ROUTING_SET reserved bit: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_ROUTING_SET, EV_SN, 1, 0x300, 0, 0),
		 SDEI_INVALID_PARAMETERS, "ROUTING_SET no such PE: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_ROUTING_SET, EV_SC, 1, 0x100, 0, 0),
		 SDEI_DENIED, "ROUTING_SET unregistered: DENIED");
	CHECK_EQ(call(0, SDEI_EVENT_ROUTING_SET, EV_SN, 1, 0x200, 0, 0),
		 SDEI_SUCCESS, "ROUTING_SET to PE 2");
	CHECK_EQ(call(1, SDEI_EVENT_GET_INFO, EV_SN, 4, 0, 0, 0), 0x200,
		 "GET_INFO ROUTING_AFF = 0x200");
	CALL1(0, SDEI_EVENT_ENABLE, EV_SN);
	CHECK_EQ(call(0, SDEI_EVENT_ROUTING_SET, EV_SN, 0, 0, 0, 0),
		 SDEI_DENIED, "ROUTING_SET while enabled: DENIED");

	/* EVENT_SIGNAL. */
	CHECK_EQ(call(0, SDEI_EVENT_SIGNAL, EV_PN, 0, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "EVENT_SIGNAL of 0x100: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_SIGNAL, 0, 0x300, 0, 0, 0),
		 SDEI_INVALID_PARAMETERS, "EVENT_SIGNAL to no PE: INVALID");
	CHECK_EQ(call(0, SDEI_EVENT_SIGNAL, 0, 0x100, 0, 0, 0),
		 SDEI_SUCCESS, "EVENT_SIGNAL to PE 1 (unregistered there)");

	/* VMM-side signal. */
	CHECK_EQ(sdei_signal(s, 0x999, 0), -ENOENT, "sdei_signal unknown");
	CHECK_EQ(sdei_signal(s, EV_PN, -1), -EINVAL,
		 "sdei_signal private with no PE");
	CHECK_EQ(sdei_signal(s, EV_PN, NR_PES), -EINVAL,
		 "sdei_signal to a PE out of range");
	CHECK_EQ(sdei_signal(s, EV_PN, 2), -EAGAIN,
		 "sdei_signal where not registered: dropped");
}

static void test_mask_and_signal(void)
{
	struct sdei_regs *r = &regs[1];

	setup();
	reg_private(1, SDEI_EVENT_0);
	CALL1(1, SDEI_EVENT_ENABLE, SDEI_EVENT_0);
	CHECK_EQ(call(0, SDEI_EVENT_SIGNAL, 0, 0x100, 0, 0, 0), SDEI_SUCCESS,
		 "EVENT_SIGNAL PE 0 -> PE 1");
	check(kicks[1] == 1, "EVENT_SIGNAL kicks the target");
	check(sdei_pe_masked(s, 1), "a PE starts masked");
	CHECK_EQ(sdei_dispatch_pending(s, 1), 0, "masked PE takes nothing");
	CHECK_EQ(CALL0(1, SDEI_PE_MASK), 0, "PE_MASK when masked: 0");
	CHECK_EQ(CALL0(1, SDEI_PE_UNMASK), SDEI_SUCCESS, "PE_UNMASK");
	CHECK_EQ(sdei_dispatch_pending(s, 1), 1, "pending event after unmask");
	fill_ctx(1, CTX_PC);
	sdei_dispatch(s, 1, r);
	CHECK_EQ(r->x[0], 0, "event 0 delivered after unmask");
	CALL1(1, SDEI_EVENT_COMPLETE, 0);
	CHECK_EQ(CALL0(1, SDEI_PE_MASK), 1, "PE_MASK when unmasked: 1");

	/* A trigger kept while masked survives DISABLE and ENABLE. */
	CALL0(1, SDEI_PE_MASK);
	sdei_signal(s, 0, 1);
	CALL1(1, SDEI_EVENT_DISABLE, 0);
	CALL1(1, SDEI_EVENT_ENABLE, 0);
	CALL0(1, SDEI_PE_UNMASK);
	CHECK_EQ(sdei_dispatch_pending(s, 1), 1,
		 "DISABLE keeps the trigger for ENABLE");
	sdei_dispatch(s, 1, r);
	CALL1(1, SDEI_EVENT_COMPLETE, 0);

	/* Disabled: the trigger waits for ENABLE. */
	CALL0(1, SDEI_PE_UNMASK);
	CALL1(1, SDEI_EVENT_DISABLE, 0);
	sdei_signal(s, 0, 1);
	CHECK_EQ(sdei_dispatch_pending(s, 1), 0, "disabled: nothing");
	CALL1(1, SDEI_EVENT_ENABLE, 0);
	CHECK_EQ(sdei_dispatch_pending(s, 1), 1, "enabled: the kept trigger");

	/* Signal to self: the call's SUCCESS is in the saved x0. */
	setup();
	ready(2, SDEI_EVENT_0);
	fill_ctx(2, CTX_PC);
	CHECK_EQ(call(2, SDEI_EVENT_SIGNAL, 0, 0x200, 0, 0, 0), SDEI_SUCCESS,
		 "EVENT_SIGNAL to self");
	sdei_dispatch(s, 2, &regs[2]);
	CHECK_EQ(CALL1(2, SDEI_EVENT_CONTEXT, 0), SDEI_SUCCESS,
		 "the handler sees the call's result in x0");

	/* Power-on masks the PE and forgets its running handler. */
	sdei_pe_power_on(s, 2);
	check(sdei_pe_masked(s, 2) && sdei_running_depth(s, 2) == 0,
	      "power-on: masked, no handler running");
	CHECK_EQ(CALL1(2, SDEI_EVENT_STATUS, 0), 3,
		 "power-on: registration kept");
}

static void test_shared_routing(void)
{
	struct sdei_regs *r0 = &regs[0], *r1 = &regs[1];
	unsigned int pe;

	setup();
	for (pe = 0; pe < NR_PES; pe++)
		CALL0(pe, SDEI_PE_UNMASK);
	call(0, SDEI_EVENT_REGISTER, EV_SN, EP(EV_SN), ARG(EV_SN), 1, 0x100);
	CALL1(2, SDEI_EVENT_ENABLE, EV_SN);
	memset(kicks, 0, sizeof(kicks));
	sdei_signal(s, EV_SN, 0);
	check(kicks[1] == 1 && kicks[0] == 0, "RM_PE: the routed PE is kicked");
	CHECK_EQ(sdei_dispatch_pending(s, 0), 0, "RM_PE: PE 0 does not take it");
	fill_ctx(1, CTX_PC);
	sdei_dispatch(s, 1, r1);
	CHECK_EQ(r1->x[0], EV_SN, "RM_PE: PE 1 takes it");

	/* Triggered again while it runs on PE 1: nobody else takes it. */
	sdei_signal(s, EV_SN, 0);
	check(!sdei_dispatch_pending(s, 0) && !sdei_dispatch_pending(s, 2),
	      "a running shared handler runs on one PE at a time");
	CALL1(1, SDEI_EVENT_COMPLETE, 0);
	CHECK_EQ(sdei_dispatch_pending(s, 1), 1,
		 "after COMPLETE the pending trigger is PE 1's again");
	sdei_dispatch(s, 1, r1);
	CALL1(1, SDEI_EVENT_COMPLETE, 0);

	/* RM_ANY: running on PE 1, triggered again, nobody else takes it. */
	CALL1(0, SDEI_EVENT_DISABLE, EV_SN);
	call(0, SDEI_EVENT_ROUTING_SET, EV_SN, 0, 0, 0, 0);
	CALL1(0, SDEI_EVENT_ENABLE, EV_SN);
	sdei_signal(s, EV_SN, 1);
	fill_ctx(1, CTX_PC);
	sdei_dispatch(s, 1, r1);
	CHECK_EQ(r1->x[0], EV_SN, "RM_ANY: PE 1 takes it");
	sdei_signal(s, EV_SN, 0);
	check(!sdei_dispatch_pending(s, 0) && !sdei_dispatch_pending(s, 2),
	      "RM_ANY: a running shared handler runs on one PE at a time");
	/* PE 1 masks itself in the handler: COMPLETE hands the event on. */
	CALL0(1, SDEI_PE_MASK);
	memset(kicks, 0, sizeof(kicks));
	CALL1(1, SDEI_EVENT_COMPLETE, 0);
	check(kicks[0] + kicks[2] == 1 && !kicks[1],
	      "COMPLETE kicks another PE for the pending trigger");
	CHECK_EQ(sdei_dispatch(s, 0, r0) != 0 && r0->x[0] == EV_SN, 1,
		 "which takes it");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	CALL0(1, SDEI_PE_UNMASK);

	/* RM_ANY with all but PE 2 masked: PE 2 takes it. */
	CALL1(0, SDEI_EVENT_DISABLE, EV_SN);
	CHECK_EQ(call(0, SDEI_EVENT_ROUTING_SET, EV_SN, 0, 0, 0, 0),
		 SDEI_SUCCESS, "ROUTING_SET RM_ANY");
	CALL1(0, SDEI_EVENT_ENABLE, EV_SN);
	CALL0(0, SDEI_PE_MASK);
	CALL0(1, SDEI_PE_MASK);
	memset(kicks, 0, sizeof(kicks));
	sdei_signal(s, EV_SN, 0);
	check(kicks[2] == 1 && !kicks[0], "RM_ANY: an unmasked PE is kicked");
	CALL0(2, SDEI_PE_MASK);
	CHECK_EQ(sdei_dispatch_pending(s, 2), 0, "all masked: stays pending");
	memset(kicks, 0, sizeof(kicks));
	CALL0(1, SDEI_PE_UNMASK);
	CHECK_EQ(sdei_dispatch_pending(s, 1), 1, "unmask: PE 1 can take it");
	fill_ctx(0, CTX_PC);
	CHECK_EQ(sdei_dispatch(s, 0, r0), 0, "masked PE 0 still cannot");
	sdei_dispatch(s, 1, r1);
	CALL1(1, SDEI_EVENT_COMPLETE, 0);

	/* ENABLE by PE 0 of a trigger kept while disabled kicks PE 2. */
	CALL0(2, SDEI_PE_UNMASK);
	CALL1(0, SDEI_EVENT_DISABLE, EV_SN);
	call(0, SDEI_EVENT_ROUTING_SET, EV_SN, 1, 0x200, 0, 0);
	sdei_signal(s, EV_SN, -1);
	memset(kicks, 0, sizeof(kicks));
	CALL1(0, SDEI_EVENT_ENABLE, EV_SN);
	check(kicks[2] == 1, "ENABLE kicks the PE a kept trigger goes to");
}

static void test_resets_and_binding(void)
{
	int64_t ev;

	setup();
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_BIND, 5), SDEI_INVALID_PARAMETERS,
		 "BIND an SGI: INVALID");
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_BIND, 1020), SDEI_INVALID_PARAMETERS,
		 "BIND INTID 1020: INVALID");
	ev = CALL1(0, SDEI_INTERRUPT_BIND, 23);
	CHECK_EQ(ev, SDEI_BOUND_EVENT_BASE + 23, "BIND PPI 23");
	CHECK_EQ(CALL1(1, SDEI_INTERRUPT_BIND, 23), ev,
		 "BIND it again: the same event");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, ev, 0, 0, 0, 0), 0,
		 "a bound PPI is a private event");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, SDEI_BOUND_EVENT_BASE + 40, 0, 0,
		      0, 0), SDEI_INVALID_PARAMETERS,
		 "an unbound SPI's event does not exist");
	CALL1(0, SDEI_INTERRUPT_BIND, 24);
	CALL1(0, SDEI_INTERRUPT_BIND, 25);
	CALL1(0, SDEI_INTERRUPT_BIND, 26);
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_BIND, 27), SDEI_OUT_OF_RESOURCE,
		 "a fifth PPI: OUT_OF_RESOURCE");
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_BIND, 40), SDEI_BOUND_EVENT_BASE + 40,
		 "an SPI still binds (shared slots)");
	reg_private(1, ev);
	CALL1(1, SDEI_EVENT_ENABLE, ev);
	CALL0(1, SDEI_PE_UNMASK);
	check(sdei_interrupt(s, 23, 1) && sdei_dispatch_pending(s, 1),
	      "a bound interrupt triggers its event");
	check(!sdei_interrupt(s, 33, 0), "an unbound one is the VMM's");
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_RELEASE, ev), SDEI_DENIED,
		 "RELEASE while registered on a PE: DENIED");
	CHECK_EQ(CALL0(0, SDEI_SHARED_RESET), SDEI_DENIED,
		 "SHARED_RESET with a bound event registered: DENIED");
	CHECK_EQ(CALL0(1, SDEI_PRIVATE_RESET), SDEI_SUCCESS,
		 "PRIVATE_RESET outside a handler: SUCCESS");
	CHECK_EQ(CALL1(1, SDEI_EVENT_STATUS, ev), 0, "... unregistered it");
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_RELEASE, ev), SDEI_SUCCESS, "RELEASE");
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_RELEASE, ev), SDEI_INVALID_PARAMETERS,
		 "RELEASE again: INVALID");
	CHECK_EQ(CALL1(0, SDEI_INTERRUPT_RELEASE, EV_PN),
		 SDEI_INVALID_PARAMETERS, "RELEASE a platform event: INVALID");

	/* PRIVATE_RESET from a handler: the running one is pending. */
	ready(0, EV_PN);
	reg_private(0, EV_PC);
	call(0, SDEI_EVENT_REGISTER, EV_SN, EP(1), 0, 0, 0);
	sdei_signal(s, EV_PN, 0);
	fill_ctx(0, CTX_PC);
	sdei_dispatch(s, 0, &regs[0]);
	CHECK_EQ(CALL0(0, SDEI_PRIVATE_RESET), SDEI_DENIED,
		 "PRIVATE_RESET in a handler: DENIED");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PN), 4,
		 "... the running event is unregister-pending");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PC), 0,
		 "... the others are unregistered");
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_SN), 1,
		 "... shared events untouched");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	CHECK_EQ(CALL1(0, SDEI_EVENT_STATUS, EV_PN), 0,
		 "... and unregistered at COMPLETE");

	/* SHARED_RESET. */
	CALL1(0, SDEI_EVENT_ENABLE, EV_SN);
	sdei_signal(s, EV_SN, 0);
	sdei_dispatch(s, 0, &regs[0]);
	CHECK_EQ(CALL0(1, SDEI_SHARED_RESET), SDEI_DENIED,
		 "SHARED_RESET with a shared handler running: DENIED");
	CHECK_EQ(CALL1(1, SDEI_EVENT_STATUS, EV_SN), 7, "... and did nothing");
	CALL1(0, SDEI_EVENT_COMPLETE, 0);
	reg_private(2, EV_PN);
	CHECK_EQ(CALL0(1, SDEI_SHARED_RESET), SDEI_SUCCESS, "SHARED_RESET");
	CHECK_EQ(CALL1(1, SDEI_EVENT_STATUS, EV_SN), 0,
		 "... unregistered shared events");
	CHECK_EQ(CALL1(2, SDEI_EVENT_STATUS, EV_PN), 1,
		 "... left private events");
	CHECK_EQ(call(0, SDEI_EVENT_GET_INFO, SDEI_BOUND_EVENT_BASE + 40, 0, 0,
		      0, 0), SDEI_INVALID_PARAMETERS,
		 "... released the SPI binding");
}

/* Another thread signals; the PE's loop takes the event after a kick. */
static void *signaller(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		while (sdei_signal(s, EV_PN, 1))
			;
	return NULL;
}

static void test_threads(void)
{
	struct sdei_regs *r = &regs[1];
	struct sdei_stats st;
	pthread_t t;
	int done = 0;

	setup();
	ready(1, EV_PN);
	pthread_create(&t, NULL, signaller, NULL);
	while (!done) {
		fill_ctx(1, CTX_PC);
		if (sdei_dispatch(s, 1, r)) {
			CALL1(1, SDEI_EVENT_COMPLETE, 0);
			if (r->pc != CTX_PC)
				break;
		}
		pthread_mutex_lock(&kick_lock);
		done = kicks[1] >= 1000;
		pthread_mutex_unlock(&kick_lock);
	}
	pthread_join(t, NULL);
	fill_ctx(1, CTX_PC);
	if (sdei_dispatch(s, 1, r))
		CALL1(1, SDEI_EVENT_COMPLETE, 0);
	sdei_get_stats(s, 1, &st);
	check(st.dispatched >= 1 && st.dispatched <= 1000 &&
	      st.dispatched == st.completed && kicks[1] == 1000,
	      "1000 signals from a thread: %llu deliveries, %u kicks",
	      (unsigned long long)st.dispatched, kicks[1]);
}

int main(void)
{
	printf("TAP version 13\n");
	test_version_features();
	test_entry_and_complete();
	test_complete_and_resume();
	test_pan();
	test_nesting();
	test_unregister_running();
	test_errors();
	test_mask_and_signal();
	test_shared_routing();
	test_resets_and_binding();
	test_threads();
	sdei_destroy(s);
	printf("1..%d\n# %d passed, %d failed\n", nr_test,
	       nr_test - nr_failed, nr_failed);
	return nr_failed ? 1 : 0;
}
