/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ISA extensions: reading riscv,isa strings, and the one table that says
 * what a guest needs from the hypervisor for each extension to work in
 * VS-mode and VU-mode as it does natively. The guest's device tree names
 * an extension only if the table has it and hartvisor offers all it
 * needs; each hart's CSR set-up (henvcfg, hcounteren, hstateen0, hideleg,
 * sstatus) is the union of the needs of the extensions its guest sees.
 * An extension the table does not know is left out of the guest's tree.
 */
#ifndef HV_ISA_H
#define HV_ISA_H

#include "types.h"

/* What an extension needs from the hypervisor (arch/riscv maps each). */
#define ISA_NEED_FP (1U << 0) /* sstatus.FS on */
#define ISA_NEED_VECTOR (1U << 1) /* sstatus.VS on */
#define ISA_NEED_COUNTERS (1U << 2) /* hcounteren.CY, TM, IR */
#define ISA_NEED_HPM (1U << 3) /* hcounteren.HPM3-31 */
#define ISA_NEED_CBO_MGMT (1U << 4) /* henvcfg.CBIE, CBCFE */
#define ISA_NEED_CBO_ZERO (1U << 5) /* henvcfg.CBZE */
#define ISA_NEED_PBMT (1U << 6) /* henvcfg.PBMTE */
#define ISA_NEED_HW_AD (1U << 7) /* henvcfg.ADUE, FWFT PTE_AD_HW_UPDATING */
#define ISA_NEED_VSTIMECMP (1U << 8) /* henvcfg.STCE, hcounteren.TM */
#define ISA_NEED_LCOFI (1U << 9) /* hideleg.LCOFI, SBI PMU */
#define ISA_NEED_IMSIC (1U << 10) /* a guest interrupt file, hstateen0 AIA */
#define ISA_NEED_SSTATEEN (1U << 11) /* hstateen0.SE0 */
#define ISA_NEED_CSRIND (1U << 12) /* hstateen0.CSRIND */
/* hstatus.VTW: a guest's wrs.nto and wfi exit, to sleep (vcpu_wait.c) */
#define ISA_NEED_WAIT_EXITS (1U << 13)
#define ISA_NEED_NEVER (1U << 31) /* hartvisor cannot give it */

/* What every hartvisor can give, whatever the machine. */
#define ISA_OFFERS_ALWAYS                                                   \
	(ISA_NEED_FP | ISA_NEED_VECTOR | ISA_NEED_COUNTERS | ISA_NEED_HPM | \
	 ISA_NEED_CBO_MGMT | ISA_NEED_CBO_ZERO | ISA_NEED_PBMT |            \
	 ISA_NEED_SSTATEEN | ISA_NEED_CSRIND | ISA_NEED_WAIT_EXITS)

struct isa_ext {
	const char *name; /* lower case, as in riscv,isa-extensions */
	unsigned int needs;
};

/*
 * What this hartvisor offers a VM: ISA_OFFERS_ALWAYS, plus the guest's
 * own stimecmp (@vstimecmp), hardware A/D updating (@hw_ad: the hart can
 * turn henvcfg.ADUE on), a guest interrupt file per vCPU (@imsic) and SBI
 * PMU with counter-overflow interrupts (@lcofi).
 */
unsigned int isa_offers(bool vstimecmp, bool hw_ad, bool imsic, bool lcofi);

/* The table's entry for extension @name (@n chars, any case), or NULL. */
const struct isa_ext *isa_ext_find(const char *name, size_t n);

/* Does the guest see extension @name (@n chars) under @offers? */
bool isa_guest_gets(const char *name, size_t n, unsigned int offers);

/*
 * The needs of every extension the guest of a hart sees, from the hart's
 * riscv,isa string @isa and, if it has one, its riscv,isa-extensions
 * list @exts (@len bytes, NULL if none), under @offers. ISA_NEED_HW_AD
 * is left out when Svade is named too: the guest then starts with
 * software A/D updating, as the device-tree binding says.
 */
unsigned int isa_guest_needs(const char *isa, const char *exts, int len,
			     unsigned int offers);

/*
 * True when the ISA string @isa names extension @ext: one letter ("h")
 * from the single-letter part, or a multi-letter name ("sstc") from the
 * underscore-separated part. Case-insensitive; 'g' implies i, m, a, f, d.
 */
bool isa_has_ext(const char *isa, const char *ext);

/*
 * The ISA string a guest sees: @isa with only what isa_guest_gets().
 * Like snprintf: stores at most @len bytes into @out (NUL terminated when
 * @len > 0; @out may be NULL when @len is 0) and returns the length of
 * the whole result, or -1 if @isa is not an ISA string.
 */
long isa_guest_string(const char *isa, unsigned int offers, char *out,
		      size_t len);

#endif
