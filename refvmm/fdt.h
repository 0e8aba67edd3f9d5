/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small flattened device tree writer (Devicetree Specification v0.4,
 * chapter 5: version 17 blob). Nodes are written in order: begin a node,
 * add its properties, then its subnodes, end it. Values are converted to
 * big-endian here; a writer error (out of space, unbalanced nodes) is
 * fatal, as the VMM cannot boot the guest without its DT.
 */
#ifndef REFVMM_FDT_H
#define REFVMM_FDT_H

#include <stddef.h>
#include <stdint.h>

struct fdt;

struct fdt *fdt_create(void);
void fdt_begin_node(struct fdt *fdt, const char *name);
void fdt_end_node(struct fdt *fdt);
void fdt_prop(struct fdt *fdt, const char *name, const void *val, size_t len);
void fdt_prop_empty(struct fdt *fdt, const char *name);
void fdt_prop_u32(struct fdt *fdt, const char *name, uint32_t val);
void fdt_prop_u64(struct fdt *fdt, const char *name, uint64_t val);
void fdt_prop_str(struct fdt *fdt, const char *name, const char *s);
/* A string list: "a\0b" has to be given with its length, so use fdt_prop() */
/* n 32-bit cells */
void fdt_prop_cells(struct fdt *fdt, const char *name, int n, ...);
/* reg = <addr-hi addr-lo size-hi size-lo> for #address/#size-cells = 2 */
void fdt_prop_reg64(struct fdt *fdt, const char *name, uint64_t addr,
		    uint64_t size);
uint32_t fdt_phandle(struct fdt *fdt);		/* a new phandle */
/* Ends the tree; returns the blob (malloc'ed) and its size */
void *fdt_finish(struct fdt *fdt, size_t *size);

#endif /* REFVMM_FDT_H */
