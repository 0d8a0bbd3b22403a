// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hart side of SBI PMU for the vCPU pinned to it. Only M-mode can
 * configure, start and stop the counters, so the firmware's SBI PMU does
 * it; hartvisor counts nothing of its own on them: every hardware counter
 * is the guest's, and hv/vsbi_pmu.c has checked each request (counters,
 * flags, mode filter) before it comes down here. What this file adds:
 *
 * - the guest reads its hardware counters' CSRs itself (hcounteren);
 * - the Sscofpmf overflow interrupt (LCOFI, 13) reaches the guest: where
 *   hideleg bit 13 sticks, it is delegated and costs no exit (a local
 *   interrupt: VS sees it at bit 13 of its sip and sie). QEMU 10 keeps
 *   that bit 0; there the AIA's hvien bit 13 makes hvip bit 13 the
 *   guest's LCOFI, and hartvisor takes each overflow (an exit) and raises
 *   it there; the guest clears it in its sip, which clears hvip's;
 * - the firmware's own counts of the traps it takes for the guest
 *   (misaligned accesses it emulates, access faults, illegal
 *   instructions), from firmware counters of the firmware's that this
 *   file starts once per hart and never stops; the guest's firmware
 *   counters of those events read them;
 * - a way around QEMU 10.0's late first overflow after a count (below,
 *   arch_pmu_start).
 *
 * Everything runs on the vCPU's own hart.
 */
#include <string.h>

#include "arch.h"
#include "arch/csr.h"
#include "arch/pmu.h"
#include "arch/sbi_call.h"
#include "hart.h"
#include "sbi.h"

/* Firmware events 0 to 4 are traps the firmware takes (see above). */
#define TRAP_EVENTS (SBI_PMU_FW_ILLEGAL_INSN + 1)
#define NO_COUNTER 0xffU
/* Counters 0 and 2: cycle and instret, which run from a hart's start. */
#define FIXED_COUNTERS 0x5UL

/*
 * A start value at least this far from overflow is a count's (Linux
 * starts a counting event 2^63 - 1 from it), not a sampling period's.
 */
#define FAR_FROM_OVERFLOW (1ULL << 62)

/*
 * Per hart slot: the firmware's counter of each trap event; LCOFI's way;
 * the hardware counters last started far from overflow.
 */
static struct {
	uint8_t trap_counter[TRAP_EVENTS];
	bool lcofi; /* delegated (hideleg) or raised in hvip (hvien) */
	uint64_t started_far;
} harts_pmu[HV_MAX_HARTS];

static struct sbiret pmu_call(unsigned long fid, unsigned long a0,
			      unsigned long a1, unsigned long a2,
			      unsigned long a3, unsigned long a4)
{
	return sbi_ecall(SBI_EXT_PMU, fid, a0, a1, a2, a3, a4, 0);
}

void arch_pmu_probe(struct arch_pmu *pmu)
{
	struct sbiret r;

	memset(pmu, 0, sizeof(*pmu));
	if (sbi_probe_extension(SBI_EXT_PMU) <= 0)
		return;
	r = pmu_call(SBI_EXT_PMU_NUM_COUNTERS, 0, 0, 0, 0, 0);
	if (r.error || r.value <= 0)
		return;
	/* Counter sets are 64-bit masks (a spec limit per call, too). */
	pmu->nr_counters = r.value > 64 ? 64 : (unsigned long)r.value;
	for (unsigned long idx = 0; idx < pmu->nr_counters; idx++) {
		r = pmu_call(SBI_EXT_PMU_COUNTER_GET_INFO, idx, 0, 0, 0, 0);
		if (r.error)
			continue; /* no counter there (index 1 is time) */
		if ((unsigned long)r.value & SBI_PMU_CTR_INFO_TYPE_FW) {
			pmu->fw_mask |= 1ULL << idx;
			pmu->fw_info = (unsigned long)r.value;
		} else {
			pmu->hw_mask |= 1ULL << idx;
		}
	}
	pmu->lcofi = harts_pmu[arch_this_hart()->slot].lcofi;
}

/* hvien exists with Ssaia (the AIA machine has it on every hart). */
static bool hvien_lcofi(void)
{
	csr_set(CSR_HVIEN, HVIEN_LCOFI);
	return csr_read(CSR_HVIEN) & HVIEN_LCOFI;
}

/* Start the firmware's own counter of each trap event on this hart. */
static void trap_counters_start(uint64_t fw_mask)
{
	uint8_t *idx = harts_pmu[arch_this_hart()->slot].trap_counter;

	for (unsigned int code = 0; code < TRAP_EVENTS; code++) {
		/* Base 0: OpenSBI 1.5 checks a free counter by mask bit. */
		struct sbiret r = pmu_call(SBI_EXT_PMU_COUNTER_CFG_MATCH, 0,
					   fw_mask,
					   SBI_PMU_CFG_FLAG_CLEAR_VALUE |
						   SBI_PMU_CFG_FLAG_AUTO_START,
					   (SBI_PMU_EVENT_TYPE_FW
					    << SBI_PMU_EVENT_IDX_TYPE_SHIFT) |
						   code,
					   0);

		idx[code] = r.error || r.value >= 64 ? NO_COUNTER :
						       (uint8_t)r.value;
		if (!r.error)
			fw_mask &= ~(1ULL << r.value);
	}
}

bool arch_pmu_lcofi_possible(bool aia)
{
	bool ok;

	if (sbi_probe_extension(SBI_EXT_PMU) <= 0)
		return false;
	/* As arch_pmu_hart_init() would do it, undone. */
	csr_set(CSR_HIDELEG, HIDELEG_LCOFI);
	ok = csr_read(CSR_HIDELEG) & HIDELEG_LCOFI;
	csr_clear(CSR_HIDELEG, HIDELEG_LCOFI);
	if (!ok && aia) {
		ok = hvien_lcofi();
		csr_clear(CSR_HVIEN, HVIEN_LCOFI);
	}
	return ok;
}

void arch_pmu_hart_init(bool aia, bool lcofi)
{
	unsigned int slot = arch_this_hart()->slot;
	struct arch_pmu pmu;

	memset(harts_pmu[slot].trap_counter, NO_COUNTER, TRAP_EVENTS);
	arch_pmu_probe(&pmu);
	if (!pmu.nr_counters)
		return;
	/* hpmcounter3-31 of the hart: the guest reads them with no exit. */
	csr_set(CSR_HCOUNTEREN, pmu.hw_mask & HCOUNTEREN_HPM_MASK);
	/*
	 * Overflows interrupt the guest: straight, where the bit sticks (the
	 * hart has Sscofpmf and the firmware gave LCOFI to S), else through
	 * hartvisor and hvip (see the top of the file).
	 */
	csr_clear(CSR_SIP, SIP_LCOFIP);
	if (!lcofi) {
		trap_counters_start(pmu.fw_mask);
		return;
	}
	csr_set(CSR_HIDELEG, HIDELEG_LCOFI);
	harts_pmu[slot].lcofi = csr_read(CSR_HIDELEG) & HIDELEG_LCOFI;
	if (!harts_pmu[slot].lcofi && aia && hvien_lcofi()) {
		harts_pmu[slot].lcofi = true;
		csr_set(CSR_SIE, SIE_LCOFIE);
	}
	trap_counters_start(pmu.fw_mask);
}

long arch_pmu_counter_info(unsigned long idx, unsigned long *info)
{
	struct sbiret r =
		pmu_call(SBI_EXT_PMU_COUNTER_GET_INFO, idx, 0, 0, 0, 0);

	*info = r.error ? 0 : (unsigned long)r.value;
	return r.error;
}

long arch_pmu_cfg_match(uint64_t counters, unsigned long flags,
			unsigned long event_idx, uint64_t data,
			unsigned long *idx)
{
	struct sbiret r = pmu_call(SBI_EXT_PMU_COUNTER_CFG_MATCH, 0, counters,
				   flags, event_idx, data);

	*idx = (unsigned long)r.value;
	return r.error;
}

static long pmu_start(uint64_t counters, unsigned long flags, uint64_t value)
{
	return pmu_call(SBI_EXT_PMU_COUNTER_START, 0, counters, flags, value, 0)
		.error;
}

/*
 * QEMU 10.0 (target/riscv/pmu.c) predicts a cycle or instret counter's
 * overflow with a timer in nanoseconds. A start so far from overflow that
 * the timer cannot reach it leaves the remainder on the counter
 * (irq_overflow_left): after Linux's start of a count, about the time
 * since QEMU started. Nothing clears it but a start at 0 or the counter's
 * next expiry, which waits that long again instead of raising the
 * overflow. So the first overflow of a sampling event on a counter that
 * last counted came as late as the machine's uptime (natively too): a
 * perf record after a perf stat on the same hart got no samples unless
 * its task was switched out. Before a start near overflow on a counter
 * last started far, start it at 0 and stop it: the remainder is gone.
 * A counter running already is left alone (our start fails, no stop).
 */
static void forget_far_start(uint64_t counters)
{
	for (; counters; counters &= counters - 1) {
		uint64_t one = counters & -counters;

		if (!pmu_start(one, SBI_PMU_START_FLAG_SET_INIT_VALUE, 0))
			arch_pmu_stop(one, 0);
	}
}

long arch_pmu_start(uint64_t counters, unsigned long flags, uint64_t value)
{
	uint64_t *far = &harts_pmu[arch_this_hart()->slot].started_far;
	uint64_t hpm = counters & ~FIXED_COUNTERS;

	if (flags & SBI_PMU_START_FLAG_SET_INIT_VALUE) {
		if (value && -value >= FAR_FROM_OVERFLOW) {
			*far |= hpm;
		} else if (*far & hpm) {
			if (value)
				forget_far_start(*far & hpm);
			*far &= ~hpm;
		}
	}
	return pmu_start(counters, flags, value);
}

long arch_pmu_stop(uint64_t counters, unsigned long flags)
{
	return pmu_call(SBI_EXT_PMU_COUNTER_STOP, 0, counters, flags, 0, 0)
		.error;
}

uint64_t arch_pmu_fw_trap_count(unsigned int code)
{
	struct sbiret r;
	uint8_t idx;

	if (code >= TRAP_EVENTS)
		return 0;
	idx = harts_pmu[arch_this_hart()->slot].trap_counter[code];
	if (idx == NO_COUNTER)
		return 0;
	r = pmu_call(SBI_EXT_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0);
	return r.error ? 0 : (uint64_t)r.value;
}

void arch_pmu_overflow(void)
{
	/* The counters' OF bits stay set until the guest starts them again. */
	csr_clear(CSR_SIP, SIP_LCOFIP);
	csr_set(CSR_HVIP, HVIP_LCOFI);
}

unsigned long arch_pmu_overflows(void)
{
	return csr_read(CSR_SCOUNTOVF) & csr_read(CSR_HCOUNTEREN);
}

void arch_pmu_reset(uint64_t counters, bool fixed_on)
{
	if (counters)
		arch_pmu_stop(counters, SBI_PMU_STOP_FLAG_RESET);
	/* An overflow of before is no interrupt of the next guest's. */
	csr_clear(CSR_SIP, SIP_LCOFIP);
	if (fixed_on && (counters & FIXED_COUNTERS))
		pmu_start(counters & FIXED_COUNTERS, 0, 0);
}
