/* SPDX-License-Identifier: GPL-2.0 */
/* What the parts of refvmm's guest test module share */
#ifndef REFVMM_GUEST_H
#define REFVMM_GUEST_H

struct dentry;

/*
 * The address of a kernel symbol: arm_sdei.c exports nothing to modules,
 * so the module finds what it calls. 0 if not found.
 */
unsigned long refvmm_lookup(const char *name);

/* ras.c: the RAS notifications (debugfs ras_poison, ras_status) */
int refvmm_ras_init(struct dentry *dir);
void refvmm_ras_exit(void);

#endif /* REFVMM_GUEST_H */
