/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An SDEI v1.1 dispatcher (Arm DEN0054C) for a VMM that plays its guest's
 * firmware. It keeps the event, binding and per-PE state, and does the
 * context switches of event dispatch and completion on a register set of
 * its own (struct sdei_regs); the VMM moves registers in and out of the
 * vCPU (sync regs or KVM_{GET,SET}_ONE_REG) and tells it which vCPU called.
 *
 * It has no globals and makes no KVM call: everything it needs from the
 * VMM comes through struct sdei_ops. One instance serves one VM; an
 * internal mutex serialises the vCPU threads and any other thread that
 * signals events.
 *
 * Use:
 *  - KVM_EXIT_HYPERCALL for an SDEI function ID (the KVM_ARM_SMCCC_FWD_SDEI
 *    preset): load x0-x5 (nr and hypercall.args[0..4]) into the regs, call
 *    sdei_handle_call(), write back what the returned mask names;
 *  - before every KVM_RUN: if sdei_dispatch_pending(), load x0-x17, PC and
 *    PSTATE, call sdei_dispatch(), write back what the returned mask names;
 *  - sdei_signal() from any thread for platform events (it kicks the PE
 *    through ops->kick so that it leaves KVM_RUN and dispatches);
 *  - sdei_pe_power_on() when PSCI powers a PE up, sdei_reset() on system
 *    reset.
 */
#ifndef REFVMM_SDEI_H
#define REFVMM_SDEI_H

#include <stdbool.h>
#include <stdint.h>

/* Function IDs (DEN0054C 5.1), SMC64 only: SDEI defines no SMC32 IDs. */
#define SDEI_FN(n)			(0xc4000020u + (n))
#define SDEI_VERSION			SDEI_FN(0x00)
#define SDEI_EVENT_REGISTER		SDEI_FN(0x01)
#define SDEI_EVENT_ENABLE		SDEI_FN(0x02)
#define SDEI_EVENT_DISABLE		SDEI_FN(0x03)
#define SDEI_EVENT_CONTEXT		SDEI_FN(0x04)
#define SDEI_EVENT_COMPLETE		SDEI_FN(0x05)
#define SDEI_EVENT_COMPLETE_AND_RESUME	SDEI_FN(0x06)
#define SDEI_EVENT_UNREGISTER		SDEI_FN(0x07)
#define SDEI_EVENT_STATUS		SDEI_FN(0x08)
#define SDEI_EVENT_GET_INFO		SDEI_FN(0x09)
#define SDEI_EVENT_ROUTING_SET		SDEI_FN(0x0a)
#define SDEI_PE_MASK			SDEI_FN(0x0b)
#define SDEI_PE_UNMASK			SDEI_FN(0x0c)
#define SDEI_INTERRUPT_BIND		SDEI_FN(0x0d)
#define SDEI_INTERRUPT_RELEASE		SDEI_FN(0x0e)
#define SDEI_EVENT_SIGNAL		SDEI_FN(0x0f)
#define SDEI_FEATURES			SDEI_FN(0x10)
#define SDEI_PRIVATE_RESET		SDEI_FN(0x11)
#define SDEI_SHARED_RESET		SDEI_FN(0x12)
#define SDEI_NR_FNS			0x13

/* The function ID ranges the KVM_ARM_SMCCC_FWD_SDEI preset forwards. */
#define SDEI_FN_RANGE_MASK		0xbfffffe0u
#define SDEI_FN_RANGE_BASE		0x84000020u

/* Return values (DEN0054C 5.1, "Return" of each call). */
#define SDEI_SUCCESS			0
#define SDEI_NOT_SUPPORTED		(-1)
#define SDEI_INVALID_PARAMETERS		(-2)
#define SDEI_DENIED			(-3)
#define SDEI_PENDING			(-5)
#define SDEI_OUT_OF_RESOURCE		(-10)

/* SDEI_EVENT_STATUS bits (DEN0054C 5.1.9). */
#define SDEI_STATUS_REGISTERED		(1u << 0)
#define SDEI_STATUS_ENABLED		(1u << 1)
#define SDEI_STATUS_RUNNING		(1u << 2)

/* SDEI_EVENT_GET_INFO info values (DEN0054C 5.1.10.2). */
#define SDEI_INFO_EV_TYPE		0
#define SDEI_INFO_EV_SIGNALED		1
#define SDEI_INFO_EV_PRIORITY		2
#define SDEI_INFO_EV_ROUTING_MODE	3
#define SDEI_INFO_EV_ROUTING_AFF	4

/* EVENT_REGISTER flags (DEN0054C 5.1.2). */
#define SDEI_REGF_RM_PE			(1ull << 0)
#define SDEI_REGF_RELATIVE		(1ull << 1)

/* SDEI_FEATURES (DEN0054C 5.1.17). */
#define SDEI_FEATURE_BIND_SLOTS		0
#define SDEI_FEATURE_RELATIVE_MODE	1

/* Event 0 is SDEI_EVENT_SIGNAL's, private and normal (DEN0054C 5.1.16). */
#define SDEI_EVENT_0			0u

/* Bound events are numbered SDEI_BOUND_EVENT_BASE + INTID. */
#define SDEI_BOUND_EVENT_BASE		0x40000u
#define SDEI_BIND_SLOTS_PRIVATE		4
#define SDEI_BIND_SLOTS_SHARED		4

/*
 * The registers the dispatcher reads and writes: those of the calling (or
 * interrupted) PE, in the layout of KVM's core registers. x18-x30 and the
 * stack pointers are the client's own across a handler (DEN0054C 5.1.5.1:
 * the dispatcher keeps x0-x17), so the dispatcher never touches them.
 */
struct sdei_regs {
	uint64_t x[31];
	uint64_t pc;
	uint64_t pstate;
	uint64_t elr_el1;
	uint64_t spsr_el1;
};

/* The parts of struct sdei_regs a call or a dispatch reads or writes. */
#define SDEI_REG_X(n)		(1u << (n))		/* x0-x17 */
#define SDEI_REG_X0_X17		0x3ffffu
#define SDEI_REG_PC		(1u << 18)
#define SDEI_REG_PSTATE		(1u << 19)
#define SDEI_REG_ELR_EL1	(1u << 20)
#define SDEI_REG_SPSR_EL1	(1u << 21)

/* What sdei_dispatch() reads: the interrupted context it saves. */
#define SDEI_DISPATCH_READS	(SDEI_REG_X0_X17 | SDEI_REG_PC | SDEI_REG_PSTATE)
/* What sdei_handle_call() reads: the call's x0-x5, all in the exit. */
#define SDEI_CALL_READS		0x3fu

/* A platform event the VMM offers (event 0 is always there). */
struct sdei_event_desc {
	uint32_t num;
	bool shared;
	bool critical;
};

struct sdei_ops {
	/* Make PE @pe leave KVM_RUN soon (it has an event to take). */
	void (*kick)(void *opaque, unsigned int pe);
	/* The MPIDR_EL1 affinity (Aff3..Aff0) of PE @pe. */
	uint64_t (*mpidr)(void *opaque, unsigned int pe);
	/*
	 * Optional: an event's handler has completed on @pe. Called with the
	 * dispatcher's lock held: it must not call the dispatcher.
	 */
	void (*completed)(void *opaque, unsigned int pe, uint32_t event,
			  uint64_t status, bool resumed);
};

#define SDEI_CFG_SET_PAN	(1u << 0)	/* see entry_pstate() */

struct sdei_config {
	unsigned int nr_pes;
	const struct sdei_event_desc *events;
	unsigned int nr_events;
	unsigned int flags;
	const struct sdei_ops *ops;
	void *opaque;
};

/* Per-PE counters, for tests and benchmarks. */
struct sdei_stats {
	uint64_t calls[SDEI_NR_FNS];	/* by SDEI_FN() offset */
	uint64_t dispatched;
	uint64_t completed;
	uint64_t resumed;
	uint64_t failed;		/* COMPLETE with EV_FAILED */
	uint64_t preempted;		/* critical over a running normal */
	uint64_t resume_pc;		/* of the last COMPLETE_AND_RESUME */
};

struct sdei;

struct sdei *sdei_create(const struct sdei_config *cfg);
void sdei_destroy(struct sdei *s);

/*
 * PE @pe sets PSTATE.PAN when it takes an exception to EL1 (its
 * SCTLR_EL1.SPAN is 0, as Linux's is): the handler entry and the resume of
 * COMPLETE_AND_RESUME set it too, as such an exception would. The VMM
 * reads SCTLR_EL1 when it knows the client has set it up, e.g. at the
 * PE_UNMASK with which the client takes events on that PE.
 */
void sdei_pe_set_pan(struct sdei *s, unsigned int pe, bool set_pan);

/* Is @fn (w0 of the call) in the SDEI function ID ranges? */
bool sdei_is_call(uint32_t fn);

/*
 * An SDEI call from PE @pe, x0-x5 in @r. Writes the result or the context
 * switch into @r and returns the mask of what it wrote.
 */
unsigned int sdei_handle_call(struct sdei *s, unsigned int pe,
			      struct sdei_regs *r);

/* Has PE @pe an event to take now? Cheap; no register needed. */
bool sdei_dispatch_pending(struct sdei *s, unsigned int pe);

/*
 * Enter the handler of the most urgent event PE @pe can take, if any,
 * from the context in @r (SDEI_DISPATCH_READS). Returns the mask of what
 * it wrote, 0 if it dispatched nothing.
 */
unsigned int sdei_dispatch(struct sdei *s, unsigned int pe,
			   struct sdei_regs *r);

/*
 * Trigger @event from the platform (any thread). @pe names the target of
 * a private event; a shared event goes where its routing says and @pe is
 * only a preference for RM_ANY (-1: none). 0: pending; -ENOENT: no such
 * event; -EINVAL: bad PE; -EAGAIN: not registered there, dropped.
 */
int sdei_signal(struct sdei *s, uint32_t event, int pe);

/*
 * Bound interrupts: a device model of the VMM raising INTID @intid asks
 * whether the guest bound it to an event; if so the event is triggered
 * (on @pe for a PPI) and the VMM must not raise the interrupt itself.
 */
bool sdei_interrupt(struct sdei *s, uint32_t intid, int pe);

/* PE @pe powered up (PSCI CPU_ON, or resume from powerdown). */
void sdei_pe_power_on(struct sdei *s, unsigned int pe);

/* System reset: no registration, no binding, every PE masked. */
void sdei_reset(struct sdei *s);

void sdei_get_stats(struct sdei *s, unsigned int pe, struct sdei_stats *st);

/* Handler-running depth on @pe (0, 1 or 2) and whether @pe is masked. */
unsigned int sdei_running_depth(struct sdei *s, unsigned int pe);
bool sdei_pe_masked(struct sdei *s, unsigned int pe);

#endif /* REFVMM_SDEI_H */
