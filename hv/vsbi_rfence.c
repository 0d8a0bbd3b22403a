// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI RFENCE. The guest runs without H, so the HFENCE functions are
 * NOT_SUPPORTED. The call returns once every target has fenced.
 */
#include "sbi.h"
#include "vcpu.h"
#include "vsbi.h"

static void rfence_handle(struct vcpu *v, struct vsbi_call *c)
{
	uint64_t targets;
	const unsigned long *a = c->args;

	if (c->fid > SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID) {
		c->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	c->error = vsbi_hart_mask(v->vm, a[0], a[1], &targets);
	if (c->error)
		return;
	switch (c->fid) {
	case SBI_EXT_RFENCE_REMOTE_FENCE_I:
		vsbi_fence(v, targets, 0, 0, -1, SBI_PMU_FW_FENCE_I_SENT);
		break;
	case SBI_EXT_RFENCE_REMOTE_SFENCE_VMA:
		vsbi_fence(v, targets, a[2], a[3], -1,
			   SBI_PMU_FW_SFENCE_VMA_SENT);
		break;
	default:
		vsbi_fence(v, targets, a[2], a[3], (long)(a[4] & 0xffff),
			   SBI_PMU_FW_SFENCE_VMA_ASID_SENT);
		break;
	}
}

const struct vsbi_ext vsbi_rfence = {
	.name = "RFENCE",
	.kind = VCPU_SBI_RFENCE,
	.eid_min = SBI_EXT_RFENCE,
	.eid_max = SBI_EXT_RFENCE,
	.handle = rfence_handle,
};
