/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference VMM's RAS unit (ras.c): from a host memory error on guest
 * RAM to a notification the guest understands. It is a VMM unit
 * (VMM_UNIT(ras_unit)): it registers TESTDEV_POISON(gpa, flags) with the
 * test device, and makes the RAS event (SDEI_EV_RAS) pending on a vCPU
 * with the SDEI glue's vm_sdei_signal() (sdei_glue.h).
 */
#ifndef REFVMM_RAS_H
#define REFVMM_RAS_H

#include <stdint.h>

struct vcpu;
struct vm;

/*
 * The error records: RAS_RECORD_SIZE bytes at the start of the firmware
 * area at the top of RAM (VMM_FW_SIZE), reserved in the DT under
 * /reserved-memory (no-map) with this compatible. RAS_RECORD_SLOTS records
 * of RAS_RECORD_SLOT_SIZE bytes each: an ACPI 6.5 Generic Error Status
 * Block, one Generic Error Data Entry (revision 0x300) and a UEFI 2.10
 * CPER Memory Error Section. A slot is free while its Block Status is 0;
 * the guest clears it when it has read the record.
 */
#define RAS_RECORD_SIZE		0x1000UL
#define RAS_RECORD_SLOT_SIZE	0x100UL
#define RAS_RECORD_SLOTS	(RAS_RECORD_SIZE / RAS_RECORD_SLOT_SIZE)
#define RAS_DT_COMPATIBLE	"refvmm,ras-error-records"

/*
 * The syndrome of the SError notification (ISS of ESR_EL1): DFSC 0x11
 * (asynchronous SError), AET UEO (Restartable). The guest reads
 * ESR_EL1 = 0xbe000000 | RAS_SERROR_ISS.
 */
#define RAS_SERROR_ISS		0x811UL

/* TESTDEV_POISON from vCPU @v: the SMCCC result for x0 */
int64_t ras_testdev_poison(struct vcpu *v, uint64_t gpa, uint64_t flags);

/* Counters, logged at exit */
struct ras_stats {
	unsigned long poisoned, ar, ao, sdei, serror, sea, replaced, lost;
};
void ras_get_stats(struct ras_stats *st);

#endif /* REFVMM_RAS_H */
