// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debug-only fault injection for the RAS guest exit paths.
 *
 * Under emulation a real SEA or SError never reaches KVM, so the exits that
 * report them, and the APEI claim behind them, cannot be tested. This turns
 * an IRQ exit, which carries nothing KVM has to handle, into the SError or
 * SEA exit a test has armed, and lets the normal exit handling run on it.
 */

#include <linux/kvm_host.h>
#include <linux/spinlock.h>

#include <asm/esr.h>
#include <asm/kvm_asm.h>

/* Serialises arming against consumption, for every VM: debug only */
static DEFINE_SPINLOCK(ras_inject_lock);

/**
 * ras_inject_esr_valid() - Does a syndrome describe the exit it is armed for?
 * @type: the exit to make
 * @esr: the ESR_EL2 value to report for it
 *
 * An SError exit needs an SError syndrome, or a data abort's: the vgic-v2
 * CPU interface trap reports an illegal GICV access as an SError exit that
 * keeps the data abort's syndrome, an SError KVM makes itself. An SEA exit
 * needs a data or
 * instruction abort from a lower EL with one of the synchronous external
 * abort fault status codes (Arm ARM, ESR_EL2 ISS encoding for an exception
 * from a Data Abort), so that it takes the SEA path of
 * kvm_handle_guest_abort() and never the stage-2 fault handling.
 *
 * Return: true if @esr is valid for @type.
 */
static bool ras_inject_esr_valid(enum kvm_arm_ras_inject_type type, u64 esr)
{
	switch (type) {
	case KVM_ARM_RAS_INJECT_NONE:
		return true;
	case KVM_ARM_RAS_INJECT_SERROR:
		return ESR_ELx_EC(esr) == ESR_ELx_EC_SERROR ||
		       ESR_ELx_EC(esr) == ESR_ELx_EC_DABT_LOW;
	case KVM_ARM_RAS_INJECT_SEA:
		if (ESR_ELx_EC(esr) != ESR_ELx_EC_DABT_LOW &&
		    ESR_ELx_EC(esr) != ESR_ELx_EC_IABT_LOW)
			return false;

		switch (esr & ESR_ELx_FSC) {
		case ESR_ELx_FSC_EXTABT:
		case ESR_ELx_FSC_SEA_TTW(-1) ... ESR_ELx_FSC_SEA_TTW(3):
		case ESR_ELx_FSC_SECC:
		case ESR_ELx_FSC_SECC_TTW(-1) ... ESR_ELx_FSC_SECC_TTW(3):
			return true;
		default:
			return false;
		}
	default:
		return false;
	}
}

/**
 * kvm_arm_ras_inject_arm() - Arm the next IRQ exit of a vCPU as an SError or SEA
 * @kvm: the VM
 * @vcpu_idx: index of the vCPU, or -1 for whichever vCPU of @kvm exits first
 * @inj: the exit to make, or type KVM_ARM_RAS_INJECT_NONE to disarm
 *
 * The next time the vCPU exits on a physical IRQ, the exit is reported as an
 * SError taken from the guest (ARM_EXCEPTION_EL1_SERROR with ESR_EL2 set to
 * @inj->esr), or as a synchronous external abort trapped from the guest
 * (ARM_EXCEPTION_TRAP with @inj->esr, @inj->far and @inj->hpfar as ESR_EL2,
 * FAR_EL2 and HPFAR_EL2). KVM then handles it as it would the real one:
 * handle_exit_early() or handle_exit() asks APEI to claim it and, if APEI
 * does not, decides what to inject into the guest. Only IRQ exits are
 * replaced, as nothing is lost when they are: the IRQ is taken by the host
 * all the same. Arming replaces what was armed before, and kicks the vCPUs
 * concerned so that a running vCPU exits promptly; a vCPU that is not
 * running makes the IRQ exit itself on its next entry, see
 * kvm_arm_ras_inject_enter(). Neither depends on the host's timer tick.
 *
 * Context: process context, holding a reference on @kvm (for instance
 * through an open VM file, see kvm_arm_ras_inject_file_kvm()). Only for
 * testing, with CONFIG_KVM_ARM_RAS_INJECT.
 *
 * Return: 0 on success, -EINVAL if @vcpu_idx is not a vCPU of @kvm or
 * @inj->esr does not describe the exit, -EPERM for a protected VM.
 */
int kvm_arm_ras_inject_arm(struct kvm *kvm, int vcpu_idx,
			   const struct kvm_arm_ras_inject *inj)
{
	struct kvm_arm_ras_inject *slot;
	struct kvm_vcpu *vcpu = NULL;
	unsigned long i;

	if (kvm_vm_is_protected(kvm))
		return -EPERM;

	if (!ras_inject_esr_valid(inj->type, inj->esr))
		return -EINVAL;

	if (vcpu_idx >= 0) {
		vcpu = kvm_get_vcpu(kvm, vcpu_idx);
		if (!vcpu)
			return -EINVAL;
		slot = &vcpu->arch.ras_inject;
	} else if (vcpu_idx == -1) {
		slot = &kvm->arch.ras_inject;
	} else {
		return -EINVAL;
	}

	spin_lock(&ras_inject_lock);
	slot->esr = inj->esr;
	slot->far = inj->far;
	slot->hpfar = inj->hpfar;
	WRITE_ONCE(slot->type, inj->type);
	spin_unlock(&ras_inject_lock);

	if (inj->type == KVM_ARM_RAS_INJECT_NONE)
		return 0;

	if (vcpu) {
		kvm_vcpu_kick(vcpu);
	} else {
		kvm_for_each_vcpu(i, vcpu, kvm)
			kvm_vcpu_kick(vcpu);
	}

	return 0;
}
EXPORT_SYMBOL_GPL(kvm_arm_ras_inject_arm);

/**
 * kvm_arm_ras_inject_enter() - Make sure an armed vCPU makes an IRQ exit
 * @vcpu: the vCPU about to enter the guest
 *
 * A vCPU that was not running when its exit was armed got no kick, and a
 * host without timer ticks on its CPU (nohz_full) may never interrupt it.
 * Send this CPU an IPI: interrupts are masked until the guest runs, so it is
 * taken as an IRQ exit as soon as the guest is entered.
 *
 * Context: called before every guest entry, preemption and interrupts
 * disabled, the vCPU in IN_GUEST_MODE.
 */
void kvm_arm_ras_inject_enter(struct kvm_vcpu *vcpu)
{
	if (READ_ONCE(vcpu->arch.ras_inject.type) ||
	    READ_ONCE(vcpu->kvm->arch.ras_inject.type))
		arch_smp_send_reschedule(smp_processor_id());
}

/**
 * kvm_arm_ras_inject_exit() - Turn an IRQ exit into the exit armed for a vCPU
 * @vcpu: the vCPU that has just exited
 * @exit_code: the exit code returned by the world switch
 *
 * Called on every guest exit, before the exit is handled, with preemption
 * disabled. What was armed for @vcpu itself is used first, then what was
 * armed for any vCPU of its VM; either is used once.
 *
 * Return: the exit code KVM is to handle.
 */
int kvm_arm_ras_inject_exit(struct kvm_vcpu *vcpu, int exit_code)
{
	struct kvm_arm_ras_inject *slot = &vcpu->arch.ras_inject;
	struct kvm_arm_ras_inject inj;

	/* Neither a trap nor a pending SError can be dropped */
	if (exit_code != ARM_EXCEPTION_IRQ)
		return exit_code;

	if (!READ_ONCE(slot->type)) {
		slot = &vcpu->kvm->arch.ras_inject;
		if (!READ_ONCE(slot->type))
			return exit_code;
	}

	spin_lock(&ras_inject_lock);
	inj = *slot;
	slot->type = KVM_ARM_RAS_INJECT_NONE;
	if (inj.type)
		vcpu->kvm->arch.ras_inject_count++;
	spin_unlock(&ras_inject_lock);

	switch (inj.type) {
	case KVM_ARM_RAS_INJECT_SERROR:
		vcpu->arch.fault.esr_el2 = inj.esr;
		return ARM_EXCEPTION_EL1_SERROR;
	case KVM_ARM_RAS_INJECT_SEA:
		vcpu->arch.fault.esr_el2 = inj.esr;
		vcpu->arch.fault.far_el2 = inj.far;
		vcpu->arch.fault.hpfar_el2 = inj.hpfar;
		return ARM_EXCEPTION_TRAP;
	default:
		/* Disarmed meanwhile */
		return exit_code;
	}
}

/**
 * kvm_arm_ras_inject_file_kvm() - The VM of a VM file, for a test module
 * @file: a file the caller holds, for instance from fdget()
 *
 * file_is_kvm() is exported to KVM's own modules only, so a test module asks
 * here whether the file descriptor it was given is a VM's.
 *
 * Return: the VM, valid for as long as the caller holds @file, or NULL if
 * @file is not a VM file.
 */
struct kvm *kvm_arm_ras_inject_file_kvm(struct file *file)
{
	return file_is_kvm(file) ? file->private_data : NULL;
}
EXPORT_SYMBOL_GPL(kvm_arm_ras_inject_file_kvm);

/**
 * kvm_arm_ras_inject_count() - How many armed exits has a VM made?
 * @kvm: the VM
 *
 * Lets a test tell an armed exit that KVM handled without visible effect,
 * such as a claimed SError, from one that never happened.
 *
 * Context: process context, holding a reference on @kvm.
 *
 * Return: the number of IRQ exits of @kvm replaced by an armed exit.
 */
unsigned long kvm_arm_ras_inject_count(struct kvm *kvm)
{
	unsigned long count;

	spin_lock(&ras_inject_lock);
	count = kvm->arch.ras_inject_count;
	spin_unlock(&ras_inject_lock);

	return count;
}
EXPORT_SYMBOL_GPL(kvm_arm_ras_inject_count);
