// SPDX-License-Identifier: GPL-2.0
/*
 * The SDEI part of refvmm's guest test module. The firmware is the VMM
 * (refvmm/sdei.c behind KVM_CAP_ARM_SMCCC_FORWARD); the guest's own SDEI
 * driver (drivers/firmware/arm_sdei.c) talks to it. The module registers
 * handlers through that driver, triggers events through the VMM's test
 * service (TESTDEV_SDEI_SIGNAL: another VMM thread signals later and
 * kicks the vCPU) or SDEI_EVENT_SIGNAL, and checks what its handlers see.
 *
 * Scenarios, each ending in "SDEI-TEST <name>: PASS" or "... FAIL <why>":
 *  version         SDEI_VERSION is 1.1
 *  every-vcpu      0x100 (private normal) and event 0 (SDEI_EVENT_SIGNAL)
 *                  reach their handler on every online CPU, with x0-x3
 *                  of the interrupted context (EVENT_CONTEXT)
 *  irqs-masked     an event arrives while the CPU spins with IRQs masked
 *  critical-preempts
 *                  0x101 (critical) runs inside the handler of 0x100;
 *                  event 0 (normal) signalled from inside 0x101 waits
 *  resume-irq      an event taken with IRQs unmasked ends with
 *                  COMPLETE_AND_RESUME into the IRQ vector (the VMM
 *                  counts it), and the guest runs on
 *  hotplug         CPU 1 offline/online goes through PE_MASK, UNREGISTER,
 *                  REGISTER, ENABLE, PE_UNMASK (the VMM counts them; the
 *                  one PRIVATE_RESET is that of probe), and 0x100 reaches
 *                  CPU 1 again, and every other CPU still
 *  unregister-running
 *                  0x200 (shared, routed to CPU 1 with ROUTING_SET)
 *                  unregistered while its handler runs: -EINPROGRESS,
 *                  STATUS "running" only, unregistered at COMPLETE, no
 *                  later delivery
 *
 * Counters: /sys/kernel/debug/refvmm/sdei.
 */
#include <linux/arm-smccc.h>
#include <linux/arm_sdei.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>
#include <linux/smp.h>
#include <asm/cputype.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>

#include "refvmm_guest.h"
#include "testdev.h"

#define NR_EVENTS	5
#define SDEI_TEST_CPUS	4

/* What a handler saw, per event and CPU. */
struct sdei_seen {
	atomic_t count;
	int cpu;
	u64 x[18];		/* interrupted x0-x17 (x0-x3 from EVENT_CONTEXT) */
	u64 pc, pstate;		/* interrupted PC and PSTATE (x2, x3) */
	bool irqs_masked;	/* PSTATE.I of the interrupted context */
};

static const u32 test_events[NR_EVENTS] = {
	SDEI_EV_SIGNAL, SDEI_EV_PRIV_NORMAL, SDEI_EV_PRIV_CRITICAL,
	SDEI_EV_SHARED_NORMAL, SDEI_EV_SHARED_CRITICAL,
};

static struct sdei_seen seen[NR_EVENTS][SDEI_TEST_CPUS];

/* The guest's SDEI driver, which exports nothing to modules. */
static int (*p_register)(u32 event, sdei_event_callback *cb, void *arg);
static int (*p_unregister)(u32 event);
static int (*p_enable)(u32 event);
static int (*p_disable)(u32 event);

/* Scenario knobs, read by the handlers. */
static atomic_t normal_wait_critical;	/* 0x100 waits for 0x101 */
static atomic_t critical_signal_ev0;	/* 0x101 signals event 0 to self */
static atomic_t in_normal, in_critical;
static atomic_t critical_in_normal;	/* 0x101 ran inside 0x100 */
static atomic_t ev0_in_critical;	/* event 0 ran inside 0x101 */
static atomic_t shared_hold;		/* 0x200 spins while set */
static atomic_t shared_running;

static int event_index(u32 event)
{
	int i;

	for (i = 0; i < NR_EVENTS; i++)
		if (test_events[i] == event)
			return i;
	return -1;
}

static unsigned long sdei_raw(u32 fn, u64 a1, u64 a2, u64 a3)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(fn, a1, a2, a3, &res);
	return res.a0;
}

static u64 self_mpidr(void)
{
	return read_cpuid_mpidr() & MPIDR_HWID_BITMASK;
}

static void record(u32 event, struct pt_regs *regs)
{
	int i = event_index(event), cpu = smp_processor_id();
	struct sdei_seen *s;

	if (i < 0 || cpu >= SDEI_TEST_CPUS)
		return;
	s = &seen[i][cpu];
	s->cpu = cpu;
	memcpy(s->x, regs->regs, sizeof(s->x));
	s->pc = regs->pc;
	s->pstate = regs->pstate;
	s->irqs_masked = regs->pstate & PSR_I_BIT;
	/* The count last: the scenarios poll it, then read the rest. */
	smp_mb__before_atomic();
	atomic_inc(&s->count);
}

static bool spin_until(atomic_t *a, int val, unsigned int ms)
{
	u64 end = ktime_get_ns() + ms * NSEC_PER_MSEC;

	while (atomic_read(a) < val)
		if (ktime_get_ns() > end)
			return false;
	return true;
}

/*
 * What spin_regs() saw: the bounds of its loop, the registers it held
 * known values in, and DAIF, all read after the loop.
 */
struct spin_out {
	u64 lo, hi;
	u64 x[18];
	u64 daif;
	bool got;
};

#define SPIN_MAGIC(n)	(0x5de1000000000000ull | ((u64)(n) << 8) | (n))
/* The registers spin_regs() holds SPIN_MAGIC(n) in: x0-x3 and x8-x17. */
#define SPIN_REGS	0x3ff0fu

/*
 * Spin until *@cnt differs from @old or @ms pass, with x0-x3 and x8-x17
 * holding SPIN_MAGIC(n). An event taken in the loop must show these in
 * its handler (x0-x3 through SDEI_EVENT_CONTEXT, x4-x17 untouched at
 * entry, DEN0054C 5.1.5.1), and COMPLETE or COMPLETE_AND_RESUME must give
 * them back (the dispatcher restores x0-x17). [lo, hi) holds every PC of
 * the loop.
 */
static noinline void spin_regs(atomic_t *cnt, int old, unsigned int ms,
			       struct spin_out *o)
{
	u64 end = read_sysreg(cntvct_el0) +
		  (u64)ms * (read_sysreg(cntfrq_el0) / 1000);
	u64 in[18], lo, hi, now, daif;
	u32 v;
	int n;

	for (n = 0; n < 18; n++)
		in[n] = SPIN_MAGIC(n);
	memset(o->x, 0, sizeof(o->x));
	asm volatile(
	"	ldp	x0, x1, [%[in], #0]\n"
	"	ldp	x2, x3, [%[in], #16]\n"
	"	ldp	x8, x9, [%[in], #64]\n"
	"	ldp	x10, x11, [%[in], #80]\n"
	"	ldp	x12, x13, [%[in], #96]\n"
	"	ldp	x14, x15, [%[in], #112]\n"
	"	ldp	x16, x17, [%[in], #128]\n"
	"	adr	%[lo], 1f\n"
	"	adr	%[hi], 2f\n"
	"1:	ldr	%w[v], [%[p]]\n"
	"	cmp	%w[v], %w[old]\n"
	"	b.ne	2f\n"
	"	mrs	%[now], cntvct_el0\n"
	"	cmp	%[now], %[end]\n"
	"	b.lo	1b\n"
	"2:	mrs	%[daif], daif\n"
	"	stp	x0, x1, [%[out], #0]\n"
	"	stp	x2, x3, [%[out], #16]\n"
	"	stp	x8, x9, [%[out], #64]\n"
	"	stp	x10, x11, [%[out], #80]\n"
	"	stp	x12, x13, [%[out], #96]\n"
	"	stp	x14, x15, [%[out], #112]\n"
	"	stp	x16, x17, [%[out], #128]\n"
	: [lo] "=&r" (lo), [hi] "=&r" (hi), [v] "=&r" (v),
	  [now] "=&r" (now), [daif] "=&r" (daif)
	: [p] "r" (&cnt->counter), [old] "r" (old), [end] "r" (end),
	  [in] "r" (in), [out] "r" (o->x)
	: "cc", "memory", "x0", "x1", "x2", "x3", "x8", "x9", "x10", "x11",
	  "x12", "x13", "x14", "x15", "x16", "x17");
	o->lo = lo;
	o->hi = hi;
	o->daif = daif;
	o->got = v != old;
}

/* The first of @x's SPIN_REGS not holding its magic, or -1. */
static int bad_magic(const u64 *x)
{
	int n;

	for (n = 0; n < 18; n++)
		if ((SPIN_REGS & BIT(n)) && x[n] != SPIN_MAGIC(n))
			return n;
	return -1;
}

static int normal_cb(u32 event, struct pt_regs *regs, void *arg)
{
	atomic_set(&in_normal, 1);
	if (atomic_read(&normal_wait_critical)) {
		int i = event_index(SDEI_EV_PRIV_CRITICAL);
		int c = atomic_read(&seen[i][smp_processor_id()].count);

		sdei_raw(TESTDEV_SDEI_SIGNAL, SDEI_EV_PRIV_CRITICAL,
			 smp_processor_id(), 0);
		spin_until(&seen[i][smp_processor_id()].count, c + 1, 1000);
	}
	record(event, regs);
	atomic_set(&in_normal, 0);
	return 0;
}

static int critical_cb(u32 event, struct pt_regs *regs, void *arg)
{
	atomic_set(&in_critical, 1);
	if (atomic_read(&in_normal))
		atomic_set(&critical_in_normal, 1);
	if (atomic_read(&critical_signal_ev0)) {
		sdei_raw(SDEI_1_0_FN_SDEI_EVENT_SIGNAL, 0, self_mpidr(), 0);
		mdelay(50);	/* event 0 must not preempt us meanwhile */
	}
	record(event, regs);
	atomic_set(&in_critical, 0);
	return 0;
}

static int ev0_cb(u32 event, struct pt_regs *regs, void *arg)
{
	if (atomic_read(&in_critical))
		atomic_set(&ev0_in_critical, 1);
	record(event, regs);
	return 0;
}

static int shared_cb(u32 event, struct pt_regs *regs, void *arg)
{
	u64 end = ktime_get_ns() + 3 * NSEC_PER_SEC;

	atomic_set(&shared_running, 1);
	while (atomic_read(&shared_hold) && ktime_get_ns() < end)
		cpu_relax();
	record(event, regs);
	atomic_set(&shared_running, 0);
	return 0;
}

static void result(const char *name, const char *why)
{
	if (why)
		pr_info("SDEI-TEST %s: FAIL %s\n", name, why);
	else
		pr_info("SDEI-TEST %s: PASS\n", name);
}

static int count_of(u32 event, int cpu)
{
	return atomic_read(&seen[event_index(event)][cpu].count);
}

static long vmm_count(unsigned long what, int cpu)
{
	return sdei_raw(TESTDEV_SDEI_COUNT, what, cpu, 0);
}

/* Signal @event to @cpu through the VMM's thread and wait for it. */
static bool deliver(u32 event, int cpu, unsigned int delay_us)
{
	int c = count_of(event, cpu);

	if (sdei_raw(TESTDEV_SDEI_SIGNAL, event, cpu, delay_us))
		return false;
	return spin_until(&seen[event_index(event)][cpu].count, c + 1, 2000);
}

static void mpidr_of(void *info)
{
	*(u64 *)info = self_mpidr();
}

static void test_version(void)
{
	unsigned long v = sdei_raw(SDEI_1_0_FN_SDEI_VERSION, 0, 0, 0);

	result("version", (SDEI_VERSION_MAJOR(v) == 1 &&
			   SDEI_VERSION_MINOR(v) == 1) ? NULL :
			  "SDEI_VERSION is not 1.1");
}

static void test_every_vcpu(void)
{
	static char why[96];
	int cpu, c;
	u64 mpidr;

	for_each_online_cpu(cpu) {
		struct sdei_seen *s;

		if (cpu >= SDEI_TEST_CPUS)
			break;
		if (!deliver(SDEI_EV_PRIV_NORMAL, cpu, 0)) {
			snprintf(why, sizeof(why), "0x100 not delivered on CPU %d", cpu);
			goto fail;
		}
		s = &seen[event_index(SDEI_EV_PRIV_NORMAL)][cpu];
		if (s->cpu != cpu) {
			snprintf(why, sizeof(why), "0x100 for CPU %d ran on %d", cpu, s->cpu);
			goto fail;
		}
		smp_call_function_single(cpu, mpidr_of, &mpidr, 1);
		c = count_of(SDEI_EV_SIGNAL, cpu);
		if (sdei_raw(SDEI_1_0_FN_SDEI_EVENT_SIGNAL, 0, mpidr, 0) ||
		    !spin_until(&seen[0][cpu].count, c + 1, 2000)) {
			snprintf(why, sizeof(why), "event 0 not delivered on CPU %d", cpu);
			goto fail;
		}
		pr_info("sdei_test: CPU %d: 0x100 x0-x3 %llx %llx %llx %llx pc %llx pstate %llx\n",
			cpu, s->x[0], s->x[1], s->x[2], s->x[3], s->pc, s->pstate);
	}
	result("every-vcpu", NULL);
	return;
fail:
	result("every-vcpu", why);
}

/*
 * The event is signalled 20 ms later, into a loop with IRQs masked: the
 * handler runs there (SDEI's point), sees the loop's registers and PC,
 * and COMPLETE gives the loop its registers back (Linux completes with
 * SDEI_EVENT_COMPLETE when it interrupted the kernel with IRQs masked).
 */
static void test_irqs_masked(void)
{
	int cpu, c, n, i = event_index(SDEI_EV_PRIV_NORMAL);
	long pre_resumed, pre_completed;
	static char why[128];
	struct sdei_seen *s;
	struct spin_out o;
	unsigned long flags;

	cpu = get_cpu();
	s = &seen[i][cpu];
	c = count_of(SDEI_EV_PRIV_NORMAL, cpu);
	pre_resumed = vmm_count(TESTDEV_SDEI_COUNT_RESUMED, cpu);
	pre_completed = vmm_count(TESTDEV_SDEI_COUNT_COMPLETED, cpu);
	local_irq_save(flags);
	sdei_raw(TESTDEV_SDEI_SIGNAL, SDEI_EV_PRIV_NORMAL, cpu, 20000);
	spin_regs(&s->count, c, 2000, &o);
	local_irq_restore(flags);
	put_cpu();
	if (!o.got) {
		result("irqs-masked", "no event while IRQs were masked");
		return;
	}
	if (!s->irqs_masked || (s->pstate & PSR_MODE_MASK) != PSR_MODE_EL1h) {
		snprintf(why, sizeof(why), "interrupted PSTATE %llx", s->pstate);
		goto fail;
	}
	/* First: the loop's bounds live in registers COMPLETE restores too. */
	n = bad_magic(o.x);
	if (n >= 0) {
		snprintf(why, sizeof(why), "after COMPLETE x%d = %llx", n, o.x[n]);
		goto fail;
	}
	if (s->pc < o.lo || s->pc >= o.hi) {
		snprintf(why, sizeof(why), "interrupted PC %llx not in the loop [%llx, %llx)",
			 s->pc, o.lo, o.hi);
		goto fail;
	}
	n = bad_magic(s->x);
	if (n >= 0) {
		snprintf(why, sizeof(why), "the handler saw x%d = %llx", n, s->x[n]);
		goto fail;
	}
	if (!(o.daif & PSR_I_BIT)) {
		snprintf(why, sizeof(why), "after COMPLETE DAIF %llx", o.daif);
		goto fail;
	}
	if (vmm_count(TESTDEV_SDEI_COUNT_COMPLETED, cpu) != pre_completed + 1 ||
	    vmm_count(TESTDEV_SDEI_COUNT_RESUMED, cpu) != pre_resumed) {
		snprintf(why, sizeof(why), "not ended by one COMPLETE");
		goto fail;
	}
	result("irqs-masked", NULL);
	return;
fail:
	result("irqs-masked", why);
}

static void test_critical_preempts(void)
{
	int cpu = 0;
	long pre = vmm_count(TESTDEV_SDEI_COUNT_PREEMPTED, cpu);

	atomic_set(&critical_in_normal, 0);
	atomic_set(&normal_wait_critical, 1);
	if (!deliver(SDEI_EV_PRIV_NORMAL, cpu, 0)) {
		atomic_set(&normal_wait_critical, 0);
		result("critical-preempts", "0x100 not delivered");
		return;
	}
	atomic_set(&normal_wait_critical, 0);
	if (!atomic_read(&critical_in_normal)) {
		result("critical-preempts", "0x101 did not run inside 0x100");
		return;
	}
	if (vmm_count(TESTDEV_SDEI_COUNT_PREEMPTED, cpu) != pre + 1) {
		result("critical-preempts", "the VMM counted no preemption");
		return;
	}

	/* Not the reverse: event 0 (normal) waits for 0x101 to complete. */
	atomic_set(&ev0_in_critical, 0);
	atomic_set(&critical_signal_ev0, 1);
	{
		int c0 = count_of(SDEI_EV_SIGNAL, cpu);

		if (!deliver(SDEI_EV_PRIV_CRITICAL, cpu, 0) ||
		    !spin_until(&seen[0][cpu].count, c0 + 1, 2000)) {
			atomic_set(&critical_signal_ev0, 0);
			result("critical-preempts", "0x101 or event 0 lost");
			return;
		}
	}
	atomic_set(&critical_signal_ev0, 0);
	result("critical-preempts", atomic_read(&ev0_in_critical) ?
	       "a normal event preempted a critical one" : NULL);
}

/*
 * The event is signalled into a loop with IRQs unmasked: Linux ends the
 * handler with COMPLETE_AND_RESUME into its IRQ vector (VBAR_EL1 + 0x280,
 * "current EL with SP_ELx"), whose return (ELR_EL1, SPSR_EL1 as the
 * dispatcher set them) comes back into the loop with its registers and
 * IRQs unmasked. The event may land in an IRQ handler instead (PSTATE.I
 * set there): Linux then completes plainly, which is checked too, and the
 * scenario tries again.
 */
static void test_resume_irq(void)
{
	int cpu, n, try, i = event_index(SDEI_EV_PRIV_NORMAL);
	long pre_resumed, pre_completed;
	static char why[128];
	struct sdei_seen *s;
	struct spin_out o;
	u64 vector;

	for (try = 0; try < 10; try++) {
		bool in_loop;

		cpu = get_cpu();
		s = &seen[i][cpu];
		n = count_of(SDEI_EV_PRIV_NORMAL, cpu);
		pre_resumed = vmm_count(TESTDEV_SDEI_COUNT_RESUMED, cpu);
		pre_completed = vmm_count(TESTDEV_SDEI_COUNT_COMPLETED, cpu);
		vector = read_sysreg(vbar_el1) + 0x280;
		sdei_raw(TESTDEV_SDEI_SIGNAL, SDEI_EV_PRIV_NORMAL, cpu, 20000);
		spin_regs(&s->count, n, 2000, &o);
		put_cpu();
		if (!o.got) {
			result("resume-irq", "event not delivered");
			return;
		}
		if (vmm_count(TESTDEV_SDEI_COUNT_COMPLETED, cpu) !=
		    pre_completed + 1) {
			result("resume-irq", "the handler did not complete once");
			return;
		}
		in_loop = s->pc >= o.lo && s->pc < o.hi;
		if (s->irqs_masked) {
			/* Landed with IRQs masked: a plain COMPLETE. */
			if (in_loop || vmm_count(TESTDEV_SDEI_COUNT_RESUMED, cpu) !=
				       pre_resumed) {
				snprintf(why, sizeof(why),
					 "PSTATE.I set, in loop %d, resumed %ld",
					 in_loop, vmm_count(TESTDEV_SDEI_COUNT_RESUMED,
							    cpu) - pre_resumed);
				goto fail;
			}
			continue;
		}
		if (vmm_count(TESTDEV_SDEI_COUNT_RESUMED, cpu) != pre_resumed + 1) {
			snprintf(why, sizeof(why), "IRQs unmasked at %llx but no COMPLETE_AND_RESUME",
				 s->pc);
			goto fail;
		}
		if (!in_loop)
			continue;	/* e.g. in the IRQ return path */
		if (vmm_count(TESTDEV_SDEI_COUNT_RESUME_PC, cpu) != vector) {
			snprintf(why, sizeof(why), "resumed at %lx, not the IRQ vector %llx",
				 vmm_count(TESTDEV_SDEI_COUNT_RESUME_PC, cpu), vector);
			goto fail;
		}
		n = bad_magic(s->x);
		if (n >= 0) {
			snprintf(why, sizeof(why), "the handler saw x%d = %llx", n, s->x[n]);
			goto fail;
		}
		n = bad_magic(o.x);
		if (n >= 0) {
			snprintf(why, sizeof(why), "back in the loop x%d = %llx", n, o.x[n]);
			goto fail;
		}
		if (o.daif & PSR_I_BIT) {
			snprintf(why, sizeof(why), "back in the loop DAIF %llx", o.daif);
			goto fail;
		}
		pr_info("sdei_test: resume-irq: try %d, pc %llx, vector %llx\n",
			try, s->pc, vector);
		result("resume-irq", NULL);
		return;
	}
	result("resume-irq", "the event never landed in the loop");
	return;
fail:
	result("resume-irq", why);
}

static void test_hotplug(void)
{
	static const struct { unsigned long fn; const char *name; } calls[] = {
		{ 0x0b, "PE_MASK" }, { 0x07, "EVENT_UNREGISTER" },
		{ 0x01, "EVENT_REGISTER" }, { 0x02, "EVENT_ENABLE" },
		{ 0x0c, "PE_UNMASK" },
	};
	long before[ARRAY_SIZE(calls)];
	static char why[96];
	int cpu = 1, i, ret;
	int (*p_remove_cpu)(unsigned int cpu) = remove_cpu;
	int (*p_add_cpu)(unsigned int cpu) = add_cpu;

	if (!cpu_online(cpu)) {
		result("hotplug", "CPU 1 is not online");
		return;
	}
	/* sdei_probe() resets each PE once; hotplug resets none. */
	if (vmm_count(0x11, cpu) != 1) {
		result("hotplug", "not one PRIVATE_RESET on CPU 1 from boot");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(calls); i++)
		before[i] = vmm_count(calls[i].fn, cpu);
	ret = p_remove_cpu(cpu);
	if (!ret)
		ret = p_add_cpu(cpu);
	if (ret) {
		snprintf(why, sizeof(why), "offline/online: %d", ret);
		result("hotplug", why);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		if (vmm_count(calls[i].fn, cpu) <= before[i]) {
			snprintf(why, sizeof(why), "the VMM saw no %s",
				 calls[i].name);
			result("hotplug", why);
			return;
		}
	}
	if (vmm_count(0x11, cpu) != 1) {
		result("hotplug", "a PRIVATE_RESET during hotplug");
		return;
	}
	/* CPU 1 takes events again, and the others kept theirs. */
	for_each_online_cpu(i) {
		if (i >= SDEI_TEST_CPUS)
			break;
		if (!deliver(SDEI_EV_PRIV_NORMAL, i, 0)) {
			snprintf(why, sizeof(why),
				 "0x100 not delivered on CPU %d after online", i);
			result("hotplug", why);
			return;
		}
	}
	result("hotplug", NULL);
}

static long unregister_running_on_cpu0(void *unused)
{
	int cpu = 1, i = event_index(SDEI_EV_SHARED_NORMAL), ret, c, ms;
	static char why[96];
	unsigned long st;
	u64 mpidr;

	if (!cpu_online(cpu)) {
		result("unregister-running", "CPU 1 is not online");
		return 0;
	}
	smp_call_function_single(cpu, mpidr_of, &mpidr, 1);
	ret = p_register(SDEI_EV_SHARED_NORMAL, shared_cb, NULL);
	if (ret) {
		snprintf(why, sizeof(why), "register: %d", ret);
		goto fail;
	}
	/* Linux registers shared events RM_ANY: route it to CPU 1. */
	st = sdei_raw(SDEI_1_0_FN_SDEI_EVENT_ROUTING_SET,
		      SDEI_EV_SHARED_NORMAL, SDEI_EVENT_REGISTER_RM_PE, mpidr);
	if (st) {
		snprintf(why, sizeof(why), "ROUTING_SET: %ld", (long)st);
		goto fail;
	}
	ret = p_enable(SDEI_EV_SHARED_NORMAL);
	if (ret) {
		snprintf(why, sizeof(why), "enable: %d", ret);
		goto fail;
	}
	atomic_set(&shared_hold, 1);
	c = atomic_read(&seen[i][cpu].count);
	sdei_raw(TESTDEV_SDEI_SIGNAL, SDEI_EV_SHARED_NORMAL, cpu, 0);
	if (!spin_until(&shared_running, 1, 2000)) {
		atomic_set(&shared_hold, 0);
		snprintf(why, sizeof(why), "0x200 not delivered");
		goto fail;
	}
	ret = p_unregister(SDEI_EV_SHARED_NORMAL);
	st = sdei_raw(SDEI_1_0_FN_SDEI_EVENT_STATUS, SDEI_EV_SHARED_NORMAL,
		      0, 0);
	atomic_set(&shared_hold, 0);
	if (ret != -EINPROGRESS) {
		snprintf(why, sizeof(why), "unregister while running: %d", ret);
		goto fail;
	}
	if (st != BIT(SDEI_EVENT_STATUS_RUNNING)) {
		snprintf(why, sizeof(why), "STATUS while pending: %lx", st);
		goto fail;
	}
	if (!spin_until(&seen[i][cpu].count, c + 1, 4000)) {
		snprintf(why, sizeof(why), "the handler did not complete");
		goto fail;
	}
	/*
	 * The handler counted the event just before its COMPLETE, which
	 * CPU 1 may not have reached yet (its vCPU thread can be preempted
	 * in the host): wait for the unregistration to finish, within 2 s.
	 */
	for (ms = 0; ms < 2000; ms += 10) {
		st = sdei_raw(SDEI_1_0_FN_SDEI_EVENT_STATUS,
			      SDEI_EV_SHARED_NORMAL, 0, 0);
		if (!st)
			break;
		msleep(10);
	}
	if (st) {
		snprintf(why, sizeof(why), "STATUS after COMPLETE: %lx", st);
		goto fail;
	}
	c = atomic_read(&seen[i][cpu].count);
	sdei_raw(TESTDEV_SDEI_SIGNAL, SDEI_EV_SHARED_NORMAL, cpu, 0);
	msleep(100);
	if (atomic_read(&seen[i][cpu].count) != c) {
		snprintf(why, sizeof(why), "delivered after unregister");
		goto fail;
	}
	result("unregister-running", NULL);
	return 0;
fail:
	result("unregister-running", why);
	return 0;
}

/*
 * The handler holds CPU 1 while this code, elsewhere, unregisters the
 * event: if it ran on CPU 1 itself, the event would interrupt it and it
 * could not go on until the handler gave up. So it runs on CPU 0.
 */
static void test_unregister_running(void)
{
	work_on_cpu(0, unregister_running_on_cpu0, NULL);
}

static int sdei_show(struct seq_file *m, void *v)
{
	int e, cpu;

	seq_puts(m, "event cpu count x0 x1 x2 x3 pc pstate\n");
	for (e = 0; e < NR_EVENTS; e++)
		for (cpu = 0; cpu < SDEI_TEST_CPUS; cpu++) {
			struct sdei_seen *s = &seen[e][cpu];

			if (!atomic_read(&s->count))
				continue;
			seq_printf(m, "0x%x %d %d %llx %llx %llx %llx %llx %llx\n",
				   test_events[e], cpu, atomic_read(&s->count),
				   s->x[0], s->x[1], s->x[2], s->x[3], s->pc,
				   s->pstate);
		}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sdei);

static int lookup_driver(void)
{
	p_register = (void *)refvmm_lookup("sdei_event_register");
	p_unregister = (void *)refvmm_lookup("sdei_event_unregister");
	p_enable = (void *)refvmm_lookup("sdei_event_enable");
	p_disable = (void *)refvmm_lookup("sdei_event_disable");
	return (p_register && p_unregister && p_enable && p_disable) ?
	       0 : -ENOENT;
}

static int register_and_enable(u32 event, sdei_event_callback *cb)
{
	int ret = p_register(event, cb, NULL);

	if (!ret)
		ret = p_enable(event);
	if (ret)
		pr_err("sdei_test: event 0x%x: %d\n", event, ret);
	return ret;
}

int refvmm_sdei_init(struct dentry *dir)
{
	u64 t0;

	debugfs_create_file("sdei", 0444, dir, NULL, &sdei_fops);
	if (lookup_driver()) {
		result("setup", "the SDEI driver's functions are not found");
		return 0;
	}
	if (register_and_enable(SDEI_EV_SIGNAL, ev0_cb) ||
	    register_and_enable(SDEI_EV_PRIV_NORMAL, normal_cb) ||
	    register_and_enable(SDEI_EV_PRIV_CRITICAL, critical_cb)) {
		result("setup", "cannot register the events");
		return 0;
	}
	t0 = ktime_get_ns();
	test_version();
	test_every_vcpu();
	test_irqs_masked();
	test_critical_preempts();
	test_resume_irq();
	test_hotplug();
	test_unregister_running();
	pr_info("SDEI-TEST done in %llu ms\n",
		(ktime_get_ns() - t0) / NSEC_PER_MSEC);
	return 0;
}

void refvmm_sdei_exit(void)
{
	if (!p_unregister)
		return;
	p_disable(SDEI_EV_PRIV_CRITICAL);
	p_disable(SDEI_EV_PRIV_NORMAL);
	p_disable(SDEI_EV_SIGNAL);
	p_unregister(SDEI_EV_PRIV_CRITICAL);
	p_unregister(SDEI_EV_PRIV_NORMAL);
	p_unregister(SDEI_EV_SIGNAL);
}
