// SPDX-License-Identifier: BSD-2-Clause
/* Can hartvisor run on this platform? Each refusal is one actionable line. */
#include <stdarg.h>
#include <string.h>

#include "platform.h"
#include "printf.h"
#include "sbi.h"

static bool in_ram(const struct platform *p, paddr_t base, uint64_t size)
{
	for (unsigned int i = 0; i < p->nr_mem; i++)
		if (range_contains(p->mem[i].base, p->mem[i].size, base, size))
			return true;
	return false;
}

static int check_module(const struct platform *p,
			const struct platform_module *m, struct mem_range hv,
			char *err, size_t errlen)
{
	const char *kind = platform_module_kind_name(m->kind);
	paddr_t end = m->base + m->size;

	if (end < m->base || !in_ram(p, m->base, m->size))
		return errorf(err, errlen, SBI_ERR_INVALID_ADDRESS,
			      "guest %s at 0x%lx-0x%lx is not in RAM", kind,
			      m->base, end);
	if (ranges_overlap(m->base, m->size, hv.base, hv.size))
		return errorf(
			err, errlen, SBI_ERR_INVALID_ADDRESS,
			"guest %s at 0x%lx-0x%lx overlaps hypervisor memory 0x%lx-0x%lx at the top of RAM: load it lower (guest-loader addr=) or give QEMU more memory (-m)",
			kind, m->base, end, hv.base, hv.base + hv.size);
	for (unsigned int i = 0; i < p->nr_reserved; i++) {
		const struct mem_range *r = &p->reserved[i];

		if (ranges_overlap(m->base, m->size, r->base, r->size))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"guest %s at 0x%lx-0x%lx overlaps reserved (firmware) memory 0x%lx-0x%lx",
				kind, m->base, end, r->base, r->base + r->size);
	}
	for (const struct platform_module *o = p->modules; o < m; o++)
		if (ranges_overlap(m->base, m->size, o->base, o->size))
			return errorf(
				err, errlen, SBI_ERR_INVALID_ADDRESS,
				"guest %s at 0x%lx-0x%lx overlaps guest %s at 0x%lx",
				kind, m->base, end,
				platform_module_kind_name(o->kind), o->base);
	return 0;
}

int platform_check(const struct platform *p, unsigned long boot_hartid,
		   struct mem_range hv, char *err, size_t errlen)
{
	if (!p->nr_harts)
		return errorf(
			err, errlen, SBI_ERR_NOT_SUPPORTED,
			"no usable hart in the device tree (need cpu nodes with status \"okay\" and an mmu-type)");
	for (unsigned int i = 0; i < p->nr_harts; i++) {
		const struct platform_hart *h = &p->harts[i];

		/* The single letters say it; the rest can be 300 characters. */
		if (!h->has_h)
			return errorf(
				err, errlen, SBI_ERR_NOT_SUPPORTED,
				"no H extension on hart %lu (riscv,isa = %.*s...): run QEMU with -cpu rv64,h=true",
				h->hartid, (int)strcspn(h->isa, "_"), h->isa);
	}
	if (!platform_find_hart(p, boot_hartid))
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"the boot hart %lu is not a usable hart of the device tree",
			boot_hartid);
	return platform_check_memory(p, hv, err, errlen);
}

int platform_check_memory(const struct platform *p, struct mem_range hv,
			  char *err, size_t errlen)
{
	int ret;

	if (!p->nr_mem)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "no memory node in the device tree");
	if (!in_ram(p, hv.base, hv.size))
		return errorf(
			err, errlen, SBI_ERR_INVALID_ADDRESS,
			"the hypervisor at 0x%lx-0x%lx is not inside one RAM range of the device tree",
			hv.base, hv.base + hv.size);
	for (unsigned int i = 0; i < p->nr_modules; i++) {
		ret = check_module(p, &p->modules[i], hv, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

bool platform_has_aia(const struct platform *p)
{
	if (!p->imsic.present || !p->aplic.present || !p->imsic_guest_bits ||
	    !p->nr_harts)
		return false;
	for (unsigned int i = 0; i < p->nr_harts; i++)
		if (!p->harts[i].has_ssaia || p->harts[i].imsic_index < 0)
			return false;
	return true;
}
