// SPDX-License-Identifier: BSD-2-Clause
/*
 * The physical PLIC, S-mode contexts only: plain MMIO. Every caller holds
 * the vPLIC lock, which serializes the read-modify-write of enable words.
 */
#include "arch.h"
#include "vplic.h"

static volatile uint32_t *plic;

static volatile uint32_t *plic_reg(uint64_t off)
{
	return plic + off / 4;
}

void arch_plic_init(paddr_t base)
{
	plic = (volatile uint32_t *)(uintptr_t)base;
}

void arch_plic_set_priority(unsigned int src, uint32_t prio)
{
	*plic_reg(PLIC_PRIORITY_BASE + 4 * src) = prio;
}

void arch_plic_enable(int ctx, unsigned int src, bool on)
{
	volatile uint32_t *word = plic_reg(
		PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * ctx + 4 * (src / 32));

	if (on)
		*word |= 1U << (src % 32);
	else
		*word &= ~(1U << (src % 32));
}

void arch_plic_set_threshold(int ctx, uint32_t threshold)
{
	*plic_reg(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx +
		  PLIC_CONTEXT_THRESHOLD) = threshold;
}

unsigned int arch_plic_claim(int ctx)
{
	return *plic_reg(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx +
			 PLIC_CONTEXT_CLAIM);
}

void arch_plic_complete(int ctx, unsigned int src)
{
	/* The device's own writes (it was serviced) come first. */
	__asm__ volatile("fence iorw, ow" ::: "memory");
	*plic_reg(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx +
		  PLIC_CONTEXT_CLAIM) = src;
}
