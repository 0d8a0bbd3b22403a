// SPDX-License-Identifier: BSD-2-Clause
/*
 * The VM's interrupt controller at run time: one switch per entry point,
 * the vPLIC or the vAPLIC and guest interrupt files behind it.
 */
#include "arch.h"
#include "irqchip.h"
#include "log.h"
#include "printf.h"
#include "sbi.h"
#include "vm.h"

/* Is @src one hartvisor emulates for @vm: its UART's, a doorbell? */
static const char *irqchip_emulated(const struct vm *vm, uint32_t src)
{
	if (src == vm->vuart_irq)
		return " (emulated UART)";
	for (unsigned int i = 0; i < vm->nr_chans; i++)
		if (src == vm->chans[i].irq)
			return " (doorbell)";
	return NULL;
}

/* The owned sources, for the boot log. */
static void irqchip_log_sources(const struct vm *vm, char *list, size_t size)
{
	size_t len = 0;

	list[0] = '\0';
	for (unsigned int i = 0; i < vm->nr_irqs && len < size; i++) {
		const char *what = irqchip_emulated(vm, vm->irqs[i]);

		len += snprintf(list + len, size - len, " %u%s", vm->irqs[i],
				what ? what : "");
	}
	if (!vm->nr_irqs)
		snprintf(list, size, " none");
}

static void irqchip_create_plic(struct vm *vm, const struct platform *p,
				const char *list)
{
	int hw_context[HV_MAX_HARTS];

	/* vCPU i is pinned to harts[vm->hart_slot[i]], as in p->harts[]. */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		hw_context[i] = p->harts[vm->hart_slot[i]].plic_s_context;
	arch_plic_init(p->plic.base);
	vplic_init(&vm->irqchip.vplic, p->plic.base, p->plic.size, p->plic_ndev,
		   vm->nr_vcpus, hw_context, vm->irqs, vm->nr_irqs);
	pr_info("%svPLIC at 0x%lx: %u sources, %u contexts, passthrough sources:%s",
		vm->tag, p->plic.base, vm->irqchip.vplic.ndev, 2 * vm->nr_vcpus,
		list);
}

static void irqchip_create_aia(struct vm *vm, const struct platform *p,
			       const char *list)
{
	uint32_t index[HV_MAX_HARTS];
	paddr_t file[HV_MAX_HARTS];

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct platform_hart *h = &p->harts[vm->hart_slot[i]];

		index[i] = (uint32_t)h->imsic_index;
		file[i] = irqchip_guest_file(p, h->imsic_index,
					     VAPLIC_GUEST_INDEX);
	}
	arch_aplic_init(p->aplic.base);
	vaplic_init(&vm->irqchip.vaplic, p->aplic.base, p->aplic.size,
		    p->aplic_nsrc, vm->nr_vcpus, index, file, vm->irqs,
		    vm->nr_irqs);
	pr_info("%sAIA: vCPU i's IMSIC page 0x%lx + i * 4 KiB is guest file %u of its hart; vAPLIC at 0x%lx: sources 1-%u, passthrough sources:%s",
		vm->tag, vm->irqchip.imsic_base, VAPLIC_GUEST_INDEX,
		p->aplic.base, vm->irqchip.vaplic.nsrc, list);
}

void irqchip_create(struct vm *vm, const struct platform *p)
{
	char list[12 * (VM_MAX_MMIO + VM_MAX_CHANNELS) + 20];

	irqchip_log_sources(vm, list, sizeof(list));
	if (vm->irqchip.kind == IRQCHIP_PLIC)
		irqchip_create_plic(vm, p, list);
	else if (vm->irqchip.kind == IRQCHIP_AIA)
		irqchip_create_aia(vm, p, list);
	/* The UART's and the doorbells: hartvisor drives their lines. */
	for (unsigned int i = 0; i < vm->nr_irqs; i++) {
		if (!irqchip_emulated(vm, vm->irqs[i]))
			continue;
		if (vm->irqchip.kind == IRQCHIP_PLIC)
			vplic_emulate(&vm->irqchip.vplic, vm->irqs[i]);
		else if (vm->irqchip.kind == IRQCHIP_AIA)
			vaplic_emulate(&vm->irqchip.vaplic, vm->irqs[i]);
	}
}

void irqchip_set_level(struct vm *vm, uint32_t src, bool high)
{
	if (vm->irqchip.kind == IRQCHIP_PLIC)
		vplic_set_level(&vm->irqchip.vplic, src, high);
	else if (vm->irqchip.kind == IRQCHIP_AIA)
		vaplic_set_level(&vm->irqchip.vaplic, src, high);
}

void irqchip_trigger(struct vm *vm, uint32_t src)
{
	if (vm->irqchip.kind == IRQCHIP_PLIC) {
		vplic_trigger(&vm->irqchip.vplic, src);
	} else if (vm->irqchip.kind == IRQCHIP_AIA) {
		/* Pending on the edge, claimed or not: MSI mode has no claim. */
		vaplic_set_level(&vm->irqchip.vaplic, src, true);
		vaplic_set_level(&vm->irqchip.vaplic, src, false);
	}
}

int irqchip_map(struct vm *vm, char *err, size_t errlen)
{
	const struct vaplic *a = &vm->irqchip.vaplic;

	if (vm->irqchip.kind != IRQCHIP_AIA)
		return 0;
	/*
	 * Every vCPU's page, so an IPI is a store into a peer's page; never
	 * an S-file (page 0 of each hart) or anything M-level.
	 */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		gpa_t gpa = vm->irqchip.imsic_base + i * 4096ULL;
		int ret = arch_gstage_map(vm->gstage, gpa, a->guest_file[i],
					  4096, GSTAGE_R | GSTAGE_W);

		if (ret)
			return errorf(
				err, errlen, ret,
				"cannot map vCPU %u's interrupt file at 0x%lx: %s",
				i, gpa, sbi_strerror(ret));
	}
	return 0;
}

void irqchip_hart_init(struct vm *vm, unsigned int vcpu)
{
	if (vm->irqchip.kind == IRQCHIP_PLIC)
		vplic_hart_init(&vm->irqchip.vplic, vcpu);
}

void irqchip_vcpu_reset(struct vm *vm, unsigned int vcpu)
{
	(void)vcpu;
	if (vm->irqchip.kind == IRQCHIP_AIA)
		arch_imsic_guest_clear(vm->irqchip.nr_ids);
}

bool irqchip_contains(const struct vm *vm, gpa_t gpa)
{
	switch (vm->irqchip.kind) {
	case IRQCHIP_PLIC:
		return vplic_contains(&vm->irqchip.vplic, gpa);
	case IRQCHIP_AIA:
		return vaplic_contains(&vm->irqchip.vaplic, gpa);
	default:
		return false;
	}
}

uint32_t irqchip_read(struct vm *vm, unsigned int vcpu, gpa_t gpa,
		      unsigned int width)
{
	if (vm->irqchip.kind == IRQCHIP_PLIC)
		return vplic_read(&vm->irqchip.vplic, vcpu,
				  gpa - vm->irqchip.vplic.base, width);
	return vaplic_read(&vm->irqchip.vaplic, vcpu,
			   gpa - vm->irqchip.vaplic.base, width);
}

void irqchip_write(struct vm *vm, unsigned int vcpu, gpa_t gpa,
		   unsigned int width, uint32_t val)
{
	if (vm->irqchip.kind == IRQCHIP_PLIC)
		vplic_write(&vm->irqchip.vplic, vcpu,
			    gpa - vm->irqchip.vplic.base, width, val);
	else
		vaplic_write(&vm->irqchip.vaplic, vcpu,
			     gpa - vm->irqchip.vaplic.base, width, val);
	if (vm->nr_chans)
		vm_chan_routes(vm);
}

void irqchip_take_external(struct vm *vm, unsigned int vcpu)
{
	if (vm->irqchip.kind == IRQCHIP_PLIC)
		vplic_hw_claim(&vm->irqchip.vplic,
			       vm->irqchip.vplic.hw_context[vcpu]);
	else
		uart_rx_take();
}

bool irqchip_line(const struct vm *vm, unsigned int vcpu)
{
	return vm->irqchip.kind == IRQCHIP_PLIC &&
	       vplic_line(&vm->irqchip.vplic, vcpu);
}

void irqchip_reset(struct vm *vm)
{
	if (vm->irqchip.kind == IRQCHIP_PLIC)
		vplic_reset(&vm->irqchip.vplic);
	else if (vm->irqchip.kind == IRQCHIP_AIA)
		vaplic_reset(&vm->irqchip.vaplic);
}
