// SPDX-License-Identifier: BSD-2-Clause
/*
 * Devices of the host device tree — UART, PLIC (with each hart's S-mode
 * context), CLINT, virtio-mmio slots — and the guest images QEMU's
 * -device guest-loader describes under /chosen/module@*.
 */
#include <libfdt.h>
#include <string.h>

#include "platform_fdt.h"

void platform_read_device(const void *fdt, int node, struct platform_device *d)
{
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);

	d->present = !platform_read_reg(fdt, node, 0, &d->base, &d->size);
	/* Its first interrupt: <irq> (PLIC) or <irq flags> (APLIC). */
	d->irq = irq && len >= 4 ? fdt32_to_cpu(irq[0]) : 0;
}

/* First enabled node compatible with any of the NULL-terminated @compat. */
int platform_find_compatible(const void *fdt, const char *const *compat)
{
	for (; *compat; compat++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, *compat);

		for (; node >= 0;
		     node = fdt_node_offset_by_compatible(fdt, node, *compat))
			if (platform_node_enabled(fdt, node))
				return node;
	}
	return -FDT_ERR_NOTFOUND;
}

void platform_parse_uart(struct parse *ps)
{
	static const char *const compat[] = { "ns16550a", "ns16550", NULL };
	const void *fdt = ps->fdt;
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = NULL;
	int len = 0, node = -1;

	if (chosen >= 0)
		path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (path && len > 0) {
		const char *colon = memchr(path, ':', (size_t)len);
		int n = colon ? (int)(colon - path) : (int)strnlen(path, len);

		node = fdt_path_offset_namelen(fdt, path, n);
	}
	if (node < 0 || !fdt_getprop(fdt, node, "reg", NULL))
		node = platform_find_compatible(fdt, compat);
	if (node >= 0)
		platform_read_device(fdt, node, &ps->p->uart);
}

void platform_parse_rtc(struct parse *ps)
{
	static const char *const compat[] = { "google,goldfish-rtc", NULL };
	int node = platform_find_compatible(ps->fdt, compat);

	if (node >= 0)
		platform_read_device(ps->fdt, node, &ps->p->rtc);
}

int platform_parse_plic(struct parse *ps)
{
	static const char *const compat[] = { "riscv,plic0",
					      "sifive,plic-1.0.0", NULL };
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	const fdt32_t *cells;
	int node, len;

	node = platform_find_compatible(fdt, compat);
	if (node < 0)
		return 0; /* no PLIC: platform_check decides what that means */
	platform_read_device(fdt, node, &p->plic);
	if (!p->plic.present)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "PLIC node %s has no valid reg",
				     platform_node_name(fdt, node));
	if (!platform_read_u32(fdt, node, "riscv,ndev", &p->plic_ndev))
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "PLIC node %s has no riscv,ndev",
				     platform_node_name(fdt, node));
	cells = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!cells || len <= 0 || len % (2 * sizeof(fdt32_t)))
		return platform_fail(
			ps, SBI_ERR_INVALID_PARAM,
			"PLIC node %s has no valid interrupts-extended (need <phandle irq> pairs)",
			platform_node_name(fdt, node));

	/* Context i is pair i; the S-mode ones carry IRQ_S_EXT. */
	for (int ctx = 0; ctx < len / (int)(2 * sizeof(fdt32_t)); ctx++) {
		uint32_t phandle = fdt32_to_cpu(cells[2 * ctx]);
		uint32_t irq = fdt32_to_cpu(cells[2 * ctx + 1]);

		if (irq != IRQ_S_EXT || !phandle || phandle == ~0U)
			continue;
		for (unsigned int i = 0; i < p->nr_harts; i++)
			if (p->harts[i].intc_phandle == phandle)
				p->harts[i].plic_s_context = ctx;
	}
	return 0;
}

int platform_parse_virtio(struct parse *ps)
{
	struct platform *p = ps->p;
	int node;

	for (node = fdt_node_offset_by_compatible(ps->fdt, -1, "virtio,mmio");
	     node >= 0; node = fdt_node_offset_by_compatible(ps->fdt, node,
							     "virtio,mmio")) {
		if (!platform_node_enabled(ps->fdt, node))
			continue;
		if (p->nr_virtio >= PLATFORM_MAX_VIRTIO)
			return platform_fail(ps, SBI_ERR_NOT_SUPPORTED,
					     "more than %d virtio-mmio slots",
					     PLATFORM_MAX_VIRTIO);
		platform_read_device(ps->fdt, node, &p->virtio[p->nr_virtio]);
		if (p->virtio[p->nr_virtio].present)
			p->nr_virtio++;
	}
	/* By address, so logs and the guest see a stable order. */
	SORT_BY(p->virtio, p->nr_virtio, base);
	return 0;
}

int platform_parse_modules(struct parse *ps)
{
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	int chosen = fdt_path_offset(fdt, "/chosen");
	int node;

	if (chosen < 0)
		return 0;
	/* QEMU's -append: the hypervisor's own command line. */
	p->cmdline = fdt_getprop(fdt, chosen, "bootargs", &node);
	if (p->cmdline && (node < 1 || p->cmdline[node - 1]))
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "/chosen/bootargs is not a string");
	fdt_for_each_subnode(node, fdt, chosen) {
		struct platform_module *m;
		int clen;
		const char *compat =
			fdt_getprop(fdt, node, "compatible", &clen);

		if (!compat || !(fdt_stringlist_contains(compat, clen,
							 "multiboot,module") ||
				 fdt_stringlist_contains(compat, clen,
							 "multiboot,kernel") ||
				 fdt_stringlist_contains(compat, clen,
							 "multiboot,ramdisk")))
			continue;
		if (p->nr_modules >= PLATFORM_MAX_MODULES)
			return platform_fail(
				ps, SBI_ERR_NOT_SUPPORTED,
				"more than %d guest modules in /chosen",
				PLATFORM_MAX_MODULES);
		m = &p->modules[p->nr_modules];
		if (platform_read_reg(fdt, node, 0, &m->base, &m->size) ||
		    !m->size)
			return platform_fail(
				ps, SBI_ERR_INVALID_PARAM,
				"guest module /chosen/%s has no valid reg",
				platform_node_name(fdt, node));
		if (fdt_stringlist_contains(compat, clen, "multiboot,kernel"))
			m->kind = MODULE_KERNEL;
		else if (fdt_stringlist_contains(compat, clen,
						 "multiboot,ramdisk"))
			m->kind = MODULE_RAMDISK;
		else
			m->kind = MODULE_OTHER;
		m->bootargs = fdt_getprop(fdt, node, "bootargs", &clen);
		if (m->bootargs && (clen < 1 || m->bootargs[clen - 1]))
			m->bootargs = NULL;
		p->nr_modules++;
	}
	SORT_BY(p->modules, p->nr_modules, base);
	return 0;
}

/*
 * The S-level IMSIC of an AIA machine: the enabled riscv,imsics node whose
 * interrupts-extended names the harts' S-mode external interrupt (the
 * M-level one names 11, and OpenSBI disables it). Entry i is hart index
 * i. One region only: a multi-socket layout (groups) is refused.
 */
static int parse_imsic(struct parse *ps, int *imsic_node)
{
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	const fdt32_t *cells;
	int node, len;

	for (node = fdt_node_offset_by_compatible(fdt, -1, "riscv,imsics");
	     node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "riscv,imsics")) {
		cells = fdt_getprop(fdt, node, "interrupts-extended", &len);
		if (platform_node_enabled(fdt, node) && cells && len >= 8 &&
		    fdt32_to_cpu(cells[1]) == IRQ_S_EXT)
			break;
	}
	*imsic_node = node;
	if (node < 0)
		return 0;
	platform_read_device(fdt, node, &p->imsic);
	if (!p->imsic.present || len % 8)
		return platform_fail(
			ps, SBI_ERR_INVALID_PARAM,
			"IMSIC node %s needs one reg and <phandle 9> pairs in interrupts-extended",
			platform_node_name(fdt, node));
	if (fdt_getprop(fdt, node, "riscv,group-index-bits", NULL) ||
	    platform_read_reg(fdt, node, 1, &(paddr_t){ 0 },
			      &(uint64_t){ 0 }) != -FDT_ERR_NOTFOUND)
		return platform_fail(
			ps, SBI_ERR_NOT_SUPPORTED,
			"IMSIC node %s has several groups (sockets): not supported",
			platform_node_name(fdt, node));
	if (!platform_read_u32(fdt, node, "riscv,guest-index-bits",
			       &p->imsic_guest_bits))
		p->imsic_guest_bits = 0;
	if (p->imsic_guest_bits > 6)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "IMSIC node %s: %u guest index bits",
				     platform_node_name(fdt, node),
				     p->imsic_guest_bits);
	p->imsic_stride = 4096ULL << p->imsic_guest_bits;
	if (!platform_read_u32(fdt, node, "riscv,num-ids", &p->imsic_num_ids) ||
	    p->imsic_num_ids < 63 || p->imsic_num_ids > 2047 ||
	    p->imsic_num_ids % 64 != 63)
		return platform_fail(
			ps, SBI_ERR_INVALID_PARAM,
			"IMSIC node %s: riscv,num-ids must be 63, 127, ... 2047",
			platform_node_name(fdt, node));
	for (int i = 0; i < len / 8; i++) {
		uint32_t phandle = fdt32_to_cpu(cells[2 * i]);

		if (fdt32_to_cpu(cells[2 * i + 1]) != IRQ_S_EXT)
			continue;
		if ((uint64_t)(i + 1) * p->imsic_stride > p->imsic.size)
			return platform_fail(
				ps, SBI_ERR_INVALID_PARAM,
				"IMSIC node %s: hart index %d lies outside its reg",
				platform_node_name(fdt, node), i);
		for (unsigned int h = 0; h < p->nr_harts; h++)
			if (p->harts[h].intc_phandle == phandle)
				p->harts[h].imsic_index = i;
	}
	return 0;
}

int platform_parse_aia(struct parse *ps)
{
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	int imsic, node, ret;
	uint32_t parent;

	ret = parse_imsic(ps, &imsic);
	if (ret || imsic < 0)
		return ret;
	/* The S-level APLIC: the one that sends its MSIs to that IMSIC. */
	for (node = fdt_node_offset_by_compatible(fdt, -1, "riscv,aplic");
	     node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "riscv,aplic"))
		if (platform_node_enabled(fdt, node) &&
		    platform_read_u32(fdt, node, "msi-parent", &parent) &&
		    parent == fdt_get_phandle(fdt, imsic))
			break;
	if (node < 0)
		return 0; /* IMSICs only (aia=imsic? no such machine yet) */
	platform_read_device(fdt, node, &p->aplic);
	if (!p->aplic.present ||
	    !platform_read_u32(fdt, node, "riscv,num-sources",
			       &p->aplic_nsrc) ||
	    !p->aplic_nsrc || p->aplic_nsrc > 1023)
		return platform_fail(
			ps, SBI_ERR_INVALID_PARAM,
			"APLIC node %s needs a reg and riscv,num-sources 1..1023",
			platform_node_name(fdt, node));
	return 0;
}
