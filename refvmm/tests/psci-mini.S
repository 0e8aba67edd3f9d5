/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bare-metal guest for refvmm that checks its PSCI 1.1 (DEN0022D.b) and
 * the test device in under a second: each call's result is compared with
 * the spec's; a mismatch prints '!' and the failing step's letter, then
 * calls SYSTEM_RESET (refvmm exits 2); success ends in SYSTEM_OFF
 * (refvmm exits 0). Loaded as an arm64 Image at the start of RAM.
 */
#define UART		0x09000000
#define PSCI_VERSION	0x84000000
#define CPU_SUSPEND	0xc4000001
#define CPU_OFF		0x84000002
#define CPU_ON		0xc4000003
#define CPU_ON32	0x84000003
#define AFFINITY_INFO	0xc4000004
#define MIGRATE_INFO	0x84000006
#define SYSTEM_OFF	0x84000008
#define SYSTEM_RESET	0x84000009
#define FEATURES	0x8400000a
#define SYSTEM_SUSPEND	0xc400000e
#define TESTDEV_VERSION	0xc2000000
#define CONTEXT_ID	0x1234

	/* call FN with x1-x3, expect x0 == RES, else fail with STEP */
	.macro	call, step, fn, res, a1=0, a2=0, a3=0
	ldr	x0, =\fn
	ldr	x1, =\a1
	ldr	x2, =\a2
	ldr	x3, =\a3
	hvc	#0
	ldr	x9, =\res
	mov	w10, \step
	cmp	x0, x9
	b.ne	fail
	.endm

	.macro	putc, c
	mov	w3, \c
	strb	w3, [x20]
	.endm

	.text
	.globl	_start
_start:					/* Documentation/arch/arm64/booting.rst */
	b	start
	.word	0
	.quad	0			/* text_offset */
	.quad	0x10000			/* image_size */
	.quad	0x2			/* flags: little-endian, 4K pages */
	.quad	0, 0, 0
	.word	0x644d5241		/* "ARM\x64" */
	.word	0

start:
	ldr	x20, =UART
	call	'v', PSCI_VERSION, 0x10001
	/* PSCI on SMC, a conduit the DT does not name: not KVM's PSCI either */
	ldr	x0, =PSCI_VERSION
	smc	#0
	mov	w10, 'w'
	cmn	x0, #1			/* NOT_SUPPORTED */
	b.ne	fail
	call	'm', MIGRATE_INFO, 2	/* Trusted OS not present */
	call	'f', FEATURES, 0, CPU_ON
	call	'g', FEATURES, 0, 0x80000000	/* SMCCC_VERSION */
	call	'h', FEATURES, -1, SYSTEM_SUSPEND
	call	'i', FEATURES, -1, 0xc5000000	/* not a PSCI ID */
	call	'u', CPU_SUSPEND, 0, 0
	call	'a', AFFINITY_INFO, 1, 1	/* cpu1 starts off */
	call	'b', AFFINITY_INFO, -2, 1, 1	/* level 1: not supported */
	call	'c', AFFINITY_INFO, -2, 9	/* no such CPU */
	call	'n', CPU_ON, -2, 9, secondary	/* no such CPU */
	call	'p', CPU_ON, -9, 1, 0x1000	/* entry outside RAM */
	call	'q', CPU_ON, -4, 0, secondary	/* self: already on */
	/* SMC32 CPU_ON: the upper halves of the arguments are ignored */
	ldr	x4, =0xffffffff00000000
	adr	x5, secondary
	ldr	x0, =CPU_ON32
	orr	x1, x4, #1
	orr	x2, x5, x4
	ldr	x3, =CONTEXT_ID
	orr	x3, x3, x4
	hvc	#0
	mov	w10, 'o'
	cbnz	x0, fail
	putc	'O'
	/* the secondary sets flag, then calls CPU_OFF */
	adr	x5, flag
1:	ldr	x6, [x5]
	cbz	x6, 1b
2:	ldr	x0, =AFFINITY_INFO
	mov	x1, #1
	mov	x2, #0
	hvc	#0
	cmp	x0, #1			/* OFF */
	b.ne	2b
	putc	'A'
	/* and again: a CPU that was turned off can be turned on */
	str	xzr, [x5]
	call	'r', CPU_ON, 0, 1, secondary, CONTEXT_ID
3:	ldr	x6, [x5]
	cbz	x6, 3b
	call	't', TESTDEV_VERSION, 1
	putc	'\n'
	ldr	x0, =SYSTEM_OFF
	hvc	#0
	mov	w10, 'z'
	b	fail

secondary:
	ldr	x20, =UART
	ldr	x1, =CONTEXT_ID
	mov	w10, 'x'
	cmp	x0, x1			/* x0 = context_id */
	b.ne	fail
	mrs	x1, daif
	mov	w10, 'd'
	cmp	x1, #0x3c0		/* DAIF masked at entry */
	b.ne	fail
	putc	'S'
	adr	x5, flag
	mov	x6, #1
	str	x6, [x5]
	ldr	x0, =CPU_OFF
	hvc	#0
	mov	w10, 'y'		/* CPU_OFF returned */

fail:					/* w10: the step */
	ldr	x20, =UART
	putc	'!'
	strb	w10, [x20]
	putc	'\n'
	ldr	x0, =SYSTEM_RESET
	hvc	#0
4:	wfi
	b	4b

	.ltorg
	.balign	8
flag:	.quad	0
