// SPDX-License-Identifier: BSD-2-Clause
/*
 * The channels' plan: each peer's end (where the memory and the doorbell
 * appear, which source rings it), where the memory lies in hartvisor's
 * RAM, and the refusals. Pure, like the rest of the plan (vm_plan.c).
 */
#include "irqchip.h"
#include "printf.h"
#include "sbi.h"
#include "vm.h"

uint64_t vm_plan_chan_bytes(const struct vm_config *cfg)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < cfg->nr_channels; i++)
		n += ALIGN_UP(cfg->channels[i].size, CHAN_PAGE);
	return n;
}

void vm_plan_chan_ends(struct vm *vm)
{
	const struct vm_config *cfg = vm->config;

	for (unsigned int c = 0; c < cfg->nr_channels; c++) {
		const struct vm_channel *ch = &cfg->channels[c];

		for (unsigned int j = 0; j < ch->nr_peers; j++) {
			struct vm_chan_end *e;

			if (ch->peers[j].vm != vm->index)
				continue;
			e = &vm->chans[vm->nr_chans++];
			*e = (struct vm_chan_end){
				.ch = ch,
				.chan = c,
				.peer = j,
				.gpa = ch->peers[j].gpa,
				.doorbell = ch->peers[j].gpa + ch->size,
				.doorbell_size = CHAN_PAGE,
				.irq = ch->peers[j].irq,
			};
			vm->irqs[vm->nr_irqs++] = e->irq;
		}
	}
}

/* The host's devices by name, for a refusal. */
static const struct platform_device *
host_device(const struct platform *p, unsigned int i, const char **name)
{
	static const char *const names[] = { "the UART",   "the RTC",
					     "the PLIC",   "the CLINT",
					     "the IMSICs", "the APLIC" };
	const struct platform_device *devs[] = {
		&p->uart, &p->rtc, &p->plic, &p->clint, &p->imsic, &p->aplic
	};

	if (i < ARRAY_SIZE(devs)) {
		*name = names[i];
		return devs[i];
	}
	*name = "a virtio slot";
	i -= ARRAY_SIZE(devs);
	return i < p->nr_virtio ? &p->virtio[i] : NULL;
}

/* What end @e of @vm overlaps in its guest's address space, if anything. */
static int chan_end_overlaps(const struct vm *vm, const struct vm_chan_end *e,
			     const struct platform *p, char *err, size_t errlen)
{
	uint64_t size = e->doorbell + e->doorbell_size - e->gpa;
	const struct platform_device *d;
	const char *name;

	for (unsigned int i = 0; i < p->nr_mem; i++)
		if (ranges_overlap(e->gpa, size, p->mem[i].base,
				   p->mem[i].size))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"%s: channel '%s' at 0x%lx-0x%lx overlaps RAM 0x%lx-0x%lx",
				vm->what, e->ch->name, e->gpa, e->gpa + size,
				p->mem[i].base,
				p->mem[i].base + p->mem[i].size);
	for (unsigned int i = 0; (d = host_device(p, i, &name)); i++)
		if (d->present && ranges_overlap(e->gpa, size, d->base,
						 MAX(d->size, CHAN_PAGE)))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"%s: channel '%s' at 0x%lx-0x%lx overlaps %s at 0x%lx",
				vm->what, e->ch->name, e->gpa, e->gpa + size,
				name, d->base);
	for (const struct vm_chan_end *o = vm->chans; o < e; o++)
		if (ranges_overlap(e->gpa, size, o->gpa,
				   o->doorbell + o->doorbell_size - o->gpa))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"%s: channels '%s' and '%s' overlap at 0x%lx",
				vm->what, o->ch->name, e->ch->name,
				MAX(e->gpa, o->gpa));
	return 0;
}

/* Is @irq a source some device of the host already uses? */
static const char *irq_taken(const struct platform *p, uint32_t irq)
{
	const struct platform_device *d;
	const char *name;

	for (unsigned int i = 0; (d = host_device(p, i, &name)); i++)
		if (d->present && d->irq == irq)
			return name;
	return NULL;
}

/* End @e of @vm: its doorbell source and its place, checked. */
static int chan_end_check(const struct vm *vm, const struct vm_chan_end *e,
			  const struct platform *p, char *err, size_t errlen)
{
	unsigned int nsrc = vm->irqchip.kind == IRQCHIP_AIA ? p->aplic_nsrc :
							      p->plic_ndev;
	const char *taken = irq_taken(p, e->irq);

	if (e->ch->doorbell == CHAN_DOORBELL_TRUSTED &&
	    vm->irqchip.kind != IRQCHIP_AIA)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"%s: channel '%s' rings with no exit (CHAN_DOORBELL_TRUSTED), which needs guest interrupt files: an AIA machine (-M virt,aia=aplic-imsic,aia-guests=1)",
			vm->what, e->ch->name);
	if (e->irq > nsrc)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"%s: channel '%s': doorbell source %u is beyond the %s's %u",
			vm->what, e->ch->name, e->irq,
			irqchip_name(vm->irqchip.kind), nsrc);
	if (taken)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "%s: channel '%s': doorbell source %u is %s's",
			      vm->what, e->ch->name, e->irq, taken);
	for (const struct vm_chan_end *o = vm->chans; o < e; o++)
		if (o->irq == e->irq)
			return errorf(
				err, errlen, SBI_ERR_INVALID_PARAM,
				"%s: channels '%s' and '%s' both ring source %u",
				vm->what, o->ch->name, e->ch->name, e->irq);
	return chan_end_overlaps(vm, e, p, err, errlen);
}

int vm_plan_channels(struct vm *plan, unsigned int nr, const struct platform *p,
		     paddr_t hpa, char *err, size_t errlen)
{
	const struct vm_config *cfg = plan[0].config;

	for (unsigned int c = 0; c < cfg->nr_channels; c++) {
		const struct vm_channel *ch = &cfg->channels[c];
		uint64_t window = 0;

		/* Trusted: every peer's interrupt files, a page per vCPU. */
		for (unsigned int j = 0; j < ch->nr_peers; j++)
			window += plan[ch->peers[j].vm].nr_vcpus * CHAN_PAGE;
		for (unsigned int v = 0; v < nr; v++)
			for (unsigned int i = 0; i < plan[v].nr_chans; i++) {
				struct vm_chan_end *e = &plan[v].chans[i];

				if (e->chan != c)
					continue;
				e->hpa = hpa;
				if (ch->doorbell == CHAN_DOORBELL_TRUSTED)
					e->doorbell_size = window;
			}
		hpa += ALIGN_UP(ch->size, CHAN_PAGE);
	}
	for (unsigned int v = 0; v < nr; v++)
		for (unsigned int i = 0; i < plan[v].nr_chans; i++) {
			int ret = chan_end_check(&plan[v], &plan[v].chans[i], p,
						 err, errlen);

			if (ret)
				return ret;
		}
	return 0;
}
