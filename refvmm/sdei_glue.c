// SPDX-License-Identifier: GPL-2.0
/*
 * refvmm's SDEI unit: forwards the SDEI calls (KVM_CAP_ARM_SMCCC_FORWARD
 * with the KVM_ARM_SMCCC_FWD_SDEI preset, HVC conduit), answers them with
 * the dispatcher of sdei.c, dispatches pending events before each KVM_RUN,
 * and tells the guest about SDEI in the DT (/firmware/sdei).
 *
 * The context switches go through vcpu_get_reg()/vcpu_set_reg(): with
 * --regs=sync they are reads and writes of kvm_run->s.regs, loaded by the
 * next KVM_RUN at no ioctl; with --regs=onereg each register is one
 * KVM_{GET,SET}_ONE_REG. The dispatcher says which registers it reads and
 * writes, so only those move.
 *
 * Test service: TESTDEV_SDEI_SIGNAL has another thread signal an event
 * later; TESTDEV_SDEI_COUNT reads the dispatcher's per-vCPU counters.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "fdt.h"
#include "sdei.h"
#include "sdei_glue.h"
#include "testdev.h"
#include "vmm.h"

static const struct sdei_event_desc platform_events[] = {
	{ SDEI_EV_PRIV_NORMAL, false, false },
	{ SDEI_EV_PRIV_CRITICAL, false, true },
	{ SDEI_EV_SHARED_NORMAL, true, false },
	{ SDEI_EV_SHARED_CRITICAL, true, true },
	{ SDEI_EV_RAS, false, true },
};

/* One VM per refvmm process: the unit's hooks get no context pointer. */
static struct sdei *sdei;
static struct vm *sdei_vm;

static void glue_kick(void *opaque, unsigned int pe)
{
	struct vm *vm = opaque;

	vcpu_kick(&vm->vcpus[pe]);
}

static uint64_t glue_mpidr(void *opaque, unsigned int pe)
{
	struct vm *vm = opaque;

	return vm->vcpus[pe].mpidr;
}

static const struct sdei_ops glue_ops = {
	.kick = glue_kick,
	.mpidr = glue_mpidr,
};

/* Registers of struct sdei_regs, by bit of the SDEI_REG_* masks. */
static uint64_t *regs_slot(struct sdei_regs *r, unsigned int bit,
			   enum vreg *vr)
{
	if (bit < 18) {
		*vr = REG_X0 + bit;
		return &r->x[bit];
	}
	switch (1u << bit) {
	case SDEI_REG_PC:
		*vr = REG_PC;
		return &r->pc;
	case SDEI_REG_PSTATE:
		*vr = REG_PSTATE;
		return &r->pstate;
	case SDEI_REG_ELR_EL1:
		*vr = REG_ELR_EL1;
		return &r->elr_el1;
	case SDEI_REG_SPSR_EL1:
		*vr = REG_SPSR_EL1;
		return &r->spsr_el1;
	}
	return NULL;
}

/* Move the registers of @mask between the vCPU and @r, in either direction */
static void regs_move(struct vcpu *v, struct sdei_regs *r, unsigned int mask,
		      bool store)
{
	unsigned int bit;
	enum vreg vr;
	uint64_t *p;

	for (bit = 0; mask >> bit; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		p = regs_slot(r, bit, &vr);
		if (!p)
			continue;
		if (store)
			vcpu_set_reg(v, vr, *p);
		else
			*p = vcpu_get_reg(v, vr);
	}
}

static void regs_load(struct vcpu *v, struct sdei_regs *r, unsigned int mask)
{
	regs_move(v, r, mask, false);
}

static void regs_store(struct vcpu *v, struct sdei_regs *r, unsigned int mask)
{
	regs_move(v, r, mask, true);
}

/*
 * An SDEI call. Its x0-x5 are in the exit (nr and x1-x6), so nothing is
 * read; the result, or the context COMPLETE restores, is written back.
 */
/*
 * Does the vCPU set PSTATE.PAN when it takes an exception to EL1
 * (SCTLR_EL1.SPAN == 0)? The dispatcher must do the same when it enters
 * a handler or resumes at COMPLETE_AND_RESUME's address, or the client's
 * kernel would run its IRQ path with PAN clear after an event that
 * interrupted user space. SCTLR_EL1 is not in the sync regs: one
 * KVM_GET_ONE_REG, at PE_UNMASK, when the client has set the PE up.
 */
#define SCTLR_EL1_ID	ARM64_SYS_REG(3, 0, 1, 0, 0)
#define SCTLR_EL1_SPAN	(1ull << 23)

static void sdei_read_span(struct vcpu *v)
{
	uint64_t sctlr;
	struct kvm_one_reg reg = {
		.id = SCTLR_EL1_ID,
		.addr = (uint64_t)&sctlr,
	};

	if (vcpu_ioctl(v, KVM_GET_ONE_REG, &reg))
		vmm_die("vcpu%d: KVM_GET_ONE_REG SCTLR_EL1: %m", v->idx);
	sdei_pe_set_pan(sdei, v->idx, !(sctlr & SCTLR_EL1_SPAN));
}

static int sdei_hcall(struct vcpu *v, const struct hcall *c)
{
	struct sdei_regs r = { 0 };
	unsigned int dirty;
	int i;

	if (c->fid == SDEI_PE_UNMASK)
		sdei_read_span(v);
	r.x[0] = c->fid;
	for (i = 0; i < 5; i++)
		r.x[i + 1] = c->args[i];
	dirty = sdei_handle_call(sdei, v->idx, &r);
	regs_store(v, &r, dirty);
	return 0;
}

/*
 * Before each KVM_RUN: enter the handler of a pending event. The
 * interrupted context must be whole: an MMIO access the vCPU exited for
 * is completed first (vmm.h, vcpu_complete_mmio()), else the saved PC
 * would replay it and the load's destination register would be lost.
 */
static void sdei_pre_run(struct vcpu *v)
{
	struct sdei_regs r;
	unsigned int dirty;

	if (!sdei || !sdei_dispatch_pending(sdei, v->idx))
		return;
	vcpu_complete_mmio(v);
	regs_load(v, &r, SDEI_DISPATCH_READS);
	dirty = sdei_dispatch(sdei, v->idx, &r);
	regs_store(v, &r, dirty);
}

/* PSCI CPU_ON: the PE comes up masked (DEN0054C 5.1.12.3). */
static void sdei_vcpu_reset(struct vcpu *v)
{
	if (sdei)
		sdei_pe_power_on(sdei, v->idx);
}

int vm_sdei_signal(struct vm *vm, uint32_t event, int vcpu)
{
	(void)vm;
	if (!sdei)
		return -ENODEV;
	return sdei_signal(sdei, event, vcpu);
}

struct delayed_signal {
	uint32_t event;
	int vcpu;
	uint64_t delay_us;
};

/* Signals waiting in their thread (TESTDEV_SDEI_SIGNAL_MAX at most) */
static unsigned int delayed_signals;

static void *delayed_signal_thread(void *arg)
{
	struct delayed_signal *d = arg;
	struct timespec ts = {
		.tv_sec = d->delay_us / 1000000,
		.tv_nsec = (d->delay_us % 1000000) * 1000,
	};
	int ret;

	nanosleep(&ts, NULL);
	ret = sdei_signal(sdei, d->event, d->vcpu);
	/*
	 * -EAGAIN: not registered there, dropped, as the guest may expect
	 * (unregister-running checks it); the log would cut console lines.
	 */
	if (ret && ret != -EAGAIN)
		vmm_log("sdei: delayed signal of event 0x%x to vCPU %d: %d\n",
			d->event, d->vcpu, ret);
	free(d);
	__atomic_sub_fetch(&delayed_signals, 1, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * TESTDEV_SDEI_SIGNAL(event, target vCPU, delay_us). One thread per
 * waiting signal, at most TESTDEV_SDEI_SIGNAL_MAX of them: a guest that
 * calls in a loop gets TESTDEV_BUSY rather than a VMM out of threads.
 */
static int testdev_sdei_signal(struct vcpu *v, const struct hcall *c)
{
	struct delayed_signal *d;
	pthread_attr_t attr;
	pthread_t t;
	int ret;

	if (c->args[1] >= (uint64_t)v->vm->nr_vcpus ||
	    c->args[2] > 10000000) {
		vcpu_smccc_ret(v, (uint64_t)TESTDEV_INVALID_PARAMETERS);
		return 0;
	}
	if (__atomic_add_fetch(&delayed_signals, 1, __ATOMIC_RELAXED) >
	    TESTDEV_SDEI_SIGNAL_MAX) {
		__atomic_sub_fetch(&delayed_signals, 1, __ATOMIC_RELAXED);
		vcpu_smccc_ret(v, (uint64_t)(int64_t)TESTDEV_BUSY);
		return 0;
	}
	d = malloc(sizeof(*d));
	if (!d)
		vmm_die("sdei: out of memory");
	d->event = c->args[0];
	d->vcpu = c->args[1];
	d->delay_us = c->args[2];
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(&t, &attr, delayed_signal_thread, d);
	pthread_attr_destroy(&attr);
	if (ret)
		vmm_die("sdei: pthread_create: %d", ret);
	vcpu_smccc_ret(v, TESTDEV_SUCCESS);
	return 0;
}

/* TESTDEV_SDEI_COUNT(what, vCPU): the dispatcher's counters. */
static int testdev_sdei_count(struct vcpu *v, const struct hcall *c)
{
	struct sdei_stats st;
	uint64_t what = c->args[0], val;

	if (c->args[1] >= (uint64_t)v->vm->nr_vcpus) {
		vcpu_smccc_ret(v, (uint64_t)TESTDEV_INVALID_PARAMETERS);
		return 0;
	}
	sdei_get_stats(sdei, c->args[1], &st);
	if (what < SDEI_NR_FNS)
		val = st.calls[what];
	else if (what == TESTDEV_SDEI_COUNT_DISPATCHED)
		val = st.dispatched;
	else if (what == TESTDEV_SDEI_COUNT_COMPLETED)
		val = st.completed;
	else if (what == TESTDEV_SDEI_COUNT_RESUMED)
		val = st.resumed;
	else if (what == TESTDEV_SDEI_COUNT_PREEMPTED)
		val = st.preempted;
	else if (what == TESTDEV_SDEI_COUNT_RESUME_PC)
		val = st.resume_pc;
	else
		val = (uint64_t)TESTDEV_INVALID_PARAMETERS;
	vcpu_smccc_ret(v, val);
	return 0;
}

static int sdei_init(struct vm *vm)
{
	struct sdei_config cfg = {
		.nr_pes = vm->nr_vcpus,
		.events = platform_events,
		.nr_events = sizeof(platform_events) /
			     sizeof(platform_events[0]),
		.ops = &glue_ops,
		.opaque = vm,
	};
	int ret;

	ret = vm_smccc_forward(vm, 0, 0, KVM_ARM_SMCCC_FWD_HVC |
					 KVM_ARM_SMCCC_FWD_SDEI);
	if (ret) {
		vmm_log("sdei: no SDEI forwarding (%d): guest without SDEI\n",
			ret);
		return 0;
	}
	sdei = sdei_create(&cfg);
	if (!sdei)
		vmm_die("sdei: cannot create the dispatcher");
	sdei_vm = vm;
	/* Both ranges of the preset; the SMC32 one answers NOT_SUPPORTED. */
	if (vm_hcall_register(vm, SDEI_FN(0), 0x20, sdei_hcall) ||
	    vm_hcall_register(vm, SDEI_FN(0) & ~0x40000000u, 0x20,
			      sdei_hcall) ||
	    testdev_register(TESTDEV_SDEI_SIGNAL - TESTDEV_FN_BASE,
			     testdev_sdei_signal) ||
	    testdev_register(TESTDEV_SDEI_COUNT - TESTDEV_FN_BASE,
			     testdev_sdei_count))
		vmm_die("sdei: cannot register the calls");
	return 0;
}

/* DT binding: Documentation/devicetree/bindings/arm/firmware/sdei.txt */
static void sdei_fdt(struct vm *vm, struct fdt *fdt)
{
	(void)vm;
	if (!sdei)
		return;
	fdt_begin_node(fdt, "firmware");
	fdt_begin_node(fdt, "sdei");
	fdt_prop_str(fdt, "compatible", "arm,sdei-1.0");
	fdt_prop_str(fdt, "method", "hvc");
	fdt_end_node(fdt);
	fdt_end_node(fdt);
}

static struct vmm_unit sdei_unit = {
	.name = "sdei",
	.init = sdei_init,
	.fdt = sdei_fdt,
	.pre_run = sdei_pre_run,
	.vcpu_reset = sdei_vcpu_reset,
};
VMM_UNIT(sdei_unit);
