// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI TIME. With Sstc the guest may also write stimecmp itself (no exit);
 * set_timer then writes vstimecmp. Without Sstc the hart's own timer is
 * programmed through OpenSBI and its interrupt forwarded as VSTIP.
 */
#include "arch.h"
#include "sbi.h"
#include "vcpu.h"
#include "vsbi.h"

static void time_handle(struct vcpu *v, struct vsbi_call *c)
{
	if (c->fid != SBI_EXT_TIME_SET_TIMER) {
		c->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	arch_vcpu_timer_set(c->args[0]);
	vsbi_pmu_event(v, SBI_PMU_FW_SET_TIMER);
}

const struct vsbi_ext vsbi_time = {
	.name = "TIME",
	.kind = VCPU_SBI_TIME,
	.eid_min = SBI_EXT_TIME,
	.eid_max = SBI_EXT_TIME,
	.handle = time_handle,
};
