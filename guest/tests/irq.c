// SPDX-License-Identifier: BSD-2-Clause
/*
 * The virtual PLIC with a real device behind it: the UART's "transmitter
 * empty" interrupt (IER.THRI with an empty THR raises it at once) is
 * routed to each vCPU in turn and must arrive there and nowhere else,
 * 100 times each, none lost; a threshold masks it; the register model
 * answers as a PLIC does; bad offsets and widths neither fault nor change
 * anything; an address outside every device faults. Then the latency from
 * the device write to the guest's handler (instret: instructions under
 * -icount), and the exits each interrupt costs (hartvisor's SBI counters).
 * QEMU virt's addresses: PLIC 0xc000000, UART 0x10000000 on source 10.
 */
#include "guest.h"

#define PLIC 0xc000000UL
#define UART 0x10000000UL
#define UART_IRQ 10
#define UART_IER 1
#define UART_IIR 2
#define IER_THRI 0x02
#define ROUNDS 100
#define LATENCY_SAMPLES 101

static unsigned int n;
static volatile unsigned long got[MAX_HARTS], wrong[MAX_HARTS];
static volatile unsigned long spurious[MAX_HARTS];
static volatile unsigned long stop;
static volatile unsigned long irq_instret;

static volatile uint32_t *plic_reg(unsigned long off)
{
	return (volatile uint32_t *)(PLIC + off);
}

static volatile uint32_t *priority(unsigned int src)
{
	return plic_reg(4 * src);
}

static volatile uint32_t *enable(unsigned int ctx, unsigned int src)
{
	return plic_reg(0x2000 + 0x80 * ctx + 4 * (src / 32));
}

static volatile uint32_t *threshold(unsigned int ctx)
{
	return plic_reg(0x200000 + 0x1000 * ctx);
}

static volatile uint32_t *claim(unsigned int ctx)
{
	return plic_reg(0x200004 + 0x1000 * ctx);
}

/* The S context of vCPU @hart, as the guest DTB numbers it. */
static unsigned int s_ctx(unsigned long hart)
{
	return 2 * hart + 1;
}

static void uart_write(unsigned int reg, uint8_t val)
{
	*(volatile uint8_t *)(UART + reg) = val;
}

static uint8_t uart_read(unsigned int reg)
{
	return *(volatile uint8_t *)(UART + reg);
}

static inline unsigned long instret(void)
{
	unsigned long v;

	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}

static unsigned long exits(unsigned long kind)
{
	return SBI1(SBI_EXT_HARTVISOR, SBI_EXT_HARTVISOR_EXITS, kind).value;
}

static void ext_irq(unsigned long self)
{
	unsigned long t = instret();
	uint32_t src = *claim(s_ctx(self));

	if (!irq_instret)
		irq_instret = t;
	if (src == UART_IRQ) {
		/*
		 * Reading IIR acknowledges THRE; then THRI goes off. QEMU's
		 * PLIC latches every rise of the line, so a source the
		 * device raised again while in service comes once more
		 * with nothing to do: counted apart, as the 8250 driver
		 * treats it.
		 */
		bool thre = (uart_read(UART_IIR) & 0x0f) == 0x02;

		uart_write(UART_IER, 0);
		if (thre)
			__atomic_fetch_add(&got[self], 1, __ATOMIC_RELEASE);
		else
			spurious[self]++;
	} else if (src) {
		wrong[self]++;
	}
	if (src)
		*claim(s_ctx(self)) = src;
}

static void enable_ext(void)
{
	*threshold(s_ctx(this_hartid())) = 0;
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	enable_ext();
	while (!stop)
		__asm__ volatile("wfi");
	csr_clear(sstatus, SSTATUS_SIE);
}

/* Route the UART to vCPU @target alone. */
static void route_to(unsigned int target)
{
	for (unsigned int h = 0; h < n; h++)
		*enable(s_ctx(h), UART_IRQ) = h == target ? 1U << UART_IRQ : 0;
}

static unsigned long total_got(void)
{
	unsigned long sum = 0;

	for (unsigned int h = 0; h < n; h++)
		sum += got[h];
	return sum;
}

static void check_routing(void)
{
	for (unsigned int target = 0; target < n; target++) {
		unsigned long before[MAX_HARTS], lost = 0, elsewhere = 0;

		for (unsigned int h = 0; h < n; h++)
			before[h] = got[h];
		route_to(target);
		for (unsigned int r = 1; r <= ROUNDS; r++) {
			uart_write(UART_IER, IER_THRI);
			if (!wait_eq(&got[target], before[target] + r,
				     LOST_TICKS)) {
				lost++;
				break;
			}
		}
		for (unsigned int h = 0; h < n; h++)
			if (h != target)
				elsewhere += got[h] - before[h];
		check(!lost && !elsewhere,
		      "%u UART interrupts routed to vCPU %u arrived there (lost %lu, elsewhere %lu)",
		      ROUNDS, target, lost, elsewhere);
	}
}

static void check_threshold(void)
{
	unsigned long before = got[0];

	route_to(0);
	*threshold(s_ctx(0)) = 1; /* priority 1 is not above 1 */
	uart_write(UART_IER, IER_THRI);
	for (unsigned long end = read_time() + 200000; read_time() < end;)
		;
	check(got[0] == before, "threshold 1 masks a priority-1 interrupt");
	check(*plic_reg(0x1000) & (1U << UART_IRQ),
	      "the masked interrupt shows in the pending bits");
	*threshold(s_ctx(0)) = 0;
	wait_eq(&got[0], before + 1, LOST_TICKS);
	CHECK_EQ(got[0] - before, 1,
		 "threshold 0: the pending interrupt arrives, once");
}

static void check_registers(void)
{
	*priority(UART_IRQ) = 0xff;
	CHECK_EQ(*priority(UART_IRQ), 7, "priority keeps 3 bits");
	*priority(UART_IRQ) = 1;
	*enable(s_ctx(0), 0) = ~0U;
	CHECK_EQ(*enable(s_ctx(0), 0), ~1U, "enable: no source 0");
	*enable(s_ctx(0), 0) = 0;
	*plic_reg(0x1000) = ~0U;
	CHECK_EQ(*plic_reg(0x1000), 0, "pending bits are read-only");
	CHECK_EQ(*claim(s_ctx(0)), 0, "claim with nothing pending: 0");
	/* Bad widths, source 0, a context we do not have, reserved words. */
	*(volatile uint8_t *)(PLIC + 4 * UART_IRQ) = 5;
	*(volatile uint64_t *)(PLIC + 8) = ~0UL;
	CHECK_EQ(*priority(UART_IRQ), 1, "byte and doubleword stores ignored");
	CHECK_EQ(*(volatile uint8_t *)(PLIC + 4 * UART_IRQ), 0,
		 "byte loads read 0");
	*priority(0) = 3;
	CHECK_EQ(*priority(0), 0, "source 0 has no priority");
	*threshold(2 * n) = 3;
	CHECK_EQ(*threshold(2 * n), 0, "a context past the vCPUs reads 0");
	CHECK_EQ(*plic_reg(0x200008 + 0x1000), 0, "a reserved word reads 0");
	/* Outside every device: the access faults, as on hardware. */
	expect_trap();
	(void)*(volatile uint32_t *)0x3000000UL;
	CHECK_EQ(trapped_cause(), 5, "a load from no device: access fault");
	expect_trap();
	*(volatile uint32_t *)0x3000000UL = 1;
	CHECK_EQ(trapped_cause(), 7, "a store to no device: access fault");
}

/* Instructions from the device write to the handler; exits per irq. */
static void measure(void)
{
	unsigned long samples[LATENCY_SAMPLES], e0[4], e1[4];
	unsigned long before = got[0];
	static const unsigned long kinds[4] = { HV_EXITS_ALL, HV_EXITS_EXTERNAL,
						HV_EXITS_MMIO, HV_EXITS_ECALL };

	route_to(0);
	for (unsigned int k = 0; k < 4; k++)
		e0[k] = exits(kinds[k]);
	for (unsigned int i = 0; i < LATENCY_SAMPLES; i++) {
		unsigned long t0;

		irq_instret = 0;
		t0 = instret();
		uart_write(UART_IER, IER_THRI);
		if (!wait_eq(&got[0], before + i + 1, LOST_TICKS))
			break;
		samples[i] = irq_instret - t0;
	}
	for (unsigned int k = 0; k < 4; k++)
		e1[k] = exits(kinds[k]);
	if (!check(got[0] == before + LATENCY_SAMPLES,
		   "%u interrupts for the latency samples", LATENCY_SAMPLES))
		return;
	/* Insertion sort for the median. */
	for (unsigned int i = 1; i < LATENCY_SAMPLES; i++)
		for (unsigned int j = i; j && samples[j - 1] > samples[j];
		     j--) {
			unsigned long t = samples[j];

			samples[j] = samples[j - 1];
			samples[j - 1] = t;
		}
	/* The counter reads themselves are ecalls (one per kind, twice). */
	gprintf("BENCH irq_latency: median %lu instructions (min %lu, max %lu, %u samples)",
		samples[LATENCY_SAMPLES / 2], samples[0],
		samples[LATENCY_SAMPLES - 1], LATENCY_SAMPLES);
	gprintf("BENCH irq_exits: %lu per 100 interrupts (external %lu, mmio %lu, other %lu; %u interrupts)",
		(e1[0] - e0[0] - 4) * 100 / LATENCY_SAMPLES, e1[1] - e0[1],
		e1[2] - e0[2],
		e1[0] - e0[0] - 4 - (e1[1] - e0[1]) - (e1[2] - e0[2]),
		LATENCY_SAMPLES);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	bool started = true;

	(void)dtb;
	n = count_harts();
	gprintf("irq: hart %lu of %u harts", hartid, n);
	check(SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_HARTVISOR)
			      .value == 1,
	      "the hartvisor SBI extension is there");
	on_ext_irq = ext_irq;
	uart_write(UART_IER, 0);
	*priority(UART_IRQ) = 1;
	enable_ext();
	check_registers();
	for (unsigned int i = 1; i < n; i++)
		started &= !SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, i,
				 (unsigned long)secondary_entry, 0)
				    .error;
	check(started, "every secondary started");
	for (unsigned int i = 1; i < n; i++)
		wait_state(i, SBI_HSM_STATE_STARTED, LOST_TICKS);
	check_routing();
	check_threshold();
	if (n == 1)
		measure();
	stop = 1;
	route_to(n); /* nobody */
	uart_write(UART_IER, 0);
	check(!wrong[0], "no other source fired (%lu)", wrong[0]);
	gprintf("irq: %lu UART interrupts in all, %lu with nothing to do",
		total_got(), spurious[0]);
	csr_clear(sstatus, SSTATUS_SIE);
}
