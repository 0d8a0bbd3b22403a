// SPDX-License-Identifier: BSD-2-Clause
/*
 * Devices of the host device tree — UART, PLIC (with each hart's S-mode
 * context), CLINT, virtio-mmio slots — and the guest images QEMU's
 * -device guest-loader describes under /chosen/module@*.
 */
#include <libfdt.h>
#include <string.h>

#include "dtb_check.h"
#include "platform_fdt.h"

void platform_read_device(const void *fdt, const struct scan_node *n,
			  struct platform_device *d)
{
	int len;
	const fdt32_t *irq = dtb_getprop(fdt, n->node, "interrupts", &len);

	d->present = !platform_read_reg(fdt, n, 0, &d->base, &d->size);
	/* Its first interrupt: <irq> (PLIC) or <irq flags> (APLIC). */
	d->irq = irq && len >= 4 ? fdt32_to_cpu(irq[0]) : 0;
}

const struct scan_node *platform_first(const struct parse *ps,
				       enum scan_compat first,
				       enum scan_compat last)
{
	for (unsigned int i = first; i <= last; i++)
		if (ps->scan.first[i].node >= 0)
			return &ps->scan.first[i];
	return NULL;
}

void platform_parse_uart(struct parse *ps)
{
	const struct scan_node *n = &ps->scan.stdout_found;

	/* /chosen/stdout-path's node, if it has a reg; else an ns16550. */
	if (n->node < 0 || !dtb_getprop(ps->fdt, n->node, "reg", NULL))
		n = platform_first(ps, SCAN_NS16550A, SCAN_NS16550);
	if (n)
		platform_read_device(ps->fdt, n, &ps->p->uart);
}

void platform_parse_rtc(struct parse *ps)
{
	const struct scan_node *n =
		platform_first(ps, SCAN_GOLDFISH_RTC, SCAN_GOLDFISH_RTC);

	if (n)
		platform_read_device(ps->fdt, n, &ps->p->rtc);
}

int platform_parse_plic(struct parse *ps)
{
	const struct scan_node *n =
		platform_first(ps, SCAN_PLIC0, SCAN_SIFIVE_PLIC);
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	const fdt32_t *cells;
	int node, len;

	if (!n)
		return 0; /* no PLIC: platform_check decides what that means */
	node = n->node;
	platform_read_device(fdt, n, &p->plic);
	if (!p->plic.present)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "PLIC node %s has no valid reg",
				     platform_node_name(fdt, node));
	if (!platform_read_u32(fdt, node, "riscv,ndev", &p->plic_ndev))
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "PLIC node %s has no riscv,ndev",
				     platform_node_name(fdt, node));
	cells = dtb_getprop(fdt, node, "interrupts-extended", &len);
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
	const struct platform_scan *s = &ps->scan;
	struct platform *p = ps->p;

	for (unsigned int i = 0; i < s->nr_virtio; i++) {
		if (i >= ARRAY_SIZE(s->virtio) ||
		    p->nr_virtio >= PLATFORM_MAX_VIRTIO)
			return platform_fail(ps, SBI_ERR_NOT_SUPPORTED,
					     "more than %d virtio-mmio slots",
					     PLATFORM_MAX_VIRTIO);
		platform_read_device(ps->fdt, &s->virtio[i],
				     &p->virtio[p->nr_virtio]);
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
	const struct platform_scan *s = &ps->scan;
	struct platform *p = ps->p;
	int chosen = s->chosen;
	int node;

	if (chosen < 0)
		return 0;
	/* QEMU's -append: the hypervisor's own command line. */
	p->cmdline = dtb_getprop(fdt, chosen, "bootargs", &node);
	if (p->cmdline && (node < 1 || p->cmdline[node - 1]))
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "/chosen/bootargs is not a string");
	for (unsigned int i = 0; i < s->nr_modules; i++) {
		struct platform_module *m;
		int clen;
		const char *compat;

		if (p->nr_modules >= PLATFORM_MAX_MODULES)
			return platform_fail(
				ps, SBI_ERR_NOT_SUPPORTED,
				"more than %d guest modules in /chosen",
				PLATFORM_MAX_MODULES);
		node = s->modules[i].node;
		compat = dtb_getprop(fdt, node, "compatible", &clen);
		m = &p->modules[p->nr_modules];
		if (platform_read_reg(fdt, &s->modules[i], 0, &m->base,
				      &m->size) ||
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
		m->bootargs = dtb_getprop(fdt, node, "bootargs", &clen);
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
	const struct scan_node *n = &ps->scan.imsic;
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	const fdt32_t *cells;
	int node = n->node, len;

	*imsic_node = node;
	if (node < 0)
		return 0;
	cells = dtb_getprop(fdt, node, "interrupts-extended", &len);
	platform_read_device(fdt, n, &p->imsic);
	if (!p->imsic.present || len % 8)
		return platform_fail(
			ps, SBI_ERR_INVALID_PARAM,
			"IMSIC node %s needs one reg and <phandle 9> pairs in interrupts-extended",
			platform_node_name(fdt, node));
	if (dtb_getprop(fdt, node, "riscv,group-index-bits", NULL) ||
	    platform_read_reg(fdt, n, 1, &(paddr_t){ 0 }, &(uint64_t){ 0 }) !=
		    -FDT_ERR_NOTFOUND)
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
	const struct platform_scan *s = &ps->scan;
	const struct scan_node *aplic = NULL;
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	int imsic, node, ret;
	uint32_t parent;

	ret = parse_imsic(ps, &imsic);
	if (ret || imsic < 0)
		return ret;
	/* The S-level APLIC: the one that sends its MSIs to that IMSIC. */
	for (unsigned int i = 0;
	     !aplic && i < s->nr_aplic && i < ARRAY_SIZE(s->aplic); i++)
		if (platform_read_u32(fdt, s->aplic[i].node, "msi-parent",
				      &parent) &&
		    parent == fdt_get_phandle(fdt, imsic))
			aplic = &s->aplic[i];
	if (!aplic)
		return 0; /* IMSICs only (aia=imsic? no such machine yet) */
	node = aplic->node;
	platform_read_device(fdt, aplic, &p->aplic);
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
