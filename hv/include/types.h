/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Basic types and helpers shared by every part of hartvisor. Host-safe:
 * no assembly, no CSRs.
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host physical address. */
typedef uint64_t paddr_t;
/* Guest physical address. */
typedef uint64_t gpa_t;

/* Compile-time maximum number of physical harts (make HV_MAX_HARTS=N). */
#ifndef HV_MAX_HARTS
#define HV_MAX_HARTS 64
#endif
/* At most this many VMs, each with its own G-stage table and VMID. */
#define HV_MAX_VMS 4

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define KiB (1024UL)
#define MiB (1024UL * KiB)
#define GiB (1024UL * MiB)

/* libc headers may define some of these already, identically. */
#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif
#ifndef __printf
#define __printf(f, a) __attribute__((format(printf, f, a)))
#endif
#ifndef __aligned
#define __aligned(n) __attribute__((aligned(n)))
#endif
/*
 * Memory the boot hart does not clear when the image moves (stacks, and
 * tables cleared when taken): clearing a megabyte costs the boot about
 * 400 000 instructions. Its bytes are whatever was there.
 */
#define __noclear __attribute__((section(".bss.noclear")))

/* A half-open range of host physical memory, [base, base + size). */
struct mem_range {
	paddr_t base;
	uint64_t size;
};

/* True when [a, a + as) and [b, b + bs) share at least one byte. */
static inline bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b,
				  uint64_t bs)
{
	return as && bs && a < b + bs && b < a + as;
}

/* True when [inner, inner + is) lies entirely inside [outer, outer + os). */
static inline bool range_contains(uint64_t outer, uint64_t os, uint64_t inner,
				  uint64_t is)
{
	return inner >= outer && is <= os && inner - outer <= os - is;
}

#endif
