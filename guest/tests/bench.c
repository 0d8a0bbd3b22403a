// SPDX-License-Identifier: BSD-2-Clause
/*
 * Micro-benchmarks:
 * - a null SBI call (BASE get_spec_version), ecall to return, counted with
 *   instret: under QEMU's -icount shift=0 (at SMP 1) that is exactly the
 *   number of instructions executed, and it repeats from run to run;
 * - an IPI round trip, vCPU 0 -> vCPU 1 -> vCPU 0, and hart_start to the
 *   started hart's first instruction, timed with the time CSR (needs 3
 *   harts; run with multi-threaded TCG, many samples, medians).
 * Each prints "BENCH name: median N unit (min M, max X, K samples)".
 */
#include "guest.h"

#define SAMPLES 101

static volatile unsigned long pong, started_at;

/* Sleep until *@p reaches @want; interrupts are taken between wfis. */
static void sleep_until(volatile unsigned long *p, unsigned long want)
{
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < want) {
		__asm__ volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
		csr_clear(sstatus, SSTATUS_SIE);
	}
}

static inline unsigned long instret(void)
{
	unsigned long v;

	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}

static void report(const char *name, const char *unit, unsigned long *v, int n)
{
	sort_ulong(v, n);
	gprintf("BENCH %s: median %lu %s (min %lu, max %lu, %d samples)", name,
		v[n / 2], unit, v[0], v[n - 1], n);
}

/* Time CSR ticks (10 MHz) to nanoseconds. */
#define TICK_NS 100

/* Cost of reading instret twice, subtracted from every sample. */
static unsigned long overhead(void)
{
	unsigned long v[SAMPLES];

	for (int i = 0; i < SAMPLES; i++) {
		unsigned long t0 = instret();

		v[i] = instret() - t0;
	}
	sort_ulong(v, SAMPLES);
	return v[SAMPLES / 2];
}

static void bench_null_call(unsigned long base)
{
	unsigned long v[SAMPLES];

	for (int i = 0; i < SAMPLES; i++) {
		register unsigned long a0 __asm__("a0");
		register unsigned long a6 __asm__("a6") = 0;
		register unsigned long a7 __asm__("a7") = SBI_EXT_BASE;
		unsigned long t0 = instret();

		__asm__ volatile("ecall"
				 : "=r"(a0), "+r"(a6), "+r"(a7)
				 :
				 : "a1", "memory");
		v[i] = instret() - t0 - base;
	}
	report("null_sbi_call", "instructions", v, SAMPLES);
}

/* vCPU 1 answers every IPI with one back; vCPU 0 counts the pongs. */
static void soft_irq(unsigned long self)
{
	if (self == 1)
		SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, 0);
	else
		__atomic_fetch_add(&pong, 1, __ATOMIC_RELEASE);
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	if (opaque == 1) {
		/* Started for the hart_start benchmark: report and stop. */
		started_at = read_time();
		SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, 0);
		return;
	}
	(void)hartid;
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (;;)
		__asm__ volatile("wfi");
}

static void bench_ipi(void)
{
	unsigned long v[SAMPLES];

	csr_set(sie, SIE_SSIE);
	for (int i = 0; i < SAMPLES; i++) {
		unsigned long want = pong + 1, t0 = read_time();

		SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << 1, 0);
		sleep_until(&pong, want);
		v[i] = (read_time() - t0) * TICK_NS;
	}
	report("ipi_round_trip", "ns", v, SAMPLES);
}

static void bench_hart_start(void)
{
	unsigned long v[SAMPLES];

	for (int i = 0; i < SAMPLES; i++) {
		unsigned long t0, want = pong + 1;

		started_at = 0;
		wait_state(2, SBI_HSM_STATE_STOPPED, LOST_TICKS);
		t0 = read_time();
		SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 2,
		     (unsigned long)secondary_entry, 1);
		sleep_until(&pong, want);
		v[i] = (started_at - t0) * TICK_NS;
	}
	report("hart_start_to_first_instruction", "ns", v, SAMPLES);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned int n = count_harts();
	unsigned long base = overhead();

	(void)hartid;
	(void)dtb;
	on_soft_irq = soft_irq;
	gprintf("bench: %u harts, instret read overhead %lu", n, base);
	bench_null_call(base);
	if (n >= 3) {
		SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1,
		     (unsigned long)secondary_entry, 0);
		wait_state(1, SBI_HSM_STATE_STARTED, LOST_TICKS);
		bench_ipi();
		bench_hart_start();
	} else {
		gprintf("bench: IPI and hart_start need 3 harts");
	}
}
