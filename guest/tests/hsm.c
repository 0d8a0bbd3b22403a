// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI HSM: start with a0/a1 (64-bit opaque), every error code, the status
 * of each state, 1000 stop/start cycles per secondary, two vCPUs racing to
 * start a third, retentive and non-retentive suspend.
 */
#include "guest.h"

#define OPAQUE(i) (0xa5a5000000000000UL | ((unsigned long)(i) << 8) | 0x5a)
#define OPAQUE2(i) (0x5a5a000000000000UL | ((unsigned long)(i) << 8) | 0xa5)
#define CYCLES 1000

enum mode { M_STOP, M_SPIN, M_SUSPEND, M_SUSPEND_NONRET, M_RACE };

static volatile unsigned long mode[MAX_HARTS];
static volatile unsigned long arrivals[MAX_HARTS];
static volatile unsigned long got_a0[MAX_HARTS], got_a1[MAX_HARTS];
static volatile unsigned long got_satp[MAX_HARTS], got_sie[MAX_HARTS];
static volatile unsigned long release[MAX_HARTS], resumed[MAX_HARTS];
static volatile unsigned long suspend_ret[MAX_HARTS];
static volatile unsigned long race_go, race_result;

static struct sbiret start(unsigned long hart, unsigned long pc,
			   unsigned long opaque)
{
	return SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, hart, pc, opaque);
}

static long status(unsigned long hart)
{
	return SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, hart).value;
}

static void record_entry(unsigned long hartid, unsigned long a1)
{
	got_a0[hartid] = hartid;
	got_a1[hartid] = a1;
	got_satp[hartid] = csr_read(satp);
	got_sie[hartid] = csr_read(sstatus) & SSTATUS_SIE;
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	struct sbiret r;

	record_entry(hartid, opaque);
	switch (mode[hartid]) {
	case M_SPIN:
		__atomic_fetch_add(&arrivals[hartid], 1, __ATOMIC_RELEASE);
		while (!release[hartid])
			;
		release[hartid] = 0;
		break;
	case M_SUSPEND:
		csr_set(sie, SIE_SSIE); /* wake on an IPI; SIE stays 0 */
		__atomic_fetch_add(&arrivals[hartid], 1, __ATOMIC_RELEASE);
		r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, 0, 0, 0);
		suspend_ret[hartid] = (unsigned long)r.error;
		csr_clear(sip, SIE_SSIE);
		csr_clear(sie, SIE_SSIE);
		__atomic_store_n(&resumed[hartid], 1, __ATOMIC_RELEASE);
		break;
	case M_SUSPEND_NONRET:
		csr_set(sie, SIE_SSIE);
		__atomic_fetch_add(&arrivals[hartid], 1, __ATOMIC_RELEASE);
		r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, 0x80000000,
			 (unsigned long)resume_entry, OPAQUE2(hartid));
		check(false, "non-retentive suspend returned %ld", r.error);
		break;
	case M_RACE:
		/* Race vCPU 0 to start vCPU 2. */
		while (!__atomic_load_n(&race_go, __ATOMIC_ACQUIRE))
			;
		r = start(2, (unsigned long)secondary_entry, OPAQUE(2));
		race_result = (unsigned long)r.error;
		__atomic_fetch_add(&arrivals[hartid], 1, __ATOMIC_RELEASE);
		break;
	default:
		__atomic_fetch_add(&arrivals[hartid], 1, __ATOMIC_RELEASE);
		break;
	}
}

void guest_resumed_main(unsigned long hartid, unsigned long opaque)
{
	record_entry(hartid, opaque);
	csr_clear(sip, SIE_SSIE);
	csr_clear(sie, SIE_SSIE);
	__atomic_store_n(&resumed[hartid], 1, __ATOMIC_RELEASE);
}

static void check_errors(unsigned int n)
{
	unsigned long good = (unsigned long)secondary_entry;
	unsigned long other = n > 1 ? 1 : 0;

	CHECK_EQ(status(0), SBI_HSM_STATE_STARTED, "status of self: STARTED");
	for (unsigned int i = 1; i < n; i++)
		CHECK_EQ(status(i), SBI_HSM_STATE_STOPPED,
			 "status of an unstarted hart: STOPPED");
	CHECK_EQ(SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, n).error,
		 SBI_ERR_INVALID_PARAM, "status of hart N: INVALID_PARAM");
	CHECK_EQ(start(n, good, 0).error, SBI_ERR_INVALID_PARAM,
		 "start hart N: INVALID_PARAM");
	CHECK_EQ(start(n + 5, good, 0).error, SBI_ERR_INVALID_PARAM,
		 "start hart N+5: INVALID_PARAM");
	CHECK_EQ(start(-1UL, good, 0).error, SBI_ERR_INVALID_PARAM,
		 "start hart -1: INVALID_PARAM");
	CHECK_EQ(start(other, 0x1000, 0).error, SBI_ERR_INVALID_ADDRESS,
		 "start at 0x1000: INVALID_ADDRESS");
	CHECK_EQ(start(other, 0x80000000, 0).error, SBI_ERR_INVALID_ADDRESS,
		 "start in OpenSBI: INVALID_ADDRESS");
	CHECK_EQ(start(other, 0xbfe00000, 0).error, SBI_ERR_INVALID_ADDRESS,
		 "start in the hypervisor: INVALID_ADDRESS");
	CHECK_EQ(start(other, 0xffffffff00000000UL, 0).error,
		 SBI_ERR_INVALID_ADDRESS,
		 "start at 2^64-2^32: INVALID_ADDRESS");
	CHECK_EQ(start(0, good, 0).error, SBI_ERR_ALREADY_AVAILABLE,
		 "start self: ALREADY_AVAILABLE");

	static const unsigned long bad_types[] = { 1,	       0x0fffffff,
						   0x10000000, 0x7fffffff,
						   0x80000001, 0x8fffffff,
						   0x90000000, 0xffffffff };
	for (unsigned int i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]);
	     i++)
		check(SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, bad_types[i],
			   good, 0)
				      .error == SBI_ERR_INVALID_PARAM,
		      "suspend type 0x%lx: INVALID_PARAM", bad_types[i]);
	CHECK_EQ(SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, 0x80000000, 0x1000,
		      0)
			 .error,
		 SBI_ERR_INVALID_ADDRESS,
		 "non-retentive suspend to 0x1000: INVALID_ADDRESS");
}

/* Retentive suspend of vCPU 0 itself, woken by its timer. */
static void self_suspend_timer(void)
{
	unsigned long t0 = read_time();
	struct sbiret r;

	csr_set(sie, SIE_STIE);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, t0 + 20000);
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, 0, 0, 0);
	check(r.error == 0 && read_time() >= t0 + 20000,
	      "retentive suspend returns SUCCESS once the timer is pending (%ld)",
	      r.error);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_clear(sie, SIE_STIE);
}

static bool start_and_check(unsigned int i, unsigned long want_arrivals)
{
	if (start(i, (unsigned long)secondary_entry, OPAQUE(i)).error)
		return check(false, "start hart %u", i);
	return wait_eq(&arrivals[i], want_arrivals, LOST_TICKS);
}

static void check_secondaries(unsigned int n)
{
	unsigned long start_ok = 1;

	for (unsigned int i = 1; i < n; i++) {
		mode[i] = M_STOP;
		start_ok &= start_and_check(i, 1);
	}
	check(start_ok, "every secondary starts and reports in");
	for (unsigned int i = 1; i < n; i++) {
		check(got_a0[i] == i && got_a1[i] == OPAQUE(i),
		      "hart %u starts with a0 = %lu, a1 = 0x%lx", i, got_a0[i],
		      got_a1[i]);
		check(got_satp[i] == 0 && got_sie[i] == 0,
		      "hart %u starts with satp 0, SIE 0", i);
		check(wait_state(i, SBI_HSM_STATE_STOPPED, LOST_TICKS),
		      "hart %u is STOPPED after hart_stop", i);
	}

	/* A started hart cannot be started again. */
	mode[1] = M_SPIN;
	check(start_and_check(1, 2), "hart 1 spins");
	CHECK_EQ(status(1), SBI_HSM_STATE_STARTED, "status: STARTED");
	CHECK_EQ(start(1, (unsigned long)secondary_entry, 0).error,
		 SBI_ERR_ALREADY_AVAILABLE,
		 "start a started hart: ALREADY_AVAILABLE");
	release[1] = 1;
	check(wait_state(1, SBI_HSM_STATE_STOPPED, LOST_TICKS),
	      "hart 1 stopped again");
}

static void check_cycles(unsigned int n)
{
	bool ok = true;

	for (unsigned int i = 1; i < n; i++) {
		mode[i] = M_STOP;
		arrivals[i] = 0;
	}
	for (unsigned int c = 1; c <= CYCLES && ok; c++) {
		for (unsigned int i = 1; i < n; i++)
			ok &= !start(i, (unsigned long)secondary_entry,
				     OPAQUE(i))
				       .error;
		for (unsigned int i = 1; i < n && ok; i++)
			ok = wait_eq(&arrivals[i], c, LOST_TICKS) &&
			     wait_state(i, SBI_HSM_STATE_STOPPED, LOST_TICKS) &&
			     got_a1[i] == OPAQUE(i);
	}
	check(ok, "%d stop/start cycles on each of %u secondaries", CYCLES,
	      n - 1);
}

static void check_race(void)
{
	unsigned int won = 0;
	bool ok = true;

	/* Hart 2 runs until released, so a late second start must fail. */
	mode[2] = M_SPIN;
	for (unsigned int round = 0; round < 100 && ok; round++) {
		long mine;

		arrivals[1] = arrivals[2] = 0;
		race_go = 0;
		mode[1] = M_RACE;
		ok = start_and_check(1, 0) || true;
		__atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
		/* Stagger our side so that either vCPU can win. */
		for (volatile unsigned int d = 0; d < (round % 20) * 4000; d++)
			;
		mine = start(2, (unsigned long)secondary_entry, OPAQUE(2)).error;
		ok = wait_eq(&arrivals[1], 1, LOST_TICKS) &&
		     wait_eq(&arrivals[2], 1, LOST_TICKS) &&
		     wait_state(1, SBI_HSM_STATE_STOPPED, LOST_TICKS);
		__atomic_store_n(&release[2], 1, __ATOMIC_RELEASE);
		ok = ok && wait_state(2, SBI_HSM_STATE_STOPPED, LOST_TICKS);
		/* Exactly one of the two starts won; hart 2 ran once. */
		ok = ok && ((mine == 0) != ((long)race_result == 0)) &&
		     (mine == SBI_ERR_ALREADY_AVAILABLE ||
		      (long)race_result == SBI_ERR_ALREADY_AVAILABLE) &&
		     arrivals[2] == 1;
		won += mine == 0;
		if (!ok)
			gprintf("race round %u: vCPU 0 got %ld, vCPU 1 got %ld, hart 2 arrived %lu times, states %ld %ld",
				round, mine, (long)race_result, arrivals[2],
				status(1), status(2));
	}
	check(ok, "100 start races for hart 2: one winner each (vCPU 0 won %u)",
	      won);
}

static void check_suspend(void)
{
	/* Retentive: SUSPENDED until an IPI, then SUCCESS. */
	mode[1] = M_SUSPEND;
	arrivals[1] = 0;
	resumed[1] = 0;
	check(start_and_check(1, 1), "hart 1 goes to suspend");
	check(wait_state(1, SBI_HSM_STATE_SUSPENDED, LOST_TICKS),
	      "status: SUSPENDED");
	check(!resumed[1], "a suspended hart stays suspended");
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << 1, 0);
	check(wait_eq(&resumed[1], 1, LOST_TICKS) && suspend_ret[1] == 0,
	      "retentive suspend returns SUCCESS after an IPI");
	check(wait_state(1, SBI_HSM_STATE_STOPPED, LOST_TICKS),
	      "hart 1 stopped");

	/* Non-retentive: resumes at resume_addr with a0 = ID, a1 = opaque. */
	mode[1] = M_SUSPEND_NONRET;
	arrivals[1] = 0;
	resumed[1] = 0;
	check(start_and_check(1, 1), "hart 1 goes to non-retentive suspend");
	check(wait_state(1, SBI_HSM_STATE_SUSPENDED, LOST_TICKS),
	      "status: SUSPENDED (non-retentive)");
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << 1, 0);
	check(wait_eq(&resumed[1], 1, LOST_TICKS),
	      "non-retentive suspend resumes after an IPI");
	check(got_a0[1] == 1 && got_a1[1] == OPAQUE2(1) && got_satp[1] == 0 &&
		      got_sie[1] == 0,
	      "resumes at resume_addr with a0 = 1, a1 = 0x%lx, satp 0, SIE 0",
	      got_a1[1]);
	check(wait_state(1, SBI_HSM_STATE_STOPPED, LOST_TICKS),
	      "hart 1 stopped");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned int n = count_harts();

	(void)dtb;
	gprintf("hsm: hart %lu of %u harts", hartid, n);
	check_errors(n);
	self_suspend_timer();
	if (n > 1) {
		check_secondaries(n);
		check_suspend();
		check_cycles(n);
	}
	if (n > 2)
		check_race();
}
