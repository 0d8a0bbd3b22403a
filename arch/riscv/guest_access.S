/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading guest memory through the guest's own translation (hlv),
 * e.g. the hart mask a legacy SBI call points to. A bad guest address
 * must not take the hypervisor down: before the access we record where to
 * resume in this hart's struct hart (tp); arch_trap() sends a faulting
 * access there and the call returns SBI_ERR_INVALID_ADDRESS.
 */
#include "arch/csr.h"
#include "hart.h"

#define SBI_ERR_INVALID_ADDRESS -5

	.section .text

/* int arch_guest_load_ulong(unsigned long gva, unsigned long *val) */
	.globl	arch_guest_load_ulong
arch_guest_load_ulong:
	la	t0, guest_access_fault
	sd	t0, HART_FIXUP_OFFSET(tp)
	.option	push
	.option	arch, +h
	hlv.d	t1, (a0)
	.option	pop
	sd	zero, HART_FIXUP_OFFSET(tp)
	sd	t1, 0(a1)
	li	a0, 0
	ret

/*
 * int arch_guest_fetch_insn(unsigned long gva, uint32_t *insn): hlvx.hu
 * reads with execute permission, as the fetch did; a 32-bit instruction
 * is read in two halves (it may straddle a page).
 */
	.globl	arch_guest_fetch_insn
arch_guest_fetch_insn:
	la	t0, guest_access_fault
	sd	t0, HART_FIXUP_OFFSET(tp)
	.option	push
	.option	arch, +h
	hlvx.hu	t1, (a0)
	andi	t2, t1, 3
	li	t3, 3
	bne	t2, t3, 1f
	addi	t3, a0, 2
	hlvx.hu	t2, (t3)
	slli	t2, t2, 16
	or	t1, t1, t2
1:
	.option	pop
	sd	zero, HART_FIXUP_OFFSET(tp)
	sw	t1, 0(a1)
	li	a0, 0
	ret

guest_access_fault:
	/*
	 * The trap that brought us here (HS to HS) set hstatus.SPV to 0;
	 * guest entry relies on it being 1, as every exit from V=1 leaves it.
	 */
	li	t0, HSTATUS_SPV
	csrs	CSR_HSTATUS, t0
	sd	zero, HART_FIXUP_OFFSET(tp)
	li	a0, SBI_ERR_INVALID_ADDRESS
	ret
