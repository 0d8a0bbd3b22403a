// SPDX-License-Identifier: BSD-2-Clause
/*
 * The legacy SBI v0.1 calls: the EID is the function, the result is in a0
 * only (a1 is preserved), and hart masks are pointers into the guest's
 * virtual memory. A mask pointer that faults sends that fault to the guest
 * at the ecall, as firmware would.
 */
#include "arch.h"
#include "hart.h"
#include "log.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

/* Read the mask @ptr points to (NULL: every vCPU); false if it faulted. */
static bool legacy_mask(struct vcpu *v, struct vsbi_call *c, unsigned long ptr,
			uint64_t *targets)
{
	unsigned long mask;
	unsigned long cause;

	if (!ptr)
		return !vsbi_hart_mask(v->vm, 0, -1UL, targets);
	if (arch_guest_load_ulong(ptr, &mask)) {
		/* A stage-2 fault is an access fault from the guest's view. */
		cause = v->hart->fault_cause;
		if (cause == EXC_LOAD_GUEST_PAGE_FAULT)
			cause = EXC_LOAD_ACCESS;
		arch_vcpu_inject_exception(&v->ctx, cause, v->hart->fault_tval);
		c->action = VSBI_NO_RETURN;
		return false;
	}
	if (vsbi_hart_mask(v->vm, mask, 0, targets)) {
		c->error = SBI_ERR_INVALID_PARAM;
		return false;
	}
	return true;
}

static void legacy_handle(struct vcpu *v, struct vsbi_call *c)
{
	const unsigned long *a = c->args;
	uint64_t targets;
	char ch;

	c->action = VSBI_RETURN_LEGACY;
	switch (c->eid) {
	case SBI_EXT_0_1_SET_TIMER:
		arch_vcpu_timer_set(a[0]);
		vsbi_pmu_event(v, SBI_PMU_FW_SET_TIMER);
		break;
	case SBI_EXT_0_1_CONSOLE_PUTCHAR:
		ch = (char)a[0];
		vm_console_write(v->vm, &ch, 1);
		break;
	case SBI_EXT_0_1_CONSOLE_GETCHAR:
		c->error = vm_console_getc(v->vm);
		break;
	case SBI_EXT_0_1_CLEAR_IPI:
		/* 1 when an IPI was pending, 0 when none was. */
		c->error = arch_vcpu_clear_ipi();
		break;
	case SBI_EXT_0_1_SEND_IPI:
		if (legacy_mask(v, c, a[0], &targets))
			vsbi_send_ipis(v, targets);
		break;
	case SBI_EXT_0_1_REMOTE_FENCE_I:
		if (legacy_mask(v, c, a[0], &targets))
			vsbi_fence(v, targets, 0, 0, -1,
				   SBI_PMU_FW_FENCE_I_SENT);
		break;
	case SBI_EXT_0_1_REMOTE_SFENCE_VMA:
		if (legacy_mask(v, c, a[0], &targets))
			vsbi_fence(v, targets, a[1], a[2], -1,
				   SBI_PMU_FW_SFENCE_VMA_SENT);
		break;
	case SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID:
		if (legacy_mask(v, c, a[0], &targets))
			vsbi_fence(v, targets, a[1], a[2],
				   (long)(a[3] & 0xffff),
				   SBI_PMU_FW_SFENCE_VMA_ASID_SENT);
		break;
	case SBI_EXT_0_1_SHUTDOWN:
		vm_shutdown(v->vm, v, false);
		c->action = VSBI_NO_RETURN;
		break;
	default:
		c->error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
}

const struct vsbi_ext vsbi_legacy = {
	.name = "legacy",
	.kind = VCPU_SBI_LEGACY,
	.eid_min = SBI_EXT_0_1_SET_TIMER,
	.eid_max = SBI_EXT_0_1_SHUTDOWN,
	.handle = legacy_handle,
};
