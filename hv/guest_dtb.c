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
 */
#include <libfdt.h>
#include <string.h>

#include "arch_traps.h"
#include "guest_dtb_rw.h"
#include "isa.h"
#include "platform.h"

int guest_dtb_fail(struct rewrite *rw, const char *step, int fdt_err)
{
	snprintf(rw->err, rw->errlen, "guest DTB: %s: %s", step,
		 fdt_err < 0 ? fdt_strerror(fdt_err) : "invalid input");
	return SBI_ERR_INVALID_PARAM;
}

/* The writer: the structure block grows at rw->pos, the rest after it. */

static void *put(struct rewrite *rw, uint32_t n)
{
	void *at;

	if (rw->full || n > rw->size - rw->pos) {
		rw->full = true;
		return NULL;
	}
	at = rw->out + rw->pos;
	rw->pos += n;
	return at;
}

static void store32(void *at, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	memcpy(at, &be, sizeof(be));
}

static void put_tag(struct rewrite *rw, uint32_t tag)
{
	void *at = put(rw, FDT_TAGSIZE);

	if (at)
		store32(at, tag);
}

/* @n bytes of the host's structure block from @off, as they are. */
static void copy(struct rewrite *rw, int off, int n)
{
	void *at = put(rw, (uint32_t)n);

	if (at)
		memcpy(at, rw->host_struct + off, (size_t)n);
}

/* A property's header and room for @len bytes, padding zeroed. */
static void *put_prop(struct rewrite *rw, uint32_t nameoff, int len)
{
	uint32_t room = DTB_TAGALIGN((uint32_t)len);
	char *at = put(rw, 3 * FDT_TAGSIZE + room);

	if (!at)
		return NULL;
	store32(at, FDT_PROP);
	store32(at + 4, (uint32_t)len);
	store32(at + 8, nameoff);
	memset(at + 12 + len, 0, room - (uint32_t)len);
	return at + 12;
}

void guest_dtb_begin_node(struct rewrite *rw, const char *name, int len)
{
	uint32_t room = DTB_TAGALIGN((uint32_t)len + 1);
	char *at = put(rw, FDT_TAGSIZE + room);

	if (!at)
		return;
	store32(at, FDT_BEGIN_NODE);
	memcpy(at + 4, name, (size_t)len);
	memset(at + 4 + len, 0, room - (uint32_t)len);
}

void guest_dtb_end_node(struct rewrite *rw)
{
	put_tag(rw, FDT_END_NODE);
}

void *guest_dtb_add_prop(struct rewrite *rw, enum added_prop what, int len)
{
	uint32_t at = rw->pos;
	void *val = put_prop(rw, 0, len);

	if (!val)
		return NULL;
	/* Two per vCPU at most, and one of each other kind: room for all. */
	if (rw->nr_fixups == ARRAY_SIZE(rw->fixups)) {
		rw->full = true;
		return NULL;
	}
	rw->fixups[rw->nr_fixups++] =
		(struct fixup){ at + 2 * FDT_TAGSIZE, (uint8_t)what };
	return val;
}

/* Reading the host tree. */

static const char *const prop_names[NR_PROP_IDS] = {
	[P_COMPATIBLE] = "compatible",
	[P_DEVICE_TYPE] = "device_type",
	[P_REG] = "reg",
	[P_ADDRESS_CELLS] = "#address-cells",
	[P_SIZE_CELLS] = "#size-cells",
	[P_PHANDLE] = "phandle",
	[P_LINUX_PHANDLE] = "linux,phandle",
	[P_CPU] = "cpu",
	[P_STATUS] = "status",
	[P_ISA] = "riscv,isa",
	[P_ISA_EXTENSIONS] = "riscv,isa-extensions",
	[P_INTERRUPTS_EXTENDED] = "interrupts-extended",
	[P_NUM_SOURCES] = "riscv,num-sources",
	[P_BOOTARGS] = "bootargs",
	[P_INITRD_START] = "linux,initrd-start",
	[P_INITRD_END] = "linux,initrd-end",
	[P_GUEST_INDEX_BITS] = "riscv,guest-index-bits",
	[P_HART_INDEX_BITS] = "riscv,hart-index-bits",
	[P_GROUP_INDEX_BITS] = "riscv,group-index-bits",
	[P_GROUP_INDEX_SHIFT] = "riscv,group-index-shift",
	[P_NUM_GUEST_IDS] = "riscv,num-guest-ids",
};

/*
 * Which property name offset @nameoff is. A tree names a property by the
 * same offset each time it has it (dtc and libfdt share one string per
 * name), so the answer is kept by offset and the names are compared once.
 */
static enum prop_id prop_id(struct rewrite *rw, uint32_t nameoff)
{
	unsigned int slot = nameoff % GUEST_DTB_NAME_SLOTS;
	const char *name;
	int i;

	if (rw->names[slot].nameoff_1 == nameoff + 1)
		return (enum prop_id)rw->names[slot].id;
	name = fdt_string(rw->host, (int)nameoff);
	for (i = 0; i < NR_PROP_IDS; i++)
		if (name[0] == prop_names[i][0] && !strcmp(name, prop_names[i]))
			break;
	rw->names[slot].nameoff_1 = nameoff + 1;
	rw->names[slot].id = (uint8_t)i;
	return (enum prop_id)i;
}

static const struct fdt_property *prop_at(const struct rewrite *rw, int off)
{
	return (const struct fdt_property *)(rw->host_struct + off);
}

static uint32_t tag_at(const struct rewrite *rw, int off, int *next)
{
	return dtb_tag(rw->host_struct, off, next);
}

/*
 * The name of the node at @node and its leading properties: the checked
 * blob (dtb_check) has every tag in bounds and every name terminated.
 */
static void read_props(struct rewrite *rw, int node, struct node_props *np)
{
	int off, next;

	np->name = rw->host_struct + node + FDT_TAGSIZE;
	np->name_len = (int)strlen(np->name);
	for (int i = 0; i < NR_PROP_IDS; i++)
		np->off[i] = -1;
	tag_at(rw, node, &off);
	for (;; off = next) {
		uint32_t tag = tag_at(rw, off, &next);
		const struct fdt_property *prop;
		enum prop_id id;

		if (tag == FDT_NOP)
			continue;
		if (tag != FDT_PROP)
			break;
		prop = prop_at(rw, off);
		id = prop_id(rw, fdt32_ld(&prop->nameoff));
		if (id == NR_PROP_IDS || np->off[id] >= 0)
			continue;
		np->off[id] = off;
		np->val[id] = prop->data;
		np->len[id] = (int)fdt32_ld(&prop->len);
	}
	np->end = off;
}

bool guest_dtb_prop_has(const struct node_props *np, enum prop_id id,
			const char *str)
{
	return np->off[id] >= 0 &&
	       fdt_stringlist_contains(np->val[id], np->len[id], str);
}

/* fdt_nodename_eq_: "cpus" is cpus and cpus@anything. */
static bool name_is(const struct node_props *np, const char *s)
{
	size_t n = strlen(s);

	return !strncmp(np->name, s, n) &&
	       (np->name[n] == '\0' || np->name[n] == '@');
}

/* Does @id hold <2>? (Absent: @absent, libfdt's default is 2 or 1.) */
static bool two_cells(const struct node_props *np, enum prop_id id, bool absent)
{
	if (np->off[id] < 0)
		return absent;
	return np->len[id] == 4 && fdt32_ld(np->val[id]) == 2;
}

static bool is_cpu(const struct node_props *np)
{
	return np->off[P_DEVICE_TYPE] >= 0 &&
	       !strcmp(np->val[P_DEVICE_TYPE], "cpu");
}

static uint64_t cpu_reg(const struct node_props *np)
{
	const fdt32_t *reg = np->val[P_REG];
	int len = np->len[P_REG];

	if (np->off[P_REG] < 0 || len < 4)
		return ~0ULL;
	return len >= 8 ?
		       ((uint64_t)fdt32_ld(&reg[0]) << 32) | fdt32_ld(&reg[1]) :
		       fdt32_ld(&reg[0]);
}

/* The first reg's base of @np, or ~0 if it has none of 2 + 2 cells. */
static uint64_t reg_base(const struct node_props *np)
{
	const fdt32_t *reg = np->val[P_REG];

	if (np->off[P_REG] < 0 || np->len[P_REG] < 16)
		return ~0ULL;
	return ((uint64_t)fdt32_ld(&reg[0]) << 32) | fdt32_ld(&reg[1]);
}

/* As fdt_get_phandle: "phandle", else "linux,phandle", else 0. */
static uint32_t phandle(const struct node_props *np)
{
	if (np->off[P_PHANDLE] >= 0 && np->len[P_PHANDLE] == 4)
		return fdt32_ld(np->val[P_PHANDLE]);
	if (np->off[P_LINUX_PHANDLE] >= 0 && np->len[P_LINUX_PHANDLE] == 4)
		return fdt32_ld(np->val[P_LINUX_PHANDLE]);
	return 0;
}

/* The vCPU ID of host hart @hartid, or -1 if it gets none. */
static int vcpu_of_hart(const struct guest_dtb_params *p, uint64_t hartid)
{
	for (unsigned int i = 0; i < p->nr_vcpus; i++)
		if (p->vcpu_hartids[i] == hartid)
			return (int)i;
	return -1;
}

/*
 * The ISA properties of a vCPU, computed from its host cpu node's:
 * riscv,isa and riscv,isa-extensions with only the extensions the ISA
 * table (isa_ext.c) gives the guest under params->isa_offers. Nothing
 * here has a length limit but the output buffer. Each is made like
 * snprintf: at most @room bytes into @buf, and the whole length returned.
 */

/* riscv,isa-extensions: the names the guest gets. */
static long isa_extensions(const struct rewrite *rw, const char *exts, int len,
			   char *buf, long room)
{
	long out = 0;

	for (int i = 0; i < len;) {
		int k = (int)strnlen(exts + i, (size_t)(len - i));

		/* The last name may lack its NUL: copy it with one. */
		if (isa_guest_gets(exts + i, (size_t)k, rw->p->isa_offers)) {
			if (out + k + 1 <= room) {
				memcpy(buf + out, exts + i, (size_t)k);
				buf[out + k] = '\0';
			}
			out += k + 1;
		}
		i += k + 1;
	}
	return out;
}

/* riscv,isa for the guest, with its NUL; -1 if @isa is no ISA string. */
static long guest_isa(const struct rewrite *rw, const char *isa, int len,
		      char *buf, long room)
{
	long n = isa_guest_string(isa, rw->p->isa_offers, buf, (size_t)room);

	(void)len;
	return n < 0 ? -1 : n + 1;
}

typedef long (*make_fn)(const struct rewrite *rw, const char *in, int len,
			char *buf, long room);

/*
 * The harts of a machine are mostly alike: the last host value and what
 * it gave are kept in @c, and a vCPU whose host value is the same bytes
 * gets a copy.
 */
static bool cached(const struct isa_cache *c, const char *in, int in_len)
{
	return c->in && c->in_len == in_len && c->out_len >= 0 &&
	       !memcmp(c->in, in, (size_t)in_len);
}

/*
 * Make the guest's value of host value @in into cache @c (the walk then
 * copies it): its length, or < 0 from @make.
 */
static long fill_cache(struct rewrite *rw, struct isa_cache *c, const char *in,
		       int in_len, make_fn make)
{
	long n;

	if (cached(c, in, in_len))
		return c->out_len;
	n = make(rw, in, in_len, c->out, sizeof(c->out));
	c->in = in;
	c->in_len = in_len;
	c->out_len = n <= (long)sizeof(c->out) ? n : -1;
	return n;
}

/*
 * Host property @id of @np written with the guest's value: a copy of the
 * cache's, or made in place (with room for as many bytes as the host's,
 * then trimmed; made again if it did not fit).
 */
static void put_guest_prop(struct rewrite *rw, const struct node_props *np,
			   enum prop_id id, struct isa_cache *c, make_fn make)
{
	const char *in = np->val[id];
	int in_len = np->len[id];
	uint32_t nameoff = fdt32_ld(&prop_at(rw, np->off[id])->nameoff);
	uint32_t at = rw->pos;
	long n, room = in_len + 1L;
	char *buf;

	if (cached(c, in, in_len)) {
		buf = put_prop(rw, nameoff, (int)c->out_len);
		if (buf)
			memcpy(buf, c->out, (size_t)c->out_len);
		return;
	}
	buf = put_prop(rw, nameoff, (int)room);
	n = buf ? make(rw, in, in_len, buf, room) : -1;
	if (n < 0)
		return; /* riscv,isa was checked before the walk */
	rw->pos = at;
	buf = put_prop(rw, nameoff, (int)n);
	if (buf && n > room)
		make(rw, in, in_len, buf, n);
}

/*
 * vCPU @i's riscv,isa: a string the ISA table can read, or an error.
 * Its guest values go in the caches on the way.
 */
static int check_isa(struct rewrite *rw, unsigned int i)
{
	struct node_props np;
	const char *isa;
	int len;

	read_props(rw, rw->vcpu[i].host, &np);
	isa = np.val[P_ISA];
	len = np.len[P_ISA];
	if (np.off[P_ISA] < 0 || len < 1 || isa[len - 1])
		return guest_dtb_fail(
			rw, "a vCPU's cpu has no riscv,isa string", -1);
	if (fill_cache(rw, &rw->isa, isa, len, guest_isa) < 0)
		return guest_dtb_fail(rw, "riscv,isa is not an ISA string", -1);
	if (np.off[P_ISA_EXTENSIONS] >= 0)
		fill_cache(rw, &rw->exts, np.val[P_ISA_EXTENSIONS],
			   np.len[P_ISA_EXTENSIONS], isa_extensions);
	return 0;
}

/* "cpu@N" in decimal: N; else -1. */
static int cpu_unit(const char *name)
{
	unsigned long i = 0;
	char want[32];

	if (strncmp(name, "cpu@", 4))
		return -1;
	/* No strtoul: picolibc's may set errno, which is at tp. */
	for (const char *d = name + 4;
	     *d >= '0' && *d <= '9' && i < HV_MAX_HARTS; d++)
		i = i * 10 + (unsigned long)(*d - '0');
	snprintf(want, sizeof(want), "cpu@%lu", i);
	return strcmp(name, want) ? -1 : (int)i;
}

/* The vCPU whose cpu node @node is (the first with its hart ID), or -1. */
static int vcpu_node(const struct rewrite *rw, int node,
		     const struct node_props *np)
{
	int i = is_cpu(np) ? vcpu_of_hart(rw->p, cpu_reg(np)) : -1;

	return i >= 0 && rw->vcpu[i].host == node ? i : -1;
}

/* The node at @end or after NOPs and properties there, or -1. */
static int first_node(const struct rewrite *rw, int end)
{
	int next;

	for (;; end = next) {
		uint32_t tag = tag_at(rw, end, &next);

		if (tag == FDT_BEGIN_NODE)
			return end;
		if (tag != FDT_NOP && tag != FDT_PROP)
			return -1;
	}
}

/*
 * The node after @node among its siblings, or -1: past its subtree, and
 * past the NOPs and stray properties that may follow.
 */
static int next_sibling(const struct rewrite *rw, int node)
{
	int depth = 0, next;

	do {
		uint32_t tag = tag_at(rw, node, &next);

		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE)
			depth--;
		else if (tag == FDT_END)
			return -1;
		node = next;
	} while (depth > 0);
	return first_node(rw, node);
}

#define for_each_child(rw, child, np_end)                \
	for (child = first_node(rw, np_end); child >= 0; \
	     child = next_sibling(rw, child))

/*
 * The riscv,cpu-intc children of the cpu node whose properties end at
 * @end: the phandle the first
 * node named cpu@@i (vCPU @i's, once renamed) gives its interrupt
 * controllers, the last such child's; and, for vCPU @mine's node, the
 * first such child without #address-cells.
 */
static void read_intcs(struct rewrite *rw, int end, int i, int mine)
{
	struct node_props np;
	int child;

	for_each_child(rw, child, end)
	{
		read_props(rw, child, &np);
		if (!guest_dtb_prop_has(&np, P_COMPATIBLE, "riscv,cpu-intc"))
			continue;
		if (i >= 0)
			rw->vcpu[i].intc = phandle(&np);
		if (mine >= 0 && rw->vcpu[mine].intc_mark < 0 &&
		    np.off[P_ADDRESS_CELLS] < 0)
			rw->vcpu[mine].intc_mark = child;
	}
}

/*
 * One pass over /cpus: each vCPU's cpu node (the first with its hart
 * ID), whose riscv,isa must be one; the phandles of the cpu nodes the
 * guest keeps, which are all cpu-map may name; then, by the names the
 * nodes will have, each vCPU's riscv,cpu-intc phandle.
 */
static int scan_cpus(struct rewrite *rw)
{
	const struct guest_dtb_params *p = rw->p;
	bool seen[HV_MAX_HARTS] = { false };
	struct node_props np;
	int node, ret, cpus_end;

	read_props(rw, 0, &np);
	for_each_child(rw, node, np.end)
	{
		read_props(rw, node, &np);
		if (name_is(&np, "cpus"))
			break;
	}
	if (node < 0)
		return guest_dtb_fail(rw, "find /cpus", -FDT_ERR_NOTFOUND);
	rw->cpus = node;
	read_props(rw, node, &np);
	cpus_end = np.end;
	for (unsigned int i = 0; i < p->nr_vcpus; i++)
		rw->vcpu[i] = (struct vcpu_node){ -1, -1, 0 };
	for_each_child(rw, node, cpus_end)
	{
		int i;
		uint32_t ph;

		read_props(rw, node, &np);
		i = is_cpu(&np) ? vcpu_of_hart(p, cpu_reg(&np)) : -1;
		if (i < 0)
			continue;
		if (rw->vcpu[i].host < 0)
			rw->vcpu[i].host = node;
		ph = phandle(&np);
		if (ph && ph != ~0U &&
		    rw->nr_cpu_phandles < GUEST_DTB_MAX_CPU_PHANDLES)
			rw->cpu_phandles[rw->nr_cpu_phandles++] = ph;
	}
	for (unsigned int i = 0; i < p->nr_vcpus; i++) {
		if (rw->vcpu[i].host < 0)
			return guest_dtb_fail(rw, "find the cpu node of a vCPU",
					      -FDT_ERR_NOTFOUND);
		ret = check_isa(rw, i);
		if (ret)
			return ret;
	}
	for_each_child(rw, node, cpus_end)
	{
		char name[32];
		int mine, i;

		read_props(rw, node, &np);
		if (is_cpu(&np) && vcpu_of_hart(p, cpu_reg(&np)) < 0)
			continue; /* the guest does not get it */
		mine = vcpu_node(rw, node, &np);
		if (mine >= 0)
			snprintf(name, sizeof(name), "cpu@%d", mine);
		i = cpu_unit(mine >= 0 ? name : np.name);
		if (i >= (int)p->nr_vcpus || (i >= 0 && seen[i]))
			i = -1;
		if (i >= 0)
			seen[i] = true;
		if (i >= 0 || mine >= 0)
			read_intcs(rw, np.end, i, mine);
	}
	rw->intcs = true;
	for (unsigned int i = 0; i < p->nr_vcpus; i++)
		rw->intcs &= rw->vcpu[i].intc != 0;
	return 0;
}

/* Is the cpu-map entry's phandle @ph a cpu the guest has? */
static bool cpu_kept(const struct rewrite *rw, uint32_t ph)
{
	for (unsigned int i = 0; i < rw->nr_cpu_phandles; i++)
		if (rw->cpu_phandles[i] == ph)
			return true;
	return false;
}

static int no_intc(struct rewrite *rw)
{
	return guest_dtb_fail(rw, "a vCPU's cpu has no riscv,cpu-intc phandle",
			      -1);
}

/*
 * interrupts-extended naming every vCPU's S-mode external interrupt, in
 * vCPU order, into @v (if not NULL): <intc 9> each, after an M-mode slot
 * <intc 0xffffffff> when @m_slot (the PLIC's contexts). Its length.
 */
static int vcpu_irq_cells(const struct rewrite *rw, char *v, bool m_slot)
{
	unsigned int n = 0;

	for (unsigned int i = 0; v && i < rw->p->nr_vcpus; i++) {
		uint32_t ph = rw->vcpu[i].intc;

		if (m_slot) {
			store32(v + 4 * n++, ph);
			store32(v + 4 * n++, 0xffffffff);
		}
		store32(v + 4 * n++, ph);
		store32(v + 4 * n++, IRQ_S_EXT);
	}
	return (int)(rw->p->nr_vcpus * (m_slot ? 16 : 8));
}

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
	} else if (up->kind == K_CPUS && is_cpu(np)) {
		me->vcpu = vcpu_node(rw, node, np);
		me->gone |= vcpu_of_hart(p, cpu_reg(np)) < 0;
		if (me->vcpu >= 0)
			me->kind = K_VCPU;
	} else if (up->kind == K_CPUS && !up->cpu_map_seen &&
		   name_is(np, "cpu-map")) {
		up->cpu_map_seen = true;
		me->kind = K_CPU_MAP;
	} else if (up->kind == K_VCPU && node == rw->vcpu[up->vcpu].intc_mark) {
		me->kind = K_INTC;
	} else if (up->kind == K_CPU_MAP || up->kind == K_MAP_ENTRY) {
		me->kind = K_MAP_ENTRY;
		me->map_cpu = np->off[P_CPU] >= 0;
		me->map_dead = me->map_cpu && np->len[P_CPU] == 4 &&
			       !cpu_kept(rw, fdt32_ld(np->val[P_CPU]));
		me->gone |= me->map_dead;
	}
	if (me->kind != K_PLAIN || me->gone)
		return;
	if (p->irqchip == IRQCHIP_PLIC && !rw->plic &&
	    (guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,plic0") ||
	     guest_dtb_prop_has(np, P_COMPATIBLE, "sifive,plic-1.0.0"))) {
		rw->plic = true;
		me->kind = K_PLIC;
	} else if (p->irqchip == IRQCHIP_AIA && !rw->imsic &&
		   guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,imsics") &&
		   reg_base(np) == p->imsic_host_base) {
		rw->imsic = true;
		me->kind = K_IMSIC;
	} else if (p->irqchip == IRQCHIP_AIA && !rw->aplic &&
		   guest_dtb_prop_has(np, P_COMPATIBLE, "riscv,aplic") &&
		   reg_base(np) == p->aplic_base) {
		rw->aplic = true;
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
		irq_len = vcpu_irq_cells(rw, NULL, me->kind == K_PLIC);
	if (me->kind == K_VCPU || me->kind == K_IMSIC) {
		if (me->kind == K_VCPU)
			snprintf(name, sizeof(name), "cpu@%d", me->vcpu);
		else
			snprintf(name, sizeof(name), "interrupt-controller@%lx",
				 (unsigned long)p->imsic_base);
		guest_dtb_begin_node(rw, name, (int)strlen(name));
	} else {
		copy(rw, node, FDT_TAGSIZE + DTB_TAGALIGN(np->name_len + 1));
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
			store32(v, 0);
		break;
	case K_PLIC:
		if (np->off[P_INTERRUPTS_EXTENDED] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_PLIC_IRQS, irq_len)))
			vcpu_irq_cells(rw, v, me->kind == K_PLIC);
		break;
	case K_APLIC:
		if (np->off[P_NUM_SOURCES] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_NUM_SOURCES, 4)))
			store32(v, p->aplic_nsrc);
		break;
	case K_IMSIC:
		if (np->off[P_ADDRESS_CELLS] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_IMSIC_CELLS, 4)))
			store32(v, 0);
		if (np->off[P_INTERRUPTS_EXTENDED] < 0 &&
		    (v = guest_dtb_add_prop(rw, ADD_IMSIC_IRQS, irq_len)))
			vcpu_irq_cells(rw, v, me->kind == K_PLIC);
		break;
	case K_CHOSEN:
		guest_dtb_chosen_props(rw);
		break;
	default:
		break;
	}
	tag_at(rw, node, &off);
	if (me->kind != K_VCPU && me->kind != K_PLIC && me->kind != K_APLIC &&
	    me->kind != K_IMSIC && me->kind != K_CHOSEN) {
		/* Nothing of it changes: its properties in one copy. */
		copy(rw, off, np->end - off);
	} else {
		imsic_reg(rw, reg);
		for (; off < np->end; off = next) {
			enum prop_id id = NR_PROP_IDS;
			uint32_t nameoff;

			if (tag_at(rw, off, &next) != FDT_PROP) {
				copy(rw, off, next - off); /* a NOP */
				continue;
			}
			for (int i = 0; i < NR_PROP_IDS && id == NR_PROP_IDS;
			     i++)
				if (np->off[i] == off)
					id = (enum prop_id)i;
			nameoff = fdt32_ld(&prop_at(rw, off)->nameoff);
			if (me->kind == K_VCPU && id == P_ISA) {
				put_guest_prop(rw, np, id, &rw->isa, guest_isa);
			} else if (me->kind == K_VCPU &&
				   id == P_ISA_EXTENSIONS) {
				put_guest_prop(rw, np, id, &rw->exts,
					       isa_extensions);
			} else if (me->kind == K_VCPU && id == P_STATUS) {
				if ((v = put_prop(rw, nameoff, sizeof("okay"))))
					memcpy(v, "okay", sizeof("okay"));
			} else if (me->kind == K_VCPU && id == P_REG) {
				if ((v = put_prop(rw, nameoff, 4)))
					store32(v, (uint32_t)me->vcpu);
			} else if ((me->kind == K_PLIC ||
				    me->kind == K_IMSIC) &&
				   id == P_INTERRUPTS_EXTENDED) {
				if ((v = put_prop(rw, nameoff, irq_len)))
					vcpu_irq_cells(rw, v,
						       me->kind == K_PLIC);
			} else if (me->kind == K_IMSIC && id == P_REG) {
				if ((v = put_prop(rw, nameoff, sizeof(reg))))
					memcpy(v, reg, sizeof(reg));
			} else if (me->kind == K_APLIC && id == P_NUM_SOURCES) {
				if ((v = put_prop(rw, nameoff, 4)))
					store32(v, p->aplic_nsrc);
			} else if (!(me->kind == K_IMSIC &&
				     id >= P_GUEST_INDEX_BITS &&
				     id <= P_NUM_GUEST_IDS) &&
				   !(me->kind == K_CHOSEN && id >= P_BOOTARGS &&
				     id <= P_INITRD_END)) {
				copy(rw, off, next - off);
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

	read_props(rw, node, &np);
	*me = (struct level){ .kind = K_PLAIN, .vcpu = -1 };
	me->gone = up && up->gone;
	me->kept_top = depth == 1 ? guest_dtb_kept_subtree(np.name) :
				    up && up->kept_top;
	me->bus22 = two_cells(&np, P_ADDRESS_CELLS, true) &&
		    two_cells(&np, P_SIZE_CELLS, false);
	classify(rw, me, up, node, &np);
	me->out = !up || (up->out && !left_out(rw, me, up, &np));
	/* The first /chosen and /reserved-memory the guest gets. */
	if (depth == 1 && me->out && me->kind == K_PLAIN) {
		if (!rw->chosen && name_is(&np, "chosen")) {
			rw->chosen = true;
			me->kind = K_CHOSEN;
		} else if (!rw->reserved && name_is(&np, "reserved-memory")) {
			rw->reserved = true;
			me->kind = K_RESERVED;
		}
	}
	if (me->kind == K_PLIC && !rw->intcs)
		return no_intc(rw);
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
		uint32_t tag = tag_at(rw, off, &next);

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
			put_tag(rw, FDT_END);
			return 0;
		default: /* a NOP, or a property after a subnode: as it is */
			if (!depth || lv[depth - 1].out)
				copy(rw, off, next - off);
			break;
		}
		off = next;
	}
}

/* Reverse the bytes [@a, @b) of the output. */
static void reverse(struct rewrite *rw, uint32_t a, uint32_t b)
{
	while (a + 1 < b) {
		char t = rw->out[a];

		rw->out[a++] = rw->out[--b];
		rw->out[b] = t;
	}
}

/*
 * A host tree without /chosen: the guest's goes first among the root's
 * nodes (where fdt_add_subnode puts it), before the memory node. Written
 * at the end, then turned into place.
 */
static void add_chosen(struct rewrite *rw)
{
	uint32_t at = rw->root_props_end, end_tag = rw->pos - FDT_TAGSIZE;
	unsigned int first = rw->nr_fixups;
	uint32_t start, n;

	rw->pos = end_tag; /* before FDT_END */
	start = rw->pos;
	guest_dtb_begin_node(rw, "chosen", 6);
	guest_dtb_chosen_props(rw);
	guest_dtb_end_node(rw);
	n = rw->pos - start;
	if (rw->full)
		return;
	reverse(rw, at, start);
	reverse(rw, start, start + n);
	reverse(rw, at, start + n);
	for (unsigned int i = 0; i < rw->nr_fixups; i++) {
		if (i >= first)
			rw->fixups[i].pos -= start - at;
		else if (rw->fixups[i].pos >= at)
			rw->fixups[i].pos += n;
	}
	put_tag(rw, FDT_END);
}

static const char *const added_names[NR_ADDED] = {
	[ADD_STATUS] = "status",
	[ADD_INTC_CELLS] = "#address-cells",
	[ADD_PLIC_IRQS] = "interrupts-extended",
	[ADD_NUM_SOURCES] = "riscv,num-sources",
	[ADD_IMSIC_IRQS] = "interrupts-extended",
	[ADD_IMSIC_CELLS] = "#address-cells",
	[ADD_MEMORY_TYPE] = "device_type",
	[ADD_MEMORY_REG] = "reg",
	[ADD_BOOTARGS] = "bootargs",
	[ADD_INITRD_START] = "linux,initrd-start",
	[ADD_INITRD_END] = "linux,initrd-end",
};

/*
 * The offset of @s in the strings block at @tab (@len bytes), which may
 * grow by it: as libfdt, the first place where its bytes and NUL are,
 * even inside a longer name. -1 if it does not fit in @room.
 */
static long find_add_string(char *tab, uint32_t *len, uint32_t room,
			    const char *s)
{
	uint32_t n = (uint32_t)strlen(s) + 1;

	for (uint32_t i = 0; i + n <= *len; i++)
		if (tab[i] == s[0] && !memcmp(tab + i, s, n))
			return i;
	if (n > room - *len)
		return -1;
	memcpy(tab + *len, s, n);
	*len += n;
	return *len - n;
}

/*
 * After the structure block: the host's strings, then the names the
 * rewrite added and the host lacks, in the order of enum added_prop.
 */
static int write_strings(struct rewrite *rw, uint32_t *len)
{
	char *tab = rw->out + rw->pos;
	uint32_t room = (uint32_t)(rw->size - rw->pos);
	uint32_t host_len = fdt_size_dt_strings(rw->host);

	if (host_len > room)
		return -FDT_ERR_NOSPACE;
	memcpy(tab, (const char *)rw->host + fdt_off_dt_strings(rw->host),
	       host_len);
	*len = host_len;
	for (unsigned int what = 0; what < NR_ADDED; what++) {
		long at = -1;

		for (unsigned int i = 0; i < rw->nr_fixups; i++) {
			if (rw->fixups[i].what != what)
				continue;
			if (at < 0)
				at = find_add_string(tab, len, room,
						     added_names[what]);
			if (at < 0)
				return -FDT_ERR_NOSPACE;
			store32(rw->out + rw->fixups[i].pos, (uint32_t)at);
		}
	}
	return 0;
}

/*
 * The header, and GUEST_DTB_FREE zeroed bytes of free space after the
 * tree, inside its totalsize: firmware hands over a tree with room in it
 * (OpenSBI's has about 1 KiB), and bootloaders count on that. U-Boot,
 * given the tree as its own, adds its /chosen properties to it in place
 * and writes past its end, over its global data, when there is none.
 */
static int finish(struct rewrite *rw, uint32_t struct_off)
{
	uint32_t strings_len, used;
	int ret;

	if (rw->full)
		return guest_dtb_fail(rw, "write the guest DTB",
				      -FDT_ERR_NOSPACE);
	ret = write_strings(rw, &strings_len);
	if (ret)
		return guest_dtb_fail(rw, "write the strings", ret);
	used = rw->pos + strings_len;
	if (rw->size < GUEST_DTB_FREE || used > rw->size - GUEST_DTB_FREE)
		return guest_dtb_fail(rw, "leave free space", -FDT_ERR_NOSPACE);
	memset(rw->out + used, 0, GUEST_DTB_FREE);
	fdt_set_magic(rw->out, FDT_MAGIC);
	fdt_set_totalsize(rw->out, used + GUEST_DTB_FREE);
	fdt_set_off_dt_struct(rw->out, struct_off);
	fdt_set_off_dt_strings(rw->out, rw->pos);
	fdt_set_off_mem_rsvmap(rw->out, sizeof(struct fdt_header));
	fdt_set_version(rw->out, 17);
	fdt_set_last_comp_version(rw->out, 16);
	fdt_set_boot_cpuid_phys(rw->out, fdt_boot_cpuid_phys(rw->host));
	fdt_set_size_dt_strings(rw->out, strings_len);
	fdt_set_size_dt_struct(rw->out, rw->pos - struct_off);
	return 0;
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
	    !params->nr_ram || params->nr_ram > GUEST_DTB_MAX_RAM)
		return guest_dtb_fail(&rw, "check parameters", -1);
	/* Everything below reads the host blob as dtb_check found it. */
	ret = dtb_check(host, host_size);
	if (ret)
		return guest_dtb_fail(&rw, "check the host DTB", ret);
	rw.host_struct = (const char *)host + fdt_off_dt_struct(host);
	if (tag_at(&rw, 0, &next) != FDT_BEGIN_NODE)
		return guest_dtb_fail(
			&rw, "root #address-cells and #size-cells must be 2",
			-FDT_ERR_BADOFFSET);
	read_props(&rw, 0, &root);
	if (!two_cells(&root, P_ADDRESS_CELLS, true) ||
	    !two_cells(&root, P_SIZE_CELLS, false))
		return guest_dtb_fail(
			&rw, "root #address-cells and #size-cells must be 2",
			-1);
	ret = scan_cpus(&rw);
	if (ret)
		return ret;
	if (params->irqchip == IRQCHIP_AIA && !rw.intcs)
		return no_intc(&rw);
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
	if (!rw.chosen)
		add_chosen(&rw);
	return finish(&rw, struct_off);
}
