/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry points of a test guest. _start is where the hypervisor boots
 * vCPU 0 (a0 = 0, a1 = DTB); secondary_entry is the address tests pass to
 * SBI HART_START (a0 = hart ID, a1 = opaque). Each hart gets its own stack.
 */
#define STACK_SIZE 8192
#define MAX_HARTS 64
#define FRAME_SIZE (34 * 8)

	.section .text.entry, "ax"
	.globl	_start
_start:
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	set_stack_and_trap
	call	guest_boot
	j	halt

	.globl	secondary_entry
secondary_entry:
	call	set_stack_and_trap
	call	guest_secondary
	j	halt

	/* Same as secondary_entry, for tests that need a second address. */
	.globl	resume_entry
resume_entry:
	call	set_stack_and_trap
	call	guest_resumed
	j	halt

/* sp = top of stacks[a0]; stvec = trap_entry. Keeps a0, a1. */
set_stack_and_trap:
	li	t0, MAX_HARTS
	bgeu	a0, t0, halt
	la	sp, stacks
	li	t0, STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	la	t0, trap_entry
	csrw	stvec, t0
	ret

halt:
	wfi
	j	halt

	.balign	4
trap_entry:
	addi	sp, sp, -FRAME_SIZE
	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, \n * 8(sp)
	.endr
	addi	t0, sp, FRAME_SIZE
	sd	t0, 2 * 8(sp)
	csrr	t0, sepc
	sd	t0, 32 * 8(sp)
	csrr	t0, scause
	sd	t0, 33 * 8(sp)
	mv	a0, sp
	call	guest_trap
	ld	t0, 32 * 8(sp)
	csrw	sepc, t0
	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, \n * 8(sp)
	.endr
	addi	sp, sp, FRAME_SIZE
	sret

	.section .bss
	.balign	16
stacks:
	.space	STACK_SIZE * MAX_HARTS
