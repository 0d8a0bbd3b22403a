// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the host device tree: harts, RAM, reserved memory, timebase;
 * the devices and guest modules are in platform_devices.c.
 *
 * Buses are assumed to map addresses one to one (empty "ranges"), which is
 * how QEMU's virt machine describes them.
 */
#include <libfdt.h>
#include <string.h>

#include "dtb_check.h"
#include "platform_fdt.h"
#include "printf.h"
#include "sbi.h"

uint64_t platform_read_cells(const fdt32_t *cells, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 32) | fdt32_to_cpu(*cells++);
	return v;
}

/*
 * @node's parent, in one walk from the root that keeps each depth's node
 * (libfdt's fdt_parent_offset walks twice: to learn the depth, then to
 * the node at depth - 1; this runs for every reg read at boot).
 */
static int parent_of(const void *fdt, int node)
{
	int stack[DTB_MAX_DEPTH + 1] = { 0 };
	int depth = 0;

	for (int n = fdt_next_node(fdt, 0, &depth);
	     n >= 0 && depth > 0 && depth <= DTB_MAX_DEPTH;
	     n = fdt_next_node(fdt, n, &depth)) {
		stack[depth] = n;
		if (n == node)
			return stack[depth - 1];
	}
	return node == 0 ? -FDT_ERR_NOTFOUND : -FDT_ERR_BADOFFSET;
}

/*
 * #address-cells / #size-cells for the children of @parent. Like Linux,
 * walk up to the nearest ancestor that says: QEMU's guest-loader writes
 * /chosen/module@* with the root's cell counts and /chosen has none.
 */
static int cells_for_children(const void *fdt, int parent, const char *name,
			      int fallback)
{
	for (int n = parent; n >= 0; n = n ? parent_of(fdt, n) : -1) {
		int len;
		const fdt32_t *v = fdt_getprop(fdt, n, name, &len);

		if (v && len == sizeof(*v))
			return (int)fdt32_to_cpu(*v);
	}
	return fallback;
}

/* Entry @index of @node's "reg", sized by its parent's #*-cells. */
int platform_read_reg(const void *fdt, int node, int index, paddr_t *base,
		      uint64_t *size)
{
	int parent = parent_of(fdt, node);
	int ac, sc, len, stride;
	const fdt32_t *reg;

	if (parent < 0)
		return parent;
	ac = cells_for_children(fdt, parent, "#address-cells", 2);
	sc = cells_for_children(fdt, parent, "#size-cells", 1);
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return len;
	stride = ac + sc;
	if ((index + 1) * stride * (int)sizeof(fdt32_t) > len)
		return -FDT_ERR_NOTFOUND;
	reg += index * stride;
	*base = platform_read_cells(reg, ac);
	*size = platform_read_cells(reg + ac, sc);
	return 0;
}

/*
 * Sort @n elements of @size bytes by the 64-bit key at @key_off (stable
 * insertion sort: the tables hold at most HV_MAX_HARTS entries).
 */
void platform_sort_by_key(void *array, unsigned int n, size_t size,
			  size_t key_off)
{
	uint8_t *a = array, tmp[64];

	for (unsigned int i = 1; i < n; i++) {
		uint64_t key;
		unsigned int j = i;

		memcpy(&key, a + i * size + key_off, sizeof(key));
		memcpy(tmp, a + i * size, size);
		for (; j > 0; j--) {
			uint64_t prev;

			memcpy(&prev, a + (j - 1) * size + key_off,
			       sizeof(prev));
			if (prev <= key)
				break;
			memcpy(a + j * size, a + (j - 1) * size, size);
		}
		memcpy(a + j * size, tmp, size);
	}
}

_Static_assert(sizeof(struct platform_hart) <= 64, "sort_by_key's tmp");
_Static_assert(sizeof(struct platform_module) <= 64, "sort_by_key's tmp");
_Static_assert(sizeof(struct platform_device) <= 64, "sort_by_key's tmp");

/* A status property that is absent, "okay" or "ok" means enabled. */
bool platform_node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

const char *platform_node_name(const void *fdt, int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);

	return name ? name : "?";
}

bool platform_read_u32(const void *fdt, int node, const char *prop, uint32_t *v)
{
	int len;
	const fdt32_t *cell = fdt_getprop(fdt, node, prop, &len);

	if (!cell || len != sizeof(*cell))
		return false;
	*v = fdt32_to_cpu(*cell);
	return true;
}

static int parse_one_hart(struct parse *ps, int cpu, struct platform_hart *h)
{
	const void *fdt = ps->fdt;
	paddr_t hartid;
	uint64_t unused;
	const char *exts;
	int len, intc;

	if (platform_read_reg(fdt, cpu, 0, &hartid, &unused))
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "cpu node %s has no valid reg (hart ID)",
				     platform_node_name(fdt, cpu));
	h->hartid = hartid;
	h->isa = fdt_getprop(fdt, cpu, "riscv,isa", &len);
	if (!h->isa || len < 1 || h->isa[len - 1] != '\0')
		return platform_fail(
			ps, SBI_ERR_INVALID_PARAM,
			"cpu node %s (hart %lu) has no riscv,isa string",
			platform_node_name(fdt, cpu), h->hartid);
	h->has_h = isa_has_ext(h->isa, "h");
	h->has_sstc = isa_has_ext(h->isa, "sstc");
	h->has_smstateen = isa_has_ext(h->isa, "smstateen");
	h->has_ssaia = isa_has_ext(h->isa, "ssaia");
	h->has_svadu = isa_has_ext(h->isa, "svadu");
	h->has_svade = isa_has_ext(h->isa, "svade");
	h->has_sscofpmf = isa_has_ext(h->isa, "sscofpmf");
	exts = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	h->exts = exts;
	h->exts_len = exts ? len : 0;
	if (exts) {
		h->has_h = fdt_stringlist_contains(exts, len, "h");
		h->has_sstc = fdt_stringlist_contains(exts, len, "sstc");
		h->has_smstateen =
			fdt_stringlist_contains(exts, len, "smstateen");
		h->has_ssaia = fdt_stringlist_contains(exts, len, "ssaia");
		h->has_svadu = fdt_stringlist_contains(exts, len, "svadu");
		h->has_svade = fdt_stringlist_contains(exts, len, "svade");
		h->has_sscofpmf =
			fdt_stringlist_contains(exts, len, "sscofpmf");
	}
	h->plic_s_context = PLIC_NO_CONTEXT;
	h->imsic_index = -1;
	fdt_for_each_subnode(intc, fdt, cpu) {
		if (!fdt_node_check_compatible(fdt, intc, "riscv,cpu-intc"))
			h->intc_phandle = fdt_get_phandle(fdt, intc);
	}
	return 0;
}

static int parse_harts(struct parse *ps)
{
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	unsigned int found = 0;
	const fdt32_t *tb;
	int cpus, cpu, ret, len;

	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "no /cpus node in the device tree");

	fdt_for_each_subnode(cpu, fdt, cpus) {
		const char *type = fdt_getprop(fdt, cpu, "device_type", NULL);

		/* Usable: a cpu that is enabled and has an MMU. */
		if (!type || strcmp(type, "cpu") ||
		    !platform_node_enabled(fdt, cpu) ||
		    !fdt_getprop(fdt, cpu, "mmu-type", NULL))
			continue;
		if (found++ >= HV_MAX_HARTS)
			continue;
		ret = parse_one_hart(ps, cpu, &p->harts[found - 1]);
		if (ret)
			return ret;
	}
	if (found > HV_MAX_HARTS)
		return platform_fail(
			ps, SBI_ERR_NOT_SUPPORTED,
			"the device tree has %u usable harts; this build supports at most %d (rebuild with make HV_MAX_HARTS=%u)",
			found, HV_MAX_HARTS, found);
	p->nr_harts = found;

	SORT_BY(p->harts, p->nr_harts, hartid);
	for (unsigned int i = 1; i < p->nr_harts; i++)
		if (p->harts[i].hartid == p->harts[i - 1].hartid)
			return platform_fail(ps, SBI_ERR_INVALID_PARAM,
					     "two cpu nodes claim hart ID %lu",
					     p->harts[i].hartid);

	/* One or two cells; some trees put it in the cpu nodes instead. */
	tb = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
	if (!tb && p->nr_harts) {
		fdt_for_each_subnode(cpu, fdt, cpus) {
			tb = fdt_getprop(fdt, cpu, "timebase-frequency", &len);
			if (tb)
				break;
		}
	}
	if (tb && (len == 4 || len == 8))
		p->timebase_hz = platform_read_cells(tb, len / 4);
	if (!p->timebase_hz)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "no timebase-frequency in /cpus");
	return 0;
}

/* Append every "reg" entry of @node to @ranges (capacity @max). */
static int add_reg_ranges(struct parse *ps, int node, struct mem_range *ranges,
			  unsigned int *nr, unsigned int max, const char *what)
{
	paddr_t base;
	uint64_t size;

	for (int i = 0; !platform_read_reg(ps->fdt, node, i, &base, &size);
	     i++) {
		if (!size)
			continue;
		if (*nr >= max)
			return platform_fail(
				ps, SBI_ERR_NOT_SUPPORTED,
				"more than %u %s ranges in the device tree",
				max, what);
		ranges[*nr].base = base;
		ranges[*nr].size = size;
		(*nr)++;
	}
	return 0;
}

static int parse_memory(struct parse *ps)
{
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	int node, ret, resv;

	for (node = fdt_node_offset_by_prop_value(fdt, -1, "device_type",
						  "memory", sizeof("memory"));
	     node >= 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type",
						  "memory", sizeof("memory"))) {
		if (!platform_node_enabled(fdt, node))
			continue;
		ret = add_reg_ranges(ps, node, p->mem, &p->nr_mem,
				     PLATFORM_MAX_MEM, "memory");
		if (ret)
			return ret;
	}
	SORT_BY(p->mem, p->nr_mem, base);

	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t base, size;

		if (fdt_get_mem_rsv(fdt, i, &base, &size) || !size)
			continue;
		if (p->nr_reserved >= PLATFORM_MAX_RESERVED)
			return platform_fail(
				ps, SBI_ERR_NOT_SUPPORTED,
				"more than %u reserved memory ranges",
				PLATFORM_MAX_RESERVED);
		p->reserved[p->nr_reserved++] =
			(struct mem_range){ .base = base, .size = size };
	}
	resv = fdt_path_offset(fdt, "/reserved-memory");
	if (resv >= 0) {
		fdt_for_each_subnode(node, fdt, resv) {
			if (!platform_node_enabled(fdt, node))
				continue;
			ret = add_reg_ranges(ps, node, p->reserved,
					     &p->nr_reserved,
					     PLATFORM_MAX_RESERVED, "reserved");
			if (ret)
				return ret;
		}
	}
	SORT_BY(p->reserved, p->nr_reserved, base);
	return 0;
}

/* The header, the structure, then RAM, reserved memory and the images. */
static int parse_layout(struct parse *ps, size_t size)
{
	const void *fdt = ps->fdt;
	int ret;

	memset(ps->p, 0, sizeof(*ps->p));
	if (ps->errlen)
		ps->err[0] = '\0';
	ret = size < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED :
						 fdt_check_header(fdt);
	if (ret)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "not a valid device tree blob: %s",
				     fdt_strerror(ret));
	if (fdt_totalsize(fdt) > size)
		return platform_fail(
			ps, SBI_ERR_INVALID_PARAM,
			"truncated device tree blob: header says %u bytes, only %zu present",
			fdt_totalsize(fdt), size);
	ret = dtb_check(fdt, size);
	if (ret)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "broken device tree structure: %s",
				     fdt_strerror(ret));
	ret = parse_memory(ps);
	if (!ret)
		ret = platform_parse_modules(ps);
	return ret;
}

int platform_parse_layout(const void *fdt, size_t size, struct platform *p,
			  char *err, size_t errlen)
{
	struct parse ps = { fdt, p, err, errlen };

	return parse_layout(&ps, size);
}

int platform_parse(const void *fdt, size_t size, struct platform *p, char *err,
		   size_t errlen)
{
	static const char *const clint_compat[] = { "riscv,clint0",
						    "sifive,clint0",
						    "riscv,aclint-mswi", NULL };
	struct parse ps = { fdt, p, err, errlen };
	int ret, node;

	ret = parse_layout(&ps, size);
	if (!ret)
		ret = parse_harts(&ps);
	if (!ret)
		ret = platform_parse_plic(&ps);
	if (!ret)
		ret = platform_parse_aia(&ps);
	if (!ret)
		ret = platform_parse_virtio(&ps);
	if (ret)
		return ret;
	platform_parse_uart(&ps);
	platform_parse_rtc(&ps);
	node = platform_find_compatible(fdt, clint_compat);
	if (node >= 0)
		platform_read_device(fdt, node, &p->clint);
	return 0;
}

const struct platform_hart *platform_find_hart(const struct platform *p,
					       unsigned long hartid)
{
	for (unsigned int i = 0; i < p->nr_harts; i++)
		if (p->harts[i].hartid == hartid)
			return &p->harts[i];
	return NULL;
}

uint64_t platform_ram_size(const struct platform *p)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < p->nr_mem; i++)
		total += p->mem[i].size;
	return total;
}

const char *platform_module_kind_name(enum module_kind kind)
{
	switch (kind) {
	case MODULE_KERNEL:
		return "kernel";
	case MODULE_RAMDISK:
		return "ramdisk";
	default:
		return "module";
	}
}
