/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry of every hart. OpenSBI (fw_dynamic) jumps here in HS-mode with
 * a0 = hart ID and a1 = the device tree on the boot hart; secondaries are
 * started here through SBI HSM with a1 = their struct hart.
 */
#include "arch/csr.h"
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

	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	sp, boot_stack_top
	mv	tp, zero
	call	hv_boot_main		/* a0, a1 as OpenSBI gave them */
	j	park

secondary:
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

	.section .bss.boot_stack, "aw", @nobits
	.balign	16
boot_stack:
	.space	HART_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:
