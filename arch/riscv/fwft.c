// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hart side of SBI FWFT for the vCPU pinned to it. Both features a
 * guest can set are a bit of this hart's own state, so a vCPU's value is
 * simply its hart's:
 *
 * - MISALIGNED_EXC_DELEG: the firmware sends misaligned loads and stores
 *   to HS-mode (its own FWFT, medeleg) and hedeleg passes them on to the
 *   guest. Off, the firmware handles them as it does natively.
 * - PTE_AD_HW_UPDATING: henvcfg.ADUE, the guest's Svadu. It exists only
 *   when the firmware lets S-mode have Svadu (menvcfg.ADUE), which it is
 *   asked for when the hart has Svadu and it is off.
 *
 * Everything here runs on the vCPU's own hart.
 */
#include "arch.h"
#include "arch/csr.h"
#include "arch/sbi_call.h"
#include "arch_traps.h"
#include "sbi.h"

#define MISALIGNED_EXC \
	((1UL << EXC_LOAD_MISALIGNED) | (1UL << EXC_STORE_MISALIGNED))

static bool firmware_has(unsigned long feature)
{
	return !sbi_ecall(SBI_EXT_FWFT, SBI_EXT_FWFT_GET, feature, 0, 0, 0, 0,
			  0)
			.error;
}

static long firmware_set(unsigned long feature, unsigned long value)
{
	return sbi_ecall(SBI_EXT_FWFT, SBI_EXT_FWFT_SET, feature, value, 0, 0,
			 0, 0)
		.error;
}

/* Does henvcfg.ADUE stick? Leaves it 0, the feature's reset value. */
static bool adue_writable(void)
{
	bool ok;

	csr_set(CSR_HENVCFG, HENVCFG_ADUE);
	ok = csr_read(CSR_HENVCFG) & HENVCFG_ADUE;
	csr_clear(CSR_HENVCFG, HENVCFG_ADUE);
	return ok;
}

unsigned int arch_fwft_probe(bool svadu)
{
	unsigned int features = 0;
	bool fwft = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
			      SBI_EXT_FWFT, 0, 0, 0, 0, 0)
			    .value != 0;

	if (fwft && firmware_has(SBI_FWFT_MISALIGNED_EXC_DELEG) &&
	    !firmware_set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0))
		features |= 1U << SBI_FWFT_MISALIGNED_EXC_DELEG;
	/* OpenSBI 1.5 turns menvcfg.ADUE on at boot unless Svade is named. */
	if (svadu && !adue_writable() && fwft)
		firmware_set(SBI_FWFT_PTE_AD_HW_UPDATING, 1);
	if (svadu && adue_writable())
		features |= 1U << SBI_FWFT_PTE_AD_HW_UPDATING;
	return features;
}

long arch_fwft_set(unsigned int feature, unsigned long value)
{
	switch (feature) {
	case SBI_FWFT_MISALIGNED_EXC_DELEG:
		/* On: the firmware's delegation first; off: ours first. */
		if (!value)
			csr_clear(CSR_HEDELEG, MISALIGNED_EXC);
		if (firmware_set(feature, value))
			return SBI_ERR_FAILED;
		if (value)
			csr_set(CSR_HEDELEG, MISALIGNED_EXC);
		return SBI_SUCCESS;
	case SBI_FWFT_PTE_AD_HW_UPDATING:
		if (value)
			csr_set(CSR_HENVCFG, HENVCFG_ADUE);
		else
			csr_clear(CSR_HENVCFG, HENVCFG_ADUE);
		return SBI_SUCCESS;
	default:
		return SBI_ERR_NOT_SUPPORTED;
	}
}
