/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest test module of refvmm (refvmm_test.ko): shared by its parts,
 * refvmm_guest_test.c (module init, debugfs, helpers), sdei_test.c (the
 * SDEI scenarios) and ras.c (the RAS scenarios).
 *
 * Markers on the console, checked by the host-side driver:
 *   "SDEI-TEST <name>: PASS" / "SDEI-TEST <name>: FAIL <why>"
 *   "RAS-TEST <name>: PASS"  / "RAS-TEST <name>: FAIL <why>"
 */
#ifndef REFVMM_GUEST_H
#define REFVMM_GUEST_H

struct dentry;

/*
 * The address of a kernel symbol the kernel does not export to modules
 * (drivers/firmware/arm_sdei.c exports nothing), or 0. Needs
 * CONFIG_KPROBES and CONFIG_KALLSYMS in the guest.
 */
unsigned long refvmm_lookup(const char *name);

int refvmm_sdei_init(struct dentry *dir);
void refvmm_sdei_exit(void);
int refvmm_ras_init(struct dentry *dir);
void refvmm_ras_exit(void);

#endif /* REFVMM_GUEST_H */
