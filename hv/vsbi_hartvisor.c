// SPDX-License-Identifier: BSD-2-Clause
/*
 * hartvisor's own SBI extension (SBI_EXT_HARTVISOR): a guest reads its
 * vCPU's exit counters, to measure what a workload costs in exits (the
 * interrupt benchmark uses it). Not a standard extension: guests find it
 * with BASE probe_extension.
 */
#include "sbi.h"
#include "vcpu.h"
#include "vsbi.h"

static unsigned long vcpu_exits(const struct vcpu *v, unsigned long kind)
{
	switch (kind) {
	case HV_EXITS_ALL:
		return vcpu_exits_total(v);
	case HV_EXITS_ECALL:
		return vcpu_sbi_calls(v);
	case HV_EXITS_MMIO:
		return v->exits_by_cause[EXC_LOAD_GUEST_PAGE_FAULT] +
		       v->exits_by_cause[EXC_STORE_GUEST_PAGE_FAULT];
	case HV_EXITS_EXTERNAL:
		return v->exits_by_irq[IRQ_S_EXT];
	case HV_EXITS_IPI:
		return v->exits_by_irq[IRQ_S_SOFT];
	case HV_EXITS_TIMER:
		return v->exits_by_irq[IRQ_S_TIMER];
	default:
		return v->waits[VCPU_WAIT_WFI] + v->waits[VCPU_WAIT_WRS];
	}
}

static void hartvisor_handle(struct vcpu *v, struct vsbi_call *c)
{
	if (c->fid != SBI_EXT_HARTVISOR_EXITS) {
		c->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	if (c->args[0] > HV_EXITS_WAITS) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	c->value = vcpu_exits(v, c->args[0]);
}

const struct vsbi_ext vsbi_hartvisor = {
	.name = "hartvisor",
	.kind = VCPU_SBI_HARTVISOR,
	.eid_min = SBI_EXT_HARTVISOR,
	.eid_max = SBI_EXT_HARTVISOR,
	.handle = hartvisor_handle,
};
