/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Interface of kvm_ras_testmod, the test module that plays firmware for the
 * RAS selftests: it writes CPER records into the GHES error status blocks
 * described by the HEST, and arms the KVM_ARM_RAS_INJECT exit injection.
 */
#ifndef _KVM_RAS_TESTMOD_H
#define _KVM_RAS_TESTMOD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KVM_RAS_TESTMOD_DEV	"/dev/kvm_ras_testmod"

/* Error sources, named after their HEST notification type (ACPI 6.5, 18.3.2.9) */
#define KVM_RAS_TESTMOD_SRC_SEA	8
#define KVM_RAS_TESTMOD_SRC_SEI	9

/* Bits of KVM_RAS_TESTMOD_SOURCES' result: which sources the HEST has */
#define KVM_RAS_TESTMOD_HAS_SEA	0x1
#define KVM_RAS_TESTMOD_HAS_SEI	0x2

/* Severities (UEFI 2.10, N.2.2 Section Descriptor, CPER_SEV_*) */
#define KVM_RAS_TESTMOD_SEV_RECOVERABLE	0
#define KVM_RAS_TESTMOD_SEV_FATAL	1
#define KVM_RAS_TESTMOD_SEV_CORRECTED	2

/*
 * KVM_RAS_TESTMOD_WRITE_CPER: write a record holding one UEFI memory error
 * section that names @pa into the error status block of the first GHES
 * with notification type @source, as firmware would before notifying.
 * Errors: EINVAL (bad source or severity), ENODEV (no such source),
 * EBUSY (the block still holds a record the OS has not acknowledged),
 * ENOSPC (the block is too small), ENXIO (a register or the block is not
 * in memory reserved from the OS), EFAULT.
 */
struct kvm_ras_testmod_cper {
	__u32 source;
	__u32 severity;
	__u64 pa;
};

/*
 * KVM_RAS_TESTMOD_CPER_PENDING: returns 1 while the block of @source still
 * holds a record the OS has not read and acknowledged, 0 otherwise. The
 * other fields must be 0. Errors as for KVM_RAS_TESTMOD_WRITE_CPER.
 */

/* Exits for KVM_RAS_TESTMOD_ARM_EXIT, as in KVM_ARM_RAS_INJECT */
#define KVM_RAS_TESTMOD_EXIT_NONE	0
#define KVM_RAS_TESTMOD_EXIT_SERROR	1
#define KVM_RAS_TESTMOD_EXIT_SEA	2

/*
 * KVM_RAS_TESTMOD_ARM_EXIT: make the next IRQ exit of vCPU @vcpu (-1: any
 * vCPU) of the VM @vm_fd an SError exit with ESR_EL2 @esr, or an SEA exit
 * with ESR_EL2 @esr, FAR_EL2 @far and HPFAR_EL2 @hpfar.
 * Errors: EBADF, EINVAL (not a VM, bad vCPU, syndrome or pad), EPERM.
 */
struct kvm_ras_testmod_exit {
	__s32 vm_fd;
	__s32 vcpu;
	__u32 type;
	__u32 pad;
	__u64 esr;
	__u64 far;
	__u64 hpfar;
};

/* KVM_RAS_TESTMOD_EXIT_COUNT: how many armed exits the VM @vm_fd made */
struct kvm_ras_testmod_count {
	__s32 vm_fd;
	__u32 pad;
	__u64 count;
};

#define KVM_RAS_TESTMOD_IO	0xbe
#define KVM_RAS_TESTMOD_SOURCES		_IO(KVM_RAS_TESTMOD_IO, 0)
#define KVM_RAS_TESTMOD_WRITE_CPER	_IOW(KVM_RAS_TESTMOD_IO, 1, struct kvm_ras_testmod_cper)
#define KVM_RAS_TESTMOD_CPER_PENDING	_IOW(KVM_RAS_TESTMOD_IO, 2, struct kvm_ras_testmod_cper)
#define KVM_RAS_TESTMOD_ARM_EXIT	_IOW(KVM_RAS_TESTMOD_IO, 3, struct kvm_ras_testmod_exit)
#define KVM_RAS_TESTMOD_EXIT_COUNT	_IOWR(KVM_RAS_TESTMOD_IO, 4, struct kvm_ras_testmod_count)

#endif /* _KVM_RAS_TESTMOD_H */
