// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest cannot reach what is not its own: hypervisor memory, OpenSBI,
 * the CLINT, the pristine copies above guest RAM, code in the PLIC (whose
 * registers the vPLIC emulates: the irq guest tests those).
 * Each access arrives in the guest's own trap handler as the exception
 * real hardware would raise, and hypervisor instructions are illegal.
 */
#include "guest.h"

static void probe_load(unsigned long addr, const char *what)
{
	expect_trap();
	(void)*(volatile unsigned long *)addr;
	check(trapped_cause() == 5 && trapped_tval() == addr,
	      "load from %s (0x%lx): load access fault (cause %ld, tval 0x%lx)",
	      what, addr, trapped_cause(), trapped_tval());
}

static void probe_store(unsigned long addr, const char *what)
{
	expect_trap();
	*(volatile unsigned long *)addr = 0xdeadbeef;
	check(trapped_cause() == 7 && trapped_tval() == addr,
	      "store to %s (0x%lx): store access fault (cause %ld)", what, addr,
	      trapped_cause());
}

static void probe_fetch(unsigned long addr, const char *what)
{
	expect_trap();
	((void (*)(void))addr)();
	check(trapped_cause() == 1 && trapped_tval() == addr,
	      "jump to %s (0x%lx): instruction access fault (cause %ld)", what,
	      addr, trapped_cause());
}

#define PROBE_ILLEGAL(insn, what)                                            \
	do {                                                                 \
		expect_trap();                                               \
		__asm__ volatile(".option push\n.option arch, +h\n" insn     \
				 "\n.option pop" ::                          \
					 : "memory", "t0");                  \
		check(trapped_cause() == 2, "%s: illegal instruction (%ld)", \
		      what, trapped_cause());                                \
	} while (0)

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	gprintf("isolation: %u harts", count_harts());
	/* MEM=1G: the hypervisor's 2 MiB at the top, the copies below. */
	probe_load(0xbfe00000, "the hypervisor");
	probe_store(0xbfe00000, "the hypervisor");
	probe_load(0xbffff000, "the hypervisor's last page");
	probe_load(0x80000000, "OpenSBI");
	probe_store(0x80040000, "OpenSBI");
	probe_load(0x02000000, "the CLINT");
	probe_store(0x0200bff8, "the CLINT's mtime");
	probe_load(0xbfc00000, "the pristine image copies");
	probe_load(0x100000000UL, "beyond RAM");
	probe_fetch(0xbfe00000, "the hypervisor");
	probe_fetch(0x0c000000, "the PLIC");

	PROBE_ILLEGAL("hfence.gvma zero, zero", "hfence.gvma");
	PROBE_ILLEGAL("hfence.vvma zero, zero", "hfence.vvma");
	PROBE_ILLEGAL("csrr t0, hstatus", "csrr hstatus");
	PROBE_ILLEGAL("csrw hgatp, zero", "csrw hgatp");
	PROBE_ILLEGAL("csrr t0, vsatp", "csrr vsatp");
	PROBE_ILLEGAL("hlv.d t0, (sp)", "hlv.d");
	PROBE_ILLEGAL("csrr t0, mstatus", "csrr mstatus");

	/* What the guest does own still works. */
	expect_trap();
	(void)*(volatile unsigned char *)0x10000005; /* UART LSR */
	check(trapped_cause() < 0, "the UART is passed through");
	expect_trap();
	(void)*(volatile unsigned long *)dtb;
	check(trapped_cause() < 0, "the guest DTB is in guest RAM");
	/* wfi runs in the guest: with a timer pending it returns at once. */
	csr_set(sie, SIE_STIE);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() - 1);
	expect_trap();
	__asm__ volatile("wfi");
	check(trapped_cause() < 0, "wfi is not trapped");
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_clear(sie, SIE_STIE);
	check(SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION).value ==
		      0x03000000,
	      "the hypervisor still answers");
}
