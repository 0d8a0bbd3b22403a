// SPDX-License-Identifier: BSD-2-Clause
/*
 * The AIA pieces behind the vAPLIC: the real S-level APLIC domain (plain
 * MMIO; every caller holds the vAPLIC lock) and the guest interrupt file
 * of this hart, reached through vsiselect / vsireg with hstatus.VGEIN = 1;
 * and this hart's own S-level file, for hartvisor's own interrupt (the
 * UART's receive, with several VMs).
 */
#include "arch.h"
#include "arch/csr.h"

static volatile uint32_t *aplic;

void arch_aplic_init(paddr_t base)
{
	aplic = (volatile uint32_t *)(uintptr_t)base;
}

uint32_t arch_aplic_read(uint64_t off)
{
	return aplic[off / 4];
}

void arch_aplic_write(uint64_t off, uint32_t val)
{
	/* A device serviced before its re-trigger or its new routing. */
	__asm__ volatile("fence iorw, ow" ::: "memory");
	aplic[off / 4] = val;
}

void arch_imsic_send(paddr_t file, uint32_t eiid)
{
	__asm__ volatile("fence w, ow" ::: "memory");
	*(volatile uint32_t *)(uintptr_t)file = eiid; /* seteipnum_le */
}

static void vsireg_write(unsigned long sel, unsigned long val)
{
	csr_write(CSR_VSISELECT, sel);
	csr_write(CSR_VSIREG, val);
}

void arch_imsic_guest_clear(unsigned int nr_ids)
{
	vsireg_write(IMSIC_EIDELIVERY, 0);
	vsireg_write(IMSIC_EITHRESHOLD, 0);
	/* 64 IDs a register on RV64; one past the last ID faults. */
	for (unsigned long k = 0; k <= nr_ids / 64; k++) {
		vsireg_write(IMSIC_EIE0 + 2 * k, 0);
		vsireg_write(IMSIC_EIP0 + 2 * k, 0);
	}
	csr_write(CSR_VSISELECT, 0);
}

void arch_imsic_s_enable(uint32_t eiid)
{
	csr_write(CSR_SISELECT, IMSIC_EIE0 + 2 * (eiid / 64));
	csr_set(CSR_SIREG, 1UL << (eiid % 64));
	csr_write(CSR_SISELECT, IMSIC_EITHRESHOLD);
	csr_write(CSR_SIREG, 0);
	csr_write(CSR_SISELECT, IMSIC_EIDELIVERY);
	csr_write(CSR_SIREG, 1);
}

uint32_t arch_imsic_s_claim(void)
{
	/* Reading stopei and writing it claims the top pending ID. */
	return (uint32_t)(csr_swap(CSR_STOPEI, 0) >> 16);
}
