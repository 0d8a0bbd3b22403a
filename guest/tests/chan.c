// SPDX-License-Identifier: BSD-2-Clause
/*
 * A channel between VMs from a bare-metal guest (configs/chan.h). The
 * guest finds the channel in its device tree (compatible
 * "hartvisor,channel") and checks what hartvisor promises: the header
 * (hv/include/channel_abi.h) names the channel and this VM's state, the
 * header and the other peer's output section are read-only, its own
 * section is writable, a checked doorbell reads its own number and
 * refuses a store that names no other peer.
 *
 * Then the two peers ping-pong (the protocol of channel_lane.h): peer 0
 * starts a session, sends message k into its section and rings peer 1,
 * which checks it (in order, intact), answers with the same data in its
 * own section and rings back. No interrupt but the
 * doorbell's may come (hartvisor's counters, printed when the VM stops,
 * say how many rings each peer sent and how many stores it refused).
 * Bootargs:
 * - "rounds=N": round trips per boot of peer 0;
 * - "reboots=N": peer 0 reboots itself (SRST) N times after its rounds;
 *   peer 1 (given the same N) sees each through peer 0's state word and
 *   follows each new session (peer 0 may be Linux's vmchan instead);
 * - "forever=1": peer 1 waits for peer 0 with no bound (a scenario
 *   where a person starts peer 0's side);
 * - "poll=1": wait by polling the memory instead (the doorbells still
 *   ring), for the round-trip figures of make bench.
 *
 * A VM with no channel in its tree is the outsider: "mem=ADDR" and
 * "bell=ADDR", where a peer has the channel, must give it access faults.
 */
#include <libfdt.h>
#include <string.h>

#include "channel_lane.h"
#include "guest.h"
#include "printf.h"
#include "vaplic.h"

#define BOOTS_MAGIC 0x6368616e6e656c21UL
#define EIID 5 /* the identity this guest gives its doorbell (AIA) */
#define MAX_SAMPLES 10000

/* Not loaded, not cleared: an SRST reboot leaves it as it was. */
static struct {
	unsigned long magic, boots;
} state __attribute__((section(".noinit")));

static struct {
	volatile struct chan_header *h;
	unsigned long mem, size, bell, bell_size;
	uint32_t irq, me, other;
	bool trusted, aia;
	char name[32]; /* the node's, before its unit address */
	unsigned long ctl; /* the APLIC's or the PLIC's base */
	struct chan_view v;
} ch;

static volatile unsigned long bells, wrong, timed_out;
static bool forever; /* wait for rings with no bound */
static unsigned long samples[MAX_SAMPLES];

static uint32_t cell(const fdt32_t *c, int i)
{
	return fdt32_to_cpu(c[i]);
}

static unsigned long cells2(const fdt32_t *c, int i)
{
	return (unsigned long)cell(c, i) << 32 | cell(c, i + 1);
}

static unsigned long reg_base(const void *fdt, const char *compat)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compat);
	const fdt32_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) :
					 NULL;

	return reg ? cells2(reg, 0) : 0;
}

/* The channel node, if the tree has one: false for the outsider. */
static bool find_channel(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "hartvisor,channel");
	const fdt32_t *reg, *irq, *peer;
	const char *kind;
	int len, irq_len;

	if (node < 0)
		return false;
	reg = fdt_getprop(fdt, node, "reg", &len);
	irq = fdt_getprop(fdt, node, "interrupts", &irq_len);
	peer = fdt_getprop(fdt, node, "hartvisor,peer", NULL);
	kind = fdt_getprop(fdt, node, "hartvisor,doorbell", NULL);
	if (!check(reg && len == 32 && irq && peer && kind,
		   "the channel node has reg, interrupts, hartvisor,peer and hartvisor,doorbell"))
		finish();
	ch.mem = cells2(reg, 0);
	ch.size = cells2(reg, 2);
	ch.bell = cells2(reg, 4);
	ch.bell_size = cells2(reg, 6);
	ch.irq = cell(irq, 0);
	ch.me = cell(peer, 0);
	ch.other = !ch.me;
	ch.trusted = !strcmp(kind, "trusted");
	ch.aia = irq_len == 8;
	ch.ctl = reg_base(fdt, ch.aia ? "riscv,aplic" : "riscv,plic0");
	ch.h = (volatile struct chan_header *)ch.mem;
	snprintf(ch.name, sizeof(ch.name), "%.*s",
		 (int)strcspn(fdt_get_name(fdt, node, NULL), "@"),
		 fdt_get_name(fdt, node, NULL));
	gprintf("chan: peer %u of channel at 0x%lx (%lu KiB), %s doorbell at 0x%lx, source %u",
		ch.me, ch.mem, ch.size / 1024, kind, ch.bell, ch.irq);
	return true;
}

static volatile uint32_t *ctl(unsigned long off)
{
	return (volatile uint32_t *)(ch.ctl + off);
}

/* Claim the top interrupt of our file: ID << 16 | priority; 0: none. */
static unsigned long claim_stopei(void)
{
	unsigned long top;

	__asm__ volatile("csrrw %0, 0x15c, zero" : "=r"(top)::"memory");
	return top;
}

/* Claim every pending interrupt; count our doorbell's, and the others. */
static void ext_irq(unsigned long hartid)
{
	unsigned long top;

	(void)hartid;
	if (ch.aia) {
		while ((top = claim_stopei()) != 0) {
			if (top >> 16 == EIID)
				bells++;
			else
				wrong++;
		}
		return;
	}
	while ((top = *ctl(0x201004)) != 0) {
		if (top == ch.irq)
			bells++;
		else
			wrong++;
		*ctl(0x201004) = (uint32_t)top;
	}
}

static void on_timer(unsigned long hartid)
{
	(void)hartid;
	timed_out = 1;
	timer_arm(-1UL);
}

/*
 * Our doorbell to vCPU 0: an edge source of our APLIC (MSI EIID to our
 * interrupt file) or PLIC (context 1, vCPU 0's S-mode).
 */
static void doorbell_on(void)
{
	on_ext_irq = ext_irq;
	on_timer_irq = on_timer;
	if (ch.aia) {
		csr_write(0x150, 0x70); /* eidelivery */
		csr_write(0x151, 1);
		csr_write(0x150, 0x72); /* eithreshold */
		csr_write(0x151, 0);
		csr_write(0x150, 0xc0); /* eie0 */
		csr_set(0x151, 1UL << EIID);
		*ctl(APLIC_DOMAINCFG) = APLIC_DOMAINCFG_IE;
		*ctl(APLIC_SOURCECFG + 4 * (ch.irq - 1)) = 4; /* rising edge */
		*ctl(APLIC_TARGET + 4 * (ch.irq - 1)) = EIID;
		*ctl(APLIC_SETIENUM) = ch.irq;
	} else {
		*ctl(4 * ch.irq) = 1;
		*ctl(0x2000 + 0x80 + 4 * (ch.irq / 32)) |= 1U << (ch.irq % 32);
		*ctl(0x201000) = 0;
	}
	csr_set(sie, SIE_SEIE | SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
}

static uint32_t peer_word(uint32_t peer)
{
	return chan_state(&ch.v, peer);
}

static void store_faults(unsigned long addr, const char *what)
{
	expect_trap();
	*(volatile uint32_t *)addr = 1;
	check(trapped_cause() == 7, "a store to %s faults (cause %ld)", what,
	      trapped_cause());
}

static void load_faults(unsigned long addr, const char *what)
{
	expect_trap();
	(void)*(volatile uint32_t *)addr;
	check(trapped_cause() == 5, "a load from %s faults (cause %ld)", what,
	      trapped_cause());
}

/* What hartvisor promises, before any message. */
static void check_layout(unsigned int vcpus)
{
	volatile struct chan_header *h = ch.h;
	uint32_t word = peer_word(ch.me);

	CHECK_EQ(h->magic, CHAN_MAGIC, "the header's magic");
	CHECK_EQ(h->version, CHAN_VERSION, "the header's version");
	CHECK_EQ(h->nr_peers, 2, "two peers");
	CHECK_EQ(h->size, ch.size, "the header's size is the node's");
	CHECK_EQ(h->section, (ch.size - CHAN_PAGE) / 2,
		 "each peer's section is half of the rest");
	CHECK_EQ(h->doorbell, ch.trusted, "the doorbell kind is the node's");
	CHECK_EQ(h->doorbell_size, ch.bell_size,
		 "the doorbell window is the node's");
	check(!strcmp((const char *)h->name, ch.name),
	      "the header names the channel '%s'", ch.name);
	CHECK_EQ(CHAN_STATE(word), CHAN_PEER_RUNNING, "our state: running");
	CHECK_EQ(CHAN_BOOTS(word), state.boots, "our boots in the state word");
	CHECK_EQ(h->peer[ch.me].vcpus, vcpus, "our vCPUs in the header");
	store_faults(ch.mem, "the header");
	store_faults((unsigned long)chan_lane(&ch.v, ch.other),
		     "the other's section");
	chan_lane(&ch.v, ch.me)->got = 0x5a;
	CHECK_EQ(chan_lane(&ch.v, ch.me)->got, 0x5a,
		 "our own section is writable");
	if (!ch.trusted)
		CHECK_EQ(*(volatile uint32_t *)ch.bell, ch.me,
			 "the checked doorbell reads our number");
}

/*
 * Stores that name no other peer: our own number, peers that are not
 * there, a byte, another register. None may ring anything (the peers
 * count every ring).
 */
static void bogus_rings(void)
{
	volatile uint32_t *bell = (volatile uint32_t *)ch.bell;

	bell[0] = ch.me;
	bell[0] = 2;
	bell[0] = ~0U;
	bell[1] = ch.other;
	*(volatile uint8_t *)ch.bell = (uint8_t)ch.other;
}

static void ring(void)
{
	if (ch.trusted) {
		uint32_t r = __atomic_load_n(&ch.h->peer[ch.other].ring,
					     __ATOMIC_ACQUIRE);
		unsigned long page =
			ch.h->peer[ch.other].ring_page + CHAN_RING_VCPU(r);

		*(volatile uint32_t *)(ch.bell + page * CHAN_PAGE) =
			CHAN_RING_EIID(r);
	} else {
		*(volatile uint32_t *)ch.bell = ch.other;
	}
}

/*
 * Wait for the next ring (or, polling, for @cond to change): false if it
 * never came. In wfi a timer is the bound, polling the time CSR.
 */
static bool wait_bell(unsigned long seen, bool poll, volatile uint64_t *cond,
		      uint64_t was)
{
	unsigned long end = read_time() + 6 * LOST_TICKS;

	if (poll) {
		while (__atomic_load_n(cond, __ATOMIC_ACQUIRE) == was)
			if (read_time() > end)
				return false;
		return true;
	}
	timed_out = 0;
	if (!forever)
		timer_arm(end);
	while (__atomic_load_n(&bells, __ATOMIC_ACQUIRE) == seen) {
		if (timed_out)
			return false;
		csr_clear(sstatus, SSTATUS_SIE);
		if (bells == seen && !timed_out)
			__asm__ volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
	}
	timer_arm(-1UL);
	return true;
}

/* Message @k's data: 40 bytes that depend on k. */
static void fill(uint8_t *d, unsigned long k)
{
	for (unsigned int i = 0; i < 40; i++)
		d[i] = (uint8_t)(k * 7 + i);
}

static bool same(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static unsigned long exits(unsigned long kind)
{
	return SBI1(SBI_EXT_HARTVISOR, SBI_EXT_HARTVISOR_EXITS, kind).value;
}

static void report(unsigned long n, unsigned long exits_all,
		   unsigned long exits_mmio)
{
	unsigned long k = n < MAX_SAMPLES ? n : MAX_SAMPLES;

	if (!k)
		return;
	sort_ulong(samples, (int)k);
	/* 10 MHz: a tick is 100 ns. */
	gprintf("chan: %lu round trips, %s doorbell: min %lu.%lu us, median %lu.%lu us, p99 %lu.%lu us; exits per round trip %lu.%02lu (MMIO %lu.%02lu)",
		n, ch.trusted ? "trusted" : "checked", samples[0] / 10,
		samples[0] % 10, samples[k / 2] / 10, samples[k / 2] % 10,
		samples[k * 99 / 100] / 10, samples[k * 99 / 100] % 10,
		exits_all / n, exits_all * 100 / n % 100, exits_mmio / n,
		exits_mmio * 100 / n % 100);
}

/* Peer 0: @rounds round trips, each answered in order and intact. */
static void initiator(unsigned long rounds, bool poll)
{
	volatile struct chan_lane *theirs = chan_lane(&ch.v, ch.other);
	unsigned long bad = 0, lost = 0, e_all, e_mmio, k;
	uint64_t epoch = CHAN_EPOCH(state.boots, 1);
	uint8_t data[40];
	struct chan_msg m;

	chan_lane_reset(&ch.v, epoch);
	if (!ch.trusted)
		bogus_rings();
	ring(); /* a new session */
	/* Until peer 1 runs and has taken up our session. */
	while (CHAN_STATE(peer_word(ch.other)) != CHAN_PEER_RUNNING ||
	       __atomic_load_n(&theirs->epoch, __ATOMIC_ACQUIRE) != epoch) {
		if (!wait_bell(bells, false, NULL, 0)) {
			check(false, "peer 1 gets ready for boot %lu",
			      state.boots);
			return;
		}
	}
	gprintf("chan: boot %lu: peer 1 is ready, %lu round trips", state.boots,
		rounds);
	e_all = exits(HV_EXITS_ALL);
	e_mmio = exits(HV_EXITS_MMIO);
	for (k = 0; k < rounds; k++) {
		unsigned long t0 = read_time(), seen = bells;
		int got;

		fill(data, k);
		chan_put(&ch.v, data, sizeof(data), 0);
		ring();
		if (!wait_bell(seen, poll, &theirs->sent, k)) {
			lost++;
			break;
		}
		got = chan_take(&ch.v, epoch, &m);
		if (!got && !poll) { /* another ring first: wait on */
			k--;
			continue;
		}
		if (k < MAX_SAMPLES)
			samples[k] = read_time() - t0;
		if (got != 1 || m.len != sizeof(data) ||
		    !same(m.data, data, sizeof(data)))
			bad++;
	}
	e_all = exits(HV_EXITS_ALL) - e_all;
	e_mmio = exits(HV_EXITS_MMIO) - e_mmio;
	CHECK_EQ(lost, 0, "every answer came");
	CHECK_EQ(bad, 0, "every answer in order and intact");
	CHECK_EQ(k, rounds, "all round trips done");
	CHECK_EQ(wrong, 0, "no interrupt but our doorbell's");
	report(k, e_all, e_mmio);
}

/*
 * Peer 1: follow each session peer 0 starts, answer every message with
 * its data; done when peer 0 is off.
 */
static void responder(unsigned long boots)
{
	volatile struct chan_lane *theirs = chan_lane(&ch.v, ch.other);
	unsigned long bad = 0, taken = 0, sessions = 0;
	uint64_t epoch = 0;
	bool ran = false;

	for (;;) {
		uint32_t word = peer_word(ch.other);
		uint64_t e = __atomic_load_n(&theirs->epoch, __ATOMIC_ACQUIRE);
		unsigned long seen = bells;
		struct chan_msg m;
		int got;

		ran |= CHAN_STATE(word) == CHAN_PEER_RUNNING;
		if (ran && CHAN_STATE(word) == CHAN_PEER_OFF)
			break;
		if (CHAN_STATE(word) == CHAN_PEER_RUNNING && e != epoch &&
		    CHAN_EPOCH_BOOTS(e) == CHAN_BOOTS(word)) {
			epoch = e;
			sessions++;
			chan_lane_reset(&ch.v, epoch);
			ring();
		}
		while ((got = chan_take(&ch.v, epoch, &m)) != 0) {
			taken++;
			if (got != 1 && bad++ < 3)
				gprintf("chan: message %lu of session 0x%lx: seq %lu, session 0x%lx, %u bytes; lane sent %lu",
					(unsigned long)chan_lane(&ch.v, ch.me)
							->got -
						1,
					(unsigned long)epoch,
					(unsigned long)m.seq,
					(unsigned long)m.epoch, m.len,
					(unsigned long)theirs->sent);
			chan_put(&ch.v, m.data, m.len, 0);
			ring();
		}
		if (!wait_bell(seen, false, NULL, 0)) {
			check(false,
			      "peer 0 rings again or stops (its state 0x%x)",
			      peer_word(ch.other));
			break;
		}
	}
	gprintf("chan: peer 1 answered %lu messages in %lu sessions (%lu rings)",
		taken, sessions, bells);
	CHECK_EQ(bad, 0, "every message in order and intact");
	CHECK_EQ(wrong, 0, "no interrupt but our doorbell's");
	if (!forever)
		CHECK_EQ(sessions, boots, "a session for each boot of peer 0");
}

/* A VM that is not a peer: the peers' channel addresses are not there. */
static void outsider(const char *args)
{
	unsigned long mem = boot_arg(args, "mem=", 0);
	unsigned long bell = boot_arg(args, "bell=", 0);

	gprintf("chan: no channel here; probing 0x%lx and 0x%lx", mem, bell);
	if (!check(mem && bell, "mem= and bell= name the peers' addresses"))
		return;
	load_faults(mem, "a channel it is no peer of");
	store_faults(mem + CHAN_PAGE, "a channel's section");
	load_faults(bell, "a channel's doorbell");
	store_faults(bell, "a channel's doorbell");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	const void *fdt = (const void *)dtb;
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args =
		chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	unsigned long rounds = boot_arg(args, "rounds=", 1000);
	unsigned long reboots = boot_arg(args, "reboots=", 0);
	bool poll = boot_arg(args, "poll=", 0);

	(void)hartid;
	if (state.magic != BOOTS_MAGIC) {
		state.magic = BOOTS_MAGIC;
		state.boots = 0;
	}
	state.boots++;
	if (!find_channel(fdt)) {
		outsider(args);
		return;
	}
	chan_view_init(&ch.v, (volatile void *)ch.mem, ch.me);
	check_layout(count_harts());
	doorbell_on();
	if (ch.me) {
		forever = boot_arg(args, "forever=", 0);
		responder(reboots + 1);
		return;
	}
	initiator(rounds, poll);
	if (state.boots <= reboots) {
		gprintf("chan: boot %lu, rebooting", state.boots);
		SBI3(SBI_EXT_SRST, SBI_EXT_SRST_RESET,
		     SBI_SRST_RESET_TYPE_COLD_REBOOT, 0, 0);
		check(false, "SRST reboot returned");
	}
}
