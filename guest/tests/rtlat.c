// SPDX-License-Identifier: BSD-2-Clause
/*
 * A small real-time guest: a periodic timer (its own stimecmp where it has
 * Sstc, else SBI set_timer), a handler that notes how late it runs, and
 * wfi in between. Prints the latency from each deadline to its handler's
 * first read of the time CSR, min / median / p99 / max, in microseconds
 * (the 10 MHz time CSR: 0.1 us steps), one line per round of samples.
 * Bootargs: "samples=N" (2000), "period=US" (1000), "rounds=N" (1).
 */
#include <libfdt.h>

#include "guest.h"
#include "printf.h"

#define MAX_SAMPLES 20000

static unsigned long lat[MAX_SAMPLES];
static volatile unsigned long taken;
static unsigned long samples, period, deadline;

static void tick(unsigned long hartid)
{
	unsigned long now = read_time();

	(void)hartid;
	if (taken < samples)
		lat[taken] = now - deadline;
	taken++;
	/* The next deadline a period on, or from now if this one ran over. */
	deadline += period;
	if (deadline <= now)
		deadline = now + period;
	timer_arm(taken < samples ? deadline : -1UL);
}

/* Ticks of 0.1 us as "X.Y". */
static void us(char *buf, size_t size, unsigned long ticks)
{
	snprintf(buf, size, "%lu.%lu", ticks / 10, ticks % 10);
}

static void run_once(unsigned long round)
{
	char mn[24], md[24], p99[24], mx[24];

	taken = 0;
	deadline = read_time() + period;
	timer_arm(deadline);
	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	while (taken < samples)
		__asm__ volatile("wfi");
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_STIE);
	sort_ulong(lat, (int)samples);
	us(mn, sizeof(mn), lat[0]);
	us(md, sizeof(md), lat[samples / 2]);
	us(p99, sizeof(p99), lat[samples * 99 / 100]);
	us(mx, sizeof(mx), lat[samples - 1]);
	gprintf("rtlat: round %lu, %lu samples every %lu us, %s: min %s median %s p99 %s max %s us",
		round, samples, period / 10,
		timer_has_sstc() ? "stimecmp" : "SBI set_timer", mn, md, p99,
		mx);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	const void *fdt = (const void *)dtb;
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args =
		chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;

	(void)hartid;
	samples = boot_arg(args, "samples=", 2000);
	period = boot_arg(args, "period=", 1000) * 10;
	if (!samples || samples > MAX_SAMPLES || period < 10) {
		check(false, "samples=%lu (1-%d) and period=%lu us (>= 1)",
		      samples, MAX_SAMPLES, period / 10);
		return;
	}
	on_timer_irq = tick;
	for (unsigned long round = 1; round <= boot_arg(args, "rounds=", 1);
	     round++)
		run_once(round);
	check(lat[0] <= lat[samples - 1], "every deadline was met or passed");
}
