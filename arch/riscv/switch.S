/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The world switch. arch_vcpu_enter loads a vCPU's context and srets into
 * the guest. Once a hart runs guests, stvec stays at guest_exit: sscratch
 * holds the context while the guest runs and 0 in HS-mode, so a trap taken
 * in HS-mode is told apart in two instructions and goes to trap_vector.
 * guest_exit saves the caller-saved registers, switches to the hart's
 * stack and calls vcpu_exit() (hv/vcpu.c), which returns the context to
 * run next; the guest's s0-s11 survive the call because C preserves them.
 * A replaced context (full_reload) loads s0-s11 and hstatus too; so does
 * the exit of a load or store that may be emulated, which saves them.
 */
#include "arch/csr.h"
#include "arch_traps.h"
#include "vcpu_context.h"

#define X(n) (VCPU_CTX_X + (n) * 8)

	.section .text
	.balign	4
	.globl	guest_exit
guest_exit:
	csrrw	tp, CSR_SSCRATCH, tp	/* tp = context, sscratch = guest tp */
	beqz	tp, hs_trap
	sd	ra, X(1)(tp)
	sd	sp, X(2)(tp)
	sd	gp, X(3)(tp)
	.irp	n, 5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
	sd	x\n, X(\n)(tp)
	.endr
	csrrw	t0, CSR_SSCRATCH, zero	/* guest tp; 0 marks HS-mode */
	sd	t0, X(4)(tp)
	csrr	t0, CSR_SEPC
	sd	t0, VCPU_CTX_SEPC(tp)
	csrr	t0, CSR_SSTATUS
	sd	t0, VCPU_CTX_SSTATUS(tp)
	csrr	t0, CSR_SCAUSE
	sd	t0, VCPU_CTX_SCAUSE(tp)
	/*
	 * A load or store that faulted in the G-stage may be emulated
	 * (MMIO), and its register may be any of x1-x31: save the rest,
	 * and have them loaded back.
	 */
	addi	t1, t0, -EXC_LOAD_GUEST_PAGE_FAULT
	beqz	t1, 2f
	addi	t1, t0, -EXC_STORE_GUEST_PAGE_FAULT
	bnez	t1, 3f
2:	.irp	n, 8,9,18,19,20,21,22,23,24,25,26,27
	sd	x\n, X(\n)(tp)
	.endr
	csrr	t1, CSR_HSTATUS
	sd	t1, VCPU_CTX_HSTATUS(tp)
	li	t1, 1
	sd	t1, VCPU_CTX_FULL_RELOAD(tp)
3:
	csrr	t0, CSR_STVAL
	sd	t0, VCPU_CTX_STVAL(tp)
	mv	a0, tp
	ld	sp, VCPU_CTX_HOST_SP(tp)
	ld	tp, VCPU_CTX_HOST_TP(tp)
	call	vcpu_exit		/* returns the context to enter */
	/* fall through */

/* a0 = the context to run; never returns. */
	.globl	arch_vcpu_enter
arch_vcpu_enter:
	csrw	CSR_SSCRATCH, a0
	ld	t0, VCPU_CTX_SEPC(a0)
	csrw	CSR_SEPC, t0
	ld	t0, VCPU_CTX_SSTATUS(a0)
	csrw	CSR_SSTATUS, t0
	ld	t0, VCPU_CTX_FULL_RELOAD(a0)
	beqz	t0, 1f
	sd	zero, VCPU_CTX_FULL_RELOAD(a0)
	ld	t0, VCPU_CTX_HSTATUS(a0)
	csrw	CSR_HSTATUS, t0
	.irp	n, 8,9,18,19,20,21,22,23,24,25,26,27
	ld	x\n, X(\n)(a0)
	.endr
1:	.irp	n, 1,2,3,4,5,6,7,11,12,13,14,15,16,17,28,29,30,31
	ld	x\n, X(\n)(a0)
	.endr
	ld	a0, X(10)(a0)
	sret

/* A trap taken in HS-mode (sscratch was 0): put tp back, go the HS way. */
hs_trap:
	csrrw	tp, CSR_SSCRATCH, tp
	j	trap_vector
