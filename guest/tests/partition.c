// SPDX-License-Identifier: BSD-2-Clause
/*
 * One VM of several: what it sees is its own. Its harts are 0..n-1 and SBI
 * answers a hart beyond them as the spec says (HSM, IPI, RFENCE:
 * INVALID_PARAM); its device tree lists exactly those harts and the RAM
 * that holds it; another VM's RAM and a device it does not own are access
 * faults. Each boot runs for "run=MS" milliseconds of its own time,
 * printing a heartbeat every half second; then it reboots itself through
 * SRST, "reboots=N" times in all (its count kept where a reboot does not
 * restore it), and at last shuts down. Bootargs: "peer=ADDR" (a page of
 * another VM), "uart=0" (the UART is not ours), "reboots=N", "run=MS",
 * "crash=1": at the end, instead of shutting down, point the trap vector
 * at an address that is not RAM and jump there, a crash no trap can
 * report (hartvisor stops the VM).
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

#define BOOTS_MAGIC 0x706172746974696fUL

/* Not loaded, not cleared: an SRST reboot leaves it as it was. */
static struct {
	unsigned long magic, boots;
} state __attribute__((section(".noinit")));

static volatile unsigned long secondary_ran;

extern char _start[], secondary_entry[];

static unsigned long arg(const char *args, const char *key, unsigned long def)
{
	const char *p = args ? strstr(args, key) : NULL;

	return p ? strtoul(p + strlen(key), NULL, 0) : def;
}

/* The cpus and the memory the guest's tree gives it. */
static unsigned int dtb_cpus(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;
	unsigned int n = 0;

	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);

		n += type && !strcmp(type, "cpu");
	}
	return n;
}

static bool dtb_memory(const void *fdt, unsigned long *base,
		       unsigned long *size)
{
	int node = fdt_path_offset(fdt, "/memory");
	const fdt32_t *reg;
	int len;

	if (node < 0) {
		node = fdt_node_offset_by_prop_value(fdt, -1, "device_type",
						     "memory", 7);
	}
	reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	if (!reg || len < 16)
		return false;
	*base = (unsigned long)fdt32_to_cpu(reg[0]) << 32 |
		fdt32_to_cpu(reg[1]);
	*size = (unsigned long)fdt32_to_cpu(reg[2]) << 32 |
		fdt32_to_cpu(reg[3]);
	return true;
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	__atomic_store_n(&secondary_ran, hartid + opaque, __ATOMIC_RELEASE);
}

/* A hart beyond the VM's: every SBI extension that takes one refuses it. */
static void check_scope(unsigned int n)
{
	struct sbiret r;

	r = SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, n);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM, "HSM status of hart n");
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, n,
		 (unsigned long)secondary_entry, 0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM, "HSM start of hart n");
	r = SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, n);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM, "IPI to hart n (base n)");
	r = SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << n, 0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM, "IPI to hart n (mask bit n)");
	r = SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, 1UL << n, 0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM, "remote fence.i on hart n");
}

static void probe(unsigned long addr, const char *what)
{
	expect_trap();
	(void)*(volatile unsigned long *)addr;
	check(trapped_cause() == 5 && trapped_tval() == addr,
	      "load from %s (0x%lx): load access fault (cause %ld)", what, addr,
	      trapped_cause());
	expect_trap();
	*(volatile unsigned long *)addr = 0x5a5a;
	check(trapped_cause() == 7 && trapped_tval() == addr,
	      "store to %s (0x%lx): store access fault (cause %ld)", what, addr,
	      trapped_cause());
}

static void first_boot(const void *fdt, const char *args)
{
	unsigned int n = count_harts();
	unsigned long base = 0, size = 0, me = (unsigned long)_start;
	unsigned long peer = arg(args, "peer=", 0);

	gprintf("partition: %u harts, bootargs \"%s\"", n, args ? args : "");
	CHECK_EQ(dtb_cpus(fdt), n, "the DTB lists the harts HSM knows");
	check_scope(n);
	check(dtb_memory(fdt, &base, &size) && me >= base && me < base + size,
	      "memory 0x%lx+0x%lx holds the guest at 0x%lx", base, size, me);
	if (n > 1) {
		struct sbiret r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START,
				       n - 1, (unsigned long)secondary_entry,
				       100);

		CHECK_EQ(r.error, 0, "HSM start of the last hart");
		check(wait_eq(&secondary_ran, n - 1 + 100, LOST_TICKS),
		      "hart %u ran in this VM", n - 1);
		check(wait_state(n - 1, SBI_HSM_STATE_STOPPED, LOST_TICKS),
		      "hart %u stopped", n - 1);
	}
	if (peer)
		probe(peer, "another VM's RAM");
	if (!arg(args, "uart=", 1))
		probe(0x10000000, "the UART, not ours");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	const void *fdt = (const void *)dtb;
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args =
		chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	unsigned long reboots = arg(args, "reboots=", 0);
	unsigned long run = arg(args, "run=", 0), end, beat;

	(void)hartid;
	if (state.magic != BOOTS_MAGIC) {
		state.magic = BOOTS_MAGIC;
		state.boots = 0;
	}
	state.boots++;
	if (state.boots == 1)
		first_boot(fdt, args);
	gprintf("partition: boot %lu, running for %lu ms", state.boots, run);
	end = read_time() + run * (SECONDS(1) / 1000);
	for (beat = 1; read_time() < end; beat++) {
		unsigned long next = read_time() + SECONDS(1) / 2;

		while (read_time() < next && read_time() < end)
			__asm__ volatile("nop");
		gprintf("partition: heartbeat %lu", beat);
	}
	if (state.boots <= reboots) {
		gprintf("partition: boot %lu, rebooting", state.boots);
		SBI3(SBI_EXT_SRST, SBI_EXT_SRST_RESET,
		     SBI_SRST_RESET_TYPE_COLD_REBOOT, 0, 0);
		check(false, "SRST reboot returned");
	}
	CHECK_EQ(state.boots, reboots + 1, "booted once more than it rebooted");
	if (arg(args, "crash=", 0)) {
		gprintf("partition: crashing: stvec and pc at 0x1000");
		csr_write(stvec, 0x1000UL);
		((void (*)(void))0x1000UL)();
		check(false, "the crash returned");
	}
}
