// SPDX-License-Identifier: BSD-2-Clause
/*
 * Rewriting the host device tree into the guest's, in one walk over the
 * host's structure block that writes the guest's as it goes: each node
 * is copied, renamed, given other properties or left out where it
 * stands, and no node is looked up by path or phandle on the way. Before
 * the walk, one pass over /cpus finds each vCPU's cpu node and what the
 * interrupt controllers will name; after it come a /chosen of our own if
 * the host has none, the strings block and the header.
 *
 * The result is what editing a copy with libfdt gave before (which
 * docs/design.md describes step by step): the same tags, properties and
 * strings in the same order. A property the rewrite adds goes first in
 * its node, the last added first, as fdt_setprop puts it; only the
 * padding after a changed value differs (zeros here, old bytes there).
 *
 * This file is the walk and its entry point; the writer is in
 * guest_dtb_write.c, reading host nodes in guest_dtb_read.c, the /cpus
 * scan and the vCPUs' ISA values in guest_dtb_cpus.c, and what becomes
 * of memory and devices in guest_dtb_devices.c.
 */
#include <libfdt.h>
#include <string.h>

#include "guest_dtb_rw.h"

/* The walk. */

enum node_kind {
	K_PLAIN,
	K_ROOT,
	K_CPUS,
	K_VCPU,
	K_INTC, /* a vCPU's riscv,cpu-intc that gets #address-cells */
	K_CPU_MAP,
	K_MAP_ENTRY, /* a cluster, core or thread below cpu-map */
	K_PLIC,
	K_APLIC,
	K_IMSIC,
	K_CHOSEN,
	K_RESERVED,
	K_ALIASES, /* its paths to devices the guest loses go */
};

/* What the walk keeps of each open node. */
struct level {
	uint8_t kind;
	bool out; /* written to the guest's tree */
	/* Gone before the interrupt controllers are looked for: an unused
	 * cpu or a cpu-map entry naming one, and all below it. */
	bool gone;
	bool kept_top; /* in /cpus, /memory*, /reserved-memory or /chosen */
	bool bus22; /* its children sit on 2 address and 2 size cells */
	bool map_cpu, map_dead; /* a cpu-map entry with a cpu; a gone one */
	bool cpu_map_seen; /* /cpus: its first cpu-map is behind */
	unsigned int map_kept; /* entries below it that name a kept cpu */
	int vcpu;
	uint32_t begin; /* where it starts in the output */
};

/* Which node @node (@np) is, from its parent @up; sets rw's found flags. */
static void classify(struct rewrite *rw, struct level *me, struct level *up,
		     int node, const struct node_props *np)
{
	const struct guest_dtb_params *p = rw->p;

	if (!up) {
		me->kind = K_ROOT;
	} else if (node == rw->cpus) {
		me->kind = K_CPUS;
	} else if (up->kind == K_CPUS && guest_dtb_is_cpu(np)) {
		me->vcpu = guest_dtb_vcpu_node(rw, node, np);
		me->gone |= guest_dtb_vcpu_of_hart(p, guest_dtb_cpu_reg(np)) <
			    0;
		if (me->vcpu >= 0)
			me->kind = K_VCPU;
	} else if (up->kind == K_CPUS && !up->cpu_map_seen &&
		   guest_dtb_name_is(np, "cpu-map")) {
		up->cpu_map_seen = true;
		me->kind = K_CPU_MAP;
	} else if (up->kind == K_VCPU && node == rw->vcpu[up->vcpu].intc_mark) {
		me->kind = K_INTC;
	} else if (up->kind == K_CPU_MAP || up->kind == K_MAP_ENTRY) {
		me->kind = K_MAP_ENTRY;
		me->map_cpu = np->off[P_CPU] >= 0;
		me->map_dead =
			me->map_cpu && np->len[P_CPU] == 4 &&
			!guest_dtb_cpu_kept(rw, fdt32_ld(np->val[P_CPU]));
		me->gone |= me->map_dead;
	}
	if (me->kind != K_PLAIN || me->gone)
		return;
	if (p->irqchip == IRQCHIP_PLIC && !rw->plic &&
	    (guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,plic0") ||
	     guest_dtb_prop_has(np, P_COMPATIBLE, "sifive,plic-1.0.0"))) {
		rw->plic = true;
		rw->irq_phandle = guest_dtb_phandle(np);
		me->kind = K_PLIC;
	} else if (p->irqchip == IRQCHIP_AIA && !rw->imsic &&
		   guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,imsics") &&
		   guest_dtb_reg_base(np) == p->imsic_host_base) {
		rw->imsic = true;
		me->kind = K_IMSIC;
	} else if (p->irqchip == IRQCHIP_AIA && !rw->aplic &&
		   guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,aplic") &&
		   guest_dtb_reg_base(np) == p->aplic_base) {
		rw->aplic = true;
		rw->irq_phandle = guest_dtb_phandle(np);
		me->kind = K_APLIC;
	}
}

/* The guest's IMSIC reg: a page per vCPU at its base. */
static void imsic_reg(const struct rewrite *rw, fdt32_t reg[4])
{
	uint64_t size = rw->p->nr_vcpus * 4096ULL;

	reg[0] = cpu_to_fdt32(rw->p->imsic_base >> 32);
	reg[1] = cpu_to_fdt32(rw->p->imsic_base);
	reg[2] = cpu_to_fdt32(size >> 32);
	reg[3] = cpu_to_fdt32(size);
}

/* Does the guest lose the node, its parent @up being written? */
static bool left_out(const struct rewrite *rw, const struct level *me,
		     const struct level *up, const struct node_props *np)
{
	fdt32_t reg[4];
	const fdt32_t *r = np->off[P_REG] >= 0 ? np->val[P_REG] : NULL;
	int len = np->len[P_REG];

	if (me->gone)
		return true;
	if (me->kind == K_IMSIC) { /* judged as rewritten */
		imsic_reg(rw, reg);
		r = reg;
		len = sizeof(reg);
	}
	if (guest_dtb_unreachable(rw, np, r, len, me->kept_top, up->bus22))
		return true;
	/* The guest's /chosen drops the modules; /reserved-memory keeps
	 * what lies in guest RAM (QEMU virt's use 2 + 2 cells). */
	if (up->kind == K_CHOSEN)
		return !strncmp(np->name, "module@", 7);
	if (up->kind == K_RESERVED)
		return !r || len != 16 ||
		       !guest_dtb_in_ram(rw->p,
					 ((uint64_t)fdt32_ld(&r[0]) << 32) |
						 fdt32_ld(&r[1]),
					 ((uint64_t)fdt32_ld(&r[2]) << 32) |
						 fdt32_ld(&r[3]));
	return false;
}

/* An alias, or /chosen's stdout-path, naming a device the guest lost? */
static bool path_gone(struct rewrite *rw, const struct level *me,
		      enum prop_id id, int off)
{
	const struct fdt_property *prop = guest_dtb_prop_at(rw, off);

	if (me->kind != K_ALIASES &&
	    !(me->kind == K_CHOSEN &&
	      (id == P_STDOUT_PATH || id == P_LINUX_STDOUT_PATH)))
		return false;
	return guest_dtb_path_lost(rw, prop->data, (int)fdt32_ld(&prop->len));
}

/* Write the guest's version of node @node (@np) and its properties. */
static void write_node(struct rewrite *rw, const struct level *me, int node,
		       const struct node_props *np)
{
	const struct guest_dtb_params *p = rw->p;
	fdt32_t reg[4];
	char name[48];
	int irq_len = 0, off, next;
	void *v;

	if (me->kind == K_PLIC || me->kind == K_IMSIC)
		irq_len =
			guest_dtb_vcpu_irq_cells(rw, NULL, me->kind == K_PLIC);
	if (me->kind == K_VCPU || me->kind == K_IMSIC) {
		if (me->kind == K_VCPU)
			snprintf(name, sizeof(name), "cpu@%d", me->vcpu);
		else
			snprintf(name, sizeof(name), "interrupt-controller@%lx",
				 (unsigned long)p->imsic_base);
		guest_dtb_begin_node(rw, name, (int)strlen(name));
	} else {
		guest_dtb_copy(rw, node,
			       FDT_TAGSIZE + DTB_TAGALIGN(np->name_len + 1));
	}
	/* Added properties come first in the node, the last added first. */
	switch (me->kind) {
	case K_VCPU:
		if (np->off[P_STATUS] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_STATUS, sizeof("okay"))))
			memcpy(v, "okay", sizeof("okay"));
		break;
	case K_INTC:
		if ((v = guest_dtb_add_prop(rw, ADD_INTC_CELLS, 4)))
			guest_dtb_store32(v, 0);
		break;
	case K_PLIC:
		if (np->off[P_INTERRUPTS_EXTENDED] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_PLIC_IRQS, irq_len)))
			guest_dtb_vcpu_irq_cells(rw, v, me->kind == K_PLIC);
		break;
	case K_APLIC:
		if (np->off[P_NUM_SOURCES] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_NUM_SOURCES, 4)))
			guest_dtb_store32(v, p->aplic_nsrc);
		break;
	case K_IMSIC:
		if (np->off[P_ADDRESS_CELLS] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_IMSIC_CELLS, 4)))
			guest_dtb_store32(v, 0);
		if (np->off[P_INTERRUPTS_EXTENDED] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_IMSIC_IRQS, irq_len)))
			guest_dtb_vcpu_irq_cells(rw, v, me->kind == K_PLIC);
		break;
	case K_CHOSEN:
		guest_dtb_chosen_props(rw);
		break;
	default:
		break;
	}
	guest_dtb_tag_at(rw, node, &off);
	if (me->kind != K_VCPU && me->kind != K_PLIC && me->kind != K_APLIC &&
	    me->kind != K_IMSIC && me->kind != K_CHOSEN &&
	    me->kind != K_ALIASES) {
		/* Nothing of it changes: its properties in one copy. */
		guest_dtb_copy(rw, off, np->end - off);
	} else {
		imsic_reg(rw, reg);
		for (; off < np->end; off = next) {
			enum prop_id id = NR_PROP_IDS;
			uint32_t nameoff;

			if (guest_dtb_tag_at(rw, off, &next) != FDT_PROP) {
				guest_dtb_copy(rw, off, next - off); /* a NOP */
				continue;
			}
			for (int i = 0; i < NR_PROP_IDS && id == NR_PROP_IDS;
			     i++)
				if (np->off[i] == off)
					id = (enum prop_id)i;
			nameoff =
				fdt32_ld(&guest_dtb_prop_at(rw, off)->nameoff);
			if (me->kind == K_VCPU && id == P_ISA) {
				guest_dtb_put_guest_prop(rw, np, id, &rw->isa,
							 guest_dtb_guest_isa);
			} else if (me->kind == K_VCPU &&
				   id == P_ISA_EXTENSIONS) {
				guest_dtb_put_guest_prop(
					rw, np, id, &rw->exts,
					guest_dtb_isa_extensions);
			} else if (me->kind == K_VCPU && id == P_STATUS) {
				if ((v = guest_dtb_put_prop(rw, nameoff,
							    sizeof("okay"))))
					memcpy(v, "okay", sizeof("okay"));
			} else if (me->kind == K_VCPU && id == P_REG) {
				if ((v = guest_dtb_put_prop(rw, nameoff, 4)))
					guest_dtb_store32(v,
							  (uint32_t)me->vcpu);
			} else if ((me->kind == K_PLIC ||
				    me->kind == K_IMSIC) &&
				   id == P_INTERRUPTS_EXTENDED) {
				if ((v = guest_dtb_put_prop(rw, nameoff,
							    irq_len)))
					guest_dtb_vcpu_irq_cells(
						rw, v, me->kind == K_PLIC);
			} else if (me->kind == K_IMSIC && id == P_REG) {
				if ((v = guest_dtb_put_prop(rw, nameoff,
							    sizeof(reg))))
					memcpy(v, reg, sizeof(reg));
			} else if (me->kind == K_APLIC && id == P_NUM_SOURCES) {
				if ((v = guest_dtb_put_prop(rw, nameoff, 4)))
					guest_dtb_store32(v, p->aplic_nsrc);
			} else if (!(me->kind == K_IMSIC &&
				     id >= P_GUEST_INDEX_BITS &&
				     id <= P_NUM_GUEST_IDS) &&
				   !(me->kind == K_CHOSEN && id >= P_BOOTARGS &&
				     id <= P_INITRD_END) &&
				   !path_gone(rw, me, id, off)) {
				guest_dtb_copy(rw, off, next - off);
			}
		}
	}
	if (me->kind == K_ROOT) {
		rw->root_props_end = rw->pos;
		guest_dtb_write_memory(rw);
	}
}

/*
 * A node begins at @node, @depth nodes deep (lv[depth]): what it is,
 * whether the guest gets it, and if so its guest version. Returns the
 * offset of the first tag after its properties, or an error.
 */
static int node_begin(struct rewrite *rw, struct level *lv, int depth, int node)
{
	struct level *me = &lv[depth], *up = depth ? &lv[depth - 1] : NULL;
	struct node_props np;

	guest_dtb_read_props(rw, node, &np);
	*me = (struct level){ .kind = K_PLAIN, .vcpu = -1 };
	me->gone = up && up->gone;
	me->kept_top = depth == 1 ? guest_dtb_kept_subtree(np.name) :
				    up && up->kept_top;
	me->bus22 = guest_dtb_two_cells(&np, P_ADDRESS_CELLS, true) &&
		    guest_dtb_two_cells(&np, P_SIZE_CELLS, false);
	classify(rw, me, up, node, &np);
	me->out = !up || (up->out && !left_out(rw, me, up, &np));
	/* The first /chosen and /reserved-memory the guest gets. */
	if (depth == 1 && me->out && me->kind == K_PLAIN) {
		if (!rw->chosen && guest_dtb_name_is(&np, "chosen")) {
			rw->chosen = true;
			me->kind = K_CHOSEN;
		} else if (!rw->reserved &&
			   guest_dtb_name_is(&np, "reserved-memory")) {
			rw->reserved = true;
			me->kind = K_RESERVED;
		} else if (guest_dtb_name_is(&np, "aliases")) {
			me->kind = K_ALIASES;
		}
	}
	if (me->kind == K_PLIC && !rw->intcs)
		return guest_dtb_no_intc(rw);
	if (me->out) {
		me->begin = rw->pos;
		write_node(rw, me, node, &np);
	}
	return np.end;
}

/*
 * The node at lv[depth] ends. A cpu-map cluster or core that names no
 * cpu and keeps no entry goes (what was written of it is taken back).
 */
static void node_end(struct rewrite *rw, struct level *lv, int depth)
{
	struct level *me = &lv[depth];
	bool kept = true;

	if (me->kind == K_MAP_ENTRY) {
		kept = !me->map_dead && (me->map_cpu || me->map_kept);
		if (kept)
			lv[depth - 1].map_kept++;
	}
	if (!me->out)
		return;
	if (me->kind == K_ROOT)
		guest_dtb_write_channels(rw);
	if (!kept)
		rw->pos = me->begin;
	else
		guest_dtb_end_node(rw);
}

static int walk(struct rewrite *rw)
{
	struct level lv[DTB_MAX_DEPTH + 1];
	int depth = 0, off = 0, next, ret;

	for (;;) {
		uint32_t tag = guest_dtb_tag_at(rw, off, &next);

		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth > DTB_MAX_DEPTH)
				return guest_dtb_fail(rw, "walk the host DTB",
						      -FDT_ERR_BADSTRUCTURE);
			ret = node_begin(rw, lv, depth++, off);
			if (ret < 0)
				return ret;
			next = ret;
			break;
		case FDT_END_NODE:
			if (!depth)
				return guest_dtb_fail(rw, "walk the host DTB",
						      -FDT_ERR_BADSTRUCTURE);
			node_end(rw, lv, --depth);
			break;
		case FDT_END:
			guest_dtb_put_tag(rw, FDT_END);
			return 0;
		default: /* a NOP, or a property after a subnode: as it is */
			if (!depth || lv[depth - 1].out)
				guest_dtb_copy(rw, off, next - off);
			break;
		}
		off = next;
	}
}

int guest_dtb_build(const void *host, size_t host_size, void *out, size_t size,
		    const struct guest_dtb_params *params, char *err,
		    size_t errlen)
{
	struct rewrite rw = { .out = out,
			      .size = size,
			      .host = host,
			      .p = params,
			      .err = err,
			      .errlen = errlen };
	struct node_props root;
	uint32_t struct_off;
	int ret, next;

	if (!params->nr_vcpus || params->nr_vcpus > HV_MAX_HARTS ||
	    !params->nr_ram || params->nr_ram > GUEST_DTB_MAX_RAM ||
	    params->nr_chans > VM_MAX_CHANNELS ||
	    (params->nr_chans && params->irqchip == IRQCHIP_NONE))
		return guest_dtb_fail(&rw, "check parameters", -1);
	/* Everything below reads the host blob as dtb_check found it. */
	ret = dtb_check(host, host_size);
	if (ret)
		return guest_dtb_fail(&rw, "check the host DTB", ret);
	rw.host_struct = (const char *)host + fdt_off_dt_struct(host);
	if (guest_dtb_tag_at(&rw, 0, &next) != FDT_BEGIN_NODE)
		return guest_dtb_fail(
			&rw, "root #address-cells and #size-cells must be 2",
			-FDT_ERR_BADOFFSET);
	guest_dtb_read_props(&rw, 0, &root);
	if (!guest_dtb_two_cells(&root, P_ADDRESS_CELLS, true) ||
	    !guest_dtb_two_cells(&root, P_SIZE_CELLS, false))
		return guest_dtb_fail(
			&rw, "root #address-cells and #size-cells must be 2",
			-1);
	ret = guest_dtb_scan_cpus(&rw);
	if (ret)
		return ret;
	if (params->irqchip == IRQCHIP_AIA && !rw.intcs)
		return guest_dtb_no_intc(&rw);
	if (size < sizeof(struct fdt_header))
		return guest_dtb_fail(&rw, "write the guest DTB",
				      -FDT_ERR_NOSPACE);
	ret = guest_dtb_write_rsvmap(&rw, &struct_off);
	if (ret)
		return ret;
	rw.pos = struct_off;
	ret = walk(&rw);
	if (ret)
		return ret;
	if (params->irqchip == IRQCHIP_AIA && !rw.imsic)
		return guest_dtb_fail(&rw, "find the S-level IMSIC",
				      -FDT_ERR_NOTFOUND);
	if (params->irqchip == IRQCHIP_AIA && !rw.aplic)
		return guest_dtb_fail(&rw, "find the S-level APLIC",
				      -FDT_ERR_NOTFOUND);
	if (params->nr_chans && !rw.irq_phandle)
		return guest_dtb_fail(
			&rw,
			"find the phandle of the channels' interrupt controller",
			-FDT_ERR_NOTFOUND);
	if (!rw.chosen)
		guest_dtb_add_chosen(&rw);
	return guest_dtb_finish(&rw, struct_off);
}
