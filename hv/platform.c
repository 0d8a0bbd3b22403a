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

/* Entry @index of @n's "reg", sized by the cells the scan found for it. */
int platform_read_reg(const void *fdt, const struct scan_node *n, int index,
		      paddr_t *base, uint64_t *size)
{
	int ac = n->ac, sc = n->sc, len, stride;
	const fdt32_t *reg;

	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	reg = dtb_getprop(fdt, n->node, "reg", &len);
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
	const char *status = dtb_getprop(fdt, node, "status", NULL);

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
	const fdt32_t *cell = dtb_getprop(fdt, node, prop, &len);

	if (!cell || len != sizeof(*cell))
		return false;
	*v = fdt32_to_cpu(*cell);
	return true;
}

static int parse_one_hart(struct parse *ps, const struct scan_node *n,
			  struct platform_hart *h)
{
	const void *fdt = ps->fdt;
	int cpu = n->node;
	paddr_t hartid;
	uint64_t unused;
	const char *exts;
	int len, intc;

	if (platform_read_reg(fdt, n, 0, &hartid, &unused))
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "cpu node %s has no valid reg (hart ID)",
				     platform_node_name(fdt, cpu));
	h->hartid = hartid;
	h->isa = dtb_getprop(fdt, cpu, "riscv,isa", &len);
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
	exts = dtb_getprop(fdt, cpu, "riscv,isa-extensions", &len);
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
	unsigned int found = ps->scan.nr_cpus;
	const fdt32_t *tb;
	int cpus = ps->scan.cpus, cpu, ret, len;

	if (cpus < 0)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "no /cpus node in the device tree");

	/* Usable: a cpu that is enabled and has an MMU (the scan's). */
	for (unsigned int i = 0; i < MIN(found, HV_MAX_HARTS); i++) {
		ret = parse_one_hart(ps, &ps->scan.cpu[i], &p->harts[i]);
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
	tb = dtb_getprop(fdt, cpus, "timebase-frequency", &len);
	if (!tb && p->nr_harts) {
		fdt_for_each_subnode(cpu, fdt, cpus) {
			tb = dtb_getprop(fdt, cpu, "timebase-frequency", &len);
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
static int add_reg_ranges(struct parse *ps, const struct scan_node *node,
			  struct mem_range *ranges, unsigned int *nr,
			  unsigned int max, const char *what)
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
	const struct platform_scan *s = &ps->scan;
	struct platform *p = ps->p;
	int ret;

	if (s->nr_mem > ARRAY_SIZE(s->mem) ||
	    s->nr_resv > ARRAY_SIZE(s->resv_nodes))
		return platform_fail(
			ps, SBI_ERR_NOT_SUPPORTED,
			"more than %u %s nodes in the device tree",
			s->nr_mem > ARRAY_SIZE(s->mem) ? PLATFORM_MAX_MEM :
							 PLATFORM_MAX_RESERVED,
			s->nr_mem > ARRAY_SIZE(s->mem) ? "memory" :
							 "reserved-memory");
	for (unsigned int i = 0; i < s->nr_mem; i++) {
		ret = add_reg_ranges(ps, &s->mem[i], p->mem, &p->nr_mem,
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
	for (unsigned int i = 0; i < s->nr_resv; i++) {
		ret = add_reg_ranges(ps, &s->resv_nodes[i], p->reserved,
				     &p->nr_reserved, PLATFORM_MAX_RESERVED,
				     "reserved");
		if (ret)
			return ret;
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
	if (!ret)
		ret = platform_scan(fdt, &ps->scan);
	if (ret)
		return platform_fail(ps, SBI_ERR_INVALID_PARAM,
				     "broken device tree structure: %s",
				     fdt_strerror(ret));
	ret = parse_memory(ps);
	if (!ret)
		ret = platform_parse_modules(ps);
	return ret;
}

int platform_parse(const void *fdt, size_t size, struct platform *p, char *err,
		   size_t errlen)
{
	struct parse ps = { .fdt = fdt, .p = p, .err = err, .errlen = errlen };
	const struct scan_node *clint;
	int ret;

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
	clint = platform_first(&ps, SCAN_CLINT0, SCAN_ACLINT_MSWI);
	if (clint)
		platform_read_device(fdt, clint, &p->clint);
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
