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
 * report (hartvisor stops the VM). "hostile=1" (first boot, on an AIA
 * machine): aim its vAPLIC at sources and harts that are not its own,
 * turn the APLIC domain's interrupts off (again at every boot) and leave
 * them off, and store into interrupt files that are not its own: what it
 * does not own reads 0 and faults, and the other VM's interrupts keep
 * coming. "echo=1": while it runs, print each key its console gives it
 * (SBI legacy getchar) as "partition: key 0xNN".
 */
#include <libfdt.h>
#include <string.h>

#include "guest.h"
#include "vaplic.h"

#define BOOTS_MAGIC 0x706172746974696fUL

/* Not loaded, not cleared: an SRST reboot leaves it as it was. */
static struct {
	unsigned long magic, boots;
} state __attribute__((section(".noinit")));

static volatile unsigned long secondary_ran;

extern char _start[], secondary_entry[];

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

/* The reg base of the first node compatible with @compat, or 0. */
static unsigned long dtb_base(const void *fdt, const char *compat)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compat);
	const fdt32_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) :
					 NULL;

	return reg ? (unsigned long)fdt32_to_cpu(reg[0]) << 32 |
			       fdt32_to_cpu(reg[1]) :
		     0;
}

#define UART_SRC 10 /* QEMU virt's UART: another VM's, or nobody's */

static volatile uint32_t *reg32(unsigned long base, unsigned long off)
{
	return (volatile uint32_t *)(base + off);
}

static void store_faults(unsigned long addr, const char *what)
{
	expect_trap();
	*(volatile uint32_t *)addr = 1;
	check(trapped_cause() == 7,
	      "store to %s (0x%lx): store access fault (cause %ld)", what, addr,
	      trapped_cause());
}

/*
 * Everything an APLIC and IMSIC let a guest try on what is not its own.
 * Its domain's IE stays 0 at the end: the real domain is every VM's.
 */
static void hostile(const void *fdt, unsigned int n)
{
	unsigned long aplic = dtb_base(fdt, "riscv,aplic");
	unsigned long imsic = dtb_base(fdt, "riscv,imsics");
	uint32_t genmsi;

	if (!aplic || !imsic) {
		gprintf("partition: hostile: no APLIC and IMSIC here, skipped");
		return;
	}
	for (int i = 0; i < 100; i++) {
		*reg32(aplic, APLIC_DOMAINCFG) = APLIC_DOMAINCFG_IE;
		*reg32(aplic, APLIC_DOMAINCFG) = 0;
	}
	CHECK_EQ(*reg32(aplic, APLIC_DOMAINCFG), 0x80000004,
		 "its own domaincfg: IE 0, as written");
	*reg32(aplic, APLIC_SOURCECFG + 4 * (UART_SRC - 1)) = 6;
	CHECK_EQ(*reg32(aplic, APLIC_SOURCECFG + 4 * (UART_SRC - 1)), 0,
		 "sourcecfg of a source it does not own reads 0");
	*reg32(aplic, APLIC_TARGET + 4 * (UART_SRC - 1)) = 0x20;
	CHECK_EQ(*reg32(aplic, APLIC_TARGET + 4 * (UART_SRC - 1)), 0,
		 "target of a source it does not own reads 0");
	*reg32(aplic, APLIC_CLRIENUM) = UART_SRC;
	*reg32(aplic, APLIC_SETIPNUM) = UART_SRC;
	*reg32(aplic, APLIC_IN_CLRIP) = ~0U;
	*reg32(aplic, APLIC_CLRIE) = ~0U;
	CHECK_EQ(*reg32(aplic, APLIC_SETIE) & (1U << UART_SRC), 0,
		 "the enable of a source it does not own reads 0");
	genmsi = *reg32(aplic, APLIC_GENMSI);
	*reg32(aplic, APLIC_GENMSI) = n << APLIC_TARGET_HART_SHIFT | 1;
	CHECK_EQ(*reg32(aplic, APLIC_GENMSI), genmsi,
		 "genmsi to a hart beyond its own is refused");
	store_faults(imsic + n * 0x1000UL, "the IMSIC page of hart n");
	/* QEMU's guest files 1 of harts 0-7, where its own pages are not. */
	for (unsigned long k = 0; k < 8; k++) {
		unsigned long file = 0x28000000UL + k * 0x2000 + 0x1000;

		if (file < imsic || file >= imsic + n * 0x1000UL)
			store_faults(file, "a host interrupt file's address");
	}
}

/* At every later boot: its domain's IE 0 again, the UART's enable off. */
static void hostile_again(const void *fdt)
{
	unsigned long aplic = dtb_base(fdt, "riscv,aplic");

	if (!aplic)
		return;
	*reg32(aplic, APLIC_DOMAINCFG) = 0;
	*reg32(aplic, APLIC_CLRIENUM) = UART_SRC;
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
	unsigned long peer = boot_arg(args, "peer=", 0);

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
	if (!boot_arg(args, "uart=", 1))
		probe(0x10000000, "the UART, not ours");
	if (boot_arg(args, "hostile=", 0))
		hostile(fdt, n);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	const void *fdt = (const void *)dtb;
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args =
		chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	unsigned long reboots = boot_arg(args, "reboots=", 0);
	unsigned long run = boot_arg(args, "run=", 0), end, beat;
	bool echo = boot_arg(args, "echo=", 0);

	(void)hartid;
	if (state.magic != BOOTS_MAGIC) {
		state.magic = BOOTS_MAGIC;
		state.boots = 0;
	}
	state.boots++;
	if (state.boots == 1)
		first_boot(fdt, args);
	else if (boot_arg(args, "hostile=", 0))
		hostile_again(fdt);
	gprintf("partition: boot %lu, running for %lu ms", state.boots, run);
	end = read_time() + run * (SECONDS(1) / 1000);
	for (beat = 1; read_time() < end; beat++) {
		unsigned long next = read_time() + SECONDS(1) / 2;

		while (read_time() < next && read_time() < end) {
			long key =
				echo ? sbi_legacy(SBI_EXT_0_1_CONSOLE_GETCHAR,
						  0, 0, 0, 0) :
				       -1;

			if (key >= 0)
				gprintf("partition: key 0x%02lx", key);
		}
		gprintf("partition: heartbeat %lu", beat);
	}
	if (state.boots <= reboots) {
		gprintf("partition: boot %lu, rebooting", state.boots);
		SBI3(SBI_EXT_SRST, SBI_EXT_SRST_RESET,
		     SBI_SRST_RESET_TYPE_COLD_REBOOT, 0, 0);
		check(false, "SRST reboot returned");
	}
	CHECK_EQ(state.boots, reboots + 1, "booted once more than it rebooted");
	if (boot_arg(args, "crash=", 0)) {
		gprintf("partition: crashing: stvec and pc at 0x1000");
		csr_write(stvec, 0x1000UL);
		((void (*)(void))0x1000UL)();
		check(false, "the crash returned");
	}
}
