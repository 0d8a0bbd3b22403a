// SPDX-License-Identifier: BSD-2-Clause
/*
 * The cost of a page walk, in a guest small enough to run natively on
 * OpenSBI too (it makes standard SBI calls only), for make bench:
 * - Sv39 tables of the guest's own, 64 MiB of its RAM above the image
 *   mapped with 4 KiB leaves at MAP_VA, its image by one 1 GiB identity
 *   leaf;
 * - walk: passes that read one byte per page, an sfence.vma before each,
 *   so every read walks the tables (under a hypervisor, each of the walk's
 *   accesses is itself translated by the G-stage);
 * - remap: per page, what an unmap and a fault do: clear the PTE,
 *   sfence.vma the page, set the PTE, sfence.vma the page, read.
 * Times are the time CSR's; each figure prints as
 * "BENCH name: median N ns/page (min M, max X, ...)".
 */
#include "guest.h"

#define PAGE_SIZE 4096UL
#define MAP_SIZE (64UL << 20)
#define NR_PAGES (MAP_SIZE / PAGE_SIZE)
#define PTES_PER_TABLE 512
#define NR_L0 (NR_PAGES / PTES_PER_TABLE)
/* 64 GiB: root slot 64, clear of the identity-mapped GiB at slot 2. */
#define MAP_VA 0x1000000000UL
#define MEGAPAGE (2UL << 20)
#define GIGAPAGE (1UL << 30)
#define WALK_PASSES 21
#define REMAP_PASSES 11
#define TICK_NS 100 /* 10 MHz time CSR */

/* PTE_A and PTE_D are set up front: no fault, no hardware update. */
#define SATP_MODE_SV39 SATP_SV39

typedef unsigned long pte_t;

static pte_t root[PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static pte_t l1[PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static pte_t l0[NR_L0][PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));

static pte_t table_pte(const pte_t *table)
{
	return ((unsigned long)table >> 12) << 10 | PTE_V;
}

static pte_t leaf_pte(unsigned long pa, unsigned long rwx)
{
	return (pa >> 12) << 10 | rwx | PTE_A | PTE_D | PTE_V;
}

static void sfence_vma_all(void)
{
	/* Also orders the table writes before the walks that follow. */
	__asm__ volatile("sfence.vma" ::: "memory");
}

static void sfence_vma_page(unsigned long va)
{
	__asm__ volatile("sfence.vma %0" ::"r"(va) : "memory");
}

static volatile unsigned char *page_va(unsigned long i)
{
	return (volatile unsigned char *)(MAP_VA + i * PAGE_SIZE);
}

/*
 * The tables for @pa..@pa + MAP_SIZE at MAP_VA; each page's first byte
 * written (physically: paging is off) with the low byte of its index.
 */
static void build_tables(unsigned long pa)
{
	root[2] = leaf_pte(2 * GIGAPAGE, PTE_R | PTE_W | PTE_X);
	root[MAP_VA / GIGAPAGE] = table_pte(l1);
	for (unsigned long t = 0; t < NR_L0; t++) {
		l1[(MAP_VA % GIGAPAGE) / MEGAPAGE + t] = table_pte(l0[t]);
		for (unsigned long j = 0; j < PTES_PER_TABLE; j++) {
			unsigned long i = t * PTES_PER_TABLE + j;

			l0[t][j] = leaf_pte(pa + i * PAGE_SIZE, PTE_R | PTE_W);
			*(volatile unsigned char *)(pa + i * PAGE_SIZE) =
				(unsigned char)i;
		}
	}
}

/* One byte of every page; the sum of what was read, to check it. */
static unsigned long read_pages(void)
{
	unsigned long sum = 0;

	for (unsigned long i = 0; i < NR_PAGES; i++)
		sum += *page_va(i);
	return sum;
}

/* Returns nanoseconds per page. */
static unsigned long walk_pass(unsigned long *sum)
{
	unsigned long t0;

	sfence_vma_all();
	t0 = read_time();
	*sum = read_pages();
	return (read_time() - t0) * TICK_NS / NR_PAGES;
}

/* Returns nanoseconds per page; adds what was read to *@sum. */
static unsigned long remap_pass(unsigned long *sum)
{
	unsigned long t0 = read_time(), s = 0;

	for (unsigned long i = 0; i < NR_PAGES; i++) {
		pte_t *pte = &l0[i / PTES_PER_TABLE][i % PTES_PER_TABLE];
		pte_t old = *pte;
		unsigned long va = (unsigned long)page_va(i);

		*(volatile pte_t *)pte = 0;
		sfence_vma_page(va);
		*(volatile pte_t *)pte = old;
		sfence_vma_page(va);
		s += *page_va(i);
	}
	*sum = s;
	return (read_time() - t0) * TICK_NS / NR_PAGES;
}

static void report(const char *name, unsigned long *v, int n, const char *how)
{
	sort_ulong(v, n);
	gprintf("BENCH %s: median %lu ns/page (min %lu, max %lu, %d passes of %lu pages, %s)",
		name, v[n / 2], v[0], v[n - 1], n, NR_PAGES, how);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long pa = ((unsigned long)__image_end + MEGAPAGE - 1) &
			   ~(MEGAPAGE - 1);
	unsigned long want = 0, sum, walk[WALK_PASSES], remap[REMAP_PASSES];
	bool sums_ok = true;

	(void)hartid;
	(void)dtb;
	for (unsigned long i = 0; i < NR_PAGES; i++)
		want += (unsigned char)i;
	build_tables(pa);
	csr_write(satp, SATP_MODE_SV39 | (unsigned long)root >> 12);
	sfence_vma_all();
	gprintf("vspaging: %lu MiB at 0x%lx mapped at 0x%lx with 4 KiB leaves, Sv39",
		MAP_SIZE >> 20, pa, MAP_VA);
	/* Warm-up: the loops translated, the tables in the host's caches. */
	walk_pass(&sum);
	remap_pass(&sum);
	for (int n = 0; n < WALK_PASSES; n++) {
		walk[n] = walk_pass(&sum);
		sums_ok &= sum == want;
	}
	for (int n = 0; n < REMAP_PASSES; n++) {
		remap[n] = remap_pass(&sum);
		sums_ok &= sum == want;
	}
	csr_write(satp, 0);
	sfence_vma_all();
	check(sums_ok, "every pass read through the tables what was written");
	report("vspaging_walk", walk, WALK_PASSES,
	       "sfence.vma before each pass");
	report("vspaging_remap", remap, REMAP_PASSES,
	       "clear PTE, sfence.vma page, set PTE, sfence.vma page, read");
}
