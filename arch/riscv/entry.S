/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trap entry for traps taken in HS-mode. HS-mode runs with interrupts
 * masked, so a trap here is either a guarded guest access that faulted
 * (guest_access.S; arch_trap resumes it at its fixup) or a hypervisor bug
 * (arch_trap panics). Such a trap sets hstatus.SPV to 0; the fixup path
 * (guest_access.S) sets it again before the guest is entered.
 */
#include "arch/csr.h"
#include "arch/trap.h"

	.section .text
	.balign	4
	.globl	trap_vector
trap_vector:
	addi	sp, sp, -TRAP_FRAME_SIZE
	sd	x1, 1 * 8(sp)
	.irp	n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, \n * 8(sp)
	.endr
	addi	t0, sp, TRAP_FRAME_SIZE
	sd	t0, 2 * 8(sp)
	csrr	t0, CSR_SEPC
	sd	t0, TRAP_FRAME_SEPC(sp)
	csrr	t0, CSR_SSTATUS
	sd	t0, TRAP_FRAME_SSTATUS(sp)

	mv	a0, sp
	call	arch_trap

	ld	t0, TRAP_FRAME_SEPC(sp)
	csrw	CSR_SEPC, t0
	ld	t0, TRAP_FRAME_SSTATUS(sp)
	csrw	CSR_SSTATUS, t0
	ld	x1, 1 * 8(sp)
	.irp	n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, \n * 8(sp)
	.endr
	addi	sp, sp, TRAP_FRAME_SIZE
	sret
