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
 * Guest RAM: every RAM range, less everything up to the end of the
 * hypervisor in its range (OpenSBI sits below it), less the pristine copies
 * at the very top.
 */
static void vm_layout_ram(struct vm *vm, const struct platform *p,
			  struct mem_range hv, paddr_t pristine_base)
{
	for (unsigned int i = 0; i < p->nr_mem && vm->nr_ram < VM_MAX_RAM;
	     i++) {
		paddr_t start = p->mem[i].base;
		paddr_t end = start + p->mem[i].size;

		if (range_contains(start, end - start, hv.base, hv.size))
			start = hv.base + hv.size;
		if (pristine_base >= start && pristine_base < end)
			end = pristine_base;
		if (end > start)
			vm->ram[vm->nr_ram++] =
				(struct mem_range){ start, end - start };
	}
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
			vm->bootargs = m->bootargs;
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

int vm_plan(struct vm *vm, const struct platform *p, struct mem_range hv,
	    char *err, size_t errlen)
{
	const struct mem_range *top = &p->mem[p->nr_mem - 1];
	uint64_t pristine_size = 0;
	int ret = SBI_ERR_NOT_SUPPORTED;

	/* Nothing to run: say so before anything else. */
	for (unsigned int i = 0; i < p->nr_modules; i++)
		if (p->modules[i].kind == MODULE_KERNEL)
			ret = 0;
	if (ret)
		return errorf(
			err, errlen, ret,
			"no guest kernel (QEMU -device guest-loader,kernel=FILE,addr=ADDR): nothing to run");

	vm->nr_vcpus = p->nr_harts;
	for (unsigned int i = 0; i < p->nr_modules; i++)
		pristine_size += ALIGN_UP(p->modules[i].size, 4096);
	vm_layout_ram(vm, p, hv,
		      ALIGN_DOWN(top->base + top->size - pristine_size,
				 2 * MiB));
	if (!vm->nr_ram || vm->ram[vm->nr_ram - 1].size < 2 * GUEST_DTB_SLOT)
		return errorf(err, errlen, SBI_ERR_NO_SHMEM,
			      "no room for guest RAM next to the hypervisor");
	/* Devices the guest owns, one page each; never the PLIC or CLINT. */
	if (p->uart.present)
		vm->mmio[vm->nr_mmio++] =
			(struct mem_range){ ALIGN_DOWN(p->uart.base, 4096),
					    4096 };
	for (unsigned int i = 0; i < p->nr_virtio && vm->nr_mmio < VM_MAX_MMIO;
	     i++)
		vm->mmio[vm->nr_mmio++] =
			(struct mem_range){ ALIGN_DOWN(p->virtio[i].base, 4096),
					    4096 };
	return vm_layout_images(vm, p, err, errlen);
}

int vm_plan_guest_dtb(const struct vm *vm, const struct platform *p,
		      const void *host_dtb, void *out, size_t size, char *err,
		      size_t errlen)
{
	unsigned long hartids[HV_MAX_HARTS];
	struct guest_dtb_params params = {
		.nr_vcpus = vm->nr_vcpus,
		.vcpu_hartids = hartids,
		.nr_ram = vm->nr_ram,
		.ram = vm->ram,
		.bootargs = vm->bootargs,
		.sstc = vm->sstc,
		.nr_mmio = vm->nr_mmio,
		.mmio = vm->mmio,
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
	return guest_dtb_build(host_dtb, out, size, &params, err, errlen);
}

bool vm_ram_contains(const struct vm *vm, gpa_t gpa, uint64_t size)
{
	for (unsigned int i = 0; i < vm->nr_ram; i++)
		if (range_contains(vm->ram[i].base, vm->ram[i].size, gpa, size))
			return true;
	return false;
}
