// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI FWFT as the v3.0 spec says: which IDs exist, set and get, the lock,
 * the reset at hart start, and what the two features hartvisor has really
 * do — misaligned exceptions reach the guest with no exit, and the
 * hardware sets a PTE's A and D bits. Prints "fwft: NAME supported" or
 * "not supported" for each, so the test knows what this machine offers.
 */
#include <libfdt.h>

#include "guest.h"

/* The guest's GiB of RAM at 0x80000000, seen again at 4 GiB. */
#define ALIAS_VA (4 * GIB)

static volatile unsigned long got[6];
/* PTE_AD_HW_UPDATING at hart start (1: Svadu alone in the tree). */
static unsigned long ad_reset;

static struct sbiret fwft_set(unsigned long feature, unsigned long value,
			      unsigned long flags)
{
	return SBI3(SBI_EXT_FWFT, SBI_EXT_FWFT_SET, feature, value, flags);
}

static struct sbiret fwft_get(unsigned long feature)
{
	return SBI1(SBI_EXT_FWFT, SBI_EXT_FWFT_GET, feature);
}

static unsigned long exits(void)
{
	return SBI1(SBI_EXT_HARTVISOR, SBI_EXT_HARTVISOR_EXITS, HV_EXITS_ALL)
		.value;
}

static void check_ids(void)
{
	static const unsigned long unknown[] = {
		SBI_FWFT_LOCAL_RESERVED_START,	0x3fffffff,
		SBI_FWFT_LOCAL_PLATFORM_START,	0x7fffffff,
		SBI_FWFT_GLOBAL_RESERVED_START, 0xbfffffff,
		SBI_FWFT_GLOBAL_PLATFORM_START, 0xffffffff,
	};
	static const unsigned long lacking[] = {
		SBI_FWFT_LANDING_PAD, SBI_FWFT_SHADOW_STACK,
		SBI_FWFT_DOUBLE_TRAP, SBI_FWFT_POINTER_MASKING_PMLEN
	};
	struct sbiret r;

	for (unsigned int i = 0; i < sizeof(unknown) / sizeof(*unknown); i++) {
		r = fwft_get(unknown[i]);
		check(r.error == SBI_ERR_DENIED && r.value == 0 &&
			      fwft_set(unknown[i], 0, 0).error ==
				      SBI_ERR_DENIED,
		      "feature 0x%lx (reserved or platform's): get and set DENIED",
		      unknown[i]);
	}
	for (unsigned int i = 0; i < sizeof(lacking) / sizeof(*lacking); i++)
		check(fwft_get(lacking[i]).error == SBI_ERR_NOT_SUPPORTED &&
			      fwft_set(lacking[i], 1, 0).error ==
				      SBI_ERR_NOT_SUPPORTED,
		      "feature %lu (not given to guests): NOT_SUPPORTED",
		      lacking[i]);
	CHECK_EQ(SBI0(SBI_EXT_FWFT, 2).error, SBI_ERR_NOT_SUPPORTED,
		 "FWFT fid 2: NOT_SUPPORTED");
}

/*
 * Set, get, bad values and flags, the lock, for a supported feature whose
 * value at hart start is @reset.
 */
static void check_set_get(unsigned long f, unsigned long reset)
{
	CHECK_EQ(fwft_get(f).value, reset, "the value at hart start");
	CHECK_EQ(fwft_set(f, 0, 0).error, 0, "set 0");
	CHECK_EQ(fwft_set(f, 2, 0).error, SBI_ERR_INVALID_PARAM,
		 "value 2: INVALID_PARAM");
	CHECK_EQ(fwft_set(f, 1, 2).error, SBI_ERR_INVALID_PARAM,
		 "flags bit 1: INVALID_PARAM");
	CHECK_EQ(fwft_get(f).value, 0, "a failed set changes nothing");
	CHECK_EQ(fwft_set(f, 1, 0).error, 0, "set 1");
	CHECK_EQ(fwft_get(f).value, 1, "get 1");
	CHECK_EQ(fwft_set(f, 1, 0).error, 0, "set 1 again: SUCCESS");
	CHECK_EQ(fwft_set(f, 0, 0).error, 0, "set 0");
	CHECK_EQ(fwft_get(f).value, 0, "get 0");
}

/*
 * A misaligned AMO: an address-misaligned exception no firmware emulates
 * (QEMU reports it as a misaligned load, cause 4; the spec allows 4 or 6).
 */
static long misaligned_amo(void)
{
	static volatile unsigned int word[2];
	unsigned long addr = (unsigned long)&word[0] + 1;

	expect_trap();
	__asm__ volatile("amoadd.w zero, zero, (%0)" ::"r"(addr) : "memory");
	return trapped_cause();
}

static void check_misaligned(void)
{
	unsigned long f = SBI_FWFT_MISALIGNED_EXC_DELEG, e;
	long cause;

	if (fwft_get(f).error) {
		CHECK_EQ(fwft_get(f).error, SBI_ERR_NOT_SUPPORTED,
			 "MISALIGNED_EXC_DELEG: NOT_SUPPORTED when missing");
		gprintf("fwft: MISALIGNED_EXC_DELEG not supported");
		return;
	}
	gprintf("fwft: MISALIGNED_EXC_DELEG supported");
	check_set_get(f, 0);

	/* Off: the trap goes through the firmware and the hypervisor. */
	e = exits();
	cause = misaligned_amo();
	e = exits() - e;
	check((cause == 4 || cause == 6) && e >= 2,
	      "not delegated: the guest gets its misaligned exception (cause %ld) after an exit (%lu)",
	      cause, e - 1);
	fwft_set(f, 1, 0);
	e = exits();
	cause = misaligned_amo();
	e = exits() - e;
	check((cause == 4 || cause == 6) && e == 1,
	      "delegated: the guest gets its misaligned exception (cause %ld) with no exit (%lu)",
	      cause, e - 1);

	/* Locked: no set succeeds, not even of the same value. */
	CHECK_EQ(fwft_set(f, 0, SBI_FWFT_SET_FLAG_LOCK).error, 0,
		 "set 0 and lock");
	CHECK_EQ(fwft_set(f, 1, 0).error, SBI_ERR_DENIED_LOCKED,
		 "locked: set 1 DENIED_LOCKED");
	CHECK_EQ(fwft_set(f, 0, 0).error, SBI_ERR_DENIED_LOCKED,
		 "locked: set 0 DENIED_LOCKED");
	CHECK_EQ(fwft_get(f).value, 0, "locked: get still works, 0");
}

/*
 * Sv39 with two gigapages: the GiB at 0x80000000 where the guest runs
 * (A and D set), and the same GiB at ALIAS_VA with A and D clear.
 */
static unsigned long root[512] __attribute__((aligned(4096)));

/* A load through the alias: the trap cause, or -1. */
static long alias_load(unsigned long pa)
{
	expect_trap();
	(void)*(volatile unsigned long *)(ALIAS_VA + pa - 2 * GIB);
	return trapped_cause();
}

/*
 * The device tree says what A/D updating the guest starts with: Svadu
 * without Svade means the hart updates them (the binding's rule, and
 * what the firmware gives a native kernel); with Svade, it does not.
 */
static bool starts_with_svadu(unsigned long dtb)
{
	const void *fdt = (const void *)dtb;
	int cpu = fdt_path_offset(fdt, "/cpus/cpu@0"), len;
	const char *exts = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);

	return exts && fdt_stringlist_contains(exts, len, "svadu") &&
	       !fdt_stringlist_contains(exts, len, "svade");
}

static void check_ad(bool svadu_alone)
{
	unsigned long f = SBI_FWFT_PTE_AD_HW_UPDATING;
	unsigned long pa = (unsigned long)&got[0];
	unsigned long pte = ((2 * GIB) >> 12) << 10 | PTE_V | PTE_R | PTE_W;
	long cause;

	if (fwft_get(f).error) {
		CHECK_EQ(fwft_get(f).error, SBI_ERR_NOT_SUPPORTED,
			 "PTE_AD_HW_UPDATING: NOT_SUPPORTED when missing");
		gprintf("fwft: PTE_AD_HW_UPDATING not supported");
		return;
	}
	gprintf("fwft: PTE_AD_HW_UPDATING supported, %s at hart start",
		svadu_alone ? "on" : "off");
	check_set_get(f, svadu_alone);

	root[2] = pte | PTE_X | PTE_A | PTE_D;
	root[4] = pte;
	csr_write(satp, SATP_SV39 | ((unsigned long)root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	cause = alias_load(pa);
	check(cause == 13 && !(root[4] & PTE_A),
	      "off: a load through a PTE with A clear faults (%ld)", cause);
	fwft_set(f, 1, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	cause = alias_load(pa);
	*(volatile unsigned long *)(ALIAS_VA + pa - 2 * GIB) = 1;
	check(cause == -1 && (root[4] & PTE_A) && (root[4] & PTE_D),
	      "on: the load and a store set A and D in the PTE (%ld, 0x%lx)",
	      cause, root[4] & (PTE_A | PTE_D));
	fwft_set(f, 0, 0);
	root[4] = pte;
	__asm__ volatile("sfence.vma" ::: "memory");
	cause = alias_load(pa);
	check(cause == 13, "off again: the load faults (%ld)", cause);
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
}

/*
 * Hart 1: lock a feature and turn A/D updating the other way, then
 * (second life) read both back.
 */
void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	unsigned long f = SBI_FWFT_MISALIGNED_EXC_DELEG;
	unsigned long ad = SBI_FWFT_PTE_AD_HW_UPDATING;

	(void)hartid;
	if (opaque == 0) {
		got[0] = (unsigned long)fwft_set(f, 1, SBI_FWFT_SET_FLAG_LOCK)
				 .error;
		got[4] = (unsigned long)fwft_set(ad, !ad_reset, 0).error;
	} else {
		got[1] = fwft_get(f).value;
		got[2] = (unsigned long)fwft_set(f, 0, 0).error;
		got[5] = fwft_get(ad).value;
	}
	__atomic_store_n(&got[3], opaque + 1, __ATOMIC_RELEASE);
}

static void check_reset(void)
{
	unsigned long pc = (unsigned long)secondary_entry;

	if (fwft_get(SBI_FWFT_MISALIGNED_EXC_DELEG).error)
		return;
	got[3] = 0;
	SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1, pc, 0);
	check(wait_eq(&got[3], 1, SECONDS(10)) && got[0] == 0,
	      "hart 1 sets MISALIGNED_EXC_DELEG to 1, locked");
	wait_state(1, SBI_HSM_STATE_STOPPED, SECONDS(10));
	SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1, pc, 1);
	check(wait_eq(&got[3], 2, SECONDS(10)) && got[1] == 0 && got[2] == 0,
	      "started again: back to 0 and unlocked (%lu, %ld)", got[1],
	      (long)got[2]);
	if (!fwft_get(SBI_FWFT_PTE_AD_HW_UPDATING).error)
		check(got[4] == 0 && got[5] == ad_reset,
		      "PTE_AD_HW_UPDATING set to %lu on hart 1 is %lu again when it starts again (%lu)",
		      1 - ad_reset, ad_reset, got[5]);
	wait_state(1, SBI_HSM_STATE_STOPPED, SECONDS(10));
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	gprintf("fwft: hart %lu of %u harts", hartid, count_harts());
	check_ids();
	ad_reset = starts_with_svadu(dtb);
	check_ad(ad_reset);
	if (count_harts() > 1)
		check_reset();
	check_misaligned();
}
