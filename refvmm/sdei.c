// SPDX-License-Identifier: GPL-2.0
/*
 * An SDEI v1.1 dispatcher (Arm DEN0054C) for a VMM; see sdei.h.
 *
 * Event handler states (DEN0054C "Event handler states and properties",
 * p. 46, Table 13 p. 48) are three bits per event and client PE, as
 * SDEI_EVENT_STATUS reports them: registered, enabled, running. The
 * handler-unregister-pending state is "running and not registered". A
 * shared event has one such set; a private event has one per PE.
 *
 * Each PE has a dispatch stack of at most two frames: a critical event
 * may preempt a running normal one, nothing else nests (DEN0054C "Nesting
 * depth of running SDEI event handlers", p. 19). A frame holds what the
 * dispatcher saved of the interrupted context: x0-x17, PC and PSTATE.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sdei.h"

#define ST_REGISTERED		SDEI_STATUS_REGISTERED
#define ST_ENABLED		SDEI_STATUS_ENABLED
#define ST_RUNNING		SDEI_STATUS_RUNNING

#define MAX_NESTING		2
#define NR_SAVED_X		18

/* PSTATE fields (Arm ARM C5.2.18, SPSR_EL1). */
#define PSR_MODE_MASK		0x1full
#define PSR_MODE_EL0t		0x0ull
#define PSR_MODE_EL1h		0x5ull
#define PSR_F			(1ull << 6)
#define PSR_I			(1ull << 7)
#define PSR_A			(1ull << 8)
#define PSR_D			(1ull << 9)
#define PSR_DAIF		(PSR_D | PSR_A | PSR_I | PSR_F)
#define PSR_SSBS		(1ull << 12)
#define PSR_PAN			(1ull << 22)
#define PSR_DIT			(1ull << 24)
#define PSR_NZCV		(0xfull << 28)

/* MPIDR affinity fields, as SDEI takes them (DEN0054C 5.1.2). */
#define AFF_MASK		0xff00ffffffull

#define SDEI_VERSION_1_1	((1ull << 48) | (1ull << 32))

struct slot {
	unsigned int state;
	bool pending;
	uint64_t ep;
	uint64_t arg;
};

struct event {
	uint32_t num;
	bool shared;
	bool critical;
	bool bind_slot;		/* a slot of the INTERRUPT_BIND pool */
	bool bound;		/* ... holding an interrupt now */
	uint32_t intid;
	/* Shared events: routing, and the PE running the handler. */
	uint64_t route_flags;
	uint64_t affinity;
	int running_pe;
	struct slot *slots;	/* one if shared, else one per PE */
};

struct frame {
	struct event *ev;
	uint64_t x[NR_SAVED_X];
	uint64_t pc;
	uint64_t pstate;
};

struct pe {
	bool masked;
	bool set_pan;		/* SCTLR_EL1.SPAN == 0: see entry_pstate() */
	unsigned int depth;
	struct frame stack[MAX_NESTING];
	struct sdei_stats stats;
};

struct sdei {
	pthread_mutex_t lock;
	struct sdei_config cfg;
	unsigned int nr_events;
	struct event *events;
	struct pe *pes;
	uint64_t kick_mask;	/* PEs to kick once the lock is dropped */
};

static struct slot *slot_of(struct event *ev, unsigned int pe)
{
	return ev->shared ? &ev->slots[0] : &ev->slots[pe];
}

static bool event_exists(const struct event *ev)
{
	return !ev->bind_slot || ev->bound;
}

static struct event *find_event(struct sdei *s, uint64_t num)
{
	unsigned int i;

	/* "int32 event": the number is w1 (DEN0054C 5.1.2). */
	num = (uint32_t)num;
	for (i = 0; i < s->nr_events; i++)
		if (event_exists(&s->events[i]) && s->events[i].num == num)
			return &s->events[i];
	return NULL;
}

static int pe_of_mpidr(struct sdei *s, uint64_t mpidr)
{
	unsigned int pe;

	/* Bits other than Aff3..Aff0 must be zero (DEN0054C 5.1.2). */
	if (mpidr & ~AFF_MASK)
		return -1;
	for (pe = 0; pe < s->cfg.nr_pes; pe++)
		if ((s->cfg.ops->mpidr(s->cfg.opaque, pe) & AFF_MASK) == mpidr)
			return pe;
	return -1;
}

static void kick_later(struct sdei *s, unsigned int pe)
{
	s->kick_mask |= 1ull << pe;
}

static void unlock_and_kick(struct sdei *s, int self)
{
	uint64_t mask = s->kick_mask;
	unsigned int pe;

	s->kick_mask = 0;
	pthread_mutex_unlock(&s->lock);
	/* The calling PE dispatches before it re-enters anyway. */
	if (self >= 0)
		mask &= ~(1ull << self);
	for (pe = 0; mask; pe++, mask >>= 1)
		if (mask & 1)
			s->cfg.ops->kick(s->cfg.opaque, pe);
}

/*
 * May PE @pe take @ev now, as far as @ev is concerned? Registered,
 * enabled, pending, not running (a shared handler runs on one PE at a
 * time), and for a shared event, routed here (DEN0054C 5.1.2: RM_PE names
 * one PE, RM_ANY lets any PE take it).
 */
static bool event_ready_on(struct sdei *s, struct event *ev, unsigned int pe)
{
	struct slot *sl;

	if (!event_exists(ev))
		return false;
	sl = slot_of(ev, pe);
	if (!sl->pending || (sl->state & (ST_REGISTERED | ST_ENABLED |
					  ST_RUNNING)) !=
			    (ST_REGISTERED | ST_ENABLED))
		return false;
	if (ev->shared && (ev->route_flags & SDEI_REGF_RM_PE))
		return (s->cfg.ops->mpidr(s->cfg.opaque, pe) & AFF_MASK) ==
		       ev->affinity;
	return true;
}

/*
 * The event PE @pe takes next, or NULL. A masked PE takes none
 * (DEN0054C 5.1.12). With a normal handler running only a critical event
 * may preempt it; with a critical one running nothing may (DEN0054C
 * "Nesting depth of running SDEI event handlers", p. 19). Critical first.
 */
static struct event *next_event(struct sdei *s, unsigned int pe)
{
	struct pe *p = &s->pes[pe];
	struct event *normal = NULL;
	bool critical_only = false;
	unsigned int i;

	if (p->masked)
		return NULL;
	if (p->depth) {
		if (p->stack[p->depth - 1].ev->critical)
			return NULL;
		critical_only = true;
	}
	for (i = 0; i < s->nr_events; i++) {
		struct event *ev = &s->events[i];

		if (!event_ready_on(s, ev, pe))
			continue;
		if (ev->critical)
			return ev;
		if (!critical_only && !normal)
			normal = ev;
	}
	return normal;
}

/* Kick the PEs that can take a pending shared event. */
static void kick_shared(struct sdei *s, struct event *ev, int prefer)
{
	unsigned int pe;

	if (prefer >= 0 && next_event(s, prefer) == ev) {
		kick_later(s, prefer);
		return;
	}
	for (pe = 0; pe < s->cfg.nr_pes; pe++) {
		if (next_event(s, pe) == ev) {
			kick_later(s, pe);
			return;
		}
	}
	/* No PE can take it now: it stays pending (DEN0054C 5.1.12.2). */
}

/*
 * The PSTATE of the handler, and of the resume address of
 * COMPLETE_AND_RESUME: that of an exception taken to EL1 from
 * @from (DEN0054C "Event handler context" p. 42 and "Event resume
 * context" p. 44 refer to the Arm ARM's TakeException()): EL1h, DAIF all
 * masked; NZCV, DIT and SSBS kept (SSBS comes from SCTLR_EL1.DSSBS, which
 * Linux keeps equal to its live SSBS); PAN kept, or set when the PE runs
 * with SCTLR_EL1.SPAN = 0 (Arm ARM D1.4.x, PSTATE.PAN on exception entry),
 * which the VMM tells per PE with sdei_pe_set_pan() or for all of them with
 * SDEI_CFG_SET_PAN; SS, IL, BTYPE and the AArch32 bits cleared.
 */
static uint64_t entry_pstate(struct sdei *s, unsigned int pe, uint64_t from)
{
	uint64_t p = PSR_MODE_EL1h | PSR_DAIF;

	p |= from & (PSR_NZCV | PSR_DIT | PSR_SSBS | PSR_PAN);
	if ((s->cfg.flags & SDEI_CFG_SET_PAN) || s->pes[pe].set_pan)
		p |= PSR_PAN;
	return p;
}

void sdei_pe_set_pan(struct sdei *s, unsigned int pe, bool set_pan)
{
	if (pe >= s->cfg.nr_pes)
		return;
	pthread_mutex_lock(&s->lock);
	s->pes[pe].set_pan = set_pan;
	pthread_mutex_unlock(&s->lock);
}

/*
 * Event entry (DEN0054C "Event handler context", p. 42): save x0-x17, PC
 * and PSTATE of the interrupted context, enter the handler at ELC with
 * x0 = event, x1 = ep_argument, x2 = interrupted PC, x3 = interrupted
 * PSTATE (DEN0054C 5.1.5.1). x4-x17 keep their values, x18-x30, SP_EL0,
 * SP_EL1, ELR_EL1 and SPSR_EL1 are untouched.
 */
static unsigned int enter_handler(struct sdei *s, unsigned int pe,
				  struct event *ev, struct sdei_regs *r)
{
	struct pe *p = &s->pes[pe];
	struct slot *sl = slot_of(ev, pe);
	struct frame *f = &p->stack[p->depth++];

	f->ev = ev;
	memcpy(f->x, r->x, sizeof(f->x));
	f->pc = r->pc;
	f->pstate = r->pstate;

	sl->pending = false;
	sl->state |= ST_RUNNING;
	if (ev->shared)
		ev->running_pe = pe;

	r->x[0] = ev->num;
	r->x[1] = sl->arg;
	r->x[2] = f->pc;
	r->x[3] = f->pstate;
	r->pc = sl->ep;
	r->pstate = entry_pstate(s, pe, f->pstate);

	p->stats.dispatched++;
	if (p->depth > 1)
		p->stats.preempted++;
	return SDEI_REG_X(0) | SDEI_REG_X(1) | SDEI_REG_X(2) | SDEI_REG_X(3) |
	       SDEI_REG_PC | SDEI_REG_PSTATE;
}

bool sdei_dispatch_pending(struct sdei *s, unsigned int pe)
{
	bool ret;

	pthread_mutex_lock(&s->lock);
	ret = next_event(s, pe) != NULL;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

unsigned int sdei_dispatch(struct sdei *s, unsigned int pe,
			   struct sdei_regs *r)
{
	unsigned int dirty = 0;
	struct event *ev;

	pthread_mutex_lock(&s->lock);
	ev = next_event(s, pe);
	if (ev)
		dirty = enter_handler(s, pe, ev, r);
	pthread_mutex_unlock(&s->lock);
	return dirty;
}

/* Unregister @ev for @pe's slot, now or when its handler completes. */
static int64_t unregister_slot(struct slot *sl)
{
	/*
	 * DEN0054C 5.1.8.1: with the handler running the unregister is
	 * pending, and done at COMPLETE; the event is disabled and later
	 * triggers are discarded from now on.
	 */
	sl->state &= ~(ST_REGISTERED | ST_ENABLED);
	sl->pending = false;
	return (sl->state & ST_RUNNING) ? SDEI_PENDING : SDEI_SUCCESS;
}

/*
 * SDEI_EVENT_COMPLETE and SDEI_EVENT_COMPLETE_AND_RESUME (DEN0054C 5.1.6,
 * 5.1.7). DENIED unless a handler runs on the calling PE. Both restore
 * x0-x17 of the interrupted context (Linux relies on it: its
 * __sdei_handler_abort says the exit "will stomp x0-x17, PSTATE, ELR_ELx
 * and SPSR_ELx").
 *  - COMPLETE resumes the interrupted context: PC and PSTATE as saved.
 *    ELR_EL1 and SPSR_EL1 are the client's, untouched.
 *  - COMPLETE_AND_RESUME resumes at resume_addr as if an exception had
 *    been taken there from the interrupted context (DEN0054C 5.1.7.1,
 *    "Event resume context" p. 44): ELR_EL1 = interrupted PC, SPSR_EL1 =
 *    interrupted PSTATE, PSTATE that of exception entry to EL1.
 *    INVALID_PARAMETERS for a resume address that is not 4-byte aligned
 *    (5.1.7.3).
 */
static int64_t do_complete(struct sdei *s, unsigned int pe,
			   struct sdei_regs *r, bool resume,
			   unsigned int *dirty)
{
	struct pe *p = &s->pes[pe];
	uint64_t arg = r->x[1];
	struct frame *f;
	struct event *ev;
	struct slot *sl;

	if (!p->depth)
		return SDEI_DENIED;
	if (resume && (arg & 3))
		return SDEI_INVALID_PARAMETERS;

	f = &p->stack[--p->depth];
	ev = f->ev;
	sl = slot_of(ev, pe);
	/* This ends handler-unregister-pending too (5.1.8.1). */
	sl->state &= ~ST_RUNNING;
	if (ev->shared)
		ev->running_pe = -1;

	memcpy(r->x, f->x, sizeof(f->x));
	*dirty = SDEI_REG_X0_X17 | SDEI_REG_PC | SDEI_REG_PSTATE;
	if (resume) {
		r->elr_el1 = f->pc;
		r->spsr_el1 = f->pstate;
		r->pc = arg;
		r->pstate = entry_pstate(s, pe, f->pstate);
		*dirty |= SDEI_REG_ELR_EL1 | SDEI_REG_SPSR_EL1;
		p->stats.resumed++;
		p->stats.resume_pc = r->pc;
	} else {
		r->pc = f->pc;
		r->pstate = f->pstate;
		if (arg & 1)
			p->stats.failed++;
	}
	p->stats.completed++;

	/* A shared event triggered meanwhile may now run elsewhere. */
	if (ev->shared && sl->pending)
		kick_shared(s, ev, pe);
	if (s->cfg.ops->completed)
		s->cfg.ops->completed(s->cfg.opaque, pe, ev->num,
				      resume ? 0 : (arg & 1), resume);
	/* The dispatch is no success value: x0 holds the restored x0. */
	return 1;
}

/* Routing arguments of REGISTER and ROUTING_SET (DEN0054C 5.1.2). */
static bool routing_valid(struct sdei *s, uint64_t flags, uint64_t aff)
{
	if (!(flags & SDEI_REGF_RM_PE))
		return true;
	return pe_of_mpidr(s, aff) >= 0;
}

static int64_t do_register(struct sdei *s, unsigned int pe,
			   const struct sdei_regs *r)
{
	struct event *ev = find_event(s, r->x[1]);
	uint64_t ep = r->x[2], flags = r->x[4], aff = r->x[5];
	struct slot *sl;

	/* DEN0054C 5.1.2.3: INVALID_PARAMETERS first, then DENIED. */
	if (!ev)
		return SDEI_INVALID_PARAMETERS;
	/* Bits [63:2] must be zero; relative_mode is not implemented. */
	if (flags & ~SDEI_REGF_RM_PE)
		return SDEI_INVALID_PARAMETERS;
	if (ep & 3)
		return SDEI_INVALID_PARAMETERS;
	/* Routing is ignored for a private event (5.1.2.2). */
	if (ev->shared && !routing_valid(s, flags, aff))
		return SDEI_INVALID_PARAMETERS;

	sl = slot_of(ev, pe);
	/* Registered already, or unregister-pending. */
	if (sl->state & (ST_REGISTERED | ST_RUNNING))
		return SDEI_DENIED;

	sl->state = ST_REGISTERED;
	sl->ep = ep;
	sl->arg = r->x[3];
	/*
	 * A trigger before registration is ignored (5.1.2.1 lets it be
	 * IMPLEMENTATION DEFINED); sdei_signal() drops it already.
	 */
	sl->pending = false;
	if (ev->shared) {
		ev->route_flags = flags & SDEI_REGF_RM_PE;
		ev->affinity = ev->route_flags ? aff : 0;
	}
	return SDEI_SUCCESS;
}

/* The calling PE's slot of a registered event, or an error. */
static int64_t registered_slot(struct sdei *s, unsigned int pe, uint64_t num,
			       struct event **evp, struct slot **slp)
{
	struct event *ev = find_event(s, num);

	if (!ev)
		return SDEI_INVALID_PARAMETERS;
	*evp = ev;
	*slp = slot_of(ev, pe);
	/* Not registered, or unregister-pending (5.1.3.2, 5.1.4.2). */
	if (!((*slp)->state & ST_REGISTERED))
		return SDEI_DENIED;
	return SDEI_SUCCESS;
}

static int64_t do_enable(struct sdei *s, unsigned int pe, uint64_t num,
			 bool enable)
{
	struct event *ev;
	struct slot *sl;
	int64_t ret;

	ret = registered_slot(s, pe, num, &ev, &sl);
	if (ret)
		return ret;
	/* Idempotent; a disabled event keeps its trigger (5.1.3.1, 5.1.4.1). */
	if (enable) {
		sl->state |= ST_ENABLED;
		if (ev->shared && sl->pending)
			kick_shared(s, ev, pe);
	} else {
		sl->state &= ~ST_ENABLED;
	}
	return SDEI_SUCCESS;
}

static int64_t do_unregister(struct sdei *s, unsigned int pe, uint64_t num)
{
	struct event *ev = find_event(s, num);
	struct slot *sl;

	if (!ev)
		return SDEI_INVALID_PARAMETERS;
	sl = slot_of(ev, pe);
	if (!(sl->state & ST_REGISTERED))
		/* Again while unregister-pending: PENDING (5.1.8.1). */
		return (sl->state & ST_RUNNING) ? SDEI_PENDING : SDEI_DENIED;
	return unregister_slot(sl);
}

static int64_t do_status(struct sdei *s, unsigned int pe, uint64_t num)
{
	struct event *ev = find_event(s, num);

	if (!ev)
		return SDEI_INVALID_PARAMETERS;
	return slot_of(ev, pe)->state;
}

/*
 * DEN0054C 5.1.10.2. EV_SIGNALED answers 1 for event 0, the only event
 * SDEI_EVENT_SIGNAL takes, as TF-A and Linux's reading of the table do.
 */
static int64_t do_get_info(struct sdei *s, unsigned int pe, uint64_t num,
			   uint64_t info)
{
	struct event *ev = find_event(s, num);
	struct slot *sl;

	if (!ev)
		return SDEI_INVALID_PARAMETERS;
	sl = slot_of(ev, pe);
	switch (info) {
	case SDEI_INFO_EV_TYPE:
		return ev->shared;
	case SDEI_INFO_EV_SIGNALED:
		return ev->num == SDEI_EVENT_0;
	case SDEI_INFO_EV_PRIORITY:
		return ev->critical;
	case SDEI_INFO_EV_ROUTING_MODE:
		if (!ev->shared)
			return SDEI_INVALID_PARAMETERS;
		if (!(sl->state & ST_REGISTERED))
			return SDEI_DENIED;
		return !!(ev->route_flags & SDEI_REGF_RM_PE);
	case SDEI_INFO_EV_ROUTING_AFF:
		if (!ev->shared)
			return SDEI_INVALID_PARAMETERS;
		if (!(sl->state & ST_REGISTERED))
			return SDEI_DENIED;
		if (!(ev->route_flags & SDEI_REGF_RM_PE))
			return SDEI_INVALID_PARAMETERS;
		return ev->affinity;
	}
	return SDEI_INVALID_PARAMETERS;
}

static int64_t do_routing_set(struct sdei *s, const struct sdei_regs *r)
{
	struct event *ev = find_event(s, r->x[1]);
	uint64_t mode = r->x[2], aff = r->x[3];
	struct slot *sl;

	/* DEN0054C 5.1.11.3. */
	if (!ev || !ev->shared)
		return SDEI_INVALID_PARAMETERS;
	if (mode & ~SDEI_REGF_RM_PE)
		return SDEI_INVALID_PARAMETERS;
	if (!routing_valid(s, mode, aff))
		return SDEI_INVALID_PARAMETERS;
	sl = slot_of(ev, 0);
	/* Only in handler-registered: registered, disabled, not running. */
	if (sl->state != ST_REGISTERED)
		return SDEI_DENIED;
	ev->route_flags = mode;
	ev->affinity = mode ? aff : 0;
	return SDEI_SUCCESS;
}

static int64_t do_context(struct sdei *s, unsigned int pe, uint64_t param)
{
	struct pe *p = &s->pes[pe];

	/* DEN0054C 5.1.5: x0-x17 of the context the running event took. */
	if (param >= NR_SAVED_X)
		return SDEI_INVALID_PARAMETERS;
	if (!p->depth)
		return SDEI_DENIED;
	return p->stack[p->depth - 1].x[param];
}

static int64_t do_signal(struct sdei *s, const struct sdei_regs *r)
{
	struct event *ev;
	int target;

	/* DEN0054C 5.1.16: event 0 only, target_pe an MPIDR. */
	if ((uint32_t)r->x[1] != SDEI_EVENT_0)
		return SDEI_INVALID_PARAMETERS;
	target = pe_of_mpidr(s, r->x[2]);
	if (target < 0)
		return SDEI_INVALID_PARAMETERS;
	ev = find_event(s, SDEI_EVENT_0);
	/*
	 * "Set as pending" on the target; a target that has not registered
	 * event 0 ignores it (5.1.2.1), as a masked or disabled one keeps it.
	 */
	if (slot_of(ev, target)->state & ST_REGISTERED) {
		slot_of(ev, target)->pending = true;
		kick_later(s, target);
	}
	return SDEI_SUCCESS;
}

static int64_t do_pe_mask(struct sdei *s, unsigned int pe)
{
	struct pe *p = &s->pes[pe];
	bool was_masked = p->masked;

	/* DEN0054C 5.1.12: 1 if this call masked the PE, 0 if it was. */
	p->masked = true;
	return !was_masked;
}

static int64_t do_pe_unmask(struct sdei *s, unsigned int pe)
{
	/*
	 * The events pending for this PE, shared ones included, are
	 * dispatched before it re-enters the guest (5.1.13.3): the VMM
	 * calls sdei_dispatch() then. No other PE gains anything.
	 */
	s->pes[pe].masked = false;
	return SDEI_SUCCESS;
}

/*
 * DEN0054C 5.1.14. PPIs (16-31) bind to private events, SPIs (32-1019)
 * to shared ones; SGIs cannot be bound. Binding a bound interrupt again
 * returns the same event.
 */
static int64_t do_bind(struct sdei *s, uint64_t intid)
{
	struct event *free_slot = NULL;
	bool shared;
	unsigned int i;

	intid = (uint32_t)intid;
	if (intid < 16 || intid > 1019)
		return SDEI_INVALID_PARAMETERS;
	shared = intid >= 32;
	for (i = 0; i < s->nr_events; i++) {
		struct event *ev = &s->events[i];

		if (!ev->bind_slot || ev->shared != shared)
			continue;
		if (ev->bound && ev->intid == intid)
			return ev->num;
		if (!ev->bound && !free_slot)
			free_slot = ev;
	}
	if (!free_slot)
		return SDEI_OUT_OF_RESOURCE;
	free_slot->bound = true;
	free_slot->intid = intid;
	free_slot->num = SDEI_BOUND_EVENT_BASE + intid;
	return free_slot->num;
}

static bool event_unregistered_everywhere(struct sdei *s, struct event *ev)
{
	unsigned int n = ev->shared ? 1 : s->cfg.nr_pes, i;

	for (i = 0; i < n; i++)
		if (ev->slots[i].state)
			return false;
	return true;
}

static void release_binding(struct sdei *s, struct event *ev)
{
	unsigned int n = ev->shared ? 1 : s->cfg.nr_pes;

	ev->bound = false;
	ev->num = 0;
	ev->route_flags = 0;
	ev->affinity = 0;
	memset(ev->slots, 0, n * sizeof(*ev->slots));
}

static int64_t do_release(struct sdei *s, uint64_t num)
{
	struct event *ev = find_event(s, num);

	/* DEN0054C 5.1.15.3. */
	if (!ev || !ev->bind_slot)
		return SDEI_INVALID_PARAMETERS;
	/* handler-unregistered on every PE, unregister-pending included. */
	if (!event_unregistered_everywhere(s, ev))
		return SDEI_DENIED;
	release_binding(s, ev);
	return SDEI_SUCCESS;
}

/*
 * DEN0054C 5.1.18: unregister every private event of the calling PE;
 * running handlers become unregister-pending, and the call then says
 * DENIED ("at least one event handler was running").
 */
static int64_t do_private_reset(struct sdei *s, unsigned int pe)
{
	int64_t ret = SDEI_SUCCESS;
	unsigned int i;

	for (i = 0; i < s->nr_events; i++) {
		struct event *ev = &s->events[i];
		struct slot *sl;

		if (ev->shared || !event_exists(ev))
			continue;
		sl = slot_of(ev, pe);
		if (!sl->state)
			continue;
		if (unregister_slot(sl) == SDEI_PENDING)
			ret = SDEI_DENIED;
	}
	return ret;
}

/*
 * DEN0054C 5.1.19: DENIED, and nothing done, while a shared handler runs
 * or an interrupt-bound event (private or shared) is still registered;
 * else unregister every shared event and release every binding.
 */
static int64_t do_shared_reset(struct sdei *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_events; i++) {
		struct event *ev = &s->events[i];

		if (!event_exists(ev))
			continue;
		if (ev->shared && (ev->slots[0].state & ST_RUNNING))
			return SDEI_DENIED;
		if (ev->bind_slot && !event_unregistered_everywhere(s, ev))
			return SDEI_DENIED;
	}
	for (i = 0; i < s->nr_events; i++) {
		struct event *ev = &s->events[i];

		if (ev->bind_slot) {
			if (ev->bound)
				release_binding(s, ev);
			continue;
		}
		if (ev->shared) {
			unregister_slot(&ev->slots[0]);
			ev->route_flags = 0;
			ev->affinity = 0;
		}
	}
	return SDEI_SUCCESS;
}

static int64_t do_features(uint64_t feature)
{
	switch ((uint32_t)feature) {
	case SDEI_FEATURE_BIND_SLOTS:
		return (SDEI_BIND_SLOTS_SHARED << 16) | SDEI_BIND_SLOTS_PRIVATE;
	case SDEI_FEATURE_RELATIVE_MODE:
		return 0;
	}
	return SDEI_INVALID_PARAMETERS;
}

bool sdei_is_call(uint32_t fn)
{
	return (fn & SDEI_FN_RANGE_MASK) == SDEI_FN_RANGE_BASE;
}

unsigned int sdei_handle_call(struct sdei *s, unsigned int pe,
			      struct sdei_regs *r)
{
	uint32_t fn = (uint32_t)r->x[0];
	unsigned int dirty = SDEI_REG_X(0);
	int64_t ret;

	pthread_mutex_lock(&s->lock);
	if ((fn & ~0x1fu) == SDEI_FN(0) && fn - SDEI_FN(0) < SDEI_NR_FNS)
		s->pes[pe].stats.calls[fn - SDEI_FN(0)]++;

	switch (fn) {
	case SDEI_VERSION:
		ret = SDEI_VERSION_1_1;
		break;
	case SDEI_EVENT_REGISTER:
		ret = do_register(s, pe, r);
		break;
	case SDEI_EVENT_ENABLE:
		ret = do_enable(s, pe, r->x[1], true);
		break;
	case SDEI_EVENT_DISABLE:
		ret = do_enable(s, pe, r->x[1], false);
		break;
	case SDEI_EVENT_CONTEXT:
		ret = do_context(s, pe, r->x[1]);
		break;
	case SDEI_EVENT_COMPLETE:
	case SDEI_EVENT_COMPLETE_AND_RESUME:
		ret = do_complete(s, pe, r, fn == SDEI_EVENT_COMPLETE_AND_RESUME,
				  &dirty);
		if (ret > 0)
			goto out;
		break;
	case SDEI_EVENT_UNREGISTER:
		ret = do_unregister(s, pe, r->x[1]);
		break;
	case SDEI_EVENT_STATUS:
		ret = do_status(s, pe, r->x[1]);
		break;
	case SDEI_EVENT_GET_INFO:
		ret = do_get_info(s, pe, r->x[1], (uint32_t)r->x[2]);
		break;
	case SDEI_EVENT_ROUTING_SET:
		ret = do_routing_set(s, r);
		break;
	case SDEI_PE_MASK:
		ret = do_pe_mask(s, pe);
		break;
	case SDEI_PE_UNMASK:
		ret = do_pe_unmask(s, pe);
		break;
	case SDEI_INTERRUPT_BIND:
		ret = do_bind(s, r->x[1]);
		break;
	case SDEI_INTERRUPT_RELEASE:
		ret = do_release(s, r->x[1]);
		break;
	case SDEI_EVENT_SIGNAL:
		ret = do_signal(s, r);
		break;
	case SDEI_FEATURES:
		ret = do_features(r->x[1]);
		break;
	case SDEI_PRIVATE_RESET:
		ret = do_private_reset(s, pe);
		break;
	case SDEI_SHARED_RESET:
		ret = do_shared_reset(s);
		break;
	default:
		/* SMC32 IDs and the unallocated ones of the range. */
		ret = SDEI_NOT_SUPPORTED;
		break;
	}
	r->x[0] = (uint64_t)ret;
out:
	unlock_and_kick(s, pe);
	return dirty;
}

int sdei_signal(struct sdei *s, uint32_t num, int pe)
{
	struct event *ev;
	struct slot *sl;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	ev = find_event(s, num);
	if (!ev) {
		ret = -ENOENT;
		goto out;
	}
	if (pe >= (int)s->cfg.nr_pes || (!ev->shared && pe < 0)) {
		ret = -EINVAL;
		goto out;
	}
	sl = slot_of(ev, pe < 0 ? 0 : pe);
	if (!(sl->state & ST_REGISTERED)) {
		ret = -EAGAIN;
		goto out;
	}
	sl->pending = true;
	if (ev->shared)
		kick_shared(s, ev, pe);
	else
		kick_later(s, pe);
out:
	unlock_and_kick(s, -1);
	return ret;
}

bool sdei_interrupt(struct sdei *s, uint32_t intid, int pe)
{
	struct event *ev = NULL;
	unsigned int i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->nr_events; i++) {
		if (s->events[i].bound && s->events[i].intid == intid) {
			ev = &s->events[i];
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (!ev)
		return false;
	sdei_signal(s, ev->num, pe);
	return true;
}

/* Forget what runs on @pe: its handlers will never complete. */
static void drop_running(struct sdei *s, unsigned int pe)
{
	struct pe *p = &s->pes[pe];

	while (p->depth) {
		struct event *ev = p->stack[--p->depth].ev;
		struct slot *sl = slot_of(ev, pe);

		sl->state &= ~ST_RUNNING;
		if (ev->shared)
			ev->running_pe = -1;
	}
}

/*
 * DEN0054C 5.1.12.3: a PE that powers up through the powerup entry point
 * is masked. A handler it was running is gone with its context: the
 * dispatcher must keep working when a client never completes (5.1.6.4).
 * Registrations stay; Linux unregisters its private events before
 * CPU_OFF and registers them again when the CPU comes back.
 */
void sdei_pe_power_on(struct sdei *s, unsigned int pe)
{
	pthread_mutex_lock(&s->lock);
	drop_running(s, pe);
	s->pes[pe].masked = true;
	pthread_mutex_unlock(&s->lock);
}

void sdei_reset(struct sdei *s)
{
	unsigned int i, pe;

	pthread_mutex_lock(&s->lock);
	for (pe = 0; pe < s->cfg.nr_pes; pe++) {
		s->pes[pe].depth = 0;
		s->pes[pe].masked = true;
	}
	for (i = 0; i < s->nr_events; i++) {
		struct event *ev = &s->events[i];
		unsigned int n = ev->shared ? 1 : s->cfg.nr_pes;

		if (ev->bind_slot && ev->bound)
			release_binding(s, ev);
		memset(ev->slots, 0, n * sizeof(*ev->slots));
		ev->route_flags = 0;
		ev->affinity = 0;
		ev->running_pe = -1;
	}
	pthread_mutex_unlock(&s->lock);
}

void sdei_get_stats(struct sdei *s, unsigned int pe, struct sdei_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->pes[pe].stats;
	pthread_mutex_unlock(&s->lock);
}

unsigned int sdei_running_depth(struct sdei *s, unsigned int pe)
{
	unsigned int d;

	pthread_mutex_lock(&s->lock);
	d = s->pes[pe].depth;
	pthread_mutex_unlock(&s->lock);
	return d;
}

bool sdei_pe_masked(struct sdei *s, unsigned int pe)
{
	bool m;

	pthread_mutex_lock(&s->lock);
	m = s->pes[pe].masked;
	pthread_mutex_unlock(&s->lock);
	return m;
}

static int init_event(struct sdei *s, struct event *ev, uint32_t num,
		      bool shared, bool critical, bool bind_slot)
{
	ev->num = num;
	ev->shared = shared;
	ev->critical = critical;
	ev->bind_slot = bind_slot;
	ev->running_pe = -1;
	ev->slots = calloc(shared ? 1 : s->cfg.nr_pes, sizeof(*ev->slots));
	return ev->slots ? 0 : -ENOMEM;
}

struct sdei *sdei_create(const struct sdei_config *cfg)
{
	unsigned int i, n;
	struct sdei *s;

	if (!cfg->nr_pes || cfg->nr_pes > 64 || !cfg->ops ||
	    !cfg->ops->kick || !cfg->ops->mpidr)
		return NULL;
	for (i = 0; i < cfg->nr_events; i++)
		if (cfg->events[i].num == SDEI_EVENT_0 ||
		    cfg->events[i].num >= SDEI_BOUND_EVENT_BASE)
			return NULL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	pthread_mutex_init(&s->lock, NULL);
	s->nr_events = 1 + cfg->nr_events + SDEI_BIND_SLOTS_PRIVATE +
		       SDEI_BIND_SLOTS_SHARED;
	s->events = calloc(s->nr_events, sizeof(*s->events));
	s->pes = calloc(cfg->nr_pes, sizeof(*s->pes));
	if (!s->events || !s->pes)
		goto fail;

	n = 0;
	if (init_event(s, &s->events[n++], SDEI_EVENT_0, false, false, false))
		goto fail;
	for (i = 0; i < cfg->nr_events; i++)
		if (init_event(s, &s->events[n++], cfg->events[i].num,
			       cfg->events[i].shared, cfg->events[i].critical,
			       false))
			goto fail;
	for (i = 0; i < SDEI_BIND_SLOTS_PRIVATE + SDEI_BIND_SLOTS_SHARED; i++)
		if (init_event(s, &s->events[n++], 0,
			       i >= SDEI_BIND_SLOTS_PRIVATE, false, true))
			goto fail;

	/* Every PE starts masked (DEN0054C 5.1.12.1). */
	for (i = 0; i < cfg->nr_pes; i++)
		s->pes[i].masked = true;
	return s;

fail:
	sdei_destroy(s);
	return NULL;
}

void sdei_destroy(struct sdei *s)
{
	unsigned int i;

	if (!s)
		return;
	if (s->events)
		for (i = 0; i < s->nr_events; i++)
			free(s->events[i].slots);
	free(s->events);
	free(s->pes);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
