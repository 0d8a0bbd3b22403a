// SPDX-License-Identifier: BSD-2-Clause
/*
 * G-stage translation: one Sv39x4 table per VM, built once at boot with
 * the largest pages that fit (1 GiB, 2 MiB, 4 KiB), then installed in
 * hgatp, with the VM's VMID, on every hart of that VM. Afterwards only
 * the permissions of a leaf change (the guest images' pages, made
 * writable on first write: vm_pristine.c), and a 2 MiB leaf may be split
 * into 4 KiB ones for that; and device pages come and go whole, their
 * tables kept.
 */
#include <string.h>

#include "arch.h"
#include "arch/csr.h"
#include "log.h"
#include "sbi.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4) /* G-stage leaves must be user pages */
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define GSTAGE_LEVELS 3
#define GSTAGE_GPA_BITS 41 /* Sv39x4 */
/* Intermediate tables; 64 cover tens of GiB of RAM plus scattered MMIO. */
#define GSTAGE_POOL_PAGES 64

struct gstage {
	uint64_t *root;
	unsigned long hgatp;
	/* Leaves written so far, by level (4 KiB, 2 MiB, 1 GiB). */
	unsigned int leaves[GSTAGE_LEVELS];
};

/* The root of Sv39x4 is 16 KiB: 2048 entries, 16 KiB aligned. */
static uint64_t gstage_roots[HV_MAX_VMS][2048] __aligned(16 * 1024) __noclear;
static struct gstage gstages[HV_MAX_VMS];
static unsigned int nr_gstages;
/*
 * The intermediate tables of every VM's table, each cleared (or filled)
 * when it is taken. Two VMs may split or merge leaves at once: the pool
 * and its free list are under pool_lock.
 */
static uint64_t
	gstage_pool[GSTAGE_POOL_PAGES][512] __aligned(PAGE_SIZE) __noclear;
static unsigned int gstage_pool_used;
static struct spinlock pool_lock;

static unsigned int level_shift(int level)
{
	return PAGE_SHIFT + 9 * level;
}

static unsigned int pte_index(gpa_t gpa, int level)
{
	unsigned int mask = level == GSTAGE_LEVELS - 1 ? 0x7ff : 0x1ff;

	return (gpa >> level_shift(level)) & mask;
}

/* Tables given back by arch_gstage_coalesce, linked through entry 0. */
static uint64_t *gstage_free;

/* A table from the free list or the pool, not cleared; NULL if none. */
static uint64_t *table_alloc(void)
{
	uint64_t *table;

	spin_lock(&pool_lock);
	table = gstage_free;
	if (table)
		gstage_free = (uint64_t *)(uintptr_t)table[0];
	else if (gstage_pool_used < GSTAGE_POOL_PAGES)
		table = gstage_pool[gstage_pool_used++];
	spin_unlock(&pool_lock);
	return table;
}

static void table_free(uint64_t *table)
{
	spin_lock(&pool_lock);
	table[0] = (uint64_t)(uintptr_t)gstage_free;
	gstage_free = table;
	spin_unlock(&pool_lock);
}

static uint64_t *pte_table(uint64_t pte)
{
	return (uint64_t *)(uintptr_t)((pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
}

static bool pte_leaf(uint64_t pte)
{
	return pte & (PTE_R | PTE_W | PTE_X);
}

/* The table one level below @pte, allocating it if needed. */
static uint64_t *next_table(uint64_t *pte)
{
	uint64_t *table;

	if (*pte & PTE_V) {
		if (*pte & (PTE_R | PTE_W | PTE_X))
			return NULL; /* a large page is already there */
		return (uint64_t *)((*pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
	}
	table = table_alloc();
	if (!table)
		return NULL;
	memset(table, 0, PAGE_SIZE);
	*pte = (((uint64_t)(uintptr_t)table >> PAGE_SHIFT) << PTE_PPN_SHIFT) |
	       PTE_V;
	return table;
}

int arch_gstage_map(struct gstage *g, gpa_t gpa, paddr_t hpa, uint64_t size,
		    unsigned int prot)
{
	uint64_t leaf = PTE_V | PTE_U | PTE_A | PTE_D;

	if ((gpa | hpa | size) & (PAGE_SIZE - 1) || !size ||
	    gpa + size > (1UL << GSTAGE_GPA_BITS) || gpa + size < gpa)
		return SBI_ERR_INVALID_PARAM;
	leaf |= (prot & GSTAGE_R ? PTE_R : 0) | (prot & GSTAGE_W ? PTE_W : 0) |
		(prot & GSTAGE_X ? PTE_X : 0);

	while (size) {
		uint64_t *table = g->root;
		int level = GSTAGE_LEVELS - 1;
		uint64_t *pte;

		/* Descend until the largest page that fits here. */
		for (;;) {
			uint64_t psize = 1UL << level_shift(level);

			pte = &table[pte_index(gpa, level)];
			if (!((gpa | hpa) & (psize - 1)) && size >= psize)
				break;
			if (level == 0)
				break;
			table = next_table(pte);
			if (!table)
				return SBI_ERR_NO_SHMEM;
			level--;
		}
		if (*pte & PTE_V)
			return SBI_ERR_ALREADY_AVAILABLE;
		*pte = ((hpa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | leaf;
		g->leaves[level]++;
		gpa += 1UL << level_shift(level);
		hpa += 1UL << level_shift(level);
		size -= 1UL << level_shift(level);
	}
	return 0;
}

/* The leaf that maps @gpa and its level, or NULL if none does. */
static uint64_t *find_leaf(struct gstage *g, gpa_t gpa, int *level)
{
	uint64_t *table = g->root;

	if (gpa >= (1UL << GSTAGE_GPA_BITS))
		return NULL;
	for (int l = GSTAGE_LEVELS - 1; l >= 0; l--) {
		uint64_t *pte = &table[pte_index(gpa, l)];

		if (!(*pte & PTE_V))
			return NULL;
		if (*pte & (PTE_R | PTE_W | PTE_X)) {
			*level = l;
			return pte;
		}
		table = (uint64_t *)((*pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
	}
	return NULL;
}

static unsigned int pte_prot(uint64_t pte)
{
	return (pte & PTE_R ? GSTAGE_R : 0) | (pte & PTE_W ? GSTAGE_W : 0) |
	       (pte & PTE_X ? GSTAGE_X : 0);
}

static uint64_t with_prot(uint64_t pte, unsigned int prot)
{
	pte &= ~(PTE_R | PTE_W | PTE_X);
	return pte | (prot & GSTAGE_R ? PTE_R : 0) |
	       (prot & GSTAGE_W ? PTE_W : 0) | (prot & GSTAGE_X ? PTE_X : 0);
}

unsigned int arch_gstage_prot(struct gstage *g, gpa_t gpa, uint64_t *leaf_size)
{
	int level;
	uint64_t *pte = find_leaf(g, gpa, &level);

	if (!pte)
		return 0;
	*leaf_size = 1UL << level_shift(level);
	return pte_prot(*pte);
}

/*
 * Replace the leaf *@pte of level @level (1: 2 MiB, 2: 1 GiB) by a table
 * of 512 leaves one level down with the same frames and permissions. The
 * table is complete before the pointer to it is stored, so a walk on
 * another hart sees one or the other.
 */
static int split_leaf(struct gstage *g, uint64_t *pte, int level)
{
	uint64_t *table, leaf = *pte;
	uint64_t step = 1UL << (9 * (level - 1)); /* pages per new leaf */

	table = table_alloc();
	if (!table)
		return SBI_ERR_NO_SHMEM;
	for (unsigned int i = 0; i < 512; i++)
		table[i] = leaf + ((i * step) << PTE_PPN_SHIFT);
	/* Release: the table's entries before the pointer to it. */
	__atomic_store_n(pte,
			 (((uint64_t)(uintptr_t)table >> PAGE_SHIFT)
			  << PTE_PPN_SHIFT) |
				 PTE_V,
			 __ATOMIC_RELEASE);
	g->leaves[level]--;
	g->leaves[level - 1] += 512;
	return 0;
}

int arch_gstage_protect(struct gstage *g, gpa_t gpa, uint64_t size,
			unsigned int prot)
{
	if ((gpa | size) & (PAGE_SIZE - 1) || gpa + size < gpa)
		return SBI_ERR_INVALID_PARAM;
	while (size) {
		uint64_t *table = g->root, *pte = NULL;
		int level;

		for (level = GSTAGE_LEVELS - 1; level >= 0; level--) {
			uint64_t psize = 1UL << level_shift(level);
			int ret;

			pte = &table[pte_index(gpa, level)];
			if (!(*pte & PTE_V))
				return SBI_ERR_INVALID_ADDRESS;
			if (!pte_leaf(*pte)) {
				table = pte_table(*pte);
				continue;
			}
			if (!(gpa & (psize - 1)) && size >= psize)
				break; /* the whole leaf */
			if (pte_prot(*pte) == prot) {
				psize -= gpa & (psize - 1);
				level = -2; /* nothing to change here */
				size -= MIN(size, psize);
				gpa += psize;
				break;
			}
			ret = split_leaf(g, pte, level);
			if (ret)
				return ret;
			table = pte_table(*pte);
		}
		if (level == -2)
			continue;
		if (level < 0)
			return SBI_ERR_INVALID_ADDRESS; /* a table at level 0 */
		__atomic_store_n(pte, with_prot(*pte, prot), __ATOMIC_RELEASE);
		size -= 1UL << level_shift(level);
		gpa += 1UL << level_shift(level);
	}
	arch_gstage_flush();
	return 0;
}

/*
 * Merge the table under *@pte (level @level) back into one leaf if every
 * entry is a leaf with the same permissions mapping the next frames (its
 * subtables merged first); give its tables back.
 */
static void coalesce(struct gstage *g, uint64_t *pte, int level)
{
	uint64_t *table = pte_table(*pte), first;
	uint64_t step = 1UL << (9 * (level - 1));

	for (unsigned int i = 0; level > 1 && i < 512; i++)
		if ((table[i] & PTE_V) && !pte_leaf(table[i]))
			coalesce(g, &table[i], level - 1);
	first = table[0];
	if (!(first & PTE_V) || !pte_leaf(first) ||
	    ((first >> PTE_PPN_SHIFT) & ((step << 9) - 1)))
		return;
	for (unsigned int i = 1; i < 512; i++)
		if (table[i] != first + ((i * step) << PTE_PPN_SHIFT))
			return;
	__atomic_store_n(pte, first, __ATOMIC_RELEASE);
	g->leaves[level - 1] -= 512;
	g->leaves[level]++;
	table_free(table);
}

int arch_gstage_unmap(struct gstage *g, gpa_t gpa, uint64_t size)
{
	if ((gpa | size) & (PAGE_SIZE - 1) || gpa + size < gpa)
		return SBI_ERR_INVALID_PARAM;
	while (size) {
		int level;
		uint64_t *pte = find_leaf(g, gpa, &level);
		uint64_t psize = pte ? 1UL << level_shift(level) : 0;

		if (!pte || (gpa & (psize - 1)) || size < psize)
			return SBI_ERR_INVALID_ADDRESS;
		__atomic_store_n(pte, 0, __ATOMIC_RELEASE);
		g->leaves[level]--;
		gpa += psize;
		size -= psize;
	}
	arch_gstage_flush();
	return 0;
}

void arch_gstage_coalesce(struct gstage *g, gpa_t gpa, uint64_t size)
{
	gpa_t end = gpa + size;

	for (gpa = ALIGN_DOWN(gpa, 1UL << level_shift(GSTAGE_LEVELS - 1));
	     gpa < end && gpa < (1UL << GSTAGE_GPA_BITS);
	     gpa += 1UL << level_shift(GSTAGE_LEVELS - 1)) {
		uint64_t *pte = &g->root[pte_index(gpa, GSTAGE_LEVELS - 1)];

		if ((*pte & PTE_V) && !pte_leaf(*pte))
			coalesce(g, pte, GSTAGE_LEVELS - 1);
	}
}

void arch_gstage_flush(void)
{
	__asm__ volatile(".option push\n.option arch, +h\n"
			 "hfence.gvma zero, zero\n.option pop" ::
				 : "memory");
}

struct gstage *arch_gstage_create(unsigned long vmid)
{
	struct gstage *g;

	if (nr_gstages >= HV_MAX_VMS)
		return NULL;
	g = &gstages[nr_gstages];
	g->root = gstage_roots[nr_gstages++];
	memset(g->root, 0, sizeof(gstage_roots[0]));
	g->hgatp = HGATP_MODE_SV39X4 |
		   ((vmid << HGATP_VMID_SHIFT) & HGATP_VMID_MASK) |
		   ((uintptr_t)g->root >> PAGE_SHIFT);
	return g;
}

void arch_gstage_enable(const struct gstage *g)
{
	csr_write(CSR_HGATP, g->hgatp);
	/* The tables were written with plain stores: make them visible. */
	arch_gstage_flush();
}

void arch_gstage_leaves(const struct gstage *g, unsigned int leaves[3])
{
	for (int i = 0; i < GSTAGE_LEVELS; i++)
		leaves[i] = g->leaves[i];
}

unsigned int arch_gstage_tables_used(void)
{
	return gstage_pool_used + 4 * nr_gstages;
}
