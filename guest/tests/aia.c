// SPDX-License-Identifier: BSD-2-Clause
/*
 * AIA (IRQCHIP=aia): each vCPU's own IMSIC interrupt file and the vAPLIC.
 * - IPIs as stores into peers' IMSIC pages: every vCPU pings every other,
 *   10 000 in all, each answered before the next, none lost, and none of
 *   them an exit on either side;
 * - the UART's interrupt through the vAPLIC, routed to each vCPU in turn,
 *   arriving there and nowhere else, without an exit;
 * - a level source re-triggered on EOI (setipnum_le, as Linux does) comes
 *   again while the line is high, and stops once the device is quiet;
 * - genmsi reaches the vCPU it names;
 * - an MSI wakes a vCPU suspended through SBI HSM;
 * - what the guest may not do changes nothing: targets naming no vCPU or
 *   a guest index, sources the VM does not own, bad offsets and widths,
 *   pages past its IMSIC, the M-level IMSIC and APLIC.
 * QEMU virt's addresses: the guest IMSIC 0x28000000 (a page per vCPU),
 * APLIC 0xd000000, UART 0x10000000 on source 10.
 */
#include "guest.h"

#define IMSIC 0x28000000UL
#define APLIC 0xd000000UL
#define UART 0x10000000UL
#define UART_SRC 10
#define UART_IER 1
#define UART_IIR 2
#define IER_THRI 0x02
#define IPI_ID 1
#define UART_ID 2
#define GENMSI_ID 3
#define TOTAL_IPIS 10000
#define ROUNDS 50
#define RETRIGGERS 5

/*
 * The guest's view of its interrupt file (Ssaia): siselect 0x150, sireg
 * 0x151, stopei 0x15c (by number: csr_write() takes the literal).
 */
#define EIDELIVERY 0x70
#define EITHRESHOLD 0x72
#define EIE0 0xc0

enum uart_mode { UART_ACK, UART_RETRIGGER };

static unsigned int n;
static volatile unsigned long req[MAX_HARTS][MAX_HARTS];
static volatile unsigned long ack[MAX_HARTS][MAX_HARTS];
static volatile unsigned long uart_got[MAX_HARTS], genmsi_got[MAX_HARTS];
static volatile unsigned long retriggered; /* UART_RETRIGGER's count */
static volatile unsigned long wrong[MAX_HARTS], lost[MAX_HARTS];
static volatile unsigned long exits_during[MAX_HARTS];
static volatile unsigned long pinging, ready, stop, suspend_go, resumed;
static volatile enum uart_mode uart_mode;

static volatile uint32_t *aplic(unsigned long off)
{
	return (volatile uint32_t *)(APLIC + off);
}

static volatile uint32_t *sourcecfg(unsigned int src)
{
	return aplic(0x4 + 4 * (src - 1));
}

static volatile uint32_t *target(unsigned int src)
{
	return aplic(0x3004 + 4 * (src - 1));
}

static uint32_t tgt(unsigned long hart, unsigned long guest, unsigned long id)
{
	return (uint32_t)(hart << 18 | guest << 12 | id);
}

static void uart_write(unsigned int reg, uint8_t val)
{
	*(volatile uint8_t *)(UART + reg) = val;
}

static uint8_t uart_read(unsigned int reg)
{
	return *(volatile uint8_t *)(UART + reg);
}

static unsigned long exits(unsigned long kind)
{
	return SBI1(SBI_EXT_HARTVISOR, SBI_EXT_HARTVISOR_EXITS, kind).value;
}

static void send_msi(unsigned long hart, uint32_t id)
{
	*(volatile uint32_t *)(IMSIC + hart * 0x1000) = id;
}

/* Claim the top interrupt of our file: (ID << 16 | priority), 0 if none. */
static unsigned long csr_swap_stopei(void)
{
	unsigned long top;

	__asm__ volatile("csrrw %0, 0x15c, zero" : "=r"(top)::"memory");
	return top;
}

static void on_uart(unsigned long self)
{
	if (uart_mode == UART_ACK) {
		/* Reading IIR acknowledges THRE; then THRI goes off. */
		bool thre = (uart_read(UART_IIR) & 0x0f) == 0x02;

		uart_write(UART_IER, 0);
		if (thre)
			__atomic_fetch_add(&uart_got[self], 1,
					   __ATOMIC_RELEASE);
		return;
	}
	/*
	 * Linux's EOI of a level source: set it pending again; the APLIC
	 * keeps it only while the line is high. The device is left alone
	 * (still asserting) until the last round, which quiets it first.
	 */
	(void)self;
	if (__atomic_add_fetch(&retriggered, 1, __ATOMIC_RELEASE) >= RETRIGGERS)
		uart_write(UART_IER, 0);
	*aplic(0x2000) = UART_SRC;
}

/* An IPI: answer every ping sent to us since the last one. */
static void answer_pings(unsigned long self)
{
	for (unsigned int s = 0; s < n; s++) {
		unsigned long r =
			__atomic_load_n(&req[self][s], __ATOMIC_ACQUIRE);

		if (ack[self][s] != r)
			__atomic_store_n(&ack[self][s], r, __ATOMIC_RELEASE);
	}
}

static void ext_irq(unsigned long self)
{
	unsigned long top;

	/* Claim the highest pending ID until none is left. */
	while ((top = csr_swap_stopei()) != 0) {
		unsigned long id = top >> 16;

		if (id == IPI_ID) {
			answer_pings(self);
		} else if (id == UART_ID) {
			on_uart(self);
		} else if (id == GENMSI_ID) {
			__atomic_fetch_add(&genmsi_got[self], 1,
					   __ATOMIC_RELEASE);
		} else {
			wrong[self]++;
		}
	}
}

/* This vCPU's file: delivery on, threshold 0, our three IDs enabled. */
static void file_init(void)
{
	csr_write(0x150, EIDELIVERY);
	csr_write(0x151, 1);
	csr_write(0x150, EITHRESHOLD);
	csr_write(0x151, 0);
	csr_write(0x150, EIE0);
	csr_set(0x151, 1UL << IPI_ID | 1UL << UART_ID | 1UL << GENMSI_ID);
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
}

/* Every other vCPU (or, alone, ourself), @rounds times, each answered. */
static void ping_all(unsigned long self, unsigned long rounds)
{
	for (unsigned long r = 1; r <= rounds; r++)
		for (unsigned int t = 0; t < n; t++) {
			if (t == self && n > 1)
				continue;
			__atomic_store_n(&req[t][self], r, __ATOMIC_RELEASE);
			send_msi(t, IPI_ID);
			if (!wait_eq(&ack[t][self], r, LOST_TICKS))
				lost[self]++;
		}
}

static unsigned long rounds(void)
{
	unsigned long pairs = n > 1 ? n * (n - 1) : 1;

	return (TOTAL_IPIS + pairs - 1) / pairs;
}

/* Ping while the others do; count this vCPU's exits meanwhile. */
static void ipi_phase(unsigned long self)
{
	unsigned long e0, w0;

	__atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < n)
		;
	e0 = exits(HV_EXITS_ALL);
	w0 = exits(HV_EXITS_WAITS);
	ping_all(self, rounds());
	__atomic_fetch_add(&pinging, 1, __ATOMIC_ACQ_REL);
	/* Keep answering until everybody is done. */
	while (__atomic_load_n(&pinging, __ATOMIC_ACQUIRE) < n)
		;
	/*
	 * Less the guest's own waits (wait_eq's wrs.nto) and the calls that
	 * read the counters after the first.
	 */
	e0 = exits(HV_EXITS_ALL) - e0 - 2;
	exits_during[self] = e0 - (exits(HV_EXITS_WAITS) - w0);
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	file_init();
	ipi_phase(hartid);
	/* vCPU 1 sleeps in a retentive HSM suspend until an MSI comes. */
	if (hartid == 1) {
		while (!suspend_go)
			;
		if (!SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, 0, 0, 0).error)
			__atomic_store_n(&resumed, 1, __ATOMIC_RELEASE);
	}
	while (!stop)
		__asm__ volatile("wfi");
	csr_clear(sstatus, SSTATUS_SIE);
}

static void check_ipis(void)
{
	unsigned long sent = rounds() * (n > 1 ? n * (n - 1) : 1);
	unsigned long all_lost = 0, all_exits = 0;

	ipi_phase(0);
	for (unsigned int h = 0; h < n; h++) {
		all_lost += lost[h];
		all_exits += exits_during[h];
	}
	check(!all_lost,
	      "%lu IPIs through IMSIC files, each answered (%lu lost)", sent,
	      all_lost);
	CHECK_EQ(all_exits, 0, "exits on all vCPUs while they pinged");
}

/* The UART to vCPU @t alone, as an MSI with UART_ID. */
static void route_to(unsigned int t)
{
	*target(UART_SRC) = tgt(t, 0, UART_ID);
}

/* This vCPU's exits but its SBI calls (the test's own prints, counters). */
static unsigned long exits_but_ecalls(void)
{
	return exits(HV_EXITS_ALL) - exits(HV_EXITS_ECALL) -
	       exits(HV_EXITS_WAITS);
}

static void check_routing(void)
{
	unsigned long e0, e;

	*sourcecfg(UART_SRC) = 6; /* level, active high */
	*aplic(0x1edc) = UART_SRC; /* setienum */
	*aplic(0) = 1U << 8; /* domaincfg.IE */
	CHECK_EQ(*aplic(0), 0x80000104, "domaincfg: IE and MSI mode");
	CHECK_EQ(*sourcecfg(UART_SRC), 6, "the UART's sourcecfg as written");
	e0 = exits_but_ecalls();
	for (unsigned int t = 0; t < n; t++) {
		unsigned long before[MAX_HARTS], missing = 0, elsewhere = 0;

		for (unsigned int h = 0; h < n; h++)
			before[h] = uart_got[h];
		route_to(t);
		for (unsigned int r = 1; r <= ROUNDS; r++) {
			uart_write(UART_IER, IER_THRI);
			if (!wait_eq(&uart_got[t], before[t] + r, LOST_TICKS)) {
				missing++;
				break;
			}
		}
		for (unsigned int h = 0; h < n; h++)
			if (h != t)
				elsewhere += uart_got[h] - before[h];
		check(!missing && !elsewhere,
		      "%u UART interrupts routed to vCPU %u arrived there (missing %lu, elsewhere %lu)",
		      ROUNDS, t, missing, elsewhere);
	}
	/* One exit per target write; none per interrupt. */
	e = exits_but_ecalls() - e0;
	check(e <= n, "%u UART interrupts cost %lu exits (%u target writes)",
	      ROUNDS * n, e, n);
	gprintf("BENCH aia_irq_exits: %lu per 100 interrupts (UART through the vAPLIC, %u interrupts, %u target writes among the exits)",
		e * 100 / (ROUNDS * n), ROUNDS * n, n);
}

static void check_suspend_wake(void)
{
	unsigned long before = genmsi_got[1];

	__atomic_store_n(&suspend_go, 1, __ATOMIC_RELEASE);
	if (!check(wait_state(1, SBI_HSM_STATE_SUSPENDED, LOST_TICKS),
		   "vCPU 1 suspends (HSM, retentive)"))
		return;
	send_msi(1, GENMSI_ID);
	check(wait_eq(&resumed, 1, LOST_TICKS) &&
		      wait_eq(&genmsi_got[1], before + 1, LOST_TICKS),
	      "an MSI into its file wakes it, and it takes the interrupt");
}

static void pause_a_little(void)
{
	for (unsigned long end = read_time() + SECONDS(1) / 20;
	     read_time() < end;)
		;
}

static void check_retrigger(void)
{
	uart_mode = UART_RETRIGGER;
	route_to(n - 1);
	uart_write(UART_IER, IER_THRI);
	wait_eq(&retriggered, RETRIGGERS, LOST_TICKS);
	/* Quiet now: one more re-trigger would be one too many. */
	pause_a_little();
	CHECK_EQ(
		retriggered, RETRIGGERS,
		"a level interrupt re-triggered on EOI comes again while the line is high, then stops");
	uart_mode = UART_ACK;
}

static void check_genmsi(void)
{
	for (unsigned int h = 0; h < n; h++) {
		unsigned long before = genmsi_got[h];

		*aplic(0x3000) = tgt(h, 0, GENMSI_ID);
		check(wait_eq(&genmsi_got[h], before + 1, LOST_TICKS),
		      "genmsi to vCPU %u arrives there", h);
	}
	CHECK_EQ(*aplic(0x3000), tgt(n - 1, 0, GENMSI_ID),
		 "genmsi reads back, never busy");
}

static unsigned long total(volatile unsigned long *counts)
{
	unsigned long sum = 0;

	for (unsigned int h = 0; h < n; h++)
		sum += counts[h];
	return sum;
}

static void expect_fault(unsigned long addr, bool store, const char *what)
{
	expect_trap();
	if (store)
		*(volatile uint32_t *)addr = 1;
	else
		(void)*(volatile uint32_t *)addr;
	check(trapped_cause() == (store ? 7 : 5), "%s %s: access fault (%ld)",
	      store ? "a store to" : "a load from", what, trapped_cause());
}

static void check_refusals(void)
{
	unsigned long msis = total(genmsi_got) + total(uart_got);

	route_to(0);
	*target(UART_SRC) = tgt(n, 0, UART_ID);
	CHECK_EQ(*target(UART_SRC), tgt(0, 0, UART_ID),
		 "a target naming no vCPU changes nothing");
	*target(UART_SRC) = tgt(0x3fff, 0, UART_ID);
	*target(UART_SRC) = tgt(0, 1, UART_ID);
	*target(UART_SRC) = tgt(0, 0x3f, UART_ID);
	CHECK_EQ(*target(UART_SRC), tgt(0, 0, UART_ID),
		 "targets naming a guest index or hart 0x3fff change nothing");
	/* Source 9 is nobody's on QEMU virt; 11 (the RTC) is not the VM's. */
	*sourcecfg(9) = 6;
	*sourcecfg(11) = 6;
	*target(11) = tgt(0, 0, GENMSI_ID);
	*aplic(0x1edc) = 11;
	*aplic(0x1cdc) = 11;
	*aplic(0x2000) = 11;
	CHECK_EQ(*sourcecfg(9) | *sourcecfg(11) | *target(11), 0,
		 "sources the VM does not own read 0 after writes");
	*sourcecfg(UART_SRC) = 0x400 | 6;
	CHECK_EQ(*sourcecfg(UART_SRC), 0, "sourcecfg.D (delegate) reads 0");
	*sourcecfg(UART_SRC) = 6;
	*aplic(0x3000) = tgt(n, 0, GENMSI_ID);
	*aplic(0x3000) = tgt(0x3fff, 0, GENMSI_ID);
	/* Bad widths and offsets: ignored, read 0. */
	*(volatile uint8_t *)sourcecfg(UART_SRC) = 4;
	*(volatile uint64_t *)(APLIC + 0x3000) = tgt(0, 0, GENMSI_ID);
	*aplic(0x2008) = UART_SRC;
	CHECK_EQ(*sourcecfg(UART_SRC), 6, "byte and doubleword stores ignored");
	CHECK_EQ(*(volatile uint8_t *)APLIC, 0, "byte loads read 0");
	CHECK_EQ(*aplic(0x1bc8), 0, "smsiaddrcfg (M-level only) reads 0");
	pause_a_little();
	CHECK_EQ(total(genmsi_got) + total(uart_got), msis,
		 "no MSI came from any of it");
	/* Nothing of anybody else's is mapped. */
	expect_fault(IMSIC + n * 0x1000, true, "the page past our IMSIC");
	expect_fault(IMSIC + n * 0x1000, false, "the page past our IMSIC");
	expect_fault(0x24000000, true, "the M-level IMSIC");
	expect_fault(0xc000000, false, "the M-level APLIC");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	bool started = true;

	(void)dtb;
	n = count_harts();
	gprintf("aia: hart %lu of %u harts", hartid, n);
	on_ext_irq = ext_irq;
	uart_write(UART_IER, 0);
	file_init();
	for (unsigned int i = 1; i < n; i++)
		started &= !SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, i,
				 (unsigned long)secondary_entry, 0)
				    .error;
	check(started, "every secondary started");
	check_ipis();
	check_routing();
	check_retrigger();
	check_genmsi();
	if (n > 1)
		check_suspend_wake();
	check_refusals();
	stop = 1;
	*aplic(0x1fdc) = UART_SRC; /* clrienum */
	uart_write(UART_IER, 0);
	CHECK_EQ(total(wrong), 0, "no other interrupt identity came");
	csr_clear(sstatus, SSTATUS_SIE);
}
