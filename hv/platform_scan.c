// SPDX-License-Identifier: BSD-2-Clause
/*
 * One walk over the host device tree that finds every node the parser
 * reads, with the #address-cells and #size-cells its "reg" is read with
 * (its parent's, or the nearest ancestor's that says, as Linux does). The
 * parser then reads those nodes only: no lookup walks the tree again.
 */
#include <libfdt.h>
#include <string.h>

#include "dtb_check.h"
#include "platform_fdt.h"

static const char *const scan_compat[SCAN_COMPATS] = {
	[SCAN_PLIC0] = "riscv,plic0",
	[SCAN_SIFIVE_PLIC] = "sifive,plic-1.0.0",
	[SCAN_NS16550A] = "ns16550a",
	[SCAN_NS16550] = "ns16550",
	[SCAN_GOLDFISH_RTC] = "google,goldfish-rtc",
	[SCAN_CLINT0] = "riscv,clint0",
	[SCAN_SIFIVE_CLINT0] = "sifive,clint0",
	[SCAN_ACLINT_MSWI] = "riscv,aclint-mswi",
};

/* The properties of one node that the scan looks at. */
struct node_props {
	const char *type, *status, *compat;
	const fdt32_t *irqs_ext;
	int type_len, compat_len, irqs_ext_len;
	bool mmu_type;
};

/* A node on the walk's path from the root. */
struct level {
	int node;
	int ac, sc; /* for its children: its own, else its parent's */
	bool visited; /* its properties are all read and it was visited */
	bool on_stdout; /* it is a prefix of /chosen/stdout-path */
	struct node_props np;
};

static int prop_cells(const void *v, int len, int inherited)
{
	return len == sizeof(fdt32_t) ? (int)fdt32_to_cpu(*(const fdt32_t *)v) :
					inherited;
}

/* One property of the node at @l (the node's parent is @l - 1). */
static void read_prop(struct platform_scan *s, struct level *l,
		      const char *name, const void *v, int len)
{
	struct node_props *np = &l->np;

	if (!strcmp(name, "compatible")) {
		np->compat = v;
		np->compat_len = len;
	} else if (!strcmp(name, "device_type")) {
		np->type = v;
		np->type_len = len;
	} else if (!strcmp(name, "status")) {
		np->status = len > 0 && ((const char *)v)[len - 1] == 0 ? v :
									  "";
	} else if (!strcmp(name, "#address-cells")) {
		l->ac = prop_cells(v, len, l[-1].ac);
	} else if (!strcmp(name, "#size-cells")) {
		l->sc = prop_cells(v, len, l[-1].sc);
	} else if (!strcmp(name, "mmu-type")) {
		np->mmu_type = true;
	} else if (!strcmp(name, "interrupts-extended")) {
		np->irqs_ext = v;
		np->irqs_ext_len = len;
	} else if (l->node == s->chosen && !strcmp(name, "stdout-path") &&
		   len > 0) {
		const char *colon = memchr(v, ':', (size_t)len);

		s->stdout_path = v;
		s->stdout_len = colon ? (int)(colon - (const char *)v) :
					(int)strnlen(v, (size_t)len);
		/* A path is followed from the root; an alias is looked up. */
		s->stdout_at = 1;
		s->stdout_depth = s->stdout_path[0] == '/' ? 1 : -1;
	}
}

static bool enabled(const struct node_props *np)
{
	return !np->status || !strcmp(np->status, "okay") ||
	       !strcmp(np->status, "ok");
}

static bool compatible(const struct node_props *np, const char *c)
{
	return np->compat &&
	       fdt_stringlist_contains(np->compat, np->compat_len, c);
}

/* Append @n to @list (@cap entries); count it even when full. */
static void add(struct scan_node *list, unsigned int *nr, unsigned int cap,
		struct scan_node n)
{
	if (*nr < cap)
		list[*nr] = n;
	(*nr)++;
}

/* The node at @l, its properties all read; its parent is @l - 1. */
static void visit(struct platform_scan *s, struct level *l)
{
	const struct node_props *np = &l->np;
	int parent = l[-1].node;
	struct scan_node me = { l->node, l[-1].ac, l[-1].sc };
	bool on = enabled(np);

	l->visited = true;
	if (parent == s->cpus && np->type && np->type_len == 4 &&
	    !memcmp(np->type, "cpu", 4) && on && np->mmu_type)
		add(s->cpu, &s->nr_cpus, HV_MAX_HARTS, me);
	if (np->type && np->type_len == sizeof("memory") &&
	    !memcmp(np->type, "memory", sizeof("memory")) && on)
		add(s->mem, &s->nr_mem, ARRAY_SIZE(s->mem), me);
	if (parent == s->resv && on)
		add(s->resv_nodes, &s->nr_resv, ARRAY_SIZE(s->resv_nodes), me);
	if (parent == s->chosen && (compatible(np, "multiboot,module") ||
				    compatible(np, "multiboot,kernel") ||
				    compatible(np, "multiboot,ramdisk")))
		add(s->modules, &s->nr_modules, ARRAY_SIZE(s->modules), me);
	if (me.node == s->stdout_node)
		s->stdout_found = me;
	if (!np->compat || !on)
		return;
	for (unsigned int i = 0; i < SCAN_COMPATS; i++)
		if (s->first[i].node < 0 && compatible(np, scan_compat[i]))
			s->first[i] = me;
	if (compatible(np, "virtio,mmio"))
		add(s->virtio, &s->nr_virtio, ARRAY_SIZE(s->virtio), me);
	/* The S-level IMSIC names the harts' IRQ_S_EXT; the M-level 11. */
	if (s->imsic.node < 0 && compatible(np, "riscv,imsics") &&
	    np->irqs_ext && np->irqs_ext_len >= 8 &&
	    fdt32_to_cpu(np->irqs_ext[1]) == IRQ_S_EXT)
		s->imsic = me;
	if (compatible(np, "riscv,aplic"))
		add(s->aplic, &s->nr_aplic, ARRAY_SIZE(s->aplic), me);
}

/*
 * Is @name (@len bytes) the next component of stdout-path after @at bytes,
 * as fdt_path_offset matches it ("serial" names "serial@10000000" too)?
 * Returns the length matched with its '/', or 0.
 */
static int path_component(const struct platform_scan *s, int at,
			  const char *name, int len)
{
	const char *c = s->stdout_path + at;
	int n = 0;

	while (at + n < s->stdout_len && c[n] != '/')
		n++;
	if (!n || n > len || memcmp(c, name, (size_t)n) ||
	    (n < len && (name[n] != '@' || memchr(c, '@', (size_t)n))))
		return 0;
	return n + (at + n < s->stdout_len);
}

/* A node begins at @offset, named @name, at @l (its parent is @l - 1). */
static void begin_node(struct platform_scan *s, struct level *l, int depth,
		       int offset, const char *name, int len)
{
	memset(l, 0, sizeof(*l));
	l->node = offset;
	l->ac = l[-1].ac;
	l->sc = l[-1].sc;
	if (depth == 2) {
		/* As fdt_path_offset: the first child of that name. */
		if (s->cpus < 0 &&
		    (!strcmp(name, "cpus") || !strncmp(name, "cpus@", 5)))
			s->cpus = offset;
		else if (s->chosen < 0 && (!strcmp(name, "chosen") ||
					   !strncmp(name, "chosen@", 7)))
			s->chosen = offset;
		else if (s->resv < 0 &&
			 (!strcmp(name, "reserved-memory") ||
			  !strncmp(name, "reserved-memory@", 16)))
			s->resv = offset;
	}
	/*
	 * Follow stdout-path down, one component per depth, the first node
	 * that matches it (as fdt_path_offset). /chosen, where it is read,
	 * comes before the UART in the trees QEMU writes.
	 */
	l->on_stdout = depth == 1;
	if (s->stdout_node < 0 && depth == s->stdout_depth + 1 &&
	    l[-1].on_stdout) {
		int n = path_component(s, s->stdout_at, name, len);

		if (n) {
			s->stdout_at += n;
			s->stdout_depth = depth;
			l->on_stdout = true;
			if (s->stdout_at >= s->stdout_len)
				s->stdout_node = offset;
		}
	}
}

/*
 * The walk itself; @stdout_node, if >= 0, is the node to find cells for.
 * The blob passed dtb_check: its tags are read with dtb_tag().
 */
static int walk(const void *fdt, struct platform_scan *s)
{
	const char *dt_struct = (const char *)fdt + fdt_off_dt_struct(fdt);
	const char *strings = (const char *)fdt + fdt_off_dt_strings(fdt);
	struct level levels[DTB_MAX_DEPTH + 2];
	int offset = 0, next, depth = 0;

	/* levels[0] is above the root: the defaults for the root's reg. */
	memset(&levels[0], 0, sizeof(levels[0]));
	levels[0].node = -1;
	levels[0].ac = 2;
	levels[0].sc = 1;
	for (;;) {
		uint32_t tag = dtb_tag(dt_struct, offset, &next);
		struct level *l = &levels[depth];

		switch (tag) {
		case FDT_BEGIN_NODE: {
			const char *name = dt_struct + offset + FDT_TAGSIZE;

			if (depth && !l->visited)
				visit(s, l);
			if (++depth > DTB_MAX_DEPTH)
				return -FDT_ERR_BADSTRUCTURE;
			begin_node(s, &levels[depth], depth, offset, name,
				   (int)strlen(name));
			break;
		}
		case FDT_PROP: {
			const struct fdt_property *prop =
				(const void *)(dt_struct + offset);

			if (!depth)
				return -FDT_ERR_BADSTRUCTURE;
			read_prop(s, l, strings + fdt32_ld(&prop->nameoff),
				  prop->data, (int)fdt32_ld(&prop->len));
			break;
		}
		case FDT_END_NODE:
			if (!depth)
				return -FDT_ERR_BADSTRUCTURE;
			if (!l->visited)
				visit(s, l);
			depth--;
			break;
		case FDT_END:
			return depth ? -FDT_ERR_BADSTRUCTURE : 0;
		default:
			break;
		}
		offset = next;
	}
}

static void scan_init(struct platform_scan *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < SCAN_COMPATS; i++)
		s->first[i].node = -1;
	s->imsic.node = s->stdout_found.node = s->stdout_node = -1;
	s->stdout_depth = -1;
	s->cpus = s->chosen = s->resv = -1;
}

int platform_scan(const void *fdt, struct platform_scan *s)
{
	int ret, node;

	scan_init(s);
	ret = walk(fdt, s);
	if (ret || !s->stdout_path || s->stdout_found.node >= 0)
		return ret;
	/*
	 * stdout-path names an alias, or a node before /chosen: look it up
	 * (a walk), then walk again to find its cells.
	 */
	node = fdt_path_offset_namelen(fdt, s->stdout_path, s->stdout_len);
	if (node < 0)
		return 0;
	scan_init(s);
	s->stdout_node = node;
	return walk(fdt, s);
}
