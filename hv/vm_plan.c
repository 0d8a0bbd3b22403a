// SPDX-License-Identifier: BSD-2-Clause
/*
 * The VM's plan: where guest RAM, the images, their pristine copies and
 * the guest DTB go, and the guest DTB itself — pure functions of the host
 * DTB and the hypervisor's region, so the host tool behind `make
 * guest-dtb` computes exactly what the hypervisor does.
 */
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

/* Guest RAM as the config places it: one window, pristine copies above. */
static int vm_ram_window(struct vm *vm, const struct vm_config *cfg,
			 const struct mem_range *free, unsigned int nr_free,
			 uint64_t pristine, struct mem_range hv, char *err,
			 size_t errlen)
{
	paddr_t base = cfg->ram_base ? cfg->ram_base : free[0].base;
	const struct mem_range *r = NULL;
	uint64_t size = cfg->ram_size;
	paddr_t room;

	for (unsigned int i = 0; i < nr_free; i++)
		if (range_contains(free[i].base, free[i].size, base, 1))
			r = &free[i];
	if (!r)
		return errorf(
			err, errlen, SBI_ERR_INVALID_ADDRESS,
			"config '%s': guest RAM at 0x%lx is not free RAM (hartvisor keeps 0x%lx-0x%lx)",
			cfg->name, (unsigned long)base, (unsigned long)hv.base,
			(unsigned long)(hv.base + hv.size));
	room = ALIGN_DOWN(r->base + r->size - MIN(pristine, r->size),
			  VM_RAM_ALIGN);
	if (!size && room > base)
		size = room - base;
	if (!size || base + size > room)
		return errorf(
			err, errlen, SBI_ERR_NO_SHMEM,
			"config '%s': guest RAM 0x%lx+%lu MiB does not fit: %lu MiB free from 0x%lx, less %lu MiB for the pristine image copies",
			cfg->name, (unsigned long)base,
			(unsigned long)(size / MiB),
			(unsigned long)((r->base + r->size - base) / MiB),
			(unsigned long)base,
			(unsigned long)(ALIGN_UP(pristine, VM_RAM_ALIGN) /
					MiB));
	vm->ram[vm->nr_ram++] = (struct mem_range){ base, size };
	return 0;
}

static int vm_layout_images(struct vm *vm, const struct platform *p, char *err,
			    size_t errlen)
{
	const struct mem_range *top = &vm->ram[vm->nr_ram - 1];
	paddr_t pristine = 0;
	bool kernel = false;

	vm->dtb = ALIGN_DOWN(top->base + top->size - GUEST_DTB_SLOT,
			     GUEST_DTB_SLOT);
	for (unsigned int i = 0; i < p->nr_modules; i++) {
		const struct platform_module *m = &p->modules[i];
		struct vm_image *img = &vm->images[vm->nr_images++];

		img->kind = m->kind;
		img->base = m->base;
		img->size = m->size;
		if (!vm_ram_contains(vm, m->base, m->size))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"guest %s at 0x%lx-0x%lx is not in guest RAM",
				platform_module_kind_name(m->kind), m->base,
				m->base + m->size);
		if (ranges_overlap(m->base, m->size, vm->dtb, GUEST_DTB_SLOT))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"guest %s at 0x%lx-0x%lx overlaps the guest DTB slot 0x%lx-0x%lx: load it lower",
				platform_module_kind_name(m->kind), m->base,
				m->base + m->size, vm->dtb,
				vm->dtb + GUEST_DTB_SLOT);
		if (m->kind == MODULE_KERNEL && !kernel) {
			kernel = true;
			vm->entry = m->base;
			vm->bootargs = m->bootargs ? m->bootargs :
						     vm->config->bootargs;
		}
	}
	/* Pristine copies, for SRST reboot, right above guest RAM. */
	pristine = top->base + top->size;
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		vm->images[i].pristine = pristine;
		pristine += ALIGN_UP(vm->images[i].size, 4096);
	}
	return 0;
}

/* Pass @dev's page through; its interrupt goes to the VM's controller. */
static void vm_plan_device(struct vm *vm, const struct vm_config *cfg,
			   const struct platform_device *dev)
{
	vm->mmio[vm->nr_mmio++] =
		(struct mem_range){ ALIGN_DOWN(dev->base, 4096), 4096 };
	if ((cfg->devices & VM_DEV_IRQCHIP) && dev->irq)
		vm->irqs[vm->nr_irqs++] = dev->irq;
}

/* The harts and devices the config asks for, on this machine. */
static int vm_plan_vcpus_devices(struct vm *vm, const struct platform *p,
				 const struct vm_config *cfg, char *err,
				 size_t errlen)
{
	vm->nr_vcpus = cfg->nr_vcpus ? cfg->nr_vcpus : p->nr_harts;
	if (vm->nr_vcpus > p->nr_harts)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s' wants %u vCPUs, but this machine has %u hart%s (SMP=%u or more)",
			cfg->name, vm->nr_vcpus, p->nr_harts,
			p->nr_harts == 1 ? "" : "s", vm->nr_vcpus);
	/* Devices the guest owns, one page each; never the PLIC or CLINT. */
	if ((cfg->devices & VM_DEV_UART) && !p->uart.present)
		return errorf(
			err, errlen, SBI_ERR_NOT_SUPPORTED,
			"config '%s' owns the UART, but the host DTB has none",
			cfg->name);
	if (cfg->devices & VM_DEV_UART)
		vm_plan_device(vm, cfg, &p->uart);
	if ((cfg->devices & VM_DEV_RTC) && p->rtc.present)
		vm_plan_device(vm, cfg, &p->rtc);
	vm->dma_mmio = vm->nr_mmio;
	for (unsigned int i = 0; (cfg->devices & VM_DEV_VIRTIO) &&
				 i < p->nr_virtio && vm->nr_mmio < VM_MAX_MMIO;
	     i++)
		vm_plan_device(vm, cfg, &p->virtio[i]);
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

int vm_plan(struct vm *vm, const struct platform *p,
	    const struct vm_config *cfg, struct mem_range hv, char *err,
	    size_t errlen)
{
	struct mem_range free[VM_MAX_RAM];
	unsigned int nr_free;
	uint64_t pristine = 0;
	int ret = SBI_ERR_NOT_SUPPORTED;

	/* Nothing to run: say so before anything else. */
	for (unsigned int i = 0; i < p->nr_modules; i++)
		if (p->modules[i].kind == MODULE_KERNEL)
			ret = 0;
	if (ret)
		return errorf(
			err, errlen, ret,
			"no guest kernel (QEMU -device guest-loader,kernel=FILE,addr=ADDR): nothing to run");

	vm->config = cfg;
	ret = vm_plan_vcpus_devices(vm, p, cfg, err, errlen);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < p->nr_modules; i++)
		pristine += ALIGN_UP(p->modules[i].size, 4096);
	nr_free = vm_free_ram(p, hv, free);
	if (!nr_free)
		return errorf(err, errlen, SBI_ERR_NO_SHMEM,
			      "no RAM left above the hypervisor");
	if (cfg->ram_base || cfg->ram_size)
		ret = vm_ram_window(vm, cfg, free, nr_free, pristine, hv, err,
				    errlen);
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
			      "config '%s': guest RAM needs at least %lu MiB",
			      cfg->name,
			      (unsigned long)(2 * GUEST_DTB_SLOT / MiB));
	irqchip_plan(&vm->irqchip, p, cfg->devices, vm->irqs, vm->nr_irqs);
	if ((cfg->devices & VM_DEV_IRQCHIP) && vm->irqchip.kind == IRQCHIP_NONE)
		return errorf(
			err, errlen, SBI_ERR_NOT_SUPPORTED,
			"config '%s' owns the interrupt controller, but this machine has neither a PLIC nor AIA guest interrupt files (-M virt or -M virt,aia=aplic-imsic,aia-guests=1)",
			cfg->name);
	return vm_layout_images(vm, p, err, errlen);
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
	struct guest_dtb_params params = {
		.nr_vcpus = vm->nr_vcpus,
		.vcpu_hartids = hartids,
		.nr_ram = vm->nr_ram,
		.ram = vm->ram,
		.bootargs = vm->bootargs,
		.isa_offers = vm->isa_offers,
		.nr_mmio = vm->nr_mmio,
		.mmio = vm->mmio,
		.irqchip = vm->irqchip.kind,
		.imsic_base = vm->irqchip.imsic_base,
		.aplic_nsrc = vm->irqchip.nsrc,
		.aplic_base = p->aplic.base,
		.imsic_host_base = p->imsic.base,
	};

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		hartids[i] = p->harts[i].hartid;
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
