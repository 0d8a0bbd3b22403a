// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI BASE as the spec says, probes of what exists and what does not, and
 * NOT_SUPPORTED for unknown extensions and functions.
 */
#include "guest.h"

static void check_probe(unsigned long eid, long want, const char *name)
{
	struct sbiret r = SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, eid);

	check(!r.error && r.value == want, "probe %s (0x%lx) = %ld", name, eid,
	      r.value);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	struct sbiret r;

	gprintf("sbi_base: hart %lu, dtb 0x%lx, %u harts", hartid, dtb,
		count_harts());
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION);
	check(!r.error && r.value == 0x03000000, "spec version 3.0 (0x%lx)",
	      r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_ID);
	check(!r.error && r.value == 0x4856, "implementation ID 0x%lx",
	      r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_VERSION);
	check(!r.error && r.value == 0x100, "implementation version 0x%lx",
	      r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_MVENDORID);
	gprintf("firmware ids: mvendorid 0x%lx", r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_MARCHID);
	gprintf("firmware ids: marchid 0x%lx", r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_MIMPID);
	gprintf("firmware ids: mimpid 0x%lx", r.value);

	check_probe(SBI_EXT_BASE, 1, "BASE");
	check_probe(SBI_EXT_TIME, 1, "TIME");
	check_probe(SBI_EXT_IPI, 1, "IPI");
	check_probe(SBI_EXT_RFENCE, 1, "RFENCE");
	check_probe(SBI_EXT_HSM, 1, "HSM");
	check_probe(SBI_EXT_SRST, 1, "SRST");
	check_probe(SBI_EXT_DBCN, 1, "DBCN");
	check_probe(SBI_EXT_SUSP, 1, "SUSP");
	check_probe(SBI_EXT_FWFT, 1, "FWFT");
	/* OpenSBI has an SBI PMU on QEMU since 1.0, so hartvisor has it. */
	check_probe(SBI_EXT_PMU, 1, "PMU");
	for (unsigned long eid = 0; eid <= 8; eid++)
		check_probe(eid, 1, "legacy");
	check_probe(0x09, 0, "reserved legacy 0x09");
	check_probe(0x0f, 0, "reserved legacy 0x0f");
	check_probe(0x535345, 0, "SSE (not implemented)");
	check_probe(0x12345678, 0, "nonsense");

	r = SBI0(0x0A000000, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED && r.value == 0,
	      "unknown extension: NOT_SUPPORTED, value 0 (%ld, %ld)", r.error,
	      r.value);
	r = SBI0(SBI_EXT_BASE, 7);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "BASE fid 7: NOT_SUPPORTED");
	r = SBI0(SBI_EXT_HSM, 42);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "HSM fid 42: NOT_SUPPORTED");
	r = SBI0(SBI_EXT_RFENCE, 3);
	check(r.error == SBI_ERR_NOT_SUPPORTED,
	      "RFENCE hfence_gvma_vmid: NOT_SUPPORTED");
	check(sbi_legacy(0x09, 0, 0, 0, 0) == SBI_ERR_NOT_SUPPORTED,
	      "legacy 0x09: NOT_SUPPORTED");

	/* Only a0 and a1 may change; legacy calls keep a1 too. */
	{
		register unsigned long a0 __asm__("a0") = 0;
		register unsigned long a1 __asm__("a1") = 0x1111;
		register unsigned long a2 __asm__("a2") = 0x2222;
		register unsigned long a3 __asm__("a3") = 0x3333;
		register unsigned long a4 __asm__("a4") = 0x4444;
		register unsigned long a5 __asm__("a5") = 0x5555;
		register unsigned long a6 __asm__("a6") = 0;
		register unsigned long a7 __asm__("a7") = SBI_EXT_BASE;

		__asm__ volatile("ecall"
				 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3),
				   "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7)
				 :
				 : "memory");
		check(a0 == 0 && a1 == 0x03000000 && a2 == 0x2222 &&
			      a3 == 0x3333 && a4 == 0x4444 && a5 == 0x5555 &&
			      a6 == 0 && a7 == SBI_EXT_BASE,
		      "ecall changes only a0 and a1");
	}
	{
		register unsigned long a0 __asm__("a0") = 0;
		register unsigned long a1 __asm__("a1") = 0xabcdef;
		register unsigned long a7 __asm__("a7") = SBI_EXT_0_1_CLEAR_IPI;

		__asm__ volatile("ecall"
				 : "+r"(a0), "+r"(a1), "+r"(a7)
				 :
				 : "memory");
		check(a1 == 0xabcdef, "legacy call preserves a1");
	}
}
