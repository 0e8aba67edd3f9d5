// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: creation, register access in both modes, kicks, and the run loop
 * each vCPU thread runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vmm.h"

/* PSTATE of a PE entering the kernel: EL1h, DAIF masked (DEN0022 6.4.3) */
#define PSTATE_EL1H_DAIF	0x3c5

static __thread struct vcpu *self;

struct vcpu *vcpu_self(void)
{
	return self;
}

int vcpu_ioctl(struct vcpu *v, unsigned long req, void *arg)
{
	__atomic_fetch_add(&v->stats.ioctls, 1, __ATOMIC_RELAXED);
	return ioctl(v->fd, req, arg);
}

/* KVM_{GET,SET}_ONE_REG id of a core register (api.rst 4.68, arm64) */
static uint64_t core_reg_id(enum vreg r)
{
	size_t off;

	switch (r) {
	case REG_SP_EL0:
		off = offsetof(struct kvm_regs, regs.sp);
		break;
	case REG_PC:
		off = offsetof(struct kvm_regs, regs.pc);
		break;
	case REG_PSTATE:
		off = offsetof(struct kvm_regs, regs.pstate);
		break;
	case REG_SP_EL1:
		off = offsetof(struct kvm_regs, sp_el1);
		break;
	case REG_ELR_EL1:
		off = offsetof(struct kvm_regs, elr_el1);
		break;
	case REG_SPSR_EL1:
		off = offsetof(struct kvm_regs, spsr[KVM_SPSR_EL1]);
		break;
	default:
		off = offsetof(struct kvm_regs, regs.regs[r - REG_X0]);
		break;
	}
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
	       (off / sizeof(uint32_t));
}

/* The same register in kvm_run's KVM_SYNC_ARM64_REGS set */
static __u64 *sync_reg(struct vcpu *v, enum vreg r)
{
	struct kvm_sync_regs *s = &v->run->s.regs;

	switch (r) {
	case REG_SP_EL0:
		return &s->regs.sp;
	case REG_PC:
		return &s->regs.pc;
	case REG_PSTATE:
		return &s->regs.pstate;
	case REG_SP_EL1:
		return &s->sp_el1;
	case REG_ELR_EL1:
		return &s->elr_el1;
	case REG_SPSR_EL1:
		return &s->spsr[KVM_SPSR_EL1];
	default:
		return &s->regs.regs[r - REG_X0];
	}
}

uint64_t vcpu_get_reg(struct vcpu *v, enum vreg r)
{
	struct kvm_one_reg reg;
	uint64_t val;

	if (r >= NR_VREGS)
		vmm_die("vcpu%d: no register %d", v->idx, r);
	if (v->vm->regs_mode == REGS_SYNC)
		return *sync_reg(v, r);

	reg.id = core_reg_id(r);
	reg.addr = (uint64_t)&val;
	if (vcpu_ioctl(v, KVM_GET_ONE_REG, &reg))
		vmm_die("vcpu%d: KVM_GET_ONE_REG %d: %m", v->idx, r);
	return val;
}

void vcpu_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
	struct kvm_one_reg reg;

	if (r >= NR_VREGS)
		vmm_die("vcpu%d: no register %d", v->idx, r);
	if (r == REG_PC)
		vcpu_complete_mmio(v);
	if (v->vm->regs_mode == REGS_SYNC) {
		*sync_reg(v, r) = val;
		v->run->kvm_dirty_regs |= KVM_SYNC_ARM64_REGS;
		return;
	}

	reg.id = core_reg_id(r);
	reg.addr = (uint64_t)&val;
	if (vcpu_ioctl(v, KVM_SET_ONE_REG, &reg))
		vmm_die("vcpu%d: KVM_SET_ONE_REG %d: %m", v->idx, r);
}

void vcpu_smccc_ret(struct vcpu *v, uint64_t x0)
{
	vcpu_set_reg(v, REG_X0, x0);
}

void vcpu_smccc_ret4(struct vcpu *v, uint64_t x0, uint64_t x1, uint64_t x2,
		     uint64_t x3)
{
	vcpu_set_reg(v, REG_X0, x0);
	vcpu_set_reg(v, REG_X0 + 1, x1);
	vcpu_set_reg(v, REG_X0 + 2, x2);
	vcpu_set_reg(v, REG_X0 + 3, x3);
}

/*
 * A KVM_RUN that does not enter the guest: with immediate_exit set, KVM
 * loads a dirty register set, completes a pending MMIO access, stores the
 * registers into kvm_run and returns -EINTR (api.rst 6.74).
 */
static void vcpu_run_immediate_exit(struct vcpu *v)
{
	int r;

	v->run->immediate_exit = 1;
	__atomic_fetch_add(&v->stats.runs, 1, __ATOMIC_RELAXED);
	r = vcpu_ioctl(v, KVM_RUN, NULL);
	v->run->immediate_exit = 0;
	if (r != -1 || errno != EINTR)
		vmm_die("vcpu%d: KVM_RUN with immediate_exit: %d %m", v->idx, r);
}

/*
 * The pitfall: at a KVM_EXIT_MMIO exit the PC still points at the access,
 * and the next KVM_RUN finishes it (a load's register, PC + 4). Writing a
 * new PC first would make KVM finish the access in the new context: it
 * would step over the new context's first instruction and clobber one of
 * its registers. So the access is completed first, without entering the
 * guest.
 */
void vcpu_complete_mmio(struct vcpu *v)
{
	if (!v->mmio_pending)
		return;
	v->mmio_pending = false;
	vcpu_run_immediate_exit(v);
}

/*
 * Sync mode: kvm_run holds the registers of the last KVM_RUN return, and
 * a dirty set is loaded whole at the next one. An ioctl that changes the
 * registers in KVM (KVM_SET_VCPU_EVENTS with ext_dabt_pending commits the
 * exception entry at once) is undone by a dirty set loaded after it, and
 * is not seen by code that reads kvm_run. So around such an ioctl: once
 * before, which loads what the VMM has written so far, and once after,
 * which stores the new state. Each is one KVM_RUN that does not enter the
 * guest (and completes a pending MMIO access, which comes first anyway).
 */
void vcpu_sync_regs(struct vcpu *v)
{
	if (v->vm->regs_mode != REGS_SYNC)
		return;
	v->mmio_pending = false;
	vcpu_run_immediate_exit(v);
}

void vcpu_kick(struct vcpu *v)
{
	int err = pthread_kill(v->thread, VCPU_KICK_SIGNAL);

	if (err)
		vmm_die("vcpu%d: kick: %s", v->idx, strerror(err));
}

enum vcpu_power vcpu_power(struct vcpu *v)
{
	enum vcpu_power p;

	pthread_mutex_lock(&v->lock);
	p = v->power;
	pthread_mutex_unlock(&v->lock);
	return p;
}

static void vcpu_set_mp_state(struct vcpu *v, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	if (vcpu_ioctl(v, KVM_SET_MP_STATE, &mp))
		vmm_die("vcpu%d: KVM_SET_MP_STATE: %m", v->idx);
}

static void vcpu_arm_init(struct vcpu *v, bool power_off)
{
	struct kvm_vcpu_init init = v->vm->vcpu_init;

	if (power_off)
		init.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
	if (vcpu_ioctl(v, KVM_ARM_VCPU_INIT, &init))
		vmm_die("vcpu%d: KVM_ARM_VCPU_INIT: %m", v->idx);
}

void vcpu_create(struct vm *vm, int idx)
{
	struct vcpu *v = &vm->vcpus[idx];
	struct kvm_one_reg reg;
	int size;

	v->vm = vm;
	v->idx = idx;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, idx);
	if (v->fd < 0)
		vmm_die("KVM_CREATE_VCPU %d: %m", idx);
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		vmm_die("KVM_GET_VCPU_MMAP_SIZE: %m");
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		vmm_die("vcpu%d: mmap kvm_run: %m", idx);

	/* PSCI (DEN0022 5.6): secondaries start off and wait for CPU_ON */
	vcpu_arm_init(v, idx != 0);
	v->power = idx ? VCPU_OFF : VCPU_ON;

	reg.id = ARM64_SYS_REG(3, 0, 0, 0, 5);	/* MPIDR_EL1 */
	reg.addr = (uint64_t)&v->mpidr;
	if (vcpu_ioctl(v, KVM_GET_ONE_REG, &reg))
		vmm_die("vcpu%d: MPIDR_EL1: %m", idx);

	if (vm->regs_mode == REGS_SYNC)
		v->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
}

/*
 * Enter the kernel or a CPU_ON entry point: x0 = arg, PC = entry, EL1h with
 * DAIF masked. In sync mode kvm_run holds whatever the last KVM_RUN stored
 * (nothing yet, or the registers before a reset), and a dirty set is
 * loaded whole: so it is refreshed first, with a KVM_RUN that does not
 * enter the guest. That is the VM's first KVM_RUN for the boot vCPU, after
 * which no SMCCC range can be added: main() calls this after the units'
 * init().
 */
void vcpu_set_entry(struct vcpu *v, uint64_t entry, uint64_t arg)
{
	int i;

	if (v->vm->regs_mode == REGS_SYNC)
		vcpu_run_immediate_exit(v);
	for (i = 1; i <= 3; i++)
		vcpu_set_reg(v, REG_X0 + i, 0);
	vcpu_set_reg(v, REG_X0, arg);
	vcpu_set_reg(v, REG_PSTATE, PSTATE_EL1H_DAIF);
	vcpu_set_reg(v, REG_PC, entry);
}

/* CPU_ON's reset, in the target's thread (DEN0022 6.4.3) */
static void vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t ctx)
{
	struct vmm_unit *u;

	/*
	 * An OFF vCPU last exited for its CPU_OFF call (or never ran), so no
	 * MMIO access is pending: KVM_ARM_VCPU_INIT would not cancel one
	 * (api.rst 7.48). Register writes not loaded yet would be loaded over
	 * the reset state, and CPU_OFF's caller gets no result: drop them.
	 */
	v->mmio_pending = false;
	v->run->kvm_dirty_regs = 0;
	vcpu_arm_init(v, false);
	vcpu_set_entry(v, entry, ctx);
	vcpu_set_mp_state(v, KVM_MP_STATE_RUNNABLE);
	for (u = vmm_units; u; u = u->next)
		if (u->vcpu_reset)
			u->vcpu_reset(v);
}

/* Wait while the vCPU is off; do the reset a CPU_ON asked for */
static void vcpu_wait_power(struct vcpu *v)
{
	uint64_t entry, ctx;

	pthread_mutex_lock(&v->lock);
	if (v->power == VCPU_ON) {
		pthread_mutex_unlock(&v->lock);
		return;
	}
	while (v->power == VCPU_OFF)
		pthread_cond_wait(&v->cond, &v->lock);
	entry = v->entry;
	ctx = v->context_id;
	pthread_mutex_unlock(&v->lock);

	vcpu_power_on(v, entry, ctx);

	pthread_mutex_lock(&v->lock);
	v->power = VCPU_ON;
	pthread_mutex_unlock(&v->lock);
}

/* PSCI CPU_OFF from the vCPU itself: it stops until the next CPU_ON */
void vcpu_power_off(struct vcpu *v)
{
	vcpu_set_mp_state(v, KVM_MP_STATE_STOPPED);
	pthread_mutex_lock(&v->lock);
	v->power = VCPU_OFF;
	pthread_mutex_unlock(&v->lock);
}

/*
 * The kick signal is blocked in every thread; KVM_SET_SIGNAL_MASK unblocks
 * it inside KVM_RUN only. So a kick interrupts KVM_RUN (-EINTR) or, sent
 * while the thread is outside, makes the next KVM_RUN return at once. KVM
 * blocks it again before returning, so it stays pending: eat it here, or
 * every later KVM_RUN would return -EINTR.
 */
static void vcpu_setup_signals(struct vcpu *v)
{
	struct {
		struct kvm_signal_mask m;
		uint64_t set;
	} ksm;
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	sigdelset(&cur, VCPU_KICK_SIGNAL);
	ksm.m.len = sizeof(ksm.set);		/* the kernel's sigset_t */
	memcpy(&ksm.set, &cur, sizeof(ksm.set));
	if (vcpu_ioctl(v, KVM_SET_SIGNAL_MASK, &ksm))
		vmm_die("vcpu%d: KVM_SET_SIGNAL_MASK: %m", v->idx);
}

static void vcpu_eat_kicks(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

static void vcpu_run_error(struct vcpu *v, int err)
{
	bool handled = false;
	struct vmm_unit *u;

	vcpu_eat_kicks();
	for (u = vmm_units; u; u = u->next)
		if (u->run_error && u->run_error(v, err))
			handled = true;
	if (!handled && err != EINTR && err != EAGAIN)
		vmm_die("vcpu%d: KVM_RUN: %s", v->idx, strerror(err));
}

static void vcpu_handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		v->mmio_pending = true;
		vm_mmio(v, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			run->mmio.is_write);
		break;
	case KVM_EXIT_HYPERCALL:
		__atomic_fetch_add(&v->stats.hypercalls, 1, __ATOMIC_RELAXED);
		vm_hypercall(v);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		/* KVM's own PSCI, which the forwarded range replaces */
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			vm_stop(v->vm, VMM_EXIT_SYSTEM_OFF);
		else
			vm_stop(v->vm, VMM_EXIT_SYSTEM_RESET);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vmm_die("vcpu%d: entry failed, reason 0x%llx", v->idx,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	default:
		vmm_die("vcpu%d: unexpected exit %u", v->idx, run->exit_reason);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vmm_unit *u;
	int r;

	self = v;
	vcpu_setup_signals(v);
	for (;;) {
		vcpu_wait_power(v);
		if (vm_stopping(v->vm))
			break;
		for (u = vmm_units; u; u = u->next)
			if (u->pre_run)
				u->pre_run(v);

		v->mmio_pending = false;
		__atomic_fetch_add(&v->stats.runs, 1, __ATOMIC_RELAXED);
		r = vcpu_ioctl(v, KVM_RUN, NULL);
		__atomic_fetch_add(&v->stats.exits, 1, __ATOMIC_RELAXED);
		if (r < 0) {
			vcpu_run_error(v, errno);
			continue;
		}
		vcpu_handle_exit(v);
	}
	/* vm_stop(): the main thread exits the process */
	for (;;)
		pause();
	return NULL;
}

void vcpu_start(struct vcpu *v)
{
	int err = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (err)
		vmm_die("vcpu%d: pthread_create: %s", v->idx, strerror(err));
	/* vm_stop() may kick it from now on */
	__atomic_store_n(&v->started, true, __ATOMIC_RELEASE);
}
