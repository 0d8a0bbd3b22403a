// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI SUSP, suspend to RAM: the errors (a reserved or platform sleep type,
 * a resume address outside guest RAM, another hart still running), then
 * the real thing — hart 0 suspends the VM with its timer armed, and
 * resumes at resume_addr with a0 = its ID, a1 = opaque, satp 0 and SIE 0,
 * no earlier than the timer. FWFT values survive the suspend. Then, as an
 * OS suspends again and again: a timer handler that re-arms the timer each
 * time it fires, interrupts on, and AGAIN more suspends with interrupts
 * off, each woken by that handler's timer, the sleep type's upper 32 bits
 * set on every other one (they are not read).
 */
#include "guest.h"

#define OPAQUE 0x5a5a0000cafeUL
#define SLEEP_TICKS 200000UL /* 20 ms at 10 MHz */

#define AGAIN 4

static volatile unsigned long spin_release, spinning;
static unsigned long suspended_at;
static bool fwft_misaligned;
static unsigned int suspends; /* done so far: the resume's round */
static volatile unsigned long ticks;

static struct sbiret suspend(unsigned long type, unsigned long pc,
			     unsigned long opaque)
{
	return SBI3(SBI_EXT_SUSP, SBI_EXT_SUSP_SYSTEM_SUSPEND, type, pc,
		    opaque);
}

/* Hart 1 runs while hart 0 tries to suspend, then stops. */
void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid, (void)opaque;
	__atomic_store_n(&spinning, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&spin_release, __ATOMIC_ACQUIRE))
		;
}

static void check_errors(unsigned int n)
{
	unsigned long pc = (unsigned long)resume_entry;
	static const unsigned long bad_types[] = { 1, 0x7fffffff, 0x80000000,
						   0xffffffff };

	CHECK_EQ(SBI0(SBI_EXT_SUSP, 1).error, SBI_ERR_NOT_SUPPORTED,
		 "SUSP fid 1: NOT_SUPPORTED");
	for (unsigned int i = 0; i < sizeof(bad_types) / sizeof(*bad_types);
	     i++)
		check(suspend(bad_types[i], pc, 0).error ==
			      SBI_ERR_INVALID_PARAM,
		      "sleep type 0x%lx (reserved or platform's): INVALID_PARAM",
		      bad_types[i]);
	CHECK_EQ(suspend(0, 0x1000, 0).error, SBI_ERR_INVALID_ADDRESS,
		 "resume at 0x1000: INVALID_ADDRESS");
	CHECK_EQ(suspend(0, 0x80000000, 0).error, SBI_ERR_INVALID_ADDRESS,
		 "resume in OpenSBI: INVALID_ADDRESS");
	CHECK_EQ(suspend(0, 0xbfe00000, 0).error, SBI_ERR_INVALID_ADDRESS,
		 "resume in the hypervisor: INVALID_ADDRESS");
	if (n < 2)
		return;
	SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1,
	     (unsigned long)secondary_entry, 0);
	check(wait_eq(&spinning, 1, SECONDS(10)), "hart 1 runs");
	CHECK_EQ(suspend(0, pc, 0).error, SBI_ERR_DENIED,
		 "suspend while hart 1 runs: DENIED");
	__atomic_store_n(&spin_release, 1, __ATOMIC_RELEASE);
	check(wait_state(1, SBI_HSM_STATE_STOPPED, SECONDS(10)),
	      "hart 1 stopped");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned int n = count_harts();
	struct sbiret r;

	(void)dtb;
	gprintf("susp: hart %lu of %u harts", hartid, n);
	check(SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_SUSP).value ==
		      1,
	      "probe SUSP = 1");
	check_errors(n);

	/* A feature set now must still be set after the resume. */
	fwft_misaligned = !SBI3(SBI_EXT_FWFT, SBI_EXT_FWFT_SET,
				SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0)
				   .error;
	/* The wake-up: our timer, enabled in sie (SIE itself stays 0). */
	csr_set(sie, SIE_STIE);
	suspended_at = read_time();
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, suspended_at + SLEEP_TICKS);
	r = suspend(0, (unsigned long)resume_entry, OPAQUE);
	check(false, "suspend to RAM returned (%ld)", r.error);
}

static void resumed_first(unsigned long hartid, unsigned long opaque)
{
	unsigned long now = read_time();

	/* The runtime passes a0 and a1 of the entry as hartid and opaque. */
	check(hartid == 0 && opaque == OPAQUE && csr_read(satp) == 0 &&
		      !(csr_read(sstatus) & SSTATUS_SIE),
	      "resumed at resume_addr: a0 = %lu, a1 = 0x%lx, satp 0, SIE 0",
	      hartid, opaque);
	check(now >= suspended_at + SLEEP_TICKS,
	      "asleep until the timer (%lu us)", (now - suspended_at) / 10);
	CHECK_EQ(SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, hartid).value,
		 SBI_HSM_STATE_STARTED, "HSM status after the resume: STARTED");
	if (fwft_misaligned)
		CHECK_EQ(SBI1(SBI_EXT_FWFT, SBI_EXT_FWFT_GET,
			      SBI_FWFT_MISALIGNED_EXC_DELEG)
				 .value,
			 1, "FWFT MISALIGNED_EXC_DELEG still 1");
}

/* The periodic timer of an OS: each tick arms the next. */
static void tick(unsigned long hartid)
{
	(void)hartid;
	ticks++;
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() + SLEEP_TICKS);
}

/* Suspend with the periodic timer running and interrupts off. */
static void suspend_again(void)
{
	unsigned long type = suspends % 2 ? 1UL << 32 : 0;
	struct sbiret r;

	csr_clear(sstatus, SSTATUS_SIE);
	CHECK_EQ(suspend(1, (unsigned long)resume_entry, OPAQUE).error,
		 SBI_ERR_INVALID_PARAM,
		 "sleep type 1 between the suspends: INVALID_PARAM");
	suspended_at = read_time();
	r = suspend(type, (unsigned long)resume_entry, OPAQUE + suspends);
	check(false, "suspend %u returned (%ld)", suspends + 1, r.error);
	finish();
}

static void resumed_again(unsigned long hartid, unsigned long opaque)
{
	unsigned long seen = ticks;

	check(hartid == 0 && opaque == OPAQUE + suspends - 1 &&
		      !(csr_read(sstatus) & SSTATUS_SIE),
	      "suspend %u (sleep type 0x%lx): resumed at resume_addr, a1 = opaque, SIE 0",
	      suspends, suspends % 2 ? 0UL : 1UL << 32);
	/* The tick that woke us is pending: taken as soon as SIE is on. */
	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	check(wait_ne(&ticks, seen, LOST_TICKS),
	      "suspend %u: woken by the periodic timer, whose handler runs",
	      suspends);
}

void guest_resumed_main(unsigned long hartid, unsigned long opaque)
{
	if (++suspends == 1) {
		resumed_first(hartid, opaque);
		on_timer_irq = tick;
		csr_set(sie, SIE_STIE);
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER,
		     read_time() + SLEEP_TICKS);
		csr_set(sstatus, SSTATUS_SIE);
		check(wait_ne(&ticks, 0, LOST_TICKS),
		      "the periodic timer ticks with interrupts on");
	} else {
		resumed_again(hartid, opaque);
	}
	if (suspends <= AGAIN)
		suspend_again();
	csr_clear(sstatus, SSTATUS_SIE);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_clear(sie, SIE_STIE);
	finish();
}
