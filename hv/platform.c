// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the host device tree: harts, RAM, reserved memory, timebase,
 * UART, PLIC, CLINT, virtio-mmio slots and guest-loader modules.
 *
 * Buses are assumed to map addresses one to one (empty "ranges"), which is
 * how QEMU's virt machine describes them.
 */
#include <libfdt.h>
#include <string.h>

#include "arch_traps.h"
#include "platform.h"
#include "printf.h"
#include "sbi.h"

struct parse {
	const void *fdt;
	struct platform *p;
	char *err;
	size_t errlen;
};

static int fail(struct parse *ps, int code, const char *fmt, ...)
	__printf(3, 4);

static int fail(struct parse *ps, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return code;
}

static uint64_t read_cells(const fdt32_t *cells, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 32) | fdt32_to_cpu(*cells++);
	return v;
}

/*
 * #address-cells / #size-cells for the children of @parent. Like Linux,
 * walk up to the nearest ancestor that says: QEMU's guest-loader writes
 * /chosen/module@* with the root's cell counts and /chosen has none.
 */
static int cells_for_children(const void *fdt, int parent, const char *name,
			      int fallback)
{
	for (int n = parent; n >= 0; n = fdt_parent_offset(fdt, n)) {
		int len;
		const fdt32_t *v = fdt_getprop(fdt, n, name, &len);

		if (v && len == sizeof(*v))
			return (int)fdt32_to_cpu(*v);
	}
	return fallback;
}

/* Entry @index of @node's "reg", sized by its parent's #*-cells. */
static int read_reg(const void *fdt, int node, int index, paddr_t *base,
		    uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
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
	*base = read_cells(reg, ac);
	*size = read_cells(reg + ac, sc);
	return 0;
}

/*
 * Sort @n elements of @size bytes by the 64-bit key at @key_off (stable
 * insertion sort: the tables hold at most HV_MAX_HARTS entries).
 */
static void sort_by_key(void *array, unsigned int n, size_t size,
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

#define SORT_BY(array, n, field)                                             \
	do {                                                                 \
		_Static_assert(sizeof((array)[0].field) == sizeof(uint64_t), \
			       "sort keys are 64-bit");                      \
		sort_by_key(array, n, sizeof((array)[0]),                    \
			    offsetof(__typeof__((array)[0]), field));        \
	} while (0)

_Static_assert(sizeof(struct platform_hart) <= 64, "sort_by_key's tmp");
_Static_assert(sizeof(struct platform_module) <= 64, "sort_by_key's tmp");
_Static_assert(sizeof(struct platform_device) <= 64, "sort_by_key's tmp");

/* A status property that is absent, "okay" or "ok" means enabled. */
static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

static const char *node_name(const void *fdt, int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);

	return name ? name : "?";
}

static bool read_u32(const void *fdt, int node, const char *prop, uint32_t *v)
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

	if (read_reg(fdt, cpu, 0, &hartid, &unused))
		return fail(ps, SBI_ERR_INVALID_PARAM,
			    "cpu node %s has no valid reg (hart ID)",
			    node_name(fdt, cpu));
	h->hartid = hartid;
	h->isa = fdt_getprop(fdt, cpu, "riscv,isa", &len);
	if (!h->isa || len < 1 || h->isa[len - 1] != '\0')
		return fail(ps, SBI_ERR_INVALID_PARAM,
			    "cpu node %s (hart %lu) has no riscv,isa string",
			    node_name(fdt, cpu), h->hartid);
	h->has_h = isa_has_ext(h->isa, "h");
	h->has_sstc = isa_has_ext(h->isa, "sstc");
	exts = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	if (exts) {
		h->has_h = fdt_stringlist_contains(exts, len, "h");
		h->has_sstc = fdt_stringlist_contains(exts, len, "sstc");
	}
	h->plic_s_context = PLIC_NO_CONTEXT;
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
		return fail(ps, SBI_ERR_INVALID_PARAM,
			    "no /cpus node in the device tree");

	fdt_for_each_subnode(cpu, fdt, cpus) {
		const char *type = fdt_getprop(fdt, cpu, "device_type", NULL);

		/* Usable: a cpu that is enabled and has an MMU. */
		if (!type || strcmp(type, "cpu") || !node_enabled(fdt, cpu) ||
		    !fdt_getprop(fdt, cpu, "mmu-type", NULL))
			continue;
		if (found++ >= HV_MAX_HARTS)
			continue;
		ret = parse_one_hart(ps, cpu, &p->harts[found - 1]);
		if (ret)
			return ret;
	}
	if (found > HV_MAX_HARTS)
		return fail(
			ps, SBI_ERR_NOT_SUPPORTED,
			"the device tree has %u usable harts; this build supports at most %d (rebuild with make HV_MAX_HARTS=%u)",
			found, HV_MAX_HARTS, found);
	p->nr_harts = found;

	SORT_BY(p->harts, p->nr_harts, hartid);
	for (unsigned int i = 1; i < p->nr_harts; i++)
		if (p->harts[i].hartid == p->harts[i - 1].hartid)
			return fail(ps, SBI_ERR_INVALID_PARAM,
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
		p->timebase_hz = read_cells(tb, len / 4);
	if (!p->timebase_hz)
		return fail(ps, SBI_ERR_INVALID_PARAM,
			    "no timebase-frequency in /cpus");
	return 0;
}

/* Append every "reg" entry of @node to @ranges (capacity @max). */
static int add_reg_ranges(struct parse *ps, int node, struct mem_range *ranges,
			  unsigned int *nr, unsigned int max, const char *what)
{
	paddr_t base;
	uint64_t size;

	for (int i = 0; !read_reg(ps->fdt, node, i, &base, &size); i++) {
		if (!size)
			continue;
		if (*nr >= max)
			return fail(ps, SBI_ERR_NOT_SUPPORTED,
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
		if (!node_enabled(fdt, node))
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
			return fail(ps, SBI_ERR_NOT_SUPPORTED,
				    "more than %u reserved memory ranges",
				    PLATFORM_MAX_RESERVED);
		p->reserved[p->nr_reserved++] =
			(struct mem_range){ .base = base, .size = size };
	}
	resv = fdt_path_offset(fdt, "/reserved-memory");
	if (resv >= 0) {
		fdt_for_each_subnode(node, fdt, resv) {
			if (!node_enabled(fdt, node))
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

static void read_device(const void *fdt, int node, struct platform_device *d)
{
	d->present = !read_reg(fdt, node, 0, &d->base, &d->size);
	if (!read_u32(fdt, node, "interrupts", &d->irq))
		d->irq = 0;
}

/* First enabled node compatible with any of the NULL-terminated @compat. */
static int find_compatible(const void *fdt, const char *const *compat)
{
	for (; *compat; compat++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, *compat);

		for (; node >= 0;
		     node = fdt_node_offset_by_compatible(fdt, node, *compat))
			if (node_enabled(fdt, node))
				return node;
	}
	return -FDT_ERR_NOTFOUND;
}

static void parse_uart(struct parse *ps)
{
	static const char *const compat[] = { "ns16550a", "ns16550", NULL };
	const void *fdt = ps->fdt;
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = NULL;
	int len = 0, node = -1;

	if (chosen >= 0)
		path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (path && len > 0) {
		const char *colon = memchr(path, ':', (size_t)len);
		int n = colon ? (int)(colon - path) : (int)strnlen(path, len);

		node = fdt_path_offset_namelen(fdt, path, n);
	}
	if (node < 0 || !fdt_getprop(fdt, node, "reg", NULL))
		node = find_compatible(fdt, compat);
	if (node >= 0)
		read_device(fdt, node, &ps->p->uart);
}

static int parse_plic(struct parse *ps)
{
	static const char *const compat[] = { "riscv,plic0",
					      "sifive,plic-1.0.0", NULL };
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	const fdt32_t *cells;
	int node, len;

	node = find_compatible(fdt, compat);
	if (node < 0)
		return 0; /* no PLIC: platform_check decides what that means */
	read_device(fdt, node, &p->plic);
	if (!p->plic.present)
		return fail(ps, SBI_ERR_INVALID_PARAM,
			    "PLIC node %s has no valid reg",
			    node_name(fdt, node));
	if (!read_u32(fdt, node, "riscv,ndev", &p->plic_ndev))
		return fail(ps, SBI_ERR_INVALID_PARAM,
			    "PLIC node %s has no riscv,ndev",
			    node_name(fdt, node));
	cells = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!cells || len <= 0 || len % (2 * sizeof(fdt32_t)))
		return fail(
			ps, SBI_ERR_INVALID_PARAM,
			"PLIC node %s has no valid interrupts-extended (need <phandle irq> pairs)",
			node_name(fdt, node));

	/* Context i is pair i; the S-mode ones carry IRQ_S_EXT. */
	for (int ctx = 0; ctx < len / (int)(2 * sizeof(fdt32_t)); ctx++) {
		uint32_t phandle = fdt32_to_cpu(cells[2 * ctx]);
		uint32_t irq = fdt32_to_cpu(cells[2 * ctx + 1]);

		if (irq != IRQ_S_EXT || !phandle || phandle == ~0U)
			continue;
		for (unsigned int i = 0; i < p->nr_harts; i++)
			if (p->harts[i].intc_phandle == phandle)
				p->harts[i].plic_s_context = ctx;
	}
	return 0;
}

static int parse_virtio(struct parse *ps)
{
	struct platform *p = ps->p;
	int node;

	for (node = fdt_node_offset_by_compatible(ps->fdt, -1, "virtio,mmio");
	     node >= 0; node = fdt_node_offset_by_compatible(ps->fdt, node,
							     "virtio,mmio")) {
		if (!node_enabled(ps->fdt, node))
			continue;
		if (p->nr_virtio >= PLATFORM_MAX_VIRTIO)
			return fail(ps, SBI_ERR_NOT_SUPPORTED,
				    "more than %d virtio-mmio slots",
				    PLATFORM_MAX_VIRTIO);
		read_device(ps->fdt, node, &p->virtio[p->nr_virtio]);
		if (p->virtio[p->nr_virtio].present)
			p->nr_virtio++;
	}
	/* By address, so logs and the guest see a stable order. */
	SORT_BY(p->virtio, p->nr_virtio, base);
	return 0;
}

static int parse_modules(struct parse *ps)
{
	const void *fdt = ps->fdt;
	struct platform *p = ps->p;
	int chosen = fdt_path_offset(fdt, "/chosen");
	int node;

	if (chosen < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, chosen) {
		struct platform_module *m;
		int clen;
		const char *compat =
			fdt_getprop(fdt, node, "compatible", &clen);

		if (!compat || !(fdt_stringlist_contains(compat, clen,
							 "multiboot,module") ||
				 fdt_stringlist_contains(compat, clen,
							 "multiboot,kernel") ||
				 fdt_stringlist_contains(compat, clen,
							 "multiboot,ramdisk")))
			continue;
		if (p->nr_modules >= PLATFORM_MAX_MODULES)
			return fail(ps, SBI_ERR_NOT_SUPPORTED,
				    "more than %d guest modules in /chosen",
				    PLATFORM_MAX_MODULES);
		m = &p->modules[p->nr_modules];
		if (read_reg(fdt, node, 0, &m->base, &m->size) || !m->size)
			return fail(ps, SBI_ERR_INVALID_PARAM,
				    "guest module /chosen/%s has no valid reg",
				    node_name(fdt, node));
		if (fdt_stringlist_contains(compat, clen, "multiboot,kernel"))
			m->kind = MODULE_KERNEL;
		else if (fdt_stringlist_contains(compat, clen,
						 "multiboot,ramdisk"))
			m->kind = MODULE_RAMDISK;
		else
			m->kind = MODULE_OTHER;
		m->bootargs = fdt_getprop(fdt, node, "bootargs", &clen);
		if (m->bootargs && (clen < 1 || m->bootargs[clen - 1]))
			m->bootargs = NULL;
		p->nr_modules++;
	}
	SORT_BY(p->modules, p->nr_modules, base);
	return 0;
}

int platform_parse(const void *fdt, size_t size, struct platform *p, char *err,
		   size_t errlen)
{
	static const char *const clint_compat[] = { "riscv,clint0",
						    "sifive,clint0",
						    "riscv,aclint-mswi", NULL };
	struct parse ps = { fdt, p, err, errlen };
	int ret, node;

	memset(p, 0, sizeof(*p));
	if (errlen)
		err[0] = '\0';
	ret = size < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED :
						 fdt_check_header(fdt);
	if (ret)
		return fail(&ps, SBI_ERR_INVALID_PARAM,
			    "not a valid device tree blob: %s",
			    fdt_strerror(ret));
	if (fdt_totalsize(fdt) > size)
		return fail(
			&ps, SBI_ERR_INVALID_PARAM,
			"truncated device tree blob: header says %u bytes, only %zu present",
			fdt_totalsize(fdt), size);

	ret = parse_harts(&ps);
	if (!ret)
		ret = parse_memory(&ps);
	if (!ret)
		ret = parse_plic(&ps);
	if (!ret)
		ret = parse_virtio(&ps);
	if (!ret)
		ret = parse_modules(&ps);
	if (ret)
		return ret;
	parse_uart(&ps);
	node = find_compatible(fdt, clint_compat);
	if (node >= 0)
		read_device(fdt, node, &p->clint);
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
