// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI PMU as hartvisor gives it (hv/vsbi_pmu.c), what Linux does not
 * check itself:
 *
 * - the counters: "pmu: ..." lines with num_counters and every
 *   counter_get_info, printed natively too (a test compares them; on a
 *   firmware that is not hartvisor the guest prints them and stops);
 * - the spec's error codes: reserved flags, counters that do not exist,
 *   events that do not, snapshots (none), fw_read of what is no
 *   configured firmware counter, fw_read_hi;
 * - firmware counters count what hartvisor serves (set_timer, IPIs and
 *   remote fences sent and received, on the sender's and on a target's
 *   counters), illegal instructions (a virtual instruction hartvisor
 *   injects, and a real one the firmware sees) and access faults;
 *   stopped, they stop;
 * - hardware counters start and stop; with Sscofpmf, the guest's SINH
 *   keeps its own S-mode out of a count (hartvisor's VSINH), and a
 *   counter that overflows interrupts the guest (LCOFI, scountovf), also
 *   a sampling one that counted before;
 * - event_get_info;
 * - a secondary that stops (HSM) with counters configured and running
 *   finds them released and stopped when it starts again.
 */
#include "guest.h"

#define EVENT(type, code) (((unsigned long)(type) << 16) | (code))
#define HW_CYCLES EVENT(SBI_PMU_EVENT_TYPE_HW, 1)
#define HW_INSTRUCTIONS EVENT(SBI_PMU_EVENT_TYPE_HW, 2)
#define FW_EVENT(code) EVENT(SBI_PMU_EVENT_TYPE_FW, code)
#define HARTVISOR_IMPL_ID 0x4856
#define CSR_SCOUNTOVF 0xda0
#define SIE_LCOFIE (1UL << 13)
#define SPIN 200000UL

static unsigned long nr_counters, hw_mask, fw_mask;
static unsigned long counter_csr[64];
static bool sscofpmf;

static struct sbiret pmu(unsigned long fid, unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3, unsigned long a4)
{
	return sbi_call(SBI_EXT_PMU, fid, a0, a1, a2, a3, a4, 0);
}

static struct sbiret cfg(unsigned long mask, unsigned long flags,
			 unsigned long event)
{
	return pmu(SBI_EXT_PMU_COUNTER_CFG_MATCH, 0, mask, flags, event, 0);
}

static long start(unsigned long idx, unsigned long flags, unsigned long val)
{
	return pmu(SBI_EXT_PMU_COUNTER_START, idx, 1, flags, val, 0).error;
}

static long stop(unsigned long idx, unsigned long flags)
{
	return pmu(SBI_EXT_PMU_COUNTER_STOP, idx, 1, flags, 0, 0).error;
}

static struct sbiret fw_read(unsigned long idx)
{
	return pmu(SBI_EXT_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0);
}

#define READ_CTR(n)                                                   \
	case n:                                                       \
		__asm__ volatile("csrr %0, " #n : "=r"(v)::"memory"); \
		break
/* The hardware counter with CSR @csr (cycle, instret, hpmcounterN). */
static unsigned long read_csr_num(unsigned long csr)
{
	unsigned long v = 0;

	switch (csr) {
		READ_CTR(0xc00);
		READ_CTR(0xc02);
		READ_CTR(0xc03);
		READ_CTR(0xc04);
		READ_CTR(0xc05);
		READ_CTR(0xc06);
		READ_CTR(0xc07);
		READ_CTR(0xc08);
		READ_CTR(0xc09);
		READ_CTR(0xc0a);
		READ_CTR(0xc0b);
		READ_CTR(0xc0c);
		READ_CTR(0xc0d);
		READ_CTR(0xc0e);
		READ_CTR(0xc0f);
		READ_CTR(0xc10);
		READ_CTR(0xc11);
		READ_CTR(0xc12);
		READ_CTR(0xc13);
		READ_CTR(0xc14);
		READ_CTR(0xc15);
		READ_CTR(0xc16);
		READ_CTR(0xc17);
		READ_CTR(0xc18);
		READ_CTR(0xc19);
		READ_CTR(0xc1a);
		READ_CTR(0xc1b);
		READ_CTR(0xc1c);
		READ_CTR(0xc1d);
		READ_CTR(0xc1e);
		READ_CTR(0xc1f);
	default:
		break;
	}
	return v;
}

static unsigned long read_counter(unsigned long idx)
{
	return read_csr_num(counter_csr[idx]);
}

static void spin(unsigned long n)
{
	for (volatile unsigned long i = 0; i < n; i++)
		;
}

static unsigned long lowest(unsigned long mask)
{
	return mask & -mask;
}

static unsigned long bit_index(unsigned long bit)
{
	return (unsigned long)__builtin_ctzl(bit);
}

/* The counters, as the firmware under the guest says (printed). */
static void read_counters(void)
{
	struct sbiret r = pmu(SBI_EXT_PMU_NUM_COUNTERS, 0, 0, 0, 0, 0);

	nr_counters = r.error ? 0 : (unsigned long)r.value;
	gprintf("pmu: %lu counters", nr_counters);
	for (unsigned long i = 0; i < nr_counters && i < 64; i++) {
		r = pmu(SBI_EXT_PMU_COUNTER_GET_INFO, i, 0, 0, 0, 0);
		if (r.error) {
			gprintf("pmu: counter %lu: error %ld", i, r.error);
			continue;
		}
		gprintf("pmu: counter %lu: info 0x%lx", i, r.value);
		if ((unsigned long)r.value >> 63) {
			fw_mask |= 1UL << i;
		} else {
			hw_mask |= 1UL << i;
			counter_csr[i] = (unsigned long)r.value & 0xfff;
		}
	}
	gprintf("pmu: %d hardware and %d firmware counters",
		__builtin_popcountl(hw_mask), __builtin_popcountl(fw_mask));
}

static void check_errors(void)
{
	unsigned long fw0 = bit_index(lowest(fw_mask));
	struct sbiret r;

	CHECK_EQ(
		pmu(SBI_EXT_PMU_COUNTER_GET_INFO, nr_counters, 0, 0, 0, 0).error,
		SBI_ERR_INVALID_PARAM, "get_info past the last counter");
	CHECK_EQ(pmu(SBI_EXT_PMU_COUNTER_GET_INFO, 1, 0, 0, 0, 0).error,
		 SBI_ERR_INVALID_PARAM, "get_info of index 1 (time)");
	CHECK_EQ(cfg(hw_mask, 1UL << 8, HW_CYCLES).error, SBI_ERR_INVALID_PARAM,
		 "config_matching: reserved flag bit 8");
	CHECK_EQ(pmu(SBI_EXT_PMU_COUNTER_CFG_MATCH, nr_counters, 1, 0,
		     HW_CYCLES, 0)
			 .error,
		 SBI_ERR_INVALID_PARAM, "config_matching: no such counter");
	CHECK_EQ(
		pmu(SBI_EXT_PMU_COUNTER_CFG_MATCH, 64, 1, 0, HW_CYCLES, 0).error,
		SBI_ERR_INVALID_PARAM, "config_matching: base 64");
	CHECK_EQ(cfg(hw_mask | 2, 0, HW_CYCLES).error, SBI_ERR_INVALID_PARAM,
		 "config_matching: a set with index 1 (time)");
	CHECK_EQ(cfg(fw_mask, 0, FW_EVENT(SBI_PMU_FW_MAX)).error,
		 SBI_ERR_NOT_SUPPORTED,
		 "config_matching: firmware event 22 (reserved)");
	CHECK_EQ(cfg(fw_mask, 0, EVENT(4, 0)).error, SBI_ERR_NOT_SUPPORTED,
		 "config_matching: event type 4");
	CHECK_EQ(cfg(hw_mask, 0, FW_EVENT(SBI_PMU_FW_SET_TIMER)).error,
		 SBI_ERR_NOT_SUPPORTED,
		 "config_matching: a firmware event on hardware counters");
	CHECK_EQ(
		pmu(SBI_EXT_PMU_COUNTER_START, 0, hw_mask, 1UL << 2, 0, 0).error,
		SBI_ERR_INVALID_PARAM, "start: reserved flag bit 2");
	CHECK_EQ(pmu(SBI_EXT_PMU_COUNTER_START, 0, 1,
		     SBI_PMU_START_FLAG_INIT_SNAPSHOT, 0, 0)
			 .error,
		 SBI_ERR_NO_SHMEM,
		 "start: INIT_SNAPSHOT without shared memory");
	CHECK_EQ(pmu(SBI_EXT_PMU_COUNTER_STOP, 0, 1,
		     SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT, 0, 0)
			 .error,
		 SBI_ERR_NO_SHMEM, "stop: TAKE_SNAPSHOT without shared memory");
	CHECK_EQ(
		pmu(SBI_EXT_PMU_COUNTER_STOP, 0, hw_mask, 1UL << 2, 0, 0).error,
		SBI_ERR_INVALID_PARAM, "stop: reserved flag bit 2");
	CHECK_EQ(start(fw0, 0, 0), SBI_ERR_INVALID_PARAM,
		 "start of a firmware counter not configured");
	CHECK_EQ(fw_read(0).error, SBI_ERR_INVALID_PARAM,
		 "fw_read of a hardware counter");
	CHECK_EQ(fw_read(fw0).error, SBI_ERR_INVALID_PARAM,
		 "fw_read of a firmware counter not configured");
	CHECK_EQ(fw_read(nr_counters).error, SBI_ERR_INVALID_PARAM,
		 "fw_read past the last counter");
	r = pmu(SBI_EXT_PMU_SNAPSHOT_SET_SHMEM, 0x80000000UL, 0, 0, 0, 0);
	CHECK_EQ(r.error, SBI_ERR_NOT_SUPPORTED, "snapshot_set_shmem");
	CHECK_EQ(pmu(9, 0, 0, 0, 0, 0).error, SBI_ERR_NOT_SUPPORTED,
		 "PMU fid 9");
}

/* A firmware counter for @code, started; its index or -1. */
static long fw_counter(unsigned long code)
{
	struct sbiret r =
		cfg(fw_mask,
		    SBI_PMU_CFG_FLAG_CLEAR_VALUE | SBI_PMU_CFG_FLAG_AUTO_START,
		    FW_EVENT(code));

	check(!r.error && (fw_mask >> r.value & 1),
	      "firmware event %lu: counter %ld (error %ld)", code, r.value,
	      r.error);
	return r.error ? -1 : r.value;
}

static unsigned long fw_count(long idx)
{
	return (unsigned long)fw_read((unsigned long)idx).value;
}

/* Firmware counters of the events hartvisor serves, and of the traps. */
static void check_firmware(void)
{
	long timer = fw_counter(SBI_PMU_FW_SET_TIMER);
	long sent = fw_counter(SBI_PMU_FW_IPI_SENT);
	long rcvd = fw_counter(SBI_PMU_FW_IPI_RECEIVED);
	long fence = fw_counter(SBI_PMU_FW_FENCE_I_SENT);
	long fenced = fw_counter(SBI_PMU_FW_FENCE_I_RECEIVED);
	long illegal = fw_counter(SBI_PMU_FW_ILLEGAL_INSN);
	long access = fw_counter(SBI_PMU_FW_ACCESS_LOAD);
	unsigned long v;

	if (timer < 0 || sent < 0 || rcvd < 0 || fence < 0 || fenced < 0 ||
	    illegal < 0 || access < 0)
		return;
	for (int i = 0; i < 3; i++)
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	CHECK_EQ(fw_count(timer), 3, "SET_TIMER counts 3 set_timer calls");
	CHECK_EQ(stop(timer, 0), 0, "stop the SET_TIMER counter");
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	CHECK_EQ(fw_count(timer), 3, "stopped, it counts no more");
	CHECK_EQ(stop(timer, 0), SBI_ERR_ALREADY_STOPPED,
		 "stop again: ALREADY_STOPPED");
	CHECK_EQ(start(timer, SBI_PMU_START_FLAG_SET_INIT_VALUE, 100), 0,
		 "start it again at 100");
	CHECK_EQ(start(timer, 0, 0), SBI_ERR_ALREADY_STARTED,
		 "start again: ALREADY_STARTED");
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	CHECK_EQ(fw_count(timer), 101, "counts on from 100");
	CHECK_EQ(pmu(SBI_EXT_PMU_COUNTER_FW_READ_HI, timer, 0, 0, 0, 0).value,
		 0, "fw_read_hi: 0 on RV64");

	/* A self-IPI: sent and received; taken nowhere (SIE is 0). */
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, 0);
	csr_clear(sip, SIE_SSIE);
	CHECK_EQ(fw_count(sent), 1, "IPI_SENT counts a self-IPI");
	CHECK_EQ(fw_count(rcvd), 1, "IPI_RECEIVED counts a self-IPI");
	SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, 1, 0);
	CHECK_EQ(fw_count(fence), 1, "FENCE_I_SENT counts a remote fence.i");
	CHECK_EQ(fw_count(fenced), 1, "FENCE_I_RECEIVED counts it on itself");

	/* hstatus: a virtual instruction, injected as illegal. */
	expect_trap();
	__asm__ volatile("csrr %0, 0x600" : "=r"(v)::"memory");
	CHECK_EQ(trapped_cause(), 2, "hstatus: an illegal instruction");
	CHECK_EQ(fw_count(illegal), 1,
		 "ILLEGAL_INSN counts the one hartvisor injected");
	/* unimp (csrrw zero, cycle, zero): a real one, through the firmware. */
	expect_trap();
	__asm__ volatile(".word 0xc0001073" ::: "memory");
	CHECK_EQ(trapped_cause(), 2, "unimp: an illegal instruction");
	CHECK_EQ(fw_count(illegal), 2,
		 "ILLEGAL_INSN counts the one the firmware saw too");
	/* Outside the VM (QEMU's boot ROM, not mapped): an access fault. */
	expect_trap();
	v = *(volatile unsigned long *)0x1000UL;
	CHECK_EQ(trapped_cause(), 5, "a load outside the VM: access fault");
	CHECK_EQ(fw_count(access), 1,
		 "ACCESS_LOAD counts the one hartvisor injected");
	(void)v;

	for (long *i = (long[]){ timer, sent, rcvd, fence, fenced, illegal,
				 access, -1 };
	     *i >= 0; i++)
		stop((unsigned long)*i, SBI_PMU_STOP_FLAG_RESET);
	CHECK_EQ(fw_read(timer).error, SBI_ERR_INVALID_PARAM,
		 "released by stop with RESET: fw_read INVALID_PARAM");
}

/* Counter @idx counts @event while the guest spins. */
static unsigned long count_spin(unsigned long idx)
{
	unsigned long before = read_counter(idx);

	spin(SPIN);
	return read_counter(idx) - before;
}

static void check_hardware(void)
{
	struct sbiret r;
	unsigned long idx, d;

	/* Everything stopped, as Linux has it when a CPU comes up. */
	pmu(SBI_EXT_PMU_COUNTER_STOP, 0, hw_mask, SBI_PMU_STOP_FLAG_RESET, 0,
	    0);
	r = cfg(hw_mask, SBI_PMU_CFG_FLAG_CLEAR_VALUE, HW_CYCLES);
	if (!check(!r.error, "config_matching: cycles (counter %ld, %ld)",
		   r.value, r.error))
		return;
	idx = (unsigned long)r.value;
	CHECK_EQ(start(idx, 0, 0), 0, "start cycles");
	d = count_spin(idx);
	check(d > 0, "cycles count a loop (%lu)", d);
	CHECK_EQ(stop(idx, 0), 0, "stop cycles");
	d = count_spin(idx);
	CHECK_EQ(d, 0, "stopped, cycles count nothing");
	CHECK_EQ(stop(idx, SBI_PMU_STOP_FLAG_RESET), SBI_ERR_ALREADY_STOPPED,
		 "release: ALREADY_STOPPED");
	if (!sscofpmf) {
		gprintf("pmu: no Sscofpmf: no mode filter, no overflow interrupt");
		return;
	}
	/* The guest's S-mode is VS: SINH keeps it out, UINH does not. */
	r = cfg(hw_mask,
		SBI_PMU_CFG_FLAG_SET_SINH | SBI_PMU_CFG_FLAG_AUTO_START |
			SBI_PMU_CFG_FLAG_SET_VSINH | SBI_PMU_CFG_FLAG_SET_VUINH,
		HW_INSTRUCTIONS);
	if (check(!r.error, "config_matching: instructions, SINH (counter %ld)",
		  r.value)) {
		d = count_spin((unsigned long)r.value);
		CHECK_EQ(d, 0,
			 "SINH: S-mode (VS) and hartvisor's HS not counted");
		stop((unsigned long)r.value, SBI_PMU_STOP_FLAG_RESET);
	}
	r = cfg(hw_mask,
		SBI_PMU_CFG_FLAG_SET_UINH | SBI_PMU_CFG_FLAG_AUTO_START |
			SBI_PMU_CFG_FLAG_SET_VSINH | SBI_PMU_CFG_FLAG_SET_VUINH,
		HW_INSTRUCTIONS);
	if (check(!r.error, "config_matching: instructions, UINH (counter %ld)",
		  r.value)) {
		d = count_spin((unsigned long)r.value);
		check(d > 0,
		      "UINH, VSINH, VUINH: S-mode counted (%lu): the guest's VS flags name nothing",
		      d);
		stop((unsigned long)r.value, SBI_PMU_STOP_FLAG_RESET);
	}
}

static volatile unsigned long overflows, overflowed;
static unsigned long ovf_counter;

static void on_overflow(unsigned long hartid)
{
	(void)hartid;
	overflowed = csr_read(0xda0);
	stop(ovf_counter, 0);
	csr_clear(sip, SIE_LCOFIE);
	overflows++;
}

/*
 * Start counter @idx 100 000 before its end, interrupts on, and wait (at
 * most LOST_TICKS) for its overflow; overflows counts them.
 */
static void sample(long idx)
{
	unsigned long end;

	ovf_counter = (unsigned long)idx;
	overflows = 0;
	on_pmu_irq = on_overflow;
	csr_set(sie, SIE_LCOFIE);
	csr_set(sstatus, SSTATUS_SIE);
	start(ovf_counter, SBI_PMU_START_FLAG_SET_INIT_VALUE, -100000UL);
	end = read_time() + LOST_TICKS;
	while (!overflows && read_time() < end)
		spin(1000);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_LCOFIE);
}

/* A counter near its end overflows: LCOFI, and scountovf says which. */
static void check_overflow(void)
{
	struct sbiret r;

	if (!sscofpmf)
		return;
	r = cfg(hw_mask, 0, HW_CYCLES);
	if (!check(!r.error && r.value > 2,
		   "config_matching: cycles on a programmable counter (%ld)",
		   r.value))
		return;
	sample(r.value);
	CHECK_EQ(overflows, 1, "the overflow interrupts the guest (LCOFI)");
	check(overflowed >> ovf_counter & 1,
	      "scountovf has the counter's bit (0x%lx)", overflowed);
	stop(ovf_counter, SBI_PMU_STOP_FLAG_RESET);
}

/* Asleep until the time CSR reads @when, woken by the guest's timer. */
static void sleep_until(unsigned long when)
{
	csr_set(sie, SIE_STIE);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, when);
	while (read_time() < when)
		__asm__ volatile("wfi");
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_clear(sie, SIE_STIE);
}

/*
 * A count, then a sampling event on the same counter, as perf stat and
 * then perf record on one hart: the sampling counter's first overflow
 * interrupts the guest as it did above. Linux starts a count 2^63 - 1
 * from overflow; on QEMU 10.0 that leaves the counter's next overflow
 * timer as late as the machine's uptime then (arch/riscv/pmu.c), so the
 * count starts once the machine is up for longer than the wait.
 */
static void check_overflow_after_count(void)
{
	struct sbiret r;
	unsigned long counted;

	if (!sscofpmf)
		return;
	sleep_until(LOST_TICKS + SECONDS(1));
	r = cfg(hw_mask, 0, HW_CYCLES);
	if (!check(!r.error && r.value > 2,
		   "config_matching: a count of cycles (%ld)", r.value))
		return;
	counted = (unsigned long)r.value;
	start(counted, SBI_PMU_START_FLAG_SET_INIT_VALUE, (1UL << 63) + 1);
	spin(SPIN);
	stop(counted, SBI_PMU_STOP_FLAG_RESET);
	r = cfg(hw_mask, 0, HW_CYCLES);
	if (!check(!r.error && r.value > 2,
		   "config_matching: cycles to sample (%ld)", r.value))
		return;
	sample(r.value);
	check(overflows == 1,
	      "after a count on counter %lu, sampling on counter %lu overflows (%lu)",
	      counted, ovf_counter, overflows);
	stop(ovf_counter, SBI_PMU_STOP_FLAG_RESET);
}

struct event_info {
	uint32_t event_idx;
	uint32_t output;
	uint64_t event_data;
};

static void check_event_info(void)
{
	static struct event_info e[5] __attribute__((aligned(16)));
	static const uint32_t events[5] = { HW_CYCLES, HW_INSTRUCTIONS,
					    FW_EVENT(SBI_PMU_FW_SET_TIMER),
					    FW_EVENT(SBI_PMU_FW_MAX),
					    EVENT(5, 1) };
	static const uint32_t want[5] = { 1, 1, 1, 0, 0 };
	unsigned long base = (unsigned long)e;

	for (int i = 0; i < 5; i++)
		e[i] = (struct event_info){ events[i], 0xff, 0 };
	CHECK_EQ(pmu(SBI_EXT_PMU_EVENT_GET_INFO, base, 0, 5, 0, 0).error, 0,
		 "event_get_info of 5 events");
	for (int i = 0; i < 5; i++)
		check(e[i].output == want[i], "event 0x%x: output %u, want %u",
		      events[i], e[i].output, want[i]);
	e[1].event_idx |= 1U << 20;
	CHECK_EQ(pmu(SBI_EXT_PMU_EVENT_GET_INFO, base, 0, 5, 0, 0).error,
		 SBI_ERR_INVALID_PARAM, "event_get_info: a reserved bit");
	CHECK_EQ(pmu(SBI_EXT_PMU_EVENT_GET_INFO, base + 8, 0, 1, 0, 0).error,
		 SBI_ERR_INVALID_PARAM, "event_get_info: not 16-byte aligned");
	CHECK_EQ(pmu(SBI_EXT_PMU_EVENT_GET_INFO, base, 1, 1, 0, 0).error,
		 SBI_ERR_INVALID_ADDRESS, "event_get_info: high address word");
	CHECK_EQ(pmu(SBI_EXT_PMU_EVENT_GET_INFO, base, 0, 1, 1, 0).error,
		 SBI_ERR_INVALID_PARAM, "event_get_info: flags");
}

/*
 * The secondary's two lives: in the first it leaves a hardware and a
 * firmware counter configured and running and stops; in the second it
 * finds both released and the hardware one not counting.
 */
static volatile unsigned long life, left_hw, left_fw, second_done;

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	struct sbiret r;
	unsigned long d;

	(void)hartid, (void)opaque;
	if (life++ == 0) {
		r = cfg(hw_mask & ~5UL, SBI_PMU_CFG_FLAG_AUTO_START,
			EVENT(SBI_PMU_EVENT_TYPE_HW_CACHE, 0x19));
		if (r.error) /* no DTLB event: cycles, wherever it goes */
			r = cfg(hw_mask, SBI_PMU_CFG_FLAG_AUTO_START,
				HW_CYCLES);
		left_hw = r.error ? -1UL : (unsigned long)r.value;
		left_fw = (unsigned long)fw_counter(SBI_PMU_FW_SET_TIMER);
		return; /* HSM stop with both running */
	}
	check(left_hw != -1UL,
	      "secondary: a hardware counter was running (%ld)", left_hw);
	if (left_hw > 2 && left_hw != -1UL) {
		r = pmu(SBI_EXT_PMU_COUNTER_CFG_MATCH, left_hw, 1,
			SBI_PMU_CFG_FLAG_SKIP_MATCH, HW_CYCLES, 0);
		CHECK_EQ(
			r.error, SBI_ERR_INVALID_PARAM,
			"after HSM stop and start: its hardware counter is released");
		d = count_spin(left_hw);
		CHECK_EQ(d, 0, "after HSM stop and start: it does not count");
	}
	CHECK_EQ(fw_read(left_fw).error, SBI_ERR_INVALID_PARAM,
		 "after HSM stop and start: its firmware counter is released");
	d = count_spin(0);
	check(d > 0, "after HSM start: cycle runs, as on a hart started (%lu)",
	      d);
	second_done = 1;
}

static void check_stop_start(void)
{
	unsigned long entry = (unsigned long)secondary_entry;

	if (count_harts() < 2) {
		gprintf("pmu: one hart: no stop and start check");
		return;
	}
	for (int n = 0; n < 2; n++) {
		CHECK_EQ(SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1, entry, 0)
				 .error,
			 0, "start hart 1");
		check(wait_state(1, SBI_HSM_STATE_STOPPED, LOST_TICKS),
		      "hart 1 stops (life %d)", n + 1);
	}
	CHECK_EQ(second_done, 1, "hart 1 ran its second life");
}

/* A secondary's firmware counter counts the fences it receives. */
static volatile unsigned long rx_counter, rx_ready, rx_count, rx_go;

void guest_resumed_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid, (void)opaque;
	rx_counter = (unsigned long)fw_counter(SBI_PMU_FW_FENCE_I_RECEIVED);
	__atomic_store_n(&rx_ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&rx_go, __ATOMIC_ACQUIRE))
		;
	rx_count = fw_count((long)rx_counter);
	stop(rx_counter, SBI_PMU_STOP_FLAG_RESET);
}

static void check_remote_received(void)
{
	if (count_harts() < 2)
		return;
	SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1,
	     (unsigned long)resume_entry, 0);
	if (!check(wait_eq(&rx_ready, 1, LOST_TICKS), "hart 1 counts fences"))
		return;
	for (int i = 0; i < 4; i++)
		SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, 2, 0);
	__atomic_store_n(&rx_go, 1, __ATOMIC_RELEASE);
	wait_state(1, SBI_HSM_STATE_STOPPED, LOST_TICKS);
	CHECK_EQ(rx_count, 4, "FENCE_I_RECEIVED counts 4 fences on hart 1");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	struct sbiret r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_ID);
	unsigned long v;

	(void)hartid, (void)dtb;
	if (!SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_PMU).value) {
		check(false, "no SBI PMU");
		return;
	}
	expect_trap();
	__asm__ volatile("csrr %0, 0xda0" : "=r"(v)::"memory");
	sscofpmf = trapped_cause() < 0;
	gprintf("pmu: scountovf %s (cause %ld)", sscofpmf ? "reads" : "traps",
		trapped_cause());
	read_counters();
	if (r.value != HARTVISOR_IMPL_ID) {
		gprintf("pmu: not under hartvisor: the counters only");
		shutdown();
	}
	if (!check(nr_counters && hw_mask && fw_mask,
		   "hardware and firmware counters"))
		return;
	check_errors();
	check_firmware();
	check_hardware();
	check_overflow();
	check_overflow_after_count();
	check_event_info();
	check_stop_start();
	check_remote_received();
}
