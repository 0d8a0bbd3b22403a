// SPDX-License-Identifier: BSD-2-Clause
/*
 * The VMs' plan: which harts and devices each VM gets, where its guest
 * RAM, images, their pristine copies and the guest DTB go, and the guest
 * DTB itself — pure functions of the config, the host DTB and the
 * hypervisor's region, so the host tool behind `make guest-dtb` computes
 * exactly what the hypervisor does.
 */
#include <string.h>

#include "guest_dtb.h"
#include "printf.h"
#include "sbi.h"
#include "vm.h"

/*
 * RAM the VM may use: every RAM range, less the hypervisor's memory at the
 * top. Firmware memory stays in: the guest DTB keeps it reserved, as the
 * firmware's own DTB does natively. Returns the count.
 */
static unsigned int vm_free_ram(const struct platform *p, struct mem_range hv,
				struct mem_range *free)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < p->nr_mem && n < VM_MAX_RAM; i++) {
		paddr_t start = p->mem[i].base;
		paddr_t end = start + p->mem[i].size;

		if (range_contains(start, end - start, hv.base, hv.size))
			end = hv.base;
		if (end > start)
			free[n++] = (struct mem_range){ start, end - start };
	}
	return n;
}

/*
 * Guest RAM when the config leaves it open: all free RAM but the top
 * @pristine bytes (2 MiB-rounded), kept for the pristine copies.
 */
static void vm_ram_all(struct vm *vm, const struct mem_range *free,
		       unsigned int nr_free, uint64_t pristine)
{
	for (unsigned int i = 0; i < nr_free; i++) {
		paddr_t end = free[i].base + free[i].size;

		if (i == nr_free - 1)
			end = ALIGN_DOWN(end - MIN(pristine, end),
					 VM_RAM_ALIGN);
		if (end > free[i].base)
			vm->ram[vm->nr_ram++] =
				(struct mem_range){ free[i].base,
						    end - free[i].base };
	}
}

/*
 * Guest RAM as the config places it: one window at @base (0: *@next, the
 * lowest RAM the VMs before left free), @size bytes (0: all that is left),
 * below the top @pristine bytes of its free range.
 */
static int vm_ram_window(struct vm *vm, paddr_t base, uint64_t size,
			 const struct mem_range *free, unsigned int nr_free,
			 uint64_t pristine, struct mem_range hv, paddr_t *next,
			 char *err, size_t errlen)
{
	const struct mem_range *r = NULL;
	paddr_t room;

	if (!base)
		base = *next;
	for (unsigned int i = 0; i < nr_free; i++)
		if (range_contains(free[i].base, free[i].size, base, 1))
			r = &free[i];
	if (!r)
		return errorf(
			err, errlen, SBI_ERR_INVALID_ADDRESS,
			"%s: guest RAM at 0x%lx is not free RAM (hartvisor keeps 0x%lx-0x%lx)",
			vm->what, (unsigned long)base, (unsigned long)hv.base,
			(unsigned long)(hv.base + hv.size));
	room = ALIGN_DOWN(r->base + r->size - MIN(pristine, r->size),
			  VM_RAM_ALIGN);
	if (!size && room > base)
		size = room - base;
	if (!size || base + size > room)
		return errorf(
			err, errlen, SBI_ERR_NO_SHMEM,
			"%s: guest RAM 0x%lx+%lu MiB does not fit: %lu MiB free from 0x%lx, less %lu MiB for the pristine image copies",
			vm->what, (unsigned long)base,
			(unsigned long)(size / MiB),
			(unsigned long)((r->base + r->size - base) / MiB),
			(unsigned long)base,
			(unsigned long)(ALIGN_UP(pristine, VM_RAM_ALIGN) /
					MiB));
	vm->ram[vm->nr_ram++] = (struct mem_range){ base, size };
	*next = base + size;
	return 0;
}

/*
 * Give each guest image to the VM whose RAM holds it; the first kernel of
 * each VM is its entry. Every VM needs one. Their pristine copies, for
 * SRST reboot, go right above the highest guest RAM.
 */
static int vm_plan_images(struct vm *plan, unsigned int nr,
			  const struct platform *p, paddr_t *end, char *err,
			  size_t errlen)
{
	paddr_t pristine = 0;

	for (unsigned int v = 0; v < nr; v++) {
		const struct mem_range *top = &plan[v].ram[plan[v].nr_ram - 1];

		plan[v].dtb = ALIGN_DOWN(top->base + top->size - GUEST_DTB_SLOT,
					 GUEST_DTB_SLOT);
		pristine = MAX(pristine, top->base + top->size);
	}
	for (unsigned int i = 0; i < p->nr_modules; i++) {
		const struct platform_module *m = &p->modules[i];
		const char *kind = platform_module_kind_name(m->kind);
		struct vm *vm = NULL;
		struct vm_image *img;

		for (unsigned int v = 0; v < nr && !vm; v++)
			if (vm_ram_contains(&plan[v], m->base, m->size))
				vm = &plan[v];
		if (!vm)
			return errorf(err, errlen, SBI_ERR_INVALID_ADDRESS,
				      "guest %s at 0x%lx-0x%lx is not in %s",
				      kind, m->base, m->base + m->size,
				      nr > 1 ? "any VM's RAM" : "guest RAM");
		if (ranges_overlap(m->base, m->size, vm->dtb, GUEST_DTB_SLOT))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"guest %s at 0x%lx-0x%lx overlaps the guest DTB slot 0x%lx-0x%lx: load it lower",
				kind, m->base, m->base + m->size, vm->dtb,
				vm->dtb + GUEST_DTB_SLOT);
		img = &vm->images[vm->nr_images++];
		img->kind = m->kind;
		img->base = m->base;
		img->size = m->size;
		img->pristine = pristine;
		pristine += ALIGN_UP(m->size, 4096);
		if (m->kind == MODULE_KERNEL && !vm->entry) {
			vm->entry = m->base;
			vm->bootargs = m->bootargs ? m->bootargs :
						     vm->spec->bootargs;
		}
	}
	for (unsigned int v = 0; v < nr; v++)
		if (!plan[v].entry)
			return errorf(
				err, errlen, SBI_ERR_INVALID_PARAM,
				"%s has no kernel: QEMU -device guest-loader,kernel=FILE,addr=ADDR with ADDR in its RAM 0x%lx-0x%lx",
				plan[v].what, plan[v].ram[0].base,
				plan[v].ram[0].base + plan[v].ram[0].size);
	*end = ALIGN_UP(pristine, CHAN_PAGE);
	return 0;
}

/* Pass @dev's page through; its interrupt goes to the VM's controller. */
static void vm_plan_device(struct vm *vm, const struct platform_device *dev)
{
	vm->mmio[vm->nr_mmio++] =
		(struct mem_range){ ALIGN_DOWN(dev->base, 4096), 4096 };
	if ((vm->spec->devices & VM_DEV_IRQCHIP) && dev->irq)
		vm->irqs[vm->nr_irqs++] = dev->irq;
}

/* Virtio slot @i's number: its place among the slots by address. */
static unsigned int virtio_slot(const struct platform *p, unsigned int i)
{
	unsigned int n = 0;

	for (unsigned int j = 0; j < p->nr_virtio; j++)
		n += p->virtio[j].base < p->virtio[i].base;
	return n;
}

/* The harts and devices the config asks for, on this machine. */
static int vm_plan_vcpus_devices(struct vm *vm, const struct platform *p,
				 char *err, size_t errlen)
{
	const struct vm_spec *s = vm->spec;
	uint64_t harts = s->harts;
	unsigned int top = 0;

	if (!harts)
		harts = p->nr_harts >= 64 ? ~0ULL : HARTS(0, p->nr_harts);
	for (unsigned int i = 0; i < 64; i++) {
		if (!(harts & (1ULL << i)))
			continue;
		top = i;
		if (i < p->nr_harts && vm->nr_vcpus < HV_MAX_HARTS)
			vm->hart_slot[vm->nr_vcpus++] = i;
	}
	if (top >= p->nr_harts)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"%s wants %u vCPUs (harts up to index %u), but this machine has %u hart%s (SMP=%u or more)",
			vm->what, (unsigned int)__builtin_popcountll(harts),
			top, p->nr_harts, p->nr_harts == 1 ? "" : "s", top + 1);
	/* Devices the guest owns, one page each; never the PLIC or CLINT. */
	if ((s->devices & VM_DEV_UART) && !p->uart.present)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "%s owns the UART, but the host DTB has none",
			      vm->what);
	if ((s->devices & VM_DEV_UART) && vm->config->nr_vms > 1) {
		/* hartvisor keeps the UART: each VM gets an emulated one. */
		vm->vuart_on = true;
		vm->vuart_page =
			(struct mem_range){ ALIGN_DOWN(p->uart.base, 4096),
					    4096 };
		if ((s->devices & VM_DEV_IRQCHIP) && p->uart.irq)
			vm->irqs[vm->nr_irqs++] = vm->vuart_irq = p->uart.irq;
	} else if (s->devices & VM_DEV_UART) {
		vm_plan_device(vm, &p->uart);
	}
	if ((s->devices & VM_DEV_RTC) && p->rtc.present)
		vm_plan_device(vm, &p->rtc);
	vm->dma_mmio = vm->nr_mmio;
	for (unsigned int i = 0; (s->devices & VM_DEV_VIRTIO) &&
				 i < p->nr_virtio && vm->nr_mmio < VM_MAX_MMIO;
	     i++)
		if (!s->virtio || (s->virtio & (1U << virtio_slot(p, i))))
			vm_plan_device(vm, &p->virtio[i]);
	if (p->nr_virtio < 32 && s->virtio >> p->nr_virtio)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"%s wants virtio slots 0x%x, but this machine has %u",
			vm->what, s->virtio, p->nr_virtio);
	return 0;
}

int vm_hv_place(const struct platform *p, uint64_t image_size,
		uint64_t dtb_size, struct mem_range *hv, char *err,
		size_t errlen)
{
	const struct mem_range *top = NULL;
	paddr_t base, end;

	for (unsigned int i = 0; i < p->nr_mem; i++)
		if (!top ||
		    p->mem[i].base + p->mem[i].size > top->base + top->size)
			top = &p->mem[i];
	if (!top)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "no memory node in the device tree");
	end = ALIGN_DOWN(top->base + top->size, VM_RAM_ALIGN);
	base = ALIGN_DOWN(end - MIN(end, image_size + dtb_size), VM_RAM_ALIGN);
	if (base < top->base || end - base < image_size + dtb_size)
		return errorf(
			err, errlen, SBI_ERR_NO_SHMEM,
			"RAM 0x%lx+%lu MiB is too small for hartvisor (%lu KiB and the device tree at its top)",
			top->base, (unsigned long)(top->size / MiB),
			(unsigned long)((image_size + dtb_size) / KiB));
	*hv = (struct mem_range){ base, end - base };
	for (unsigned int i = 0; i < p->nr_reserved; i++)
		if (ranges_overlap(base, end - base, p->reserved[i].base,
				   p->reserved[i].size))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"the top of RAM 0x%lx-0x%lx, where hartvisor goes, is reserved memory (0x%lx-0x%lx)",
				base, end, p->reserved[i].base,
				p->reserved[i].base + p->reserved[i].size);
	return 0;
}

/* Plan VM @vm (its spec, name and index set) but for its images. */
static int vm_plan_one(struct vm *vm, const struct platform *p,
		       const struct mem_range *free, unsigned int nr_free,
		       uint64_t pristine, struct mem_range hv, paddr_t *next,
		       char *err, size_t errlen)
{
	const struct vm_spec *s = vm->spec;
	int ret;

	ret = vm_plan_vcpus_devices(vm, p, err, errlen);
	if (ret)
		return ret;
	if (s->ram_base || s->ram_size || vm->config->nr_vms > 1)
		ret = vm_ram_window(vm, s->ram_base, s->ram_size, free, nr_free,
				    pristine, hv, next, err, errlen);
	else
		vm_ram_all(vm, free, nr_free, pristine);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < p->nr_reserved; i++)
		for (unsigned int j = 0; j < vm->nr_ram; j++)
			if (ranges_overlap(p->reserved[i].base,
					   p->reserved[i].size, vm->ram[j].base,
					   vm->ram[j].size)) {
				vm->reserved[vm->nr_reserved++] =
					p->reserved[i];
				break;
			}
	if (!vm->nr_ram || vm->ram[vm->nr_ram - 1].size < 2 * GUEST_DTB_SLOT)
		return errorf(err, errlen, SBI_ERR_NO_SHMEM,
			      "%s: guest RAM needs at least %lu MiB", vm->what,
			      (unsigned long)(2 * GUEST_DTB_SLOT / MiB));
	vm_plan_chan_ends(vm);
	irqchip_plan(&vm->irqchip, p, s->devices, vm->irqs, vm->nr_irqs);
	if ((s->devices & VM_DEV_IRQCHIP) && vm->irqchip.kind == IRQCHIP_NONE)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"%s owns the interrupt controller, but this machine has neither a PLIC nor AIA guest interrupt files (-M virt or -M virt,aia=aplic-imsic,aia-guests=1)",
			vm->what);
	return 0;
}

/* What a device page is, for a refusal. */
static const char *device_name(const struct platform *p, paddr_t page,
			       char *buf, size_t size)
{
	if (p->uart.present && ALIGN_DOWN(p->uart.base, 4096) == page)
		return "the UART";
	if (p->rtc.present && ALIGN_DOWN(p->rtc.base, 4096) == page)
		return "the RTC";
	for (unsigned int i = 0; i < p->nr_virtio; i++)
		if (ALIGN_DOWN(p->virtio[i].base, 4096) == page) {
			snprintf(buf, size, "virtio slot %u",
				 virtio_slot(p, i));
			return buf;
		}
	return "a device";
}

/*
 * Refuse a config that gives one hart, RAM range or device page to two
 * VMs. Interrupt sources come with the devices and guest interrupt files
 * with the harts, so these cover them.
 */
static int vm_plan_conflicts(const struct vm *a, const struct vm *b,
			     const struct platform *p, char *err, size_t errlen)
{
	const char *cfg = a->config->name;
	char dev[32];

	for (unsigned int i = 0; i < a->nr_vcpus; i++)
		for (unsigned int j = 0; j < b->nr_vcpus; j++)
			if (a->hart_slot[i] == b->hart_slot[j])
				return errorf(
					err, errlen, SBI_ERR_INVALID_PARAM,
					"config '%s': VMs '%s' and '%s' both take hart %lu",
					cfg, a->name, b->name,
					p->harts[a->hart_slot[i]].hartid);
	for (unsigned int i = 0; i < a->nr_ram; i++)
		for (unsigned int j = 0; j < b->nr_ram; j++)
			if (ranges_overlap(a->ram[i].base, a->ram[i].size,
					   b->ram[j].base, b->ram[j].size))
				return errorf(
					err, errlen, SBI_ERR_INVALID_PARAM,
					"config '%s': VMs '%s' and '%s' both take RAM 0x%lx-0x%lx",
					cfg, a->name, b->name,
					MAX(a->ram[i].base, b->ram[j].base),
					MIN(a->ram[i].base + a->ram[i].size,
					    b->ram[j].base + b->ram[j].size));
	for (unsigned int i = 0; i < a->nr_mmio; i++)
		for (unsigned int j = 0; j < b->nr_mmio; j++)
			if (a->mmio[i].base == b->mmio[j].base)
				return errorf(
					err, errlen, SBI_ERR_INVALID_PARAM,
					"config '%s': VMs '%s' and '%s' both take %s (device page 0x%lx)",
					cfg, a->name, b->name,
					device_name(p, a->mmio[i].base, dev,
						    sizeof(dev)),
					a->mmio[i].base);
	return 0;
}

int vm_plan_all(struct vm *plan, const struct platform *p,
		const struct vm_config *cfg, struct mem_range hv, char *err,
		size_t errlen)
{
	struct mem_range free[VM_MAX_RAM];
	unsigned int nr_free;
	uint64_t pristine = 0;
	paddr_t next;
	int ret = SBI_ERR_NOT_SUPPORTED;

	/* Nothing to run: say so before anything else. */
	for (unsigned int i = 0; i < p->nr_modules; i++)
		if (p->modules[i].kind == MODULE_KERNEL)
			ret = 0;
	if (ret)
		return errorf(
			err, errlen, ret,
			"no guest kernel (QEMU -device guest-loader,kernel=FILE,addr=ADDR): nothing to run");
	/* Above the highest guest RAM: the pristine copies, the channels. */
	for (unsigned int i = 0; i < p->nr_modules; i++)
		pristine += ALIGN_UP(p->modules[i].size, 4096);
	pristine += vm_plan_chan_bytes(cfg);
	nr_free = vm_free_ram(p, hv, free);
	if (!nr_free)
		return errorf(err, errlen, SBI_ERR_NO_SHMEM,
			      "no RAM left above the hypervisor");
	next = free[0].base;
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		struct vm *vm = &plan[i];

		memset(vm, 0, sizeof(*vm));
		vm->config = cfg;
		vm->spec = &cfg->vms[i];
		vm->name = vm_spec_name(cfg, i);
		vm->index = i;
		vm->vmid = i + 1;
		vm_spec_what(cfg, i, vm->what, sizeof(vm->what));
		ret = vm_plan_one(vm, p, free, nr_free, pristine, hv, &next,
				  err, errlen);
		for (unsigned int j = 0; !ret && j < i; j++)
			ret = vm_plan_conflicts(&plan[j], vm, p, err, errlen);
		if (ret)
			return ret;
	}
	ret = vm_plan_images(plan, cfg->nr_vms, p, &next, err, errlen);
	if (ret)
		return ret;
	return vm_plan_channels(plan, cfg->nr_vms, p, next, err, errlen);
}

unsigned int vm_plan_isa_offers(const struct vm *vm, const struct platform *p,
				bool hw_ad, bool pmu)
{
	bool svadu = p->nr_harts > 0;

	for (unsigned int i = 0; i < p->nr_harts; i++)
		svadu &= p->harts[i].has_svadu;
	return isa_offers(vm->sstc, svadu && hw_ad,
			  vm->irqchip.kind == IRQCHIP_AIA, pmu);
}

int vm_plan_guest_dtb(const struct vm *vm, const struct platform *p,
		      const void *host_dtb, size_t host_size, void *out,
		      size_t size, char *err, size_t errlen)
{
	unsigned long hartids[HV_MAX_HARTS];
	struct mem_range mmio[VM_MAX_MMIO + 1];
	struct guest_dtb_chan chans[VM_MAX_CHANNELS];
	struct guest_dtb_params params = {
		.nr_vcpus = vm->nr_vcpus,
		.vcpu_hartids = hartids,
		.nr_ram = vm->nr_ram,
		.ram = vm->ram,
		.bootargs = vm->bootargs,
		.isa_offers = vm->isa_offers,
		.nr_mmio = vm->nr_mmio,
		.mmio = mmio,
		.irqchip = vm->irqchip.kind,
		.imsic_base = vm->irqchip.imsic_base,
		.aplic_nsrc = vm->irqchip.nsrc,
		.aplic_base = p->aplic.base,
		.imsic_host_base = p->imsic.base,
		.nr_chans = vm->nr_chans,
		.chans = chans,
	};

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		hartids[i] = p->harts[vm->hart_slot[i]].hartid;
	/* The emulated UART is in the guest's tree where the real one is. */
	memcpy(mmio, vm->mmio, vm->nr_mmio * sizeof(mmio[0]));
	if (vm->vuart_on)
		mmio[params.nr_mmio++] = vm->vuart_page;
	for (unsigned int i = 0; i < vm->nr_chans; i++) {
		const struct vm_chan_end *e = &vm->chans[i];

		chans[i] = (struct guest_dtb_chan){
			.name = e->ch->name,
			.gpa = e->gpa,
			.size = e->ch->size,
			.doorbell = e->doorbell,
			.doorbell_size = e->doorbell_size,
			.irq = e->irq,
			.peer = e->peer,
			.trusted = e->ch->doorbell == CHAN_DOORBELL_TRUSTED,
		};
	}
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		if (vm->images[i].kind == MODULE_RAMDISK &&
		    !params.has_initrd) {
			params.has_initrd = true;
			params.initrd_start = vm->images[i].base;
			params.initrd_end =
				vm->images[i].base + vm->images[i].size;
		}
	}
	return guest_dtb_build(host_dtb, host_size, out, size, &params, err,
			       errlen);
}

bool vm_ram_usable(const struct vm *vm, gpa_t gpa, uint64_t size)
{
	for (unsigned int i = 0; i < vm->nr_reserved; i++)
		if (ranges_overlap(gpa, size, vm->reserved[i].base,
				   vm->reserved[i].size))
			return false;
	return vm_ram_contains(vm, gpa, size);
}

bool vm_ram_contains(const struct vm *vm, gpa_t gpa, uint64_t size)
{
	for (unsigned int i = 0; i < vm->nr_ram; i++)
		if (range_contains(vm->ram[i].base, vm->ram[i].size, gpa, size))
			return true;
	return false;
}
