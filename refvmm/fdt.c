// SPDX-License-Identifier: GPL-2.0
/*
 * A small FDT writer: see fdt.h. Layout of the blob (DT spec v0.4, 5.1):
 * header, memory reservation block (empty: one terminating entry),
 * structure block, strings block.
 */
#include <endian.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "vmm.h"

#define FDT_MAGIC		0xd00dfeed
#define FDT_BEGIN_NODE		0x1
#define FDT_END_NODE		0x2
#define FDT_PROP		0x3
#define FDT_END			0x9
#define FDT_VERSION		17
#define FDT_LAST_COMP_VERSION	16
#define FDT_HDR_SIZE		40
#define FDT_RSV_SIZE		16	/* the terminating (0, 0) entry */
#define FDT_MAX_STRUCT		0x10000
#define FDT_MAX_STRINGS		0x2000

struct fdt {
	uint8_t st[FDT_MAX_STRUCT];
	size_t st_len;
	char str[FDT_MAX_STRINGS];
	size_t str_len;
	int depth;
	uint32_t last_phandle;
};

struct fdt *fdt_create(void)
{
	struct fdt *fdt = calloc(1, sizeof(*fdt));

	if (!fdt)
		vmm_die("fdt: out of memory");
	return fdt;
}

static void st_put(struct fdt *fdt, const void *p, size_t len)
{
	size_t padded = (len + 3) & ~3UL;

	if (fdt->st_len + padded > FDT_MAX_STRUCT)
		vmm_die("fdt: structure block full");
	memcpy(fdt->st + fdt->st_len, p, len);
	memset(fdt->st + fdt->st_len + len, 0, padded - len);
	fdt->st_len += padded;
}

static void st_u32(struct fdt *fdt, uint32_t v)
{
	v = htobe32(v);
	st_put(fdt, &v, 4);
}

/* Offset of name in the strings block, added once */
static uint32_t str_off(struct fdt *fdt, const char *name)
{
	size_t len = strlen(name) + 1, off = 0;

	while (off < fdt->str_len) {
		if (!strcmp(fdt->str + off, name))
			return off;
		off += strlen(fdt->str + off) + 1;
	}
	if (fdt->str_len + len > FDT_MAX_STRINGS)
		vmm_die("fdt: strings block full");
	memcpy(fdt->str + fdt->str_len, name, len);
	fdt->str_len += len;
	return off;
}

void fdt_begin_node(struct fdt *fdt, const char *name)
{
	st_u32(fdt, FDT_BEGIN_NODE);
	st_put(fdt, name, strlen(name) + 1);
	fdt->depth++;
}

void fdt_end_node(struct fdt *fdt)
{
	if (!fdt->depth)
		vmm_die("fdt: end of a node that was not begun");
	st_u32(fdt, FDT_END_NODE);
	fdt->depth--;
}

void fdt_prop(struct fdt *fdt, const char *name, const void *val, size_t len)
{
	if (!fdt->depth)
		vmm_die("fdt: property %s outside a node", name);
	st_u32(fdt, FDT_PROP);
	st_u32(fdt, len);
	st_u32(fdt, str_off(fdt, name));
	st_put(fdt, val, len);
}

void fdt_prop_empty(struct fdt *fdt, const char *name)
{
	fdt_prop(fdt, name, NULL, 0);
}

void fdt_prop_u32(struct fdt *fdt, const char *name, uint32_t val)
{
	val = htobe32(val);
	fdt_prop(fdt, name, &val, sizeof(val));
}

void fdt_prop_u64(struct fdt *fdt, const char *name, uint64_t val)
{
	val = htobe64(val);
	fdt_prop(fdt, name, &val, sizeof(val));
}

void fdt_prop_str(struct fdt *fdt, const char *name, const char *s)
{
	fdt_prop(fdt, name, s, strlen(s) + 1);
}

void fdt_prop_cells(struct fdt *fdt, const char *name, int n, ...)
{
	uint32_t cells[16];
	va_list ap;
	int i;

	if (n > 16)
		vmm_die("fdt: %s: too many cells", name);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		cells[i] = htobe32(va_arg(ap, uint32_t));
	va_end(ap);
	fdt_prop(fdt, name, cells, n * sizeof(cells[0]));
}

void fdt_prop_reg64(struct fdt *fdt, const char *name, uint64_t addr,
		    uint64_t size)
{
	fdt_prop_cells(fdt, name, 4, (uint32_t)(addr >> 32), (uint32_t)addr,
		       (uint32_t)(size >> 32), (uint32_t)size);
}

uint32_t fdt_phandle(struct fdt *fdt)
{
	return ++fdt->last_phandle;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

void *fdt_finish(struct fdt *fdt, size_t *size)
{
	size_t off_st, off_str, total;
	uint8_t *blob;

	if (fdt->depth)
		vmm_die("fdt: %d node(s) left open", fdt->depth);
	st_u32(fdt, FDT_END);

	off_st = FDT_HDR_SIZE + FDT_RSV_SIZE;
	off_str = off_st + fdt->st_len;
	total = (off_str + fdt->str_len + 7) & ~7UL;
	blob = calloc(1, total);
	if (!blob)
		vmm_die("fdt: out of memory");

	put_be32(blob + 0, FDT_MAGIC);
	put_be32(blob + 4, total);
	put_be32(blob + 8, off_st);
	put_be32(blob + 12, off_str);
	put_be32(blob + 16, FDT_HDR_SIZE);	/* off_mem_rsvmap */
	put_be32(blob + 20, FDT_VERSION);
	put_be32(blob + 24, FDT_LAST_COMP_VERSION);
	put_be32(blob + 28, 0);			/* boot_cpuid_phys */
	put_be32(blob + 32, fdt->str_len);
	put_be32(blob + 36, fdt->st_len);
	/* the reservation block is its zero terminator, from calloc */
	memcpy(blob + off_st, fdt->st, fdt->st_len);
	memcpy(blob + off_str, fdt->str, fdt->str_len);

	*size = total;
	free(fdt);
	return blob;
}
