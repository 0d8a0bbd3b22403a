/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry of every hart. OpenSBI (fw_dynamic) jumps here in HS-mode with
 * a0 = hart ID and a1 = the device tree on the boot hart; secondaries are
 * started here through SBI HSM with a1 = their struct hart.
 */
#include "arch/csr.h"
#include "arch/layout.h"
#include "hart.h"

	.section .text.head, "ax"
	.globl	_start
_start:
	csrw	CSR_SIE, zero
	csrw	CSR_SSCRATCH, zero	/* 0: "in HS-mode" for switch.S */
	la	t0, trap_vector
	csrw	CSR_STVEC, t0

	/*
	 * The lottery: the first hart here is the boot hart, every later one
	 * a secondary. Never "first one here wins by looking": OpenSBI 1.1's
	 * HSM race can send a hart we start to this cold entry, with a1 = DTB.
	 */
	la	t0, boot_lottery
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, secondary

	/*
	 * The boot hart, where QEMU loaded us. Its stack is in .data: the
	 * BSS here is guest memory (the kernel may lie there) and is never
	 * touched. Make the image's pointers right for where it runs, then
	 * let hv_boot_move() copy it to the top of RAM.
	 */
	csrr	s3, CSR_TIME		/* when the firmware handed over */
	la	sp, boot_stack_top
	mv	s0, a0
	mv	s1, a1
	la	a0, _hv_start
	call	relocate
	mv	a0, s0
	mv	a1, s1
	call	hv_boot_move		/* a0 = the new _hv_start, a1 = DTB */
	mv	s1, a1
	la	t0, _hv_start
	sub	s2, a0, t0		/* how far the image moved */
	call	relocate		/* a0: the copy's pointers */
	fence.i				/* the copy is code from now on */
	la	t0, moved
	add	t0, t0, s2
	/* tools/hartvisor.gdb stops here to reload the symbols at +s2. */
	.globl	hv_move_jump
hv_move_jump:
	jr	t0
moved:
	/* In the copy: its BSS was cleared by hv_boot_move. */
	la	t0, trap_vector
	csrw	CSR_STVEC, t0
	la	sp, boot_stack_top
	mv	tp, zero
	mv	a0, s0
	mv	a1, s1
	mv	a2, s3
	call	hv_boot_main		/* hart ID, the DTB's copy, entry time */
	j	park

/*
 * relocate(a0 = where _hv_start is): apply the R_RISCV_RELATIVE entries of
 * .rela.dyn to the image at a0 (word at offset - link base := a0 + addend
 * - link base). Only t registers; nothing but the table is read.
 */
relocate:
	li	t0, HV_LINK_BASE
	sub	t0, a0, t0		/* a0 - link base */
	la	t1, __rela_start
	la	t2, __rela_end
1:	bgeu	t1, t2, 3f
	ld	t3, 8(t1)		/* r_info */
	li	t4, 3			/* R_RISCV_RELATIVE */
	bne	t3, t4, 2f
	ld	t3, 0(t1)		/* r_offset (link address) */
	ld	t4, 16(t1)		/* r_addend (link address) */
	add	t3, t3, t0
	add	t4, t4, t0
	sd	t4, 0(t3)
2:	addi	t1, t1, 24
	j	1b
3:	ret

secondary:
	/*
	 * A hart that OpenSBI 1.1's race sent to where QEMU loaded us, after
	 * the image moved: on to the copy (a0 is still the hart ID).
	 */
	la	t0, hv_moved_to
	ld	t0, 0(t0)
	la	t1, _start
	beqz	t0, 0f
	beq	t0, t1, 0f
	jr	t0
0:
	/*
	 * Find this hart's struct hart by hart ID (a1 is not trusted: see
	 * above). The boot hart published nr_harts with release semantics
	 * after filling harts[]; the fence gives our read acquire semantics.
	 */
	la	t0, nr_harts
	lw	t1, 0(t0)
	fence	r, rw
	la	t2, harts
3:	beqz	t1, park
	ld	t3, HART_HARTID_OFFSET(t2)
	beq	t3, a0, 4f
	addi	t2, t2, HART_SIZE
	addi	t1, t1, -1
	j	3b
4:	mv	tp, t2
	ld	sp, HART_STACK_TOP_OFFSET(tp)
	mv	a0, tp
	call	hart_secondary_main

	/* A hart that is not ours, or has nothing left to do, sleeps here. */
park:
	csrw	CSR_SIE, zero
5:	wfi
	j	5b

	.section .data
	.balign	4
boot_lottery:
	.word	0

	/* Where the copy's _start is, once the boot hart moved the image. */
	.balign	8
	.globl	hv_moved_to
hv_moved_to:
	.dword	0

	/* In .data: the boot hart runs on it before the BSS exists. */
	.section .data.boot_stack, "aw"
	.balign	16
boot_stack:
	.space	HART_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:
