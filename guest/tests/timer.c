// SPDX-License-Identifier: BSD-2-Clause
/*
 * Timers: on every vCPU at once, 100 interrupts through SBI set_timer and,
 * when the guest has Sstc, 100 through its own stimecmp; none early, none
 * lost. Then set_timer's side rules: it clears a pending interrupt, a time
 * in the past fires at once, -1 never fires.
 */
#include "guest.h"

#define ROUNDS 100
#define DELTA 2000 /* 200 us at 10 MHz */
#define CSR_STIMECMP_STR "0x14d"

enum how { VIA_SBI, VIA_STIMECMP };

static unsigned int n;
static volatile unsigned long fired[MAX_HARTS], early[MAX_HARTS];
static volatile unsigned long deadline[MAX_HARTS], how[MAX_HARTS];
static volatile unsigned long done[MAX_HARTS], lost[MAX_HARTS];
static bool has_sstc;

static void stimecmp_write(unsigned long v)
{
	__asm__ volatile("csrw " CSR_STIMECMP_STR ", %0" ::"r"(v));
}

static void timer_irq(unsigned long self)
{
	if (read_time() < deadline[self])
		early[self]++;
	/* Quiet the timer until the next round programs it. */
	if (how[self] == VIA_STIMECMP)
		stimecmp_write(-1UL);
	else
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	__atomic_fetch_add(&fired[self], 1, __ATOMIC_RELEASE);
}

static void run_rounds(unsigned long self, enum how h)
{
	fired[self] = 0;
	how[self] = h;
	csr_set(sie, SIE_STIE);
	for (unsigned long r = 1; r <= ROUNDS; r++) {
		deadline[self] = read_time() + DELTA;
		if (h == VIA_STIMECMP)
			stimecmp_write(deadline[self]);
		else
			SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER,
			     deadline[self]);
		/*
		 * Check and sleep with SIE = 0 (wfi still wakes on the
		 * pending interrupt), then open SIE so it is taken: an
		 * interrupt between the check and the wfi cannot be missed.
		 */
		while (__atomic_load_n(&fired[self], __ATOMIC_ACQUIRE) < r) {
			/*
			 * QEMU 7.2 can strand a vstimecmp interrupt until it
			 * next re-evaluates interrupts, which it does on every
			 * entry into the guest; waiting in exits (an SBI call)
			 * instead of wfi keeps such a stranding from hanging
			 * this test. Both rounds run on vstimecmp when the
			 * guest has Sstc; the forwarded timer waits in wfi.
			 */
			if (has_sstc)
				SBI0(SBI_EXT_BASE,
				     SBI_EXT_BASE_GET_SPEC_VERSION);
			else
				__asm__ volatile("wfi");
			csr_set(sstatus, SSTATUS_SIE);
			csr_clear(sstatus, SSTATUS_SIE);
			if (read_time() > deadline[self] + SECONDS(5)) {
				lost[self]++;
				break;
			}
		}
	}
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_STIE);
}

static void run_all(unsigned long self)
{
	run_rounds(self, VIA_SBI);
	check(fired[self] == ROUNDS && !early[self] && !lost[self],
	      "hart %lu: %d timer interrupts through SBI set_timer (%lu early, %lu lost)",
	      self, ROUNDS, early[self], lost[self]);
	if (has_sstc) {
		run_rounds(self, VIA_STIMECMP);
		check(fired[self] == ROUNDS && !early[self] && !lost[self],
		      "hart %lu: %d timer interrupts through stimecmp (%lu early, %lu lost)",
		      self, ROUNDS, early[self], lost[self]);
	}
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	run_all(hartid);
	__atomic_store_n(&done[hartid], 1, __ATOMIC_RELEASE);
}

/*
 * Open the interrupt window for @ticks and count timer interrupts taken
 * (what an OS observes; reading sip.STIP is not used: QEMU 7.2 reads the
 * guest's sip without its timer bit).
 */
static unsigned long taken_within(unsigned long ticks)
{
	unsigned long before = fired[0];

	how[0] = VIA_SBI;
	deadline[0] = 0;
	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (unsigned long end = read_time() + ticks; read_time() < end;)
		if (fired[0] != before)
			break;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_STIE);
	return fired[0] - before;
}

static void set_timer(unsigned long when)
{
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, when);
}

static void check_set_timer_rules(void)
{
	set_timer(read_time() - 1);
	check(taken_within(SECONDS(1)) == 1,
	      "set_timer in the past: taken at once");
	set_timer(read_time() - 1);
	set_timer(read_time() + SECONDS(100));
	check(taken_within(200000) == 0,
	      "a pending timer is cleared by the next set_timer");
	set_timer(-1UL);
	check(taken_within(200000) == 0, "set_timer(-1): never fires");
	CHECK_EQ(sbi_legacy(SBI_EXT_0_1_SET_TIMER, read_time() - 1, 0, 0, 0), 0,
		 "legacy set_timer");
	check(taken_within(SECONDS(1)) == 1,
	      "legacy set_timer in the past: taken at once");
	CHECK_EQ(SBI1(SBI_EXT_TIME, 1, 0).error, SBI_ERR_NOT_SUPPORTED,
		 "TIME fid 1: NOT_SUPPORTED");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	n = count_harts();
	on_timer_irq = timer_irq;
	expect_trap();
	stimecmp_write(-1UL);
	has_sstc = trapped_cause() < 0;
	gprintf("timer: hart %lu of %u harts, stimecmp %s", hartid, n,
		has_sstc ? "available" : "not available");
	check_set_timer_rules();
	for (unsigned int i = 1; i < n; i++)
		SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, i,
		     (unsigned long)secondary_entry, 0);
	run_all(hartid);
	for (unsigned int i = 1; i < n; i++)
		check(wait_eq(&done[i], 1, SECONDS(60)), "hart %u finished", i);
}
