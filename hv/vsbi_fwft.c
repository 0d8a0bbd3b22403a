// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI FWFT (v3.0), firmware features. All defined features are local, and
 * a vCPU's are its own (struct vcpu's fwft). hartvisor can give a guest
 * MISALIGNED_EXC_DELEG and PTE_AD_HW_UPDATING where its hart can
 * (arch/riscv/fwft.c says how); LANDING_PAD, SHADOW_STACK, DOUBLE_TRAP and
 * POINTER_MASKING_PMLEN are NOT_SUPPORTED. Every other ID, reserved or
 * platform-specific, local or global, names nothing here: DENIED.
 */
#include "arch.h"
#include "sbi.h"
#include "vcpu.h"
#include "vsbi.h"

/* SBI_SUCCESS if @feature can be read and set on @v's hart. */
static long fwft_check(const struct vcpu *v, unsigned long feature)
{
	if (feature >= VCPU_FWFT_FEATURES)
		return SBI_ERR_DENIED;
	if (!(v->fwft.supported & (1U << feature)))
		return SBI_ERR_NOT_SUPPORTED;
	return SBI_SUCCESS;
}

static void fwft_set(struct vcpu *v, struct vsbi_call *c, unsigned int feature)
{
	unsigned long value = c->args[1], flags = c->args[2];

	/* Both features we have are off (0) or on (1). */
	if ((flags & ~SBI_FWFT_SET_FLAG_LOCK) || value > 1) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	if (v->fwft.locked & (1U << feature)) {
		c->error = SBI_ERR_DENIED_LOCKED;
		return;
	}
	if (value != v->fwft.value[feature]) {
		c->error = arch_fwft_set(feature, value);
		if (c->error)
			return;
		v->fwft.value[feature] = value;
	}
	if (flags & SBI_FWFT_SET_FLAG_LOCK)
		v->fwft.locked |= 1U << feature;
}

static void fwft_handle(struct vcpu *v, struct vsbi_call *c)
{
	/* The feature ID is 32 bits wide: the upper half of a0 is not read. */
	uint32_t feature = (uint32_t)c->args[0];

	if (c->fid != SBI_EXT_FWFT_SET && c->fid != SBI_EXT_FWFT_GET) {
		c->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	c->error = fwft_check(v, feature);
	if (c->error)
		return;
	if (c->fid == SBI_EXT_FWFT_SET)
		fwft_set(v, c, feature);
	else
		c->value = v->fwft.value[feature];
}

const struct vsbi_ext vsbi_fwft = {
	.name = "FWFT",
	.kind = VCPU_SBI_FWFT,
	.eid_min = SBI_EXT_FWFT,
	.eid_max = SBI_EXT_FWFT,
	.handle = fwft_handle,
};
