// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest DTB's memory and devices: which host nodes the guest loses,
 * the reservations and the one memory node it gets, and /chosen's
 * properties (see guest_dtb.h).
 */
#include <libfdt.h>
#include <string.h>

#include "guest_dtb_rw.h"

static bool is_clint(const struct node_props *np)
{
	static const char *const clint[] = {
		"riscv,clint0",	       "sifive,clint0",	    "riscv,aclint-mswi",
		"riscv,aclint-mtimer", "riscv,aclint-sswi",
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(clint); i++)
		if (guest_dtb_prop_has(np, P_COMPATIBLE, clint[i]))
			return true;
	return false;
}

/* device_type = "memory": every memory node goes; one is written anew. */
static bool is_memory(const struct node_props *np)
{
	return np->off[P_DEVICE_TYPE] >= 0 &&
	       np->len[P_DEVICE_TYPE] == sizeof("memory") &&
	       !memcmp(np->val[P_DEVICE_TYPE], "memory", sizeof("memory"));
}

bool guest_dtb_in_ram(const struct guest_dtb_params *p, uint64_t base,
		      uint64_t size)
{
	for (unsigned int i = 0; i < p->nr_ram; i++)
		if (range_contains(p->ram[i].base, p->ram[i].size, base, size))
			return true;
	return false;
}

static bool in_passthrough(const struct guest_dtb_params *p, uint64_t base,
			   uint64_t size)
{
	for (unsigned int i = 0; i < p->nr_mmio; i++)
		if (ranges_overlap(p->mmio[i].base, p->mmio[i].size, base,
				   size))
			return true;
	return false;
}

/* Does the guest get to keep the node? See guest_dtb.h. */
static bool guest_may_touch(const struct rewrite *rw,
			    const struct node_props *np, const fdt32_t *reg,
			    int len, bool bus22)
{
	const struct guest_dtb_params *p = rw->p;
	uint64_t base, size;

	/* Power-off and reboot go through SRST; QEMU's dynamic sysbus
	 * window (platform-bus, no reg) is not passed through. */
	if (guest_dtb_prop_has(np, P_COMPATIBLE, "syscon-poweroff") ||
	    guest_dtb_prop_has(np, P_COMPATIBLE, "syscon-reboot") ||
	    guest_dtb_prop_has(np, P_COMPATIBLE, "qemu,platform"))
		return false;
	/* Only nodes on the root's 2 + 2 cell buses are devices here. */
	if (!reg || !bus22 || len < 16)
		return true;
	if (guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,plic0") ||
	    guest_dtb_prop_has(np, P_COMPATIBLE, "sifive,plic-1.0.0"))
		return p->irqchip == IRQCHIP_PLIC;
	base = ((uint64_t)fdt32_ld(&reg[0]) << 32) | fdt32_ld(&reg[1]);
	size = ((uint64_t)fdt32_ld(&reg[2]) << 32) | fdt32_ld(&reg[3]);
	/* AIA: the S-level IMSIC (rewritten to the guest's) and APLIC. */
	if (guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,imsics"))
		return p->irqchip == IRQCHIP_AIA && base == p->imsic_base;
	if (guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,aplic"))
		return p->irqchip == IRQCHIP_AIA && base == p->aplic_base;
	return guest_dtb_in_ram(p, base, size) || in_passthrough(p, base, size);
}

/*
 * The CLINTs (the guest has SBI timers and IPIs) and the memory nodes go
 * everywhere; outside the kept subtrees, so do the devices the guest
 * cannot reach.
 */
bool guest_dtb_unreachable(const struct rewrite *rw,
			   const struct node_props *np, const fdt32_t *reg,
			   int reg_len, bool kept_top, bool bus22)
{
	return (!kept_top && !guest_may_touch(rw, np, reg, reg_len, bus22)) ||
	       is_clint(np) || is_memory(np);
}

/*
 * Only a device right under a child of the root on a 2 + 2 cell bus (QEMU
 * virt's /soc/serial@10000000) is judged, as the walk judges it; a path
 * the host tree cannot resolve, or any other node, is left as it is.
 */
bool guest_dtb_path_lost(struct rewrite *rw, const char *path, int len)
{
	char buf[128];
	int n = (int)strnlen(path, (size_t)len), node, bus;
	const char *colon = memchr(path, ':', (size_t)n);
	const char *slash;
	struct node_props np, bp;
	bool bus22;

	if (colon)
		n = (int)(colon - path);
	if (n < 2 || (size_t)n >= sizeof(buf) || path[0] != '/')
		return false;
	memcpy(buf, path, (size_t)n);
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash == buf || memchr(buf + 1, '/', (size_t)(slash - buf - 1)))
		return false; /* at the root, or deeper than /bus/node */
	node = fdt_path_offset(rw->host, buf);
	buf[slash - buf] = '\0';
	bus = fdt_path_offset(rw->host, buf);
	if (node < 0 || bus < 0)
		return false;
	guest_dtb_read_props(rw, bus, &bp);
	guest_dtb_read_props(rw, node, &np);
	bus22 = guest_dtb_two_cells(&bp, P_ADDRESS_CELLS, true) &&
		guest_dtb_two_cells(&bp, P_SIZE_CELLS, false);
	return !guest_dtb_kept_subtree(bp.name) &&
	       guest_dtb_unreachable(rw, &np,
				     np.off[P_REG] >= 0 ? np.val[P_REG] : NULL,
				     np.len[P_REG], false, bus22);
}

bool guest_dtb_kept_subtree(const char *name)
{
	static const char *const keep[] = { "cpus", "memory", "reserved-memory",
					    "chosen" };

	for (unsigned int i = 0; i < ARRAY_SIZE(keep); i++)
		if (!strncmp(name, keep[i], strlen(keep[i])))
			return true;
	return false;
}

/* Firmware and hypervisor reservations outside guest RAM go. */
int guest_dtb_write_rsvmap(struct rewrite *rw, uint32_t *end)
{
	uint32_t at = sizeof(struct fdt_header);
	int n = fdt_num_mem_rsv(rw->host);
	fdt64_t entry[2] = { 0, 0 };

	for (int i = 0; i <= n; i++) {
		uint64_t base = 0, size = 0;

		if (i < n && (fdt_get_mem_rsv(rw->host, i, &base, &size) ||
			      !guest_dtb_in_ram(rw->p, base, size)))
			continue;
		if (sizeof(entry) > rw->size - at)
			return guest_dtb_fail(rw, "write the guest DTB",
					      -FDT_ERR_NOSPACE);
		/* The last one, all zeros, ends the map. */
		entry[0] = cpu_to_fdt64(base);
		entry[1] = cpu_to_fdt64(size);
		memcpy(rw->out + at, entry, sizeof(entry));
		at += sizeof(entry);
	}
	*end = at;
	return 0;
}

void guest_dtb_write_memory(struct rewrite *rw)
{
	fdt32_t reg[GUEST_DTB_MAX_RAM * 4];
	char name[40];
	int n = 0;
	void *v;

	for (unsigned int i = 0; i < rw->p->nr_ram; i++) {
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].base >> 32);
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].base);
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].size >> 32);
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].size);
	}
	snprintf(name, sizeof(name), "memory@%lx",
		 (unsigned long)rw->p->ram[0].base);
	guest_dtb_begin_node(rw, name, (int)strlen(name));
	if ((v = guest_dtb_add_prop(rw, ADD_MEMORY_REG,
				    n * (int)sizeof(fdt32_t))))
		memcpy(v, reg, (size_t)n * sizeof(fdt32_t));
	if ((v = guest_dtb_add_prop(rw, ADD_MEMORY_TYPE, sizeof("memory"))))
		memcpy(v, "memory", sizeof("memory"));
	guest_dtb_end_node(rw);
}

/* bootargs and the ramdisk's place; the last added first, as always. */
void guest_dtb_chosen_props(struct rewrite *rw)
{
	const struct guest_dtb_params *p = rw->p;
	fdt64_t v64;
	void *v;

	if (p->has_initrd) {
		v64 = cpu_to_fdt64(p->initrd_end);
		if ((v = guest_dtb_add_prop(rw, ADD_INITRD_END, 8)))
			memcpy(v, &v64, 8);
		v64 = cpu_to_fdt64(p->initrd_start);
		if ((v = guest_dtb_add_prop(rw, ADD_INITRD_START, 8)))
			memcpy(v, &v64, 8);
	}
	if (p->bootargs &&
	    (v = guest_dtb_add_prop(rw, ADD_BOOTARGS,
				    (int)strlen(p->bootargs) + 1)))
		memcpy(v, p->bootargs, strlen(p->bootargs) + 1);
}

/* A reg entry of 2 + 2 cells at @cells. */
static void put_reg(fdt32_t *cells, uint64_t base, uint64_t size)
{
	cells[0] = cpu_to_fdt32(base >> 32);
	cells[1] = cpu_to_fdt32(base);
	cells[2] = cpu_to_fdt32(size >> 32);
	cells[3] = cpu_to_fdt32(size);
}

/*
 * Each channel of the VM, a node at the root's end: its memory and its
 * doorbell window, its doorbell source (edge-triggered) on the guest's
 * controller, and this VM's number among its peers. Linux's generic UIO
 * driver binds to it with uio_pdrv_genirq.of_id=hartvisor,channel.
 */
void guest_dtb_write_channels(struct rewrite *rw)
{
	const struct guest_dtb_params *p = rw->p;

	for (unsigned int i = 0; i < p->nr_chans; i++) {
		const struct guest_dtb_chan *c = &p->chans[i];
		const char *kind = c->trusted ? "trusted" : "checked";
		fdt32_t reg[8];
		char name[48];
		void *v;

		snprintf(name, sizeof(name), "%s@%lx", c->name,
			 (unsigned long)c->gpa);
		guest_dtb_begin_node(rw, name, (int)strlen(name));
		if ((v = guest_dtb_add_prop(rw, ADD_COMPATIBLE,
					    sizeof("hartvisor,channel"))))
			memcpy(v, "hartvisor,channel",
			       sizeof("hartvisor,channel"));
		put_reg(reg, c->gpa, c->size);
		put_reg(reg + 4, c->doorbell, c->doorbell_size);
		if ((v = guest_dtb_add_prop(rw, ADD_MEMORY_REG, sizeof(reg))))
			memcpy(v, reg, sizeof(reg));
		if ((v = guest_dtb_add_prop(rw, ADD_INTERRUPT_PARENT, 4)))
			guest_dtb_store32(v, rw->irq_phandle);
		/* The APLIC's cells: source and type (1, rising edge). */
		if (p->irqchip == IRQCHIP_AIA &&
		    (v = guest_dtb_add_prop(rw, ADD_INTERRUPTS, 8))) {
			guest_dtb_store32(v, c->irq);
			guest_dtb_store32((char *)v + 4, 1);
		} else if (p->irqchip == IRQCHIP_PLIC &&
			   (v = guest_dtb_add_prop(rw, ADD_INTERRUPTS, 4))) {
			guest_dtb_store32(v, c->irq);
		}
		if ((v = guest_dtb_add_prop(rw, ADD_CHAN_PEER, 4)))
			guest_dtb_store32(v, c->peer);
		if ((v = guest_dtb_add_prop(rw, ADD_CHAN_DOORBELL,
					    (int)strlen(kind) + 1)))
			memcpy(v, kind, strlen(kind) + 1);
		guest_dtb_end_node(rw);
	}
}
