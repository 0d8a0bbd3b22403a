// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which interrupt controller the VM gets, and where its pieces are: pure,
 * so the host tool behind `make guest-dtb` decides as the hypervisor does.
 */
#include "irqchip.h"
#include "platform.h"
#include "vm_config.h"

const char *irqchip_name(enum irqchip_kind kind)
{
	switch (kind) {
	case IRQCHIP_PLIC:
		return "PLIC";
	case IRQCHIP_AIA:
		return "AIA";
	default:
		return "none";
	}
}

unsigned int vaplic_guest_sources(const uint32_t *own, unsigned int nr_owned,
				  unsigned int phys_nsrc)
{
	unsigned int n = 1;

	for (unsigned int i = 0; i < nr_owned; i++)
		if (own[i] <= phys_nsrc && own[i] > n)
			n = own[i];
	return MIN(n, phys_nsrc);
}

paddr_t irqchip_guest_file(const struct platform *p, int index, unsigned int g)
{
	return p->imsic.base + (uint64_t)index * p->imsic_stride + g * 4096ULL;
}

void irqchip_plan(struct irqchip *ic, const struct platform *p,
		  unsigned int devices, const uint32_t *irqs,
		  unsigned int nr_irqs)
{
	ic->kind = IRQCHIP_NONE;
	if (!(devices & VM_DEV_IRQCHIP))
		return;
	if (platform_has_aia(p)) {
		ic->kind = IRQCHIP_AIA;
		/* The host's S-file window, where Linux expects an IMSIC. */
		ic->imsic_base = p->imsic.base;
		ic->nsrc = vaplic_guest_sources(irqs, nr_irqs, p->aplic_nsrc);
		ic->nr_ids = p->imsic_num_ids;
	} else if (p->plic.present) {
		ic->kind = IRQCHIP_PLIC;
	}
}
