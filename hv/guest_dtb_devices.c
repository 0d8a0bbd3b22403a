// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest DTB's memory and devices: one memory node with exactly guest
 * RAM, no reservations outside it, and only the device nodes the guest
 * can touch (see guest_dtb.h).
 */
#include <libfdt.h>
#include <string.h>

#include "dtb_check.h"
#include "guest_dtb_rw.h"

/* Nodes one walk marks for deletion, at most (the rest: another walk). */
#define DROP_MAX 64

/* Is @str one of the NUL-separated strings of a "compatible" value? */
static bool compat_has(const char *list, int len, const char *str)
{
	size_t n = strlen(str) + 1;

	while (len > 0) {
		size_t l = strnlen(list, (size_t)len) + 1;

		if (l == n && !memcmp(list, str, n))
			return true;
		list += l;
		len -= (int)l;
	}
	return false;
}

/*
 * Delete the @n nodes at offsets @offs (ascending, none inside another),
 * the last first: a deletion moves only what comes after it.
 */
static int drop_nodes(struct rewrite *rw, const int *offs, int n,
		      const char *what)
{
	while (n--)
		if (fdt_del_node(rw->fdt, offs[n]))
			return guest_dtb_fail(rw, what, -1);
	return 0;
}

/*
 * One walk of the tree: mark each node @drop says to delete (its subtree
 * goes with it, unvisited), then delete them. Walks again only if more
 * than DROP_MAX were marked. @parent is the node's parent offset, kept
 * per depth: libfdt's fdt_parent_offset starts from the root each time.
 */
static int drop_where(struct rewrite *rw,
		      bool (*drop)(struct rewrite *rw, int node, int parent,
				   int depth),
		      const char *what)
{
	for (bool again = true; again;) {
		int parents[DTB_MAX_DEPTH + 1] = { 0 };
		int offs[DROP_MAX], n = 0, depth = 0, skip = DTB_MAX_DEPTH + 1;
		int node, ret;

		again = false;
		for (node = fdt_next_node(rw->fdt, 0, &depth);
		     node >= 0 && depth > 0 && depth <= DTB_MAX_DEPTH;
		     node = fdt_next_node(rw->fdt, node, &depth)) {
			if (depth > skip)
				continue; /* inside a node being dropped */
			skip = DTB_MAX_DEPTH + 1;
			parents[depth] = node;
			if (!drop(rw, node, parents[depth - 1], depth))
				continue;
			if (n == DROP_MAX) {
				again = true;
				break;
			}
			offs[n++] = node;
			skip = depth;
		}
		ret = drop_nodes(rw, offs, n, what);
		if (ret)
			return ret;
	}
	return 0;
}

/* What the deletion walk reads of a node: one pass over its properties. */
struct node_props {
	const char *compat, *type;
	const fdt32_t *reg;
	int compat_len, type_len, reg_len;
};

static void read_props(const void *fdt, int node, struct node_props *np)
{
	int prop;

	memset(np, 0, sizeof(*np));
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, prop, &name, &len);

		if (!val || !name)
			continue;
		if (!strcmp(name, "compatible")) {
			np->compat = val;
			np->compat_len = len;
		} else if (!strcmp(name, "device_type")) {
			np->type = val;
			np->type_len = len;
		} else if (!strcmp(name, "reg")) {
			np->reg = val;
			np->reg_len = len;
		}
	}
}

static bool is_clint(const struct node_props *np)
{
	static const char *const clint[] = {
		"riscv,clint0",	       "sifive,clint0",	    "riscv,aclint-mswi",
		"riscv,aclint-mtimer", "riscv,aclint-sswi",
	};

	for (unsigned int i = 0; np->compat && i < ARRAY_SIZE(clint); i++)
		if (compat_has(np->compat, np->compat_len, clint[i]))
			return true;
	return false;
}

/* device_type = "memory": every memory node goes; one is written anew. */
static bool is_memory(const struct node_props *np)
{
	return np->type && np->type_len == sizeof("memory") &&
	       !memcmp(np->type, "memory", sizeof("memory"));
}

static bool in_guest_ram(const struct guest_dtb_params *p, uint64_t base,
			 uint64_t size)
{
	for (unsigned int i = 0; i < p->nr_ram; i++)
		if (range_contains(p->ram[i].base, p->ram[i].size, base, size))
			return true;
	return false;
}

int guest_dtb_rewrite_memory(struct rewrite *rw)
{
	fdt32_t reg[GUEST_DTB_MAX_RAM * 4];
	char name[40];
	int resv, ret, n = 0, node;

	/* The memory nodes went with guest_dtb_drop_nodes(). */
	for (unsigned int i = 0; i < rw->p->nr_ram; i++) {
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].base >> 32);
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].base);
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].size >> 32);
		reg[n++] = cpu_to_fdt32(rw->p->ram[i].size);
	}
	snprintf(name, sizeof(name), "memory@%lx",
		 rw->p->nr_ram ? (unsigned long)rw->p->ram[0].base : 0UL);
	node = fdt_add_subnode(rw->fdt, 0, name);
	if (node < 0)
		return guest_dtb_fail(rw, "add memory node", node);
	ret = fdt_setprop_string(rw->fdt, node, "device_type", "memory");
	if (!ret)
		ret = fdt_setprop(rw->fdt, node, "reg", reg,
				  n * (int)sizeof(fdt32_t));
	if (ret)
		return guest_dtb_fail(rw, "set memory node", ret);

	/* Firmware and hypervisor reservations outside guest RAM go. */
	for (int i = fdt_num_mem_rsv(rw->fdt) - 1; i >= 0; i--) {
		uint64_t base, size;

		if (!fdt_get_mem_rsv(rw->fdt, i, &base, &size) &&
		    !in_guest_ram(rw->p, base, size) &&
		    fdt_del_mem_rsv(rw->fdt, i))
			return guest_dtb_fail(rw, "delete /memreserve/", -1);
	}
	for (bool again = true; again;) {
		again = false;
		resv = fdt_path_offset(rw->fdt, "/reserved-memory");
		if (resv < 0)
			break;
		fdt_for_each_subnode(node, rw->fdt, resv) {
			int len;
			const fdt32_t *r =
				fdt_getprop(rw->fdt, node, "reg", &len);

			/* QEMU virt's reserved-memory uses 2 + 2 cells. */
			if (r && len == 16 &&
			    in_guest_ram(rw->p,
					 ((uint64_t)fdt32_to_cpu(r[0]) << 32) |
						 fdt32_to_cpu(r[1]),
					 ((uint64_t)fdt32_to_cpu(r[2]) << 32) |
						 fdt32_to_cpu(r[3])))
				continue;
			if (fdt_del_node(rw->fdt, node))
				return guest_dtb_fail(
					rw, "delete reserved memory", -1);
			again = true;
			break;
		}
	}
	return 0;
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

/* Does the guest get to keep the node of @np? See guest_dtb.h. */
static bool guest_may_touch(struct rewrite *rw, const struct node_props *np,
			    int parent)
{
	const void *fdt = rw->fdt;
	const fdt32_t *reg = np->reg;
	const char *compat = np->compat;
	int len = np->reg_len, clen = compat ? np->compat_len : 0;
	uint64_t base, size;

	/* Power-off and reboot go through SRST; QEMU's dynamic sysbus
	 * window (platform-bus, no reg) is not passed through. */
	if (compat_has(compat, clen, "syscon-poweroff") ||
	    compat_has(compat, clen, "syscon-reboot") ||
	    compat_has(compat, clen, "qemu,platform"))
		return false;
	if (!reg || parent < 0)
		return true;
	/* Only nodes on the root's 2 + 2 cell buses are devices here. */
	if (fdt_address_cells(fdt, parent) != 2 ||
	    fdt_size_cells(fdt, parent) != 2 || len < 16)
		return true;
	if (compat_has(compat, clen, "riscv,plic0") ||
	    compat_has(compat, clen, "sifive,plic-1.0.0"))
		return rw->p->irqchip == IRQCHIP_PLIC;
	base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
	size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
	/* AIA: the S-level IMSIC (rewritten to the guest's) and APLIC. */
	if (compat_has(compat, clen, "riscv,imsics"))
		return rw->p->irqchip == IRQCHIP_AIA &&
		       base == rw->p->imsic_base;
	if (compat_has(compat, clen, "riscv,aplic"))
		return rw->p->irqchip == IRQCHIP_AIA &&
		       base == rw->p->aplic_base;
	return in_guest_ram(rw->p, base, size) ||
	       in_passthrough(rw->p, base, size);
}

/* A top-level node whose whole subtree stays (/cpus, /memory@..., ...). */
static bool kept_subtree(const void *fdt, int node)
{
	static const char *const keep[] = { "cpus", "memory", "reserved-memory",
					    "chosen" };
	const char *name = fdt_get_name(fdt, node, NULL);

	for (unsigned int i = 0; name && i < ARRAY_SIZE(keep); i++)
		if (!strncmp(name, keep[i], strlen(keep[i])))
			return true;
	return false;
}

/* Outside /cpus, /memory, /reserved-memory and /chosen: unreachable? */
static bool unreachable(struct rewrite *rw, const struct node_props *np,
			int node, int parent, int depth)
{
	if (depth == 1)
		rw->kept_top = kept_subtree(rw->fdt, node) ? node : -1;
	return rw->kept_top < 0 && !guest_may_touch(rw, np, parent);
}

/*
 * The device nodes the guest cannot reach, the CLINTs (the guest has SBI
 * timers and IPIs) and the memory nodes (guest_dtb_rewrite_memory writes
 * one anew): all deletions, so one walk does them in any order.
 */
static bool dropped(struct rewrite *rw, int node, int parent, int depth)
{
	struct node_props np;
	bool gone;

	read_props(rw->fdt, node, &np);
	/* First: it tracks the top-level node at every depth-1 node. */
	gone = unreachable(rw, &np, node, parent, depth);
	return gone || is_clint(&np) || is_memory(&np);
}

int guest_dtb_drop_nodes(struct rewrite *rw)
{
	return drop_where(rw, dropped, "delete a node the guest does not get");
}
