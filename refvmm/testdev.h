/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refvmm's test device: a SiP service (DEN0028, "Service Owner" 2, SMC64
 * fast calls) on the HVC conduit, and the platform's SDEI event numbers.
 * Shared by the VMM (refvmm/testdev.c, sdei, ras) and the guest module
 * (refvmm/guest/refvmm_guest_test.c), so macros only: no types, no
 * include, usable from kernel and user code alike.
 *
 * Calls: x0 = function ID, x1.. = arguments; x0 = result, negative values
 * are SMCCC errors (TESTDEV_NOT_SUPPORTED, TESTDEV_INVALID_PARAMETERS).
 */
#ifndef REFVMM_TESTDEV_H
#define REFVMM_TESTDEV_H

#define TESTDEV_FN_BASE		0xc2000000	/* SMC64, fast, SiP */
#define TESTDEV_FN_COUNT	0x20		/* range forwarded to the VMM */
#define TESTDEV_FN(n)		(TESTDEV_FN_BASE + (n))

/* () -> TESTDEV_VERSION_1 */
#define TESTDEV_VERSION		TESTDEV_FN(0)
#define TESTDEV_VERSION_1	1

/*
 * (event, target vCPU index, delay_us) -> 0: another VMM thread signals
 * the SDEI event after delay_us and kicks the target vCPU out of KVM_RUN,
 * so the event is dispatched asynchronously (the guest may be spinning
 * with IRQs masked). For a shared event, the target is ignored.
 * TESTDEV_BUSY while TESTDEV_SDEI_SIGNAL_MAX signals are still waiting.
 */
#define TESTDEV_SDEI_SIGNAL_MAX	16
#define TESTDEV_SDEI_SIGNAL	TESTDEV_FN(1)

/*
 * (gpa, flags) -> 0: the host poisons the page holding gpa for real
 * (madvise(MADV_HWPOISON) on the VMM's mapping); flags select how the VMM
 * tells the guest when the error is reported to it.
 */
#define TESTDEV_POISON		TESTDEV_FN(2)
#define TESTDEV_POISON_SDEI	(1UL << 0)	/* SDEI event + error record */
#define TESTDEV_POISON_SERROR	(1UL << 1)	/* KVM_ARM_INJECT_SERROR */
#define TESTDEV_POISON_SEA	(1UL << 2)	/* KVM_SET_VCPU_EVENTS */
#define TESTDEV_POISON_EARLY	(1UL << 8)	/* report BUS_MCEERR_AO too */

/*
 * (what, vCPU index) -> count: the SDEI dispatcher's counters for that
 * vCPU. what < 0x13: calls of SDEI function 0xc4000020 + what (e.g. 0x0b
 * PE_MASK, 0x0c PE_UNMASK, 0x11 PRIVATE_RESET); or one of the below.
 */
#define TESTDEV_SDEI_COUNT		TESTDEV_FN(0x10)
#define TESTDEV_SDEI_COUNT_DISPATCHED	0x100
#define TESTDEV_SDEI_COUNT_COMPLETED	0x101
#define TESTDEV_SDEI_COUNT_RESUMED	0x102	/* COMPLETE_AND_RESUME */
#define TESTDEV_SDEI_COUNT_PREEMPTED	0x103	/* critical over normal */
#define TESTDEV_SDEI_COUNT_RESUME_PC	0x104	/* the last one's resume_addr */

/* SMCCC return codes (DEN0028 "Return codes") */
#define TESTDEV_SUCCESS			0
#define TESTDEV_NOT_SUPPORTED		(-1)
#define TESTDEV_INVALID_PARAMETERS	(-3)
/* the test device's own: try again later */
#define TESTDEV_BUSY			(-4)

/*
 * SDEI events of the platform (DEN0054C 4.1: event 0 is the standard
 * software signalled event; the others are platform defined).
 */
#define SDEI_EV_SIGNAL		0x000	/* private, normal (spec) */
#define SDEI_EV_PRIV_NORMAL	0x100
#define SDEI_EV_PRIV_CRITICAL	0x101
#define SDEI_EV_SHARED_NORMAL	0x200
#define SDEI_EV_SHARED_CRITICAL	0x201
#define SDEI_EV_RAS		0x300	/* private, critical */

#endif /* REFVMM_TESTDEV_H */
