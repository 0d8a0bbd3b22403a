/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The world switch. arch_vcpu_enter() saves the hypervisor's callee-saved
 * registers in the context, loads the guest's and srets into it; the
 * guest's next trap lands in guest_exit, which saves the guest and returns
 * from arch_vcpu_enter() as if it were an ordinary call. While the guest
 * runs, stvec points at guest_exit and sscratch holds the context.
 */
#include "arch/csr.h"
#include "vcpu_context.h"

#define GUEST(n) (VCPU_CTX_X + (n) * 8)
#define HOST(n) (VCPU_CTX_HOST + (n) * 8)

	.section .text
	.globl	arch_vcpu_enter
/* void arch_vcpu_enter(struct vcpu_context *ctx) */
arch_vcpu_enter:
	sd	ra, HOST(0)(a0)
	sd	sp, HOST(1)(a0)
	sd	gp, HOST(2)(a0)
	sd	tp, HOST(3)(a0)
	sd	s0, HOST(4)(a0)
	sd	s1, HOST(5)(a0)
	sd	s2, HOST(6)(a0)
	sd	s3, HOST(7)(a0)
	sd	s4, HOST(8)(a0)
	sd	s5, HOST(9)(a0)
	sd	s6, HOST(10)(a0)
	sd	s7, HOST(11)(a0)
	sd	s8, HOST(12)(a0)
	sd	s9, HOST(13)(a0)
	sd	s10, HOST(14)(a0)
	sd	s11, HOST(15)(a0)

	csrw	CSR_SSCRATCH, a0
	la	t0, guest_exit
	csrw	CSR_STVEC, t0
	ld	t0, VCPU_CTX_SEPC(a0)
	csrw	CSR_SEPC, t0
	ld	t0, VCPU_CTX_SSTATUS(a0)
	csrw	CSR_SSTATUS, t0
	ld	t0, VCPU_CTX_HSTATUS(a0)
	csrw	CSR_HSTATUS, t0

	ld	x1, GUEST(1)(a0)
	.irp	n, 2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, GUEST(\n)(a0)
	.endr
	ld	a0, GUEST(10)(a0)
	sret

	.balign	4
guest_exit:
	csrrw	a0, CSR_SSCRATCH, a0	/* a0 = context, sscratch = guest a0 */
	sd	x1, GUEST(1)(a0)
	.irp	n, 2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, GUEST(\n)(a0)
	.endr
	csrr	t0, CSR_SSCRATCH
	sd	t0, GUEST(10)(a0)

	csrr	t0, CSR_SEPC
	sd	t0, VCPU_CTX_SEPC(a0)
	csrr	t0, CSR_SSTATUS
	sd	t0, VCPU_CTX_SSTATUS(a0)
	csrr	t0, CSR_HSTATUS
	sd	t0, VCPU_CTX_HSTATUS(a0)
	csrr	t0, CSR_SCAUSE
	sd	t0, VCPU_CTX_SCAUSE(a0)
	csrr	t0, CSR_STVAL
	sd	t0, VCPU_CTX_STVAL(a0)
	csrr	t0, CSR_HTVAL
	sd	t0, VCPU_CTX_HTVAL(a0)
	csrr	t0, CSR_HTINST
	sd	t0, VCPU_CTX_HTINST(a0)

	la	t0, trap_vector
	csrw	CSR_STVEC, t0
	csrw	CSR_SSCRATCH, zero

	ld	ra, HOST(0)(a0)
	ld	sp, HOST(1)(a0)
	ld	gp, HOST(2)(a0)
	ld	tp, HOST(3)(a0)
	ld	s0, HOST(4)(a0)
	ld	s1, HOST(5)(a0)
	ld	s2, HOST(6)(a0)
	ld	s3, HOST(7)(a0)
	ld	s4, HOST(8)(a0)
	ld	s5, HOST(9)(a0)
	ld	s6, HOST(10)(a0)
	ld	s7, HOST(11)(a0)
	ld	s8, HOST(12)(a0)
	ld	s9, HOST(13)(a0)
	ld	s10, HOST(14)(a0)
	ld	s11, HOST(15)(a0)
	ret
