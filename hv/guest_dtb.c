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

/* The cpu node of @fdt named @name, or (@name NULL) with hart ID @reg. */
static int find_cpu_in(const void *fdt, const char *name, uint64_t reg)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int node;

	if (name)
		return fdt_subnode_offset(fdt, cpus, name);
	fdt_for_each_subnode(node, fdt, cpus)
		if (is_cpu(fdt, node) && cpu_reg(fdt, node) == reg)
			return node;
	return -FDT_ERR_NOTFOUND;
}

static int find_cpu(struct rewrite *rw, const char *name, uint64_t reg)
{
	return find_cpu_in(rw->fdt, name, reg);
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

static int rewrite_isa_extensions(struct rewrite *rw, int host, uint64_t hartid)
{
	const char *exts;
	char *buf;
	int len, ret;

	exts = fdt_getprop(rw->host, host, "riscv,isa-extensions", &len);
	if (!exts)
		return 0;
	ret = fdt_setprop_placeholder(rw->fdt, find_cpu(rw, NULL, hartid),
				      "riscv,isa-extensions",
				      (int)isa_extensions(rw, exts, len, NULL),
				      (void **)&buf);
	if (ret)
		return guest_dtb_fail(rw, "set riscv,isa-extensions", ret);
	isa_extensions(rw, exts, len, buf);
	return 0;
}

static int rewrite_isa(struct rewrite *rw, uint64_t hartid)
{
	int host = find_cpu_in(rw->host, NULL, hartid), len, ret;
	const char *isa = NULL;
	char *buf;
	long n;

	if (host >= 0)
		isa = fdt_getprop(rw->host, host, "riscv,isa", &len);
	if (!isa || len < 1 || isa[len - 1])
		return guest_dtb_fail(
			rw, "a vCPU's cpu has no riscv,isa string", -1);
	n = isa_guest_string(isa, rw->p->isa_offers, NULL, 0);
	if (n < 0)
		return guest_dtb_fail(rw, "riscv,isa is not an ISA string", -1);
	ret = fdt_setprop_placeholder(rw->fdt, find_cpu(rw, NULL, hartid),
				      "riscv,isa", (int)n + 1, (void **)&buf);
	if (ret)
		return guest_dtb_fail(rw, "set riscv,isa", ret);
	isa_guest_string(isa, rw->p->isa_offers, buf, (size_t)n + 1);
	return rewrite_isa_extensions(rw, host, hartid);
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

/* Each vCPU's cpu node: guest ISA, then temporary names (pass 1). */
static int rewrite_cpus(struct rewrite *rw)
{
	char name[32];
	int ret, node;

	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++) {
		if (find_cpu(rw, NULL, rw->p->vcpu_hartids[i]) < 0)
			return guest_dtb_fail(rw, "find the cpu node of a vCPU",
					      -FDT_ERR_NOTFOUND);
		ret = rewrite_isa(rw, rw->p->vcpu_hartids[i]);
		if (ret)
			return ret;
		node = find_cpu(rw, NULL, rw->p->vcpu_hartids[i]);
		snprintf(name, sizeof(name), "hartvisor-vcpu-%u", i);
		ret = fdt_set_name(rw->fdt, node, name);
		if (!ret)
			ret = fdt_setprop_string(rw->fdt, find_cpu(rw, name, 0),
						 "status", "okay");
		if (ret)
			return guest_dtb_fail(rw, "rename cpu", ret);
	}
	/* Pass 2: reg and name become the vCPU ID. */
	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++) {
		snprintf(name, sizeof(name), "hartvisor-vcpu-%u", i);
		node = find_cpu(rw, name, 0);
		ret = node < 0 ? node :
				 fdt_setprop_u32(rw->fdt, node, "reg", i);
		if (!ret) {
			snprintf(name, sizeof(name), "cpu@%u", i);
			ret = fdt_set_name(rw->fdt, node, name);
		}
		if (!ret)
			ret = mark_intc(rw, find_cpu(rw, name, 0));
		if (ret)
			return guest_dtb_fail(rw, "renumber cpu", ret);
	}
	return 0;
}

/* Delete cpu-map entries that point at a cpu that is gone (recursive). */
static int prune_cpu_map(struct rewrite *rw)
{
	bool again = true;

	while (again) {
		int map = fdt_path_offset(rw->fdt, "/cpus/cpu-map");
		int node, depth = 0;

		again = false;
		if (map < 0)
			return 0;
		for (node = fdt_next_node(rw->fdt, map, &depth);
		     node >= 0 && depth > 0;
		     node = fdt_next_node(rw->fdt, node, &depth)) {
			int len;
			const fdt32_t *cpu =
				fdt_getprop(rw->fdt, node, "cpu", &len);
			bool dead = cpu && len == 4 &&
				    fdt_node_offset_by_phandle(
					    rw->fdt, fdt32_to_cpu(*cpu)) < 0;
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
	char name[32];
	unsigned int n = 0;

	for (unsigned int i = 0; i < rw->p->nr_vcpus; i++) {
		uint32_t phandle = 0;
		int cpu, intc;

		snprintf(name, sizeof(name), "cpu@%u", i);
		cpu = find_cpu(rw, name, 0);
		fdt_for_each_subnode(intc, rw->fdt, cpu)
			if (!fdt_node_check_compatible(rw->fdt, intc,
						       "riscv,cpu-intc"))
				phandle = fdt_get_phandle(rw->fdt, intc);
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

	for (unsigned int i = 0; i < ARRAY_SIZE(compat) && plic < 0; i++)
		plic = fdt_node_offset_by_compatible(rw->fdt, -1, compat[i]);
	if (plic < 0 || rw->p->irqchip != IRQCHIP_PLIC)
		return 0; /* none, or it goes with the unreachable devices */
	len = vcpu_irq_cells(rw, cells, true);
	if (len < 0)
		return len;
	plic = -1;
	for (unsigned int i = 0; i < ARRAY_SIZE(compat) && plic < 0; i++)
		plic = fdt_node_offset_by_compatible(rw->fdt, -1, compat[i]);
	if (fdt_setprop(rw->fdt, plic, "interrupts-extended", cells, len))
		return guest_dtb_fail(rw, "set the PLIC's interrupts-extended",
				      -1);
	return 0;
}

/* The node compatible with @compat whose first reg starts at @base. */
static int find_at(struct rewrite *rw, const char *compat, paddr_t base)
{
	int node;

	for (node = fdt_node_offset_by_compatible(rw->fdt, -1, compat);
	     node >= 0;
	     node = fdt_node_offset_by_compatible(rw->fdt, node, compat)) {
		int len;
		const fdt32_t *reg = fdt_getprop(rw->fdt, node, "reg", &len);

		if (reg && len >= 16 &&
		    (((uint64_t)fdt32_to_cpu(reg[0]) << 32) |
		     fdt32_to_cpu(reg[1])) == base)
			return node;
	}
	return -FDT_ERR_NOTFOUND;
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
	int node, ret, len;

	if (rw->p->irqchip != IRQCHIP_AIA)
		return 0;
	len = vcpu_irq_cells(rw, cells, false);
	if (len < 0)
		return len;
	node = find_at(rw, "riscv,imsics", rw->p->imsic_host_base);
	if (node < 0)
		return guest_dtb_fail(rw, "find the S-level IMSIC", node);
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
	if (ret)
		return guest_dtb_fail(rw, "rewrite the IMSIC", ret);
	node = find_at(rw, "riscv,aplic", rw->p->aplic_base);
	if (node < 0)
		return guest_dtb_fail(rw, "find the S-level APLIC", node);
	ret = fdt_setprop_u32(rw->fdt, node, "riscv,num-sources",
			      rw->p->aplic_nsrc);
	return ret ? guest_dtb_fail(rw, "rewrite the APLIC", ret) : 0;
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
	struct rewrite rw = { out, host, params, err, errlen, -1 };
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
		ret = guest_dtb_drop_clints(&rw);
	if (!ret)
		ret = rewrite_plic(&rw);
	if (!ret)
		ret = rewrite_aia(&rw);
	if (!ret)
		ret = guest_dtb_drop_unreachable(&rw);
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
