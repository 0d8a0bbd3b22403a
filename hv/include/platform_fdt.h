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

struct parse {
	const void *fdt;
	struct platform *p;
	char *err;
	size_t errlen;
};

/* Write the sentence for @err and return @code. */
#define platform_fail(ps, code, ...) \
	errorf((ps)->err, (ps)->errlen, code, __VA_ARGS__)
/* Big-endian cells to a number (1 or 2 cells). */
uint64_t platform_read_cells(const fdt32_t *cells, int n);
/* Entry @index of @node's "reg", sized by its parent's #*-cells. */
int platform_read_reg(const void *fdt, int node, int index, paddr_t *base,
		      uint64_t *size);
/* A status property that is absent, "okay" or "ok". */
bool platform_node_enabled(const void *fdt, int node);
const char *platform_node_name(const void *fdt, int node);
bool platform_read_u32(const void *fdt, int node, const char *prop,
		       uint32_t *v);
/* First enabled node compatible with any of the NULL-terminated @compat. */
int platform_find_compatible(const void *fdt, const char *const *compat);
/* reg (first entry) and interrupts (first cell) of a device node. */
void platform_read_device(const void *fdt, int node, struct platform_device *d);

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
