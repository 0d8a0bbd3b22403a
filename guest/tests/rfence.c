// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI RFENCE: a vCPU caches a translation, another changes the page table
 * and asks for a remote sfence.vma; the first must then see the new page.
 * Every flavour: range, ASID, everything, legacy. Plus fence.i and masks.
 */
#include "guest.h"

#define PTE_RWX (PTE_R | PTE_W | PTE_X)
#define PTE_RW (PTE_R | PTE_W)
#define PTE_AD (PTE_A | PTE_D)
#define TEST_VA 0x40000000UL
#define PAGE_A_VALUE 0xaaaaaaaaaaaaaaaaUL
#define PAGE_B_VALUE 0xbbbbbbbbbbbbbbbbUL

static unsigned long root[512] __attribute__((aligned(4096)));
static unsigned long l1[512] __attribute__((aligned(4096)));
static unsigned long l0[512] __attribute__((aligned(4096)));
static volatile unsigned long page_a[512] __attribute__((aligned(4096)));
static volatile unsigned long page_b[512] __attribute__((aligned(4096)));

static volatile unsigned long phase[MAX_HARTS], seen[MAX_HARTS][3];

static unsigned long pte(const volatile void *pa, unsigned long flags)
{
	return ((unsigned long)pa >> 12) << 10 | flags | PTE_V;
}

static void map_test_page(const volatile unsigned long *page)
{
	l0[0] = pte(page, PTE_RW | PTE_AD);
	__asm__ volatile("fence rw, rw" ::: "memory");
}

static void paging_on(void)
{
	csr_write(satp, SATP_SV39 | ((unsigned long)root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
}

static void paging_off(void)
{
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
}

static unsigned long read_test_va(void)
{
	return *(volatile unsigned long *)TEST_VA;
}

/* Secondary: read, wait, read, wait, read (the last one after no fence). */
void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	paging_on();
	for (unsigned long step = 0; step < 3; step++) {
		seen[hartid][step] = read_test_va();
		__atomic_store_n(&phase[hartid], 2 * step + 1,
				 __ATOMIC_RELEASE);
		if (step < 2)
			while (__atomic_load_n(&phase[hartid],
					       __ATOMIC_ACQUIRE) !=
			       2 * step + 2)
				;
	}
	paging_off();
}

/* Ask for the remote flush flavour @how for hart @t. */
static long remote_flush(int how, unsigned long t)
{
	unsigned long mask = 1UL << t;

	switch (how) {
	case 0:
		return sbi_call(SBI_EXT_RFENCE,
				SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, mask, 0,
				TEST_VA, 4096, 0, 0)
			.error;
	case 1:
		return sbi_call(SBI_EXT_RFENCE,
				SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID, mask, 0,
				TEST_VA, 4096, 0, 0)
			.error;
	case 2:
		return sbi_call(SBI_EXT_RFENCE,
				SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, mask, 0, 0, 0,
				0, 0)
			.error;
	default:
		return sbi_legacy(SBI_EXT_0_1_REMOTE_SFENCE_VMA,
				  (unsigned long)&mask, TEST_VA, 4096, 0);
	}
}

static const char *const flavour[] = { "sfence_vma(range)",
				       "sfence_vma_asid(range, asid 0)",
				       "sfence_vma(everything)",
				       "legacy remote_sfence_vma" };

static void remote_case(int how, unsigned long t)
{
	long err;

	map_test_page(page_a);
	phase[t] = 0;
	if (SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, t,
		 (unsigned long)secondary_entry, 0)
		    .error ||
	    !wait_eq(&phase[t], 1, LOST_TICKS)) {
		check(false, "hart %lu did not come up", t);
		return;
	}
	map_test_page(page_b);
	err = remote_flush(how, t);
	__atomic_store_n(&phase[t], 2, __ATOMIC_RELEASE);
	if (!wait_eq(&phase[t], 3, LOST_TICKS)) {
		check(false, "hart %lu stuck", t);
		return;
	}
	check(!err && seen[t][0] == PAGE_A_VALUE && seen[t][1] == PAGE_B_VALUE,
	      "%s: hart %lu sees the new page after the remote fence",
	      flavour[how], t);
	/* Control: a change without a fence may stay invisible (QEMU's TLB). */
	map_test_page(page_a);
	__atomic_store_n(&phase[t], 4, __ATOMIC_RELEASE);
	wait_eq(&phase[t], 5, LOST_TICKS);
	gprintf("info: without a fence hart %lu read %s", t,
		seen[t][2] == PAGE_B_VALUE ?
			"the stale page (a cached translation)" :
			"the new page");
	wait_state(t, SBI_HSM_STATE_STOPPED, LOST_TICKS);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned int n = count_harts();
	unsigned long mask;
	long err;

	(void)dtb;
	gprintf("rfence: hart %lu of %u harts", hartid, n);
	for (int i = 0; i < 512; i++) {
		page_a[i] = PAGE_A_VALUE;
		page_b[i] = PAGE_B_VALUE;
	}
	/* Identity 1 GiB at 0x80000000; TEST_VA through three levels. */
	root[2] = pte((void *)0x80000000UL, PTE_RWX | PTE_AD);
	root[1] = pte(l1, 0);
	l1[0] = pte(l0, 0);

	/* Our own hart, through the same call. */
	map_test_page(page_a);
	paging_on();
	mask = read_test_va();
	map_test_page(page_b);
	err = SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, 1, 0).error;
	check(!err && mask == PAGE_A_VALUE && read_test_va() == PAGE_B_VALUE,
	      "remote sfence_vma on the calling hart itself");
	paging_off();

	for (int how = 0; how < 4 && n > 1; how++)
		remote_case(how, 1 + how % (n - 1));

	CHECK_EQ(SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, 0, -1UL)
			 .error,
		 0, "remote fence_i on every hart");
	mask = 0;
	CHECK_EQ(sbi_legacy(SBI_EXT_0_1_REMOTE_FENCE_I, (unsigned long)&mask, 0,
			    0, 0),
		 0, "legacy remote fence_i (empty mask)");
	CHECK_EQ(SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, 1UL << n,
		      0)
			 .error,
		 SBI_ERR_INVALID_PARAM,
		 "remote fence_i to hart N: INVALID_PARAM");
	CHECK_EQ(sbi_call(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, 1,
			  n, 0, 0, 0, 0)
			 .error,
		 SBI_ERR_INVALID_PARAM,
		 "remote sfence_vma with base N: INVALID_PARAM");
	CHECK_EQ(SBI2(SBI_EXT_RFENCE, 6, 1, 0).error, SBI_ERR_NOT_SUPPORTED,
		 "remote hfence_vvma: NOT_SUPPORTED");
}
