/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to hv/platform*.c: the parser's state and its libfdt helpers.
 */
#ifndef HV_PLATFORM_FDT_H
#define HV_PLATFORM_FDT_H

#include <libfdt.h>

#include "arch_traps.h"
#include "platform.h"
#include "printf.h"
#include "sbi.h"

/* A node the scan found, and the cells its "reg" is read with. */
struct scan_node {
	int node;
	int ac, sc; /* #address-cells, #size-cells for it */
};

/* The compatibles whose first enabled node the scan keeps. */
enum scan_compat {
	SCAN_PLIC0,
	SCAN_SIFIVE_PLIC,
	SCAN_NS16550A,
	SCAN_NS16550,
	SCAN_GOLDFISH_RTC,
	SCAN_CLINT0,
	SCAN_SIFIVE_CLINT0,
	SCAN_ACLINT_MSWI,
	SCAN_COMPATS
};

/*
 * What one walk of the tree found, in tree order; each nr_* counts every
 * node found, also past its list's end (the parser refuses those).
 */
struct platform_scan {
	int cpus, chosen, resv; /* /cpus, /chosen, /reserved-memory or < 0 */
	const char *stdout_path; /* /chosen/stdout-path, stdout_len bytes */
	int stdout_len; /* (below: matched so far, bytes and depth) */
	int stdout_at, stdout_depth;
	int stdout_node; /* its node, or -1 */
	struct scan_node stdout_found; /* the same, with its cells */
	unsigned int nr_cpus; /* usable: device_type cpu, okay, mmu-type */
	struct scan_node cpu[HV_MAX_HARTS];
	unsigned int nr_mem; /* enabled, device_type memory */
	struct scan_node mem[PLATFORM_MAX_MEM];
	unsigned int nr_resv; /* enabled children of /reserved-memory */
	struct scan_node resv_nodes[PLATFORM_MAX_RESERVED];
	unsigned int nr_modules; /* /chosen's multiboot,* children */
	struct scan_node modules[PLATFORM_MAX_MODULES];
	unsigned int nr_virtio; /* enabled virtio,mmio */
	struct scan_node virtio[PLATFORM_MAX_VIRTIO];
	struct scan_node imsic; /* the first enabled S-level IMSIC */
	unsigned int nr_aplic; /* enabled riscv,aplic */
	struct scan_node aplic[4];
	struct scan_node first[SCAN_COMPATS]; /* node -1: none */
};

/* Fill @s in one walk of @fdt (checked by dtb_check). 0 or a libfdt error. */
int platform_scan(const void *fdt, struct platform_scan *s);

struct parse {
	const void *fdt;
	struct platform *p;
	char *err;
	size_t errlen;
	struct platform_scan scan;
};

/* Write the sentence for @err and return @code. */
#define platform_fail(ps, code, ...) \
	errorf((ps)->err, (ps)->errlen, code, __VA_ARGS__)
/* Big-endian cells to a number (1 or 2 cells). */
uint64_t platform_read_cells(const fdt32_t *cells, int n);
/* Entry @index of @n's "reg", sized by the cells the scan found for it. */
int platform_read_reg(const void *fdt, const struct scan_node *n, int index,
		      paddr_t *base, uint64_t *size);
/* A status property that is absent, "okay" or "ok". */
bool platform_node_enabled(const void *fdt, int node);
const char *platform_node_name(const void *fdt, int node);
bool platform_read_u32(const void *fdt, int node, const char *prop,
		       uint32_t *v);
/*
 * The first enabled node compatible with @first, else with the next ones
 * up to @last (a list in order of preference); NULL if none.
 */
const struct scan_node *platform_first(const struct parse *ps,
				       enum scan_compat first,
				       enum scan_compat last);
/* reg (first entry) and interrupts (first cell) of a device node. */
void platform_read_device(const void *fdt, const struct scan_node *n,
			  struct platform_device *d);

/* Stable sort of @n elements of @size bytes by the uint64_t at @key_off. */
void platform_sort_by_key(void *array, unsigned int n, size_t size,
			  size_t key_off);
#define SORT_BY(array, n, field)                                               \
	do {                                                                   \
		_Static_assert(sizeof((array)[0].field) == sizeof(uint64_t),   \
			       "sort keys are 64-bit");                        \
		platform_sort_by_key(array, n, sizeof((array)[0]),             \
				     offsetof(__typeof__((array)[0]), field)); \
	} while (0)

void platform_parse_uart(struct parse *ps);
/* The real-time clock (QEMU's goldfish), if the tree has one. */
void platform_parse_rtc(struct parse *ps);
int platform_parse_plic(struct parse *ps);
int platform_parse_aia(struct parse *ps);
int platform_parse_virtio(struct parse *ps);
int platform_parse_modules(struct parse *ps);

#endif
