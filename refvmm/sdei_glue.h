/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SDEI unit of refvmm: the dispatcher of sdei.c wired to the VM.
 * Other units (ras.c) trigger platform events through it.
 */
#ifndef REFVMM_SDEI_GLUE_H
#define REFVMM_SDEI_GLUE_H

#include <stdint.h>

struct vm;

/*
 * Trigger SDEI event @event (testdev.h's numbers), on vCPU @vcpu for a
 * private event, and kick the vCPU that takes it. From any thread.
 * 0, or -ENOENT (no such event), -EINVAL (bad vCPU), -EAGAIN (the guest
 * has not registered the event there: dropped), -ENODEV (no SDEI).
 */
int vm_sdei_signal(struct vm *vm, uint32_t event, int vcpu);

#endif /* REFVMM_SDEI_GLUE_H */
