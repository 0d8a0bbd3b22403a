// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's own device tree, walked with libfdt from inside the guest:
 * one cpu@N per vCPU that HSM knows (reg = N), no "h" in any ISA, no
 * CLINT, the PLIC's contexts per vCPU or (AIA) an IMSIC page per vCPU and
 * the APLIC that sends to it, memory that holds this image and
 * the tree itself. Prints what it found for the test to compare with the
 * hypervisor's log and the VM config.
 */
#include <libfdt.h>
#include <string.h>

#include "guest.h"
#include "platform.h"
#include "printf.h"

static const void *fdt;

/* The phandle of cpu@N's interrupt controller, checking the cpu on the way. */
static uint32_t check_cpu(int cpu, unsigned int n)
{
	const fdt32_t *reg = fdt_getprop(fdt, cpu, "reg", NULL);
	const char *isa = fdt_getprop(fdt, cpu, "riscv,isa", NULL);
	const char *exts;
	int intc, len;

	check(reg && fdt32_to_cpu(*reg) == n, "cpu %u: reg = %u", n,
	      reg ? fdt32_to_cpu(*reg) : ~0U);
	/* The single letters: QEMU 10's whole string is 300 characters. */
	check(isa && !isa_has_ext(isa, "h"),
	      "cpu %u: riscv,isa %.*s... has no h", n,
	      isa ? (int)strcspn(isa, "_") : 6, isa ? isa : "(none)");
	exts = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	check(!exts || !fdt_stringlist_contains(exts, len, "h"),
	      "cpu %u: riscv,isa-extensions has no h", n);
	intc = fdt_subnode_offset(fdt, cpu, "interrupt-controller");
	check(intc >= 0 && fdt_get_phandle(fdt, intc),
	      "cpu %u: cpu-intc with a phandle", n);
	return intc >= 0 ? fdt_get_phandle(fdt, intc) : 0;
}

/* Walk /cpus; returns how many cpus, their intc phandles in @intc. */
static unsigned int check_cpus(uint32_t *intc, bool *sstc, bool *ssaia)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;
	unsigned int n = 0;

	check(cpus >= 0, "/cpus exists");
	*sstc = true;
	*ssaia = true;
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const char *isa = fdt_getprop(fdt, node, "riscv,isa", NULL);
		char name[16];

		if (!type || strcmp(type, "cpu"))
			continue;
		snprintf(name, sizeof(name), "cpu@%u", n);
		check(!strcmp(fdt_get_name(fdt, node, NULL), name),
		      "cpu %u is named %s", n, name);
		if (n < MAX_HARTS)
			intc[n] = check_cpu(node, n);
		*sstc &= isa && isa_has_ext(isa, "sstc");
		*ssaia &= isa && isa_has_ext(isa, "ssaia");
		n++;
	}
	return n;
}

static unsigned int count_compatible(const char *compat)
{
	unsigned int n = 0;

	for (int node = fdt_node_offset_by_compatible(fdt, -1, compat);
	     node >= 0; node = fdt_node_offset_by_compatible(fdt, node, compat))
		n++;
	return n;
}

/*
 * AIA: one IMSIC, a page per vCPU, interrupts-extended = per vCPU
 * <intc 9>, no guest files of its own; one APLIC sending to it; Ssaia
 * on every cpu (checked by the caller through @ssaia).
 */
static void check_aia(const uint32_t *intc, unsigned int n, bool ssaia)
{
	int imsic = fdt_node_offset_by_compatible(fdt, -1, "riscv,imsics");
	int aplic = fdt_node_offset_by_compatible(fdt, -1, "riscv,aplic");
	const fdt32_t *ie, *reg, *parent;
	unsigned int good = 0;
	int len = 0;

	CHECK_EQ(count_compatible("riscv,imsics"), 1, "one IMSIC node");
	CHECK_EQ(count_compatible("riscv,aplic"), 1, "one APLIC node");
	ie = fdt_getprop(fdt, imsic, "interrupts-extended", &len);
	CHECK_EQ(len, (long)(n * 2 * sizeof(fdt32_t)),
		 "IMSIC interrupts-extended: 2 cells per vCPU");
	for (unsigned int i = 0; ie && i < n && i < MAX_HARTS; i++)
		good += fdt32_to_cpu(ie[2 * i]) == intc[i] &&
			fdt32_to_cpu(ie[2 * i + 1]) == 9;
	CHECK_EQ(good, n, "IMSIC hart index i is vCPU i's S-level interrupt");
	reg = fdt_getprop(fdt, imsic, "reg", &len);
	check(reg && len == 16 && fdt32_to_cpu(reg[3]) == n * 0x1000,
	      "IMSIC: one 4 KiB page per vCPU");
	check(!fdt_getprop(fdt, imsic, "riscv,guest-index-bits", NULL),
	      "IMSIC: no guest files for the guest");
	parent = fdt_getprop(fdt, aplic, "msi-parent", &len);
	check(parent && len == 4 &&
		      fdt32_to_cpu(*parent) == fdt_get_phandle(fdt, imsic),
	      "the APLIC sends its MSIs to the IMSIC");
	check(ssaia, "ssaia in every cpu's ISA");
	CHECK_EQ(count_compatible("riscv,plic0") +
			 count_compatible("sifive,plic-1.0.0"),
		 0, "no PLIC beside the AIA");
}

/* interrupts-extended = per vCPU <intc 0xffffffff> <intc 9>. */
static void check_plic(const uint32_t *intc, unsigned int n)
{
	int plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	const fdt32_t *ie;
	unsigned int good = 0;
	int len = 0;

	if (plic < 0)
		plic = fdt_node_offset_by_compatible(fdt, -1,
						     "sifive,plic-1.0.0");
	check(plic >= 0, "a PLIC node");
	ie = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	CHECK_EQ(len, (long)(n * 4 * sizeof(fdt32_t)),
		 "PLIC interrupts-extended: 4 cells per vCPU");
	for (unsigned int i = 0; ie && i < n && i < MAX_HARTS; i++)
		good += fdt32_to_cpu(ie[4 * i]) == intc[i] &&
			fdt32_to_cpu(ie[4 * i + 1]) == 0xffffffff &&
			fdt32_to_cpu(ie[4 * i + 2]) == intc[i] &&
			fdt32_to_cpu(ie[4 * i + 3]) == 9;
	CHECK_EQ(good, n,
		 "PLIC contexts 2i (M, unused) and 2i+1 (S) of vCPU i");
}

/* /memory: one range that holds this image and the tree. */
static void check_memory(unsigned long dtb)
{
	int mem = fdt_path_offset(fdt, "/memory");
	const fdt64_t *reg;
	unsigned long base = 0, size = 0;
	int len = 0;

	if (mem < 0)
		mem = fdt_node_offset_by_prop_value(fdt, -1, "device_type",
						    "memory", 7);
	reg = mem >= 0 ? fdt_getprop(fdt, mem, "reg", &len) : NULL;
	if (check(reg && len == 16, "one memory range (reg is %d bytes)",
		  len)) {
		base = fdt64_to_cpu(reg[0]);
		size = fdt64_to_cpu(reg[1]);
	}
	check(dtb >= base && dtb + fdt_totalsize(fdt) <= base + size,
	      "the DTB lies in memory");
	check((unsigned long)guest_main >= base &&
		      (unsigned long)__image_end <= base + size,
	      "this image lies in memory");
	gprintf("dtb: memory 0x%lx-0x%lx (%lu MiB)", base, base + size,
		size >> 20);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	uint32_t intc[MAX_HARTS];
	unsigned int n, harts = count_harts();
	const char *bootargs;
	int chosen;
	bool sstc, ssaia;

	fdt = (const void *)dtb;
	gprintf("dtb: hart %lu, tree at 0x%lx", hartid, dtb);
	if (!check(!fdt_check_header(fdt), "the DTB has a valid header"))
		finish();
	n = check_cpus(intc, &sstc, &ssaia);
	CHECK_EQ(n, harts, "one cpu node per vCPU HSM knows");
	if (count_compatible("riscv,imsics")) {
		gprintf("dtb: interrupt controller AIA");
		check_aia(intc, n, ssaia);
	} else {
		gprintf("dtb: interrupt controller PLIC");
		check(!ssaia, "no ssaia without an IMSIC");
		check_plic(intc, n);
	}
	CHECK_EQ(count_compatible("riscv,clint0") +
			 count_compatible("sifive,clint0") +
			 count_compatible("riscv,aclint-mswi") +
			 count_compatible("riscv,aclint-mtimer"),
		 0, "no CLINT or ACLINT");
	check_memory(dtb);
	chosen = fdt_path_offset(fdt, "/chosen");
	bootargs = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) :
				 NULL;
	gprintf("dtb: %u cpus, sstc %s, uart %u, virtio %u", n,
		sstc ? "yes" : "no", count_compatible("ns16550a"),
		count_compatible("virtio,mmio"));
	gprintf("dtb: bootargs \"%s\"", bootargs ? bootargs : "");
	finish();
}
