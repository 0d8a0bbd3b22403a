// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest DTB's vCPUs: the one pass over the host's /cpus before the
 * walk (each vCPU's cpu node and riscv,cpu-intc phandle, the cpu nodes
 * cpu-map may still name), the guest's riscv,isa and riscv,isa-extensions
 * made from each vCPU's host values, and the interrupts-extended lists
 * naming every vCPU.
 */
#include <libfdt.h>
#include <string.h>

#include "arch_traps.h"
#include "guest_dtb_rw.h"
#include "isa.h"

/* The vCPU ID of host hart @hartid, or -1 if it gets none. */
int guest_dtb_vcpu_of_hart(const struct guest_dtb_params *p, uint64_t hartid)
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
long guest_dtb_isa_extensions(const struct rewrite *rw, const char *exts,
			      int len, char *buf, long room)
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
long guest_dtb_guest_isa(const struct rewrite *rw, const char *isa, int len,
			 char *buf, long room)
{
	long n = isa_guest_string(isa, rw->p->isa_offers, buf, (size_t)room);

	(void)len;
	return n < 0 ? -1 : n + 1;
}

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
void guest_dtb_put_guest_prop(struct rewrite *rw, const struct node_props *np,
			      enum prop_id id, struct isa_cache *c,
			      make_fn make)
{
	const char *in = np->val[id];
	int in_len = np->len[id];
	uint32_t nameoff =
		fdt32_ld(&guest_dtb_prop_at(rw, np->off[id])->nameoff);
	uint32_t at = rw->pos;
	long n, room = in_len + 1L;
	char *buf;

	if (cached(c, in, in_len)) {
		buf = guest_dtb_put_prop(rw, nameoff, (int)c->out_len);
		if (buf)
			memcpy(buf, c->out, (size_t)c->out_len);
		return;
	}
	buf = guest_dtb_put_prop(rw, nameoff, (int)room);
	n = buf ? make(rw, in, in_len, buf, room) : -1;
	if (n < 0)
		return; /* riscv,isa was checked before the walk */
	rw->pos = at;
	buf = guest_dtb_put_prop(rw, nameoff, (int)n);
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

	guest_dtb_read_props(rw, rw->vcpu[i].host, &np);
	isa = np.val[P_ISA];
	len = np.len[P_ISA];
	if (np.off[P_ISA] < 0 || len < 1 || isa[len - 1])
		return guest_dtb_fail(
			rw, "a vCPU's cpu has no riscv,isa string", -1);
	if (fill_cache(rw, &rw->isa, isa, len, guest_dtb_guest_isa) < 0)
		return guest_dtb_fail(rw, "riscv,isa is not an ISA string", -1);
	if (np.off[P_ISA_EXTENSIONS] >= 0)
		fill_cache(rw, &rw->exts, np.val[P_ISA_EXTENSIONS],
			   np.len[P_ISA_EXTENSIONS], guest_dtb_isa_extensions);
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
int guest_dtb_vcpu_node(const struct rewrite *rw, int node,
			const struct node_props *np)
{
	int i = guest_dtb_is_cpu(np) ?
			guest_dtb_vcpu_of_hart(rw->p, guest_dtb_cpu_reg(np)) :
			-1;

	return i >= 0 && rw->vcpu[i].host == node ? i : -1;
}

/* The node at @end or after NOPs and properties there, or -1. */
static int first_node(const struct rewrite *rw, int end)
{
	int next;

	for (;; end = next) {
		uint32_t tag = guest_dtb_tag_at(rw, end, &next);

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
		uint32_t tag = guest_dtb_tag_at(rw, node, &next);

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
		guest_dtb_read_props(rw, child, &np);
		if (!guest_dtb_prop_has(&np, P_COMPATIBLE, "riscv,cpu-intc"))
			continue;
		if (i >= 0)
			rw->vcpu[i].intc = guest_dtb_phandle(&np);
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
int guest_dtb_scan_cpus(struct rewrite *rw)
{
	const struct guest_dtb_params *p = rw->p;
	bool seen[HV_MAX_HARTS] = { false };
	struct node_props np;
	int node, ret, cpus_end;

	guest_dtb_read_props(rw, 0, &np);
	for_each_child(rw, node, np.end)
	{
		guest_dtb_read_props(rw, node, &np);
		if (guest_dtb_name_is(&np, "cpus"))
			break;
	}
	if (node < 0)
		return guest_dtb_fail(rw, "find /cpus", -FDT_ERR_NOTFOUND);
	rw->cpus = node;
	guest_dtb_read_props(rw, node, &np);
	cpus_end = np.end;
	for (unsigned int i = 0; i < p->nr_vcpus; i++)
		rw->vcpu[i] = (struct vcpu_node){ -1, -1, 0 };
	for_each_child(rw, node, cpus_end)
	{
		int i;
		uint32_t ph;

		guest_dtb_read_props(rw, node, &np);
		i = guest_dtb_is_cpu(&np) ?
			    guest_dtb_vcpu_of_hart(p, guest_dtb_cpu_reg(&np)) :
			    -1;
		if (i < 0)
			continue;
		if (rw->vcpu[i].host < 0)
			rw->vcpu[i].host = node;
		ph = guest_dtb_phandle(&np);
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

		guest_dtb_read_props(rw, node, &np);
		if (guest_dtb_is_cpu(&np) &&
		    guest_dtb_vcpu_of_hart(p, guest_dtb_cpu_reg(&np)) < 0)
			continue; /* the guest does not get it */
		mine = guest_dtb_vcpu_node(rw, node, &np);
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
bool guest_dtb_cpu_kept(const struct rewrite *rw, uint32_t ph)
{
	for (unsigned int i = 0; i < rw->nr_cpu_phandles; i++)
		if (rw->cpu_phandles[i] == ph)
			return true;
	return false;
}

int guest_dtb_no_intc(struct rewrite *rw)
{
	return guest_dtb_fail(rw, "a vCPU's cpu has no riscv,cpu-intc phandle",
			      -1);
}

/*
 * interrupts-extended naming every vCPU's S-mode external interrupt, in
 * vCPU order, into @v (if not NULL): <intc 9> each, after an M-mode slot
 * <intc 0xffffffff> when @m_slot (the PLIC's contexts). Its length.
 */
int guest_dtb_vcpu_irq_cells(const struct rewrite *rw, char *v, bool m_slot)
{
	unsigned int n = 0;

	for (unsigned int i = 0; v && i < rw->p->nr_vcpus; i++) {
		uint32_t ph = rw->vcpu[i].intc;

		if (m_slot) {
			guest_dtb_store32(v + 4 * n++, ph);
			guest_dtb_store32(v + 4 * n++, 0xffffffff);
		}
		guest_dtb_store32(v + 4 * n++, ph);
		guest_dtb_store32(v + 4 * n++, IRQ_S_EXT);
	}
	return (int)(rw->p->nr_vcpus * (m_slot ? 16 : 8));
}
