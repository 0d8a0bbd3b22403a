// SPDX-License-Identifier: BSD-2-Clause
/*
 * IMSIC IPIs sent the way Linux 6.12 sends them, to catch one that goes
 * missing (issue 22; runs natively and under hartvisor, IRQCHIP=aia).
 *
 * Every hart keeps asking every other to run a function and waits for all
 * the answers, as Linux's on_each_cpu_cond_mask does for a TLB flush. A
 * request sets the sender's bit in the target's pending word, and the MSI
 * (ID 1, a store into the target's file) goes out only if the word was
 * empty: Linux's ipi-mux bit and call_single_queue both send only then.
 * The target claims ID 1 through stopei, then takes the whole word and
 * answers every sender in it. At most one MSI per target is in flight, so
 * sent[t] is claimed[t] or one more; if one is lost, no later request
 * sends another, and the target stalls as Linux's CPUs did.
 *
 * Each hart checks itself on a 100 ms timer tick: its word not empty and
 * no claim for STALL_TICKS while its timer keeps coming means the external
 * interrupt did not. It then reads its own file (eip0 and eie0 bit 1,
 * eidelivery) and sip.SEIP, prints which side lost the interrupt, and sends
 * itself an MSI so the run goes on. "ipistorm=SECONDS" in bootargs (30).
 */
#include <libfdt.h>

#include "guest.h"

#define IPI_ID 1
#define TICK (SECONDS(1) / 10)
#define STALL_TICKS SECONDS(2)
#define SIP_SEIP (1UL << 9)
/* siselect values of the interrupt file (AIA). */
#define EIDELIVERY 0x70
#define EIP0 0x80
#define EIE0 0xc0

static unsigned long imsic_base, imsic_stride, deadline;
static unsigned int n, boot_hart;
static volatile unsigned long pending[MAX_HARTS];
static volatile unsigned long req[MAX_HARTS][MAX_HARTS]; /* [target][sender] */
static volatile unsigned long ack[MAX_HARTS][MAX_HARTS];
static volatile unsigned long sent[MAX_HARTS], claimed[MAX_HARTS];
static volatile unsigned long requests[MAX_HARTS], lost[MAX_HARTS];
static volatile unsigned long max_wait[MAX_HARTS], slow[MAX_HARTS];
static volatile unsigned long stalls[MAX_HARTS], ready, done;
/* The self-check's view: claims at its last tick, and since when none. */
static unsigned long seen_claims[MAX_HARTS], quiet_since[MAX_HARTS];

static void send_msi(unsigned int hart)
{
	__atomic_fetch_add(&sent[hart], 1, __ATOMIC_RELAXED);
	*(volatile uint32_t *)(imsic_base + hart * imsic_stride) = IPI_ID;
}

static unsigned long file_read(unsigned long sel)
{
	csr_write(0x150, sel);
	return csr_read(0x151);
}

static void ext_irq(unsigned long self)
{
	unsigned long top, senders;

	for (;;) {
		__asm__ volatile("csrrw %0, 0x15c, zero" : "=r"(top)::"memory");
		if (!top)
			break;
		if (top >> 16 != IPI_ID)
			continue;
		__atomic_fetch_add(&claimed[self], 1, __ATOMIC_RELAXED);
		/* After the claim: a bit set before a merged MSI is seen. */
		senders = __atomic_exchange_n(&pending[self], 0,
					      __ATOMIC_ACQ_REL);
		for (unsigned int s = 0; s < n; s++)
			if (senders & (1UL << s))
				__atomic_store_n(&ack[self][s], req[self][s],
						 __ATOMIC_RELEASE);
	}
}

/* Which side lost it: our file and line, seen from the stalled hart. */
static void report_stall(unsigned long self, unsigned long now, unsigned long c)
{
	unsigned long eip = file_read(EIP0) >> IPI_ID & 1;
	unsigned long eie = file_read(EIE0) >> IPI_ID & 1;
	unsigned long del = file_read(EIDELIVERY);
	unsigned long seip = !!(csr_read(sip) & SIP_SEIP);
	const char *why = "nothing in flight";

	if (eip && eie && del)
		why = seip ? "SEIP up, not taken" :
			     "pending in the file, SEIP low";
	else if (sent[self] != c)
		why = "the MSI never reached the file";
	gprintf("STALL: hart %lu: senders 0x%lx waiting %lu ms; sent %lu, claimed %lu; file: eip %lu eie %lu eidelivery %lu; sip.SEIP %lu: %s",
		self, pending[self],
		(now - quiet_since[self]) / (SECONDS(1) / 1000), sent[self], c,
		eip, eie, del, seip, why);
}

static void tick(unsigned long self)
{
	unsigned long now = read_time(), c = claimed[self];

	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, now + TICK);
	if (c != seen_claims[self] ||
	    !__atomic_load_n(&pending[self], __ATOMIC_ACQUIRE)) {
		seen_claims[self] = c;
		quiet_since[self] = now;
		return;
	}
	if (now - quiet_since[self] < STALL_TICKS)
		return;
	stalls[self]++;
	report_stall(self, now, c);
	quiet_since[self] = now;
	send_msi(self);
}

static void enable(unsigned long self)
{
	on_ext_irq = ext_irq;
	on_timer_irq = tick;
	quiet_since[self] = read_time();
	csr_write(0x150, EIDELIVERY);
	csr_write(0x151, 1);
	csr_write(0x150, EIE0);
	csr_set(0x151, 1UL << IPI_ID);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() + TICK);
	csr_set(sie, SIE_SEIE | SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
}

/*
 * Once every hart's file is on (an MSI before that is no IPI: a vCPU's
 * file is cleared as it starts), ask every other hart, then wait for
 * every answer, until the deadline.
 */
static void storm(unsigned long self)
{
	__atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < n)
		;
	for (unsigned long r = 1; read_time() < deadline; r++) {
		unsigned long start = read_time(), waited;

		for (unsigned int t = 0; t < n; t++) {
			if (t == self)
				continue;
			__atomic_store_n(&req[t][self], r, __ATOMIC_RELEASE);
			if (!__atomic_fetch_or(&pending[t], 1UL << self,
					       __ATOMIC_ACQ_REL))
				send_msi(t);
		}
		for (unsigned int t = 0; t < n; t++)
			if (t != self &&
			    !wait_eq(&ack[t][self], r, SECONDS(60)))
				lost[self]++;
		waited = read_time() - start;
		requests[self] += n - 1;
		if (waited > max_wait[self])
			max_wait[self] = waited;
		slow[self] += waited > SECONDS(1);
	}
	__atomic_fetch_add(&done, 1, __ATOMIC_ACQ_REL);
	/* Answer the others until the last one is done. */
	while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) < n)
		;
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	enable(hartid);
	storm(hartid);
	csr_clear(sstatus, SSTATUS_SIE);
}

/* The IMSIC's S-level pages (QEMU virt: a page per hart, more per guest). */
static bool find_imsic(const void *fdt, unsigned long *seconds)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "riscv,imsics");
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const fdt32_t *reg, *bits;
	const char *args;

	if (chosen >= 0 &&
	    (args = fdt_getprop(fdt, chosen, "bootargs", NULL))) {
		const char *p = strstr(args, "ipistorm=");

		if (p)
			*seconds = strtoul(p + 9, NULL, 10);
	}
	if (node < 0 || !(reg = fdt_getprop(fdt, node, "reg", &len)) ||
	    len < 16)
		return false;
	imsic_base = (unsigned long)fdt32_to_cpu(reg[0]) << 32 |
		     fdt32_to_cpu(reg[1]);
	bits = fdt_getprop(fdt, node, "riscv,guest-index-bits", NULL);
	imsic_stride = 0x1000UL << (bits ? fdt32_to_cpu(*bits) : 0);
	return true;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long seconds = 30, total = 0, worst = 0, nslow = 0, nlost = 0;
	unsigned long nstalls = 0;
	bool started = true;

	if (!check(find_imsic((const void *)dtb, &seconds),
		   "an IMSIC in the device tree"))
		return;
	n = count_harts();
	boot_hart = hartid;
	gprintf("ipistorm: %u harts, %lu s, IMSIC pages at 0x%lx, stride 0x%lx",
		n, seconds, imsic_base, imsic_stride);
	deadline = read_time() + SECONDS(seconds);
	for (unsigned int i = 0; i < n; i++)
		if (i != hartid)
			started &= !SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, i,
					 (unsigned long)secondary_entry, 0)
					    .error;
	check(started, "every other hart started");
	enable(hartid);
	storm(hartid);
	csr_clear(sstatus, SSTATUS_SIE);
	for (unsigned int s = 0; s < n; s++) {
		total += requests[s];
		nlost += lost[s];
		nslow += slow[s];
		nstalls += stalls[s];
		if (max_wait[s] > worst)
			worst = max_wait[s];
	}
	gprintf("ipistorm: %lu requests answered, %lu waits over 1 s, longest %lu ms",
		total, nslow, worst / (SECONDS(1) / 1000));
	check(nstalls == 0, "no hart stalled with its IPI lost (%lu stalls)",
	      nstalls);
	check(nlost == 0, "every request answered (%lu never were)", nlost);
}
