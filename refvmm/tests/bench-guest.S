/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bare-metal guest for refvmm that times the firmware services the VMM
 * plays, as seen by a guest (make bench, refvmm/tests/refvmm-bench):
 *
 *   BENCH_CPU_ON: a PSCI CPU_ON round trip (DEN0022D.b 5.1.4): vCPU 0
 *     starts vCPU 1, which calls CPU_OFF at once; vCPU 0 waits until
 *     AFFINITY_INFO reports it OFF again, as an OS does before it can
 *     start that CPU again.
 *   BENCH_SDEI: an SDEI event delivery (DEN0054C): the guest signals
 *     event 0 to itself (SDEI_EVENT_SIGNAL), the VMM dispatches it when
 *     the call returns, the handler counts it and calls
 *     SDEI_EVENT_COMPLETE, and the VMM resumes the signalling code.
 *
 * Each runs WARMUP untimed iterations, then ITERS timed ones, and prints
 * "refvmm-bench: <name> <iterations> <counter ticks> <counter frequency>
 * <warm-up iterations> <AFFINITY_INFO calls>" in hex
 * on the UART; then SYSTEM_OFF (refvmm exits 0). A result that is not the
 * spec's prints '!' and a step letter and ends in SYSTEM_RESET (refvmm
 * exits 2), so a broken service cannot produce a number.
 */
#define UART		0x09000000
#define CPU_OFF		0x84000002
#define CPU_ON		0xc4000003
#define AFFINITY_INFO	0xc4000004
#define SYSTEM_OFF	0x84000008
#define SYSTEM_RESET	0x84000009
#define SDEI_REGISTER	0xc4000021
#define SDEI_ENABLE	0xc4000022
#define SDEI_COMPLETE	0xc4000025
#define SDEI_PE_UNMASK	0xc400002c
#define SDEI_SIGNAL	0xc400002f

#define WARMUP		200
#define ITERS		2000

	/* x0 = fn, x1-x3 = args, hvc; x0 != 0 fails with step */
	.macro	call0, step, fn, a1=0, a2=0, a3=0
	ldr	x0, =\fn
	ldr	x1, =\a1
	ldr	x2, =\a2
	ldr	x3, =\a3
	hvc	#0
	mov	w10, \step
	cbnz	x0, fail
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
	mov	x26, #0
#ifdef BENCH_SDEI
	adr	x19, sdei_name
	/* event 0, handler, argument, RM_ANY (DEN0054C 5.1.2) */
	adr	x2, handler
	ldr	x0, =SDEI_REGISTER
	mov	x1, #0
	mov	x3, #0
	mov	x4, #0
	mov	x5, #0
	hvc	#0
	mov	w10, 'r'
	cbnz	x0, fail
	call0	'e', SDEI_ENABLE, 0
	/* a PE starts masked (DEN0054C 5.1.13); PE_UNMASK returns 0 */
	call0	'u', SDEI_PE_UNMASK
	mrs	x21, mpidr_el1
	ldr	x9, =0xff00ffffff	/* Aff3-Aff0 */
	and	x21, x21, x9
	mov	x22, #WARMUP
	bl	sdei_loop
	isb
	mrs	x23, cntvct_el0
	mov	x22, #ITERS
	bl	sdei_loop
	isb
	mrs	x24, cntvct_el0
	mov	x26, #0			/* no AFFINITY_INFO calls here */
#else
	adr	x19, cpu_on_name
	mov	x22, #WARMUP
	bl	cpu_on_loop
	isb
	mrs	x23, cntvct_el0
	mov	x22, #ITERS
	bl	cpu_on_loop
	isb
	mrs	x24, cntvct_el0
#endif
	/* refvmm-bench: <name> <iters> <ticks> <freq> <warm-up> <polls> */
	adr	x1, bench_tag
	bl	puts
	mov	x1, x19
	bl	puts
	ldr	x0, =ITERS
	bl	puthex
	sub	x0, x24, x23
	bl	puthex
	mrs	x0, cntfrq_el0
	bl	puthex
	ldr	x0, =WARMUP
	bl	puthex
	mov	x0, x26			/* AFFINITY_INFO calls (cpu_on) */
	bl	puthex
	mov	w3, '\n'
	strb	w3, [x20]
	ldr	x0, =SYSTEM_OFF
	hvc	#0
	mov	w10, 'z'
	b	fail

#ifdef BENCH_SDEI
	/* x22 events, each checked: the handler ran once per signal */
sdei_loop:
	mov	x25, x30
	adr	x26, count
1:	ldr	x27, [x26]
	ldr	x0, =SDEI_SIGNAL
	mov	x1, #0
	mov	x2, x21
	hvc	#0
	mov	w10, 's'
	cbnz	x0, fail
	ldr	x28, [x26]
	add	x27, x27, #1
	mov	w10, 'c'
	cmp	x27, x28
	b.ne	fail
	subs	x22, x22, #1
	b.ne	1b
	ret	x25

	/* x0 = event, x1 = argument: count the event, then complete it */
handler:
	mov	w10, 'h'
	cbnz	x0, fail
	adr	x9, count
	ldr	x1, [x9]
	add	x1, x1, #1
	str	x1, [x9]
	ldr	x0, =SDEI_COMPLETE
	mov	x1, #0
	hvc	#0
	mov	w10, 'k'		/* COMPLETE returned */
	b	fail
#else
	/*
	 * x22 round trips of vCPU 1: CPU_ON; it sets the flag and calls
	 * CPU_OFF; once the flag is set, AFFINITY_INFO until it says OFF
	 * (x26 counts those calls, printed after the numbers: they are
	 * exits too, but depend on timing, not on the VMM's path)
	 */
cpu_on_loop:
	mov	x25, x30
	adr	x27, flag
1:	str	xzr, [x27]
	ldr	x0, =CPU_ON
	mov	x1, #1
	adr	x2, secondary
	mov	x3, #0
	hvc	#0
	mov	w10, 'o'
	cbnz	x0, fail
2:	ldr	x0, [x27]
	cbz	x0, 2b
3:	add	x26, x26, #1
	ldr	x0, =AFFINITY_INFO	/* 0 ON, 1 OFF, 2 ON_PENDING */
	mov	x1, #1
	mov	x2, #0
	hvc	#0
	cmp	x0, #1
	b.ne	3b
	subs	x22, x22, #1
	b.ne	1b
	ret	x25

secondary:
	adr	x0, flag
	mov	x1, #1
	str	x1, [x0]
	ldr	x0, =CPU_OFF
	hvc	#0
	mov	w10, 'y'		/* CPU_OFF returned */
#endif

fail:					/* w10: the step */
	ldr	x20, =UART
	mov	w3, '!'
	strb	w3, [x20]
	strb	w10, [x20]
	mov	w3, '\n'
	strb	w3, [x20]
	ldr	x0, =SYSTEM_RESET
	hvc	#0
3:	wfi
	b	3b

	/* print the string at x1 */
puts:
	ldrb	w3, [x1], #1
	cbz	w3, 1f
	strb	w3, [x20]
	b	puts
1:	ret

	/* print " 0x" and x0 in hex */
puthex:
	mov	w3, ' '
	strb	w3, [x20]
	mov	w3, '0'
	strb	w3, [x20]
	mov	w3, 'x'
	strb	w3, [x20]
	mov	x4, #60
1:	lsr	x5, x0, x4
	and	x5, x5, #0xf
	cmp	x5, #10
	add	x6, x5, #'0'
	add	x7, x5, #('a' - 10)
	csel	x5, x6, x7, lo
	strb	w5, [x20]
	subs	x4, x4, #4
	b.pl	1b
	ret

	.ltorg
bench_tag:	.asciz	"refvmm-bench: "
cpu_on_name:	.asciz	"cpu_on"
sdei_name:	.asciz	"sdei"
	.balign	8
count:	.quad	0
flag:	.quad	0
