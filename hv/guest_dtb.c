// SPDX-License-Identifier: BSD-2-Clause
/*
 * Rewriting the host device tree into the guest's. libfdt offsets move
 * whenever a node or property changes size, so every step looks its nodes
 * up again instead of keeping offsets across edits.
 */
#include <libfdt.h>
#include <string.h>

#include "arch_traps.h"
#include "dtb_check.h"
#include "guest_dtb_rw.h"
#include "platform.h"
#include "printf.h"
#include "sbi.h"

int guest_dtb_fail(struct rewrite *rw, const char *step, int fdt_err)
{
	snprintf(rw->err, rw->errlen, "guest DTB: %s: %s", step,
		 fdt_err < 0 ? fdt_strerror(fdt_err) : "invalid input");
	return SBI_ERR_INVALID_PARAM;
}

static bool is_cpu(const void *fdt, int node)
{
	const char *type = fdt_getprop(fdt, node, "device_type", NULL);

	return type && !strcmp(type, "cpu");
}

/* The vCPU ID of host hart @hartid, or -1 if it gets none. */
static int vcpu_of_hart(const struct guest_dtb_params *p, uint64_t hartid)
{
	for (unsigned int i = 0; i < p->nr_vcpus; i++)
		if (p->vcpu_hartids[i] == hartid)
			return (int)i;
	return -1;
}

static uint64_t cpu_reg(const void *fdt, int node)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || len < 4)
		return ~0ULL;
	return len >= 8 ? ((uint64_t)fdt32_to_cpu(reg[0]) << 32) |
				  fdt32_to_cpu(reg[1]) :
			  fdt32_to_cpu(reg[0]);
}

/* Delete every cpu node that carries no vCPU; a deletion moves offsets. */
static int drop_unused_cpus(struct rewrite *rw)
{
	int cpus, node;
	bool again = true;

	while (again) {
		again = false;
		cpus = fdt_path_offset(rw->fdt, "/cpus");
		if (cpus < 0)
			return guest_dtb_fail(rw, "find /cpus", cpus);
		fdt_for_each_subnode(node, rw->fdt, cpus) {
			if (!is_cpu(rw->fdt, node) ||
			    vcpu_of_hart(rw->p, cpu_reg(rw->fdt, node)) >= 0)
				continue;
			if (fdt_del_node(rw->fdt, node))
				return guest_dtb_fail(rw, "delete unused cpu",
						      -1);
			again = true;
			break;
		}
	}
	return 0;
}

/*
 * The ISA properties of the vCPU on hart @hartid, computed from the host
 * blob (which no step changes) straight into a property of the exact size:
 * riscv,isa and riscv,isa-extensions with only the extensions the ISA
 * table (isa_ext.c) gives the guest under params->isa_offers. Nothing here
 * has a length limit but the output buffer.
 */

/*
 * riscv,isa-extensions of host cpu node @host, if it has one: the names
 * the guest gets. Counted (@buf NULL) or written; returns its length.
 */
static long isa_extensions(const struct rewrite *rw, const char *exts, int len,
			   char *buf)
{
	long out = 0;

	for (int i = 0; i < len;) {
		int k = (int)strnlen(exts + i, len - i);

		/* The last name may lack its NUL: copy it with one. */
		if (isa_guest_gets(exts + i, (size_t)k, rw->p->isa_offers)) {
			if (buf) {
				memcpy(buf + out, exts + i, (size_t)k);
				buf[out + k] = '\0';
			}
			out += k + 1;
		}
		i += k + 1;
	}
	return out;
}

/*
 * Set property @name of @node to the guest's value of host value @in
 * (@in_len bytes), made by @make (counted with @buf NULL, else written;
 * returns the length or < 0). The harts of a machine are mostly alike:
 * the last host value and what it gave are kept in @c, and a vCPU whose
 * host value is the same bytes gets a copy instead. Returns 0, 1 if
 * @make refused @in, or a libfdt error.
 */
static int set_guest_prop(struct rewrite *rw, int node, const char *name,
			  const char *in, int in_len, struct isa_cache *c,
			  long (*make)(const struct rewrite *rw, const char *in,
				       int len, char *buf))
{
	bool same = c->in && c->in_len == in_len && c->out_len >= 0 &&
		    !memcmp(c->in, in, (size_t)in_len);
	long n = same ? c->out_len : make(rw, in, in_len, NULL);
	char *buf;
	int ret;

	if (n < 0)
		return 1;
	ret = fdt_setprop_placeholder(rw->fdt, node, name, (int)n,
				      (void **)&buf);
	if (ret)
		return ret;
	if (same) {
		memcpy(buf, c->out, (size_t)n);
		return 0;
	}
	make(rw, in, in_len, buf);
	c->in = in;
	c->in_len = in_len;
	c->out_len = n <= (long)sizeof(c->out) ? n : -1;
	if (c->out_len >= 0)
		memcpy(c->out, buf, (size_t)n);
	return 0;
}

/* riscv,isa for the guest, with its NUL; -1 if @isa is no ISA string. */
static long guest_isa(const struct rewrite *rw, const char *isa, int len,
		      char *buf)
{
	long n;

	(void)len;
	n = isa_guest_string(isa, rw->p->isa_offers, NULL, 0);
	if (n >= 0 && buf)
		isa_guest_string(isa, rw->p->isa_offers, buf, (size_t)n + 1);
	return n < 0 ? -1 : n + 1;
}

/* The guest ISA properties of vCPU node @node, host cpu node @host. */
static int rewrite_isa(struct rewrite *rw, int node, int host)
{
	const char *isa = NULL, *exts;
	int len, ret;

	if (host >= 0)
		isa = fdt_getprop(rw->host, host, "riscv,isa", &len);
	if (!isa || len < 1 || isa[len - 1])
		return guest_dtb_fail(
			rw, "a vCPU's cpu has no riscv,isa string", -1);
	ret = set_guest_prop(rw, node, "riscv,isa", isa, len, &rw->isa,
			     guest_isa);
	if (ret == 1)
		return guest_dtb_fail(rw, "riscv,isa is not an ISA string", -1);
	if (ret)
		return guest_dtb_fail(rw, "set riscv,isa", ret);
	exts = fdt_getprop(rw->host, host, "riscv,isa-extensions", &len);
	if (!exts)
		return 0;
	ret = set_guest_prop(rw, node, "riscv,isa-extensions", exts, len,
			     &rw->exts, isa_extensions);
	return ret ? guest_dtb_fail(rw, "set riscv,isa-extensions", ret) : 0;
}

/*
 * An interrupt provider without #address-cells makes dtc warn (QEMU's own
 * tree does); the guest's gets <0>, which is what the binding means.
 */
static int mark_intc(struct rewrite *rw, int cpu)
{
	int intc;

	fdt_for_each_subnode(intc, rw->fdt, cpu) {
		if (fdt_node_check_compatible(rw->fdt, intc,
					      "riscv,cpu-intc") ||
		    fdt_getprop(rw->fdt, intc, "#address-cells", NULL))
			continue;
		return fdt_setprop_u32(rw->fdt, intc, "#address-cells", 0);
	}
	return 0;
}

/*
 * In one pass over /cpus of @fdt, each vCPU's cpu node (the first with
 * its hart ID) into @offs; -FDT_ERR_NOTFOUND for one that has none.
 */
static void find_vcpu_nodes(const struct rewrite *rw, const void *fdt,
			    int *offs)
{
	int node;

	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++)
		offs[i] = -FDT_ERR_NOTFOUND;
	fdt_for_each_subnode(node, fdt, fdt_path_offset(fdt, "/cpus")) {
		int i = is_cpu(fdt, node) ?
				vcpu_of_hart(rw->p, cpu_reg(fdt, node)) :
				-1;

		if (i >= 0 && offs[i] < 0)
			offs[i] = node;
	}
}

/*
 * The edits of one node are inside it: its offset stays, and the nodes
 * after it move by what the struct block grew (@before: its size then).
 */
static void moved(const struct rewrite *rw, int *offs, unsigned int edited,
		  uint32_t before)
{
	int delta = (int)fdt_size_dt_struct(rw->fdt) - (int)before;

	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++)
		if (offs[i] > offs[edited])
			offs[i] += delta;
}

/*
 * Each vCPU's cpu node: guest ISA, status okay and a temporary name, then
 * (pass 2) reg and name the vCPU ID, in vCPU order.
 */
static int rewrite_cpus(struct rewrite *rw)
{
	int offs[HV_MAX_HARTS], host[HV_MAX_HARTS];
	char name[32];
	int ret;

	find_vcpu_nodes(rw, rw->fdt, offs);
	find_vcpu_nodes(rw, rw->host, host);
	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++) {
		uint32_t before = fdt_size_dt_struct(rw->fdt);

		if (offs[i] < 0)
			return guest_dtb_fail(rw, "find the cpu node of a vCPU",
					      -FDT_ERR_NOTFOUND);
		ret = rewrite_isa(rw, offs[i], host[i]);
		if (ret)
			return ret;
		snprintf(name, sizeof(name), "hartvisor-vcpu-%u", i);
		ret = fdt_set_name(rw->fdt, offs[i], name);
		if (!ret)
			ret = fdt_setprop_string(rw->fdt, offs[i], "status",
						 "okay");
		if (ret)
			return guest_dtb_fail(rw, "rename cpu", ret);
		moved(rw, offs, i, before);
	}
	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++) {
		uint32_t before = fdt_size_dt_struct(rw->fdt);

		ret = fdt_setprop_u32(rw->fdt, offs[i], "reg", i);
		if (!ret) {
			snprintf(name, sizeof(name), "cpu@%u", i);
			ret = fdt_set_name(rw->fdt, offs[i], name);
		}
		if (!ret)
			ret = mark_intc(rw, offs[i]);
		if (ret)
			return guest_dtb_fail(rw, "renumber cpu", ret);
		moved(rw, offs, i, before);
	}
	return 0;
}

/* Phandles a walk collects at most; past that, libfdt looks each up. */
#define PHANDLES_MAX 256

/* Every phandle in the tree, in @ph (up to PHANDLES_MAX); the count. */
static unsigned int collect_phandles(const void *fdt, uint32_t *ph)
{
	unsigned int n = 0;
	int node, depth = 0;

	for (node = 0; node >= 0; node = fdt_next_node(fdt, node, &depth)) {
		uint32_t h = fdt_get_phandle(fdt, node);

		if (h && h != ~0U && n++ < PHANDLES_MAX)
			ph[n - 1] = h;
	}
	return n;
}

static bool phandle_exists(const void *fdt, const uint32_t *ph, unsigned int n,
			   uint32_t h)
{
	if (n > PHANDLES_MAX)
		return fdt_node_offset_by_phandle(fdt, h) >= 0;
	for (unsigned int i = 0; i < n; i++)
		if (ph[i] == h)
			return true;
	return false;
}

/* Delete cpu-map entries that point at a cpu that is gone (recursive). */
static int prune_cpu_map(struct rewrite *rw)
{
	uint32_t ph[PHANDLES_MAX];
	bool again = true;

	while (again) {
		int map = fdt_path_offset(rw->fdt, "/cpus/cpu-map");
		int node, depth = 0;
		unsigned int nr_ph;

		again = false;
		if (map < 0)
			return 0;
		/* One walk for all the entries (again after a deletion). */
		nr_ph = collect_phandles(rw->fdt, ph);
		for (node = fdt_next_node(rw->fdt, map, &depth);
		     node >= 0 && depth > 0;
		     node = fdt_next_node(rw->fdt, node, &depth)) {
			int len;
			const fdt32_t *cpu =
				fdt_getprop(rw->fdt, node, "cpu", &len);
			bool dead = cpu && len == 4 &&
				    !phandle_exists(rw->fdt, ph, nr_ph,
						    fdt32_to_cpu(*cpu));
			/* A cluster or core left with nothing in it. */
			bool empty = !cpu &&
				     fdt_first_subnode(rw->fdt, node) < 0;

			if (dead || empty) {
				if (fdt_del_node(rw->fdt, node))
					return guest_dtb_fail(
						rw, "prune cpu-map", -1);
				again = true;
				break;
			}
		}
	}
	return 0;
}

/*
 * interrupts-extended naming every vCPU's S-mode external interrupt, in
 * vCPU order, into @cells: <intc 9> each, after an M-mode slot <intc
 * 0xffffffff> when @m_slot (the PLIC's contexts). Returns the bytes.
 */
static int vcpu_irq_cells(struct rewrite *rw, fdt32_t *cells, bool m_slot)
{
	uint32_t phandles[HV_MAX_HARTS] = { 0 };
	bool seen[HV_MAX_HARTS] = { false };
	int cpus = fdt_path_offset(rw->fdt, "/cpus"), cpu;
	unsigned int n = 0;

	/* One pass over /cpus: the first node named cpu@i is vCPU i's. */
	fdt_for_each_subnode(cpu, rw->fdt, cpus) {
		const char *name = fdt_get_name(rw->fdt, cpu, NULL);
		char want[32];
		unsigned long i = 0;
		int intc;

		if (!name || strncmp(name, "cpu@", 4))
			continue;
		/* No strtoul: picolibc's may set errno, which is at tp. */
		for (const char *d = name + 4;
		     *d >= '0' && *d <= '9' && i < HV_MAX_HARTS; d++)
			i = i * 10 + (unsigned long)(*d - '0');
		snprintf(want, sizeof(want), "cpu@%lu", i);
		if (i >= rw->p->nr_vcpus || seen[i] || strcmp(name, want))
			continue;
		seen[i] = true;
		fdt_for_each_subnode(intc, rw->fdt, cpu)
			if (!fdt_node_check_compatible(rw->fdt, intc,
						       "riscv,cpu-intc"))
				phandles[i] = fdt_get_phandle(rw->fdt, intc);
	}
	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++) {
		uint32_t phandle = phandles[i];

		if (!phandle)
			return guest_dtb_fail(
				rw,
				"a vCPU's cpu has no riscv,cpu-intc phandle",
				-1);
		if (m_slot) {
			cells[n++] = cpu_to_fdt32(phandle);
			cells[n++] = cpu_to_fdt32(0xffffffff);
		}
		cells[n++] = cpu_to_fdt32(phandle);
		cells[n++] = cpu_to_fdt32(IRQ_S_EXT);
	}
	return (int)(n * sizeof(fdt32_t));
}

static int rewrite_plic(struct rewrite *rw)
{
	static const char *const compat[] = { "riscv,plic0",
					      "sifive,plic-1.0.0" };
	fdt32_t cells[HV_MAX_HARTS * 4];
	int plic = -1, len;

	/* On AIA it goes with the unreachable devices: no search. */
	if (rw->p->irqchip != IRQCHIP_PLIC)
		return 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(compat) && plic < 0; i++)
		plic = fdt_node_offset_by_compatible(rw->fdt, -1, compat[i]);
	if (plic < 0)
		return 0;
	/* Reads only: the PLIC's offset stays. */
	len = vcpu_irq_cells(rw, cells, true);
	if (len < 0)
		return len;
	if (fdt_setprop(rw->fdt, plic, "interrupts-extended", cells, len))
		return guest_dtb_fail(rw, "set the PLIC's interrupts-extended",
				      -1);
	return 0;
}

/* The first reg's base of @node, or ~0 if it has none of 2 + 2 cells. */
static uint64_t reg_base(const void *fdt, int node)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || len < 16)
		return ~0ULL;
	return ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
}

/*
 * In one walk: the riscv,imsics node at @imsic_base into @imsic and the
 * riscv,aplic node at @aplic_base into @aplic (each -FDT_ERR_NOTFOUND if
 * none; the first of each, in tree order).
 */
static void find_aia(struct rewrite *rw, paddr_t imsic_base, int *imsic,
		     paddr_t aplic_base, int *aplic)
{
	int node, depth = 0;

	*imsic = *aplic = -FDT_ERR_NOTFOUND;
	for (node = 0; node >= 0 && (*imsic < 0 || *aplic < 0);
	     node = fdt_next_node(rw->fdt, node, &depth)) {
		int len;
		const char *compat =
			fdt_getprop(rw->fdt, node, "compatible", &len);

		if (!compat)
			continue;
		if (*imsic < 0 &&
		    fdt_stringlist_contains(compat, len, "riscv,imsics") &&
		    reg_base(rw->fdt, node) == imsic_base)
			*imsic = node;
		else if (*aplic < 0 &&
			 fdt_stringlist_contains(compat, len, "riscv,aplic") &&
			 reg_base(rw->fdt, node) == aplic_base)
			*aplic = node;
	}
}

/*
 * AIA: the guest's IMSIC is one page per vCPU at imsic_base (its guest
 * file, mapped), hart index = vCPU ID, no guest files of its own; its
 * APLIC is the host's S-level node with the sources the VM has.
 */
static int rewrite_aia(struct rewrite *rw)
{
	static const char *const gone[] = {
		"riscv,guest-index-bits", "riscv,hart-index-bits",
		"riscv,group-index-bits", "riscv,group-index-shift",
		"riscv,num-guest-ids",
	};
	fdt32_t cells[HV_MAX_HARTS * 2];
	uint64_t size = rw->p->nr_vcpus * 4096ULL;
	fdt32_t reg[4] = {
		cpu_to_fdt32(rw->p->imsic_base >> 32),
		cpu_to_fdt32(rw->p->imsic_base),
		cpu_to_fdt32(size >> 32),
		cpu_to_fdt32(size),
	};
	char name[48];
	int node, aplic, ret, len, before;

	if (rw->p->irqchip != IRQCHIP_AIA)
		return 0;
	len = vcpu_irq_cells(rw, cells, false);
	if (len < 0)
		return len;
	find_aia(rw, rw->p->imsic_host_base, &node, rw->p->aplic_base, &aplic);
	if (node < 0)
		return guest_dtb_fail(rw, "find the S-level IMSIC", node);
	if (aplic < 0)
		return guest_dtb_fail(rw, "find the S-level APLIC", aplic);
	/*
	 * The APLIC first: its riscv,num-sources keeps its size, so nothing
	 * moves (if it did not, the IMSIC after it moves by as much).
	 */
	before = fdt_size_dt_struct(rw->fdt);
	ret = fdt_setprop_u32(rw->fdt, aplic, "riscv,num-sources",
			      rw->p->aplic_nsrc);
	if (ret)
		return guest_dtb_fail(rw, "rewrite the APLIC", ret);
	if (node > aplic)
		node += (int)fdt_size_dt_struct(rw->fdt) - before;
	ret = fdt_setprop(rw->fdt, node, "interrupts-extended", cells, len);
	if (!ret)
		ret = fdt_setprop(rw->fdt, node, "reg", reg, sizeof(reg));
	for (unsigned int i = 0; !ret && i < ARRAY_SIZE(gone); i++)
		fdt_delprop(rw->fdt, node, gone[i]);
	snprintf(name, sizeof(name), "interrupt-controller@%lx",
		 (unsigned long)rw->p->imsic_base);
	if (!ret)
		ret = fdt_set_name(rw->fdt, node, name);
	/* As on the cpu-intc: dtc warns about a provider without it. */
	if (!ret && !fdt_getprop(rw->fdt, node, "#address-cells", NULL))
		ret = fdt_setprop_u32(rw->fdt, node, "#address-cells", 0);
	return ret ? guest_dtb_fail(rw, "rewrite the IMSIC", ret) : 0;
}

static int rewrite_chosen(struct rewrite *rw)
{
	int chosen = fdt_path_offset(rw->fdt, "/chosen");
	int node, ret = 0;

	if (chosen < 0)
		chosen = fdt_add_subnode(rw->fdt, 0, "chosen");
	if (chosen < 0)
		return guest_dtb_fail(rw, "add /chosen", chosen);
	for (bool again = true; again;) {
		again = false;
		fdt_for_each_subnode(node, rw->fdt, chosen) {
			if (strncmp(fdt_get_name(rw->fdt, node, NULL),
				    "module@", 7))
				continue;
			if (fdt_del_node(rw->fdt, node))
				return guest_dtb_fail(
					rw, "delete guest module node", -1);
			again = true;
			break;
		}
	}
	chosen = fdt_path_offset(rw->fdt, "/chosen");
	fdt_delprop(rw->fdt, chosen, "bootargs");
	fdt_delprop(rw->fdt, chosen, "linux,initrd-start");
	fdt_delprop(rw->fdt, chosen, "linux,initrd-end");
	if (rw->p->bootargs)
		ret = fdt_setprop_string(rw->fdt, chosen, "bootargs",
					 rw->p->bootargs);
	if (!ret && rw->p->has_initrd)
		ret = fdt_setprop_u64(rw->fdt, chosen, "linux,initrd-start",
				      rw->p->initrd_start);
	if (!ret && rw->p->has_initrd)
		ret = fdt_setprop_u64(rw->fdt, chosen, "linux,initrd-end",
				      rw->p->initrd_end);
	return ret ? guest_dtb_fail(rw, "set /chosen", ret) : 0;
}

/*
 * Free space after the packed tree, zeroed, inside its totalsize: firmware
 * hands over a tree with room in it (OpenSBI's has about 1 KiB), and
 * bootloaders count on that. U-Boot, given the tree as its own, adds its
 * /chosen properties to it in place and writes past its end, over its
 * global data, when there is none.
 */
static int leave_free_space(struct rewrite *rw, size_t size)
{
	uint32_t used = fdt_totalsize(rw->fdt);

	if (size < GUEST_DTB_FREE || used > size - GUEST_DTB_FREE)
		return guest_dtb_fail(rw, "leave free space", -FDT_ERR_NOSPACE);
	memset((char *)rw->fdt + used, 0, GUEST_DTB_FREE);
	fdt_set_totalsize(rw->fdt, used + GUEST_DTB_FREE);
	return 0;
}

int guest_dtb_build(const void *host, size_t host_size, void *out, size_t size,
		    const struct guest_dtb_params *params, char *err,
		    size_t errlen)
{
	struct rewrite rw = { .fdt = out,
			      .host = host,
			      .p = params,
			      .err = err,
			      .errlen = errlen,
			      .kept_top = -1 };
	int ret;

	if (!params->nr_vcpus || params->nr_vcpus > HV_MAX_HARTS ||
	    !params->nr_ram || params->nr_ram > GUEST_DTB_MAX_RAM)
		return guest_dtb_fail(&rw, "check parameters", -1);
	/* fdt_open_into copies what it does not read: check it all first. */
	ret = dtb_check(host, host_size);
	if (ret)
		return guest_dtb_fail(&rw, "check the host DTB", ret);
	ret = fdt_open_into(host, out, (int)size);
	if (ret)
		return guest_dtb_fail(&rw, "copy the host DTB", ret);
	if (fdt_address_cells(out, 0) != 2 || fdt_size_cells(out, 0) != 2)
		return guest_dtb_fail(
			&rw, "root #address-cells and #size-cells must be 2",
			-1);

	ret = drop_unused_cpus(&rw);
	if (!ret)
		ret = rewrite_cpus(&rw);
	if (!ret)
		ret = prune_cpu_map(&rw);
	if (!ret)
		ret = rewrite_plic(&rw);
	if (!ret)
		ret = rewrite_aia(&rw);
	if (!ret)
		ret = guest_dtb_drop_nodes(&rw);
	if (!ret)
		ret = guest_dtb_rewrite_memory(&rw);
	if (!ret)
		ret = rewrite_chosen(&rw);
	if (ret)
		return ret;
	ret = fdt_pack(out);
	if (ret)
		return guest_dtb_fail(&rw, "pack", ret);
	return leave_free_space(&rw, size);
}
