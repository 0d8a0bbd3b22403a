// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI IPI: every vCPU pings every other, 10 000 IPIs in all, each answered
 * before the next (so coalescing cannot hide a lost one); then the edges
 * of hart_mask / hart_mask_base, and the legacy send_ipi.
 */
#include "guest.h"

#define TOTAL 10000

static unsigned int n;
/* req[t][s]: the last ping s sent t; ack[t][s]: the last t answered. */
static volatile unsigned long req[MAX_HARTS][MAX_HARTS];
static volatile unsigned long ack[MAX_HARTS][MAX_HARTS];
static volatile unsigned long hits[MAX_HARTS];
static volatile unsigned long done[MAX_HARTS], stop_idle;
static volatile unsigned long lost[MAX_HARTS];

static void soft_irq(unsigned long self)
{
	__atomic_fetch_add(&hits[self], 1, __ATOMIC_RELAXED);
	for (unsigned int s = 0; s < n; s++) {
		unsigned long r =
			__atomic_load_n(&req[self][s], __ATOMIC_ACQUIRE);

		if (ack[self][s] != r)
			__atomic_store_n(&ack[self][s], r, __ATOMIC_RELEASE);
	}
}

static void enable_ipis(void)
{
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
}

static void ping_all(unsigned long self, unsigned long rounds)
{
	for (unsigned long r = 1; r <= rounds; r++) {
		for (unsigned int t = 0; t < n; t++) {
			if (t == self && n > 1)
				continue;
			__atomic_store_n(&req[t][self], r, __ATOMIC_RELEASE);
			SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << t, 0);
			if (!wait_eq(&ack[t][self], r, LOST_TICKS))
				lost[self]++;
		}
	}
}

static unsigned long rounds_for(unsigned int harts)
{
	unsigned long pairs = harts > 1 ? harts * (harts - 1) : 1;

	return (TOTAL + pairs - 1) / pairs;
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	enable_ipis();
	ping_all(hartid, rounds_for(n));
	__atomic_store_n(&done[hartid], 1, __ATOMIC_RELEASE);
	/* Keep answering until vCPU 0 is through with the mask checks. */
	while (!stop_idle)
		__asm__ volatile("wfi");
}

static unsigned long hit_since(const unsigned long *before)
{
	unsigned long got = 0;

	for (unsigned int i = 0; i < n; i++)
		if (hits[i] != before[i])
			got |= 1UL << i;
	return got;
}

/*
 * Send with @mask/@base; return the bitmap of vCPUs that got one. Waits
 * until every vCPU in @want has (5 s at most: a host under load can hold
 * a vCPU thread back for long), then 20 ms more for any that should not.
 */
static unsigned long hit_by(unsigned long mask, unsigned long base,
			    unsigned long want, long *error)
{
	unsigned long before[MAX_HARTS], end;

	for (unsigned int i = 0; i < n; i++)
		before[i] = hits[i];
	*error = SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, mask, base).error;
	for (end = read_time() + LOST_TICKS;
	     (hit_since(before) & want) != want && read_time() < end;)
		;
	for (end = read_time() + 200000; read_time() < end;)
		;
	return hit_since(before);
}

static void check_masks(void)
{
	unsigned long all = n >= 64 ? ~0UL : (1UL << n) - 1, got, legacy_mask;
	long err;

	got = hit_by(0, -1UL, all, &err);
	check(!err && got == all, "base -1: every vCPU (0x%lx)", got);
	got = hit_by(0, 0, 0, &err);
	check(!err && got == 0, "empty mask: nobody");
	got = hit_by(1UL << n, 0, 0, &err);
	check(err == SBI_ERR_INVALID_PARAM && got == 0,
	      "bit N: INVALID_PARAM and nobody (err %ld, 0x%lx)", err, got);
	got = hit_by(1 | (1UL << n), 0, 0, &err);
	check(err == SBI_ERR_INVALID_PARAM && got == 0,
	      "a valid and an invalid bit: INVALID_PARAM and nobody");
	got = hit_by(1, n, 0, &err);
	check(err == SBI_ERR_INVALID_PARAM && got == 0,
	      "base N: INVALID_PARAM");
	got = hit_by(3, -2UL, 0, &err);
	check(err == SBI_ERR_INVALID_PARAM && got == 0,
	      "base -2 (wraps): INVALID_PARAM");
	got = hit_by(~0UL, 0, n == 64 ? all : 0, &err);
	check(n == 64 ? !err : (err == SBI_ERR_INVALID_PARAM && got == 0),
	      "all 64 bits: %s", n == 64 ? "every vCPU" : "INVALID_PARAM");
	got = hit_by(1, n - 1, 1UL << (n - 1), &err);
	check(!err && got == 1UL << (n - 1), "base N-1, bit 0: the last vCPU");

	legacy_mask = all;
	err = sbi_legacy(SBI_EXT_0_1_SEND_IPI, (unsigned long)&legacy_mask, 0,
			 0, 0);
	check(err == 0, "legacy send_ipi to every vCPU");
	err = sbi_legacy(SBI_EXT_0_1_SEND_IPI, 0, 0, 0, 0);
	check(err == 0, "legacy send_ipi with a NULL mask (everyone)");
	legacy_mask = 1UL << n;
	err = sbi_legacy(SBI_EXT_0_1_SEND_IPI, (unsigned long)&legacy_mask, 0,
			 0, 0);
	check(err == SBI_ERR_INVALID_PARAM, "legacy send_ipi to hart N");

	/* A mask pointer into nothing: the fault comes back to us. */
	expect_trap();
	sbi_legacy(SBI_EXT_0_1_SEND_IPI, 0x1000, 0, 0, 0);
	check(trapped_cause() == 5 && trapped_tval() == 0x1000,
	      "legacy send_ipi with a bad mask pointer: load access fault at the ecall (cause %ld, tval 0x%lx)",
	      trapped_cause(), trapped_tval());
	/* With interrupts masked, an IPI to ourselves stays pending. */
	csr_clear(sstatus, SSTATUS_SIE);
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, 0);
	CHECK_EQ(sbi_legacy(SBI_EXT_0_1_CLEAR_IPI, 0, 0, 0, 0), 1,
		 "legacy clear_ipi with one pending: 1");
	CHECK_EQ(sbi_legacy(SBI_EXT_0_1_CLEAR_IPI, 0, 0, 0, 0), 0,
		 "legacy clear_ipi with none pending: 0");
	csr_set(sstatus, SSTATUS_SIE);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long total = 0, lost_all = 0;
	bool started = true;

	(void)dtb;
	n = count_harts();
	gprintf("ipi: hart %lu of %u harts, %lu rounds per pair", hartid, n,
		rounds_for(n));
	on_soft_irq = soft_irq;
	enable_ipis();
	for (unsigned int i = 1; i < n; i++)
		started &= !SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, i,
				 (unsigned long)secondary_entry, 0)
				    .error;
	check(started, "every secondary started");
	ping_all(0, rounds_for(n));
	for (unsigned int i = 1; i < n; i++)
		check(wait_eq(&done[i], 1, SECONDS(60)), "hart %u finished", i);
	for (unsigned int s = 0; s < n; s++) {
		lost_all += lost[s];
		for (unsigned int t = 0; t < n; t++)
			total += ack[t][s];
	}
	check(lost_all == 0 && total >= TOTAL, "%lu IPIs answered, %lu lost",
	      total, lost_all);
	check_masks();
	stop_idle = 1;
	csr_clear(sstatus, SSTATUS_SIE);
}
