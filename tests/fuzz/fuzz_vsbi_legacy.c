// SPDX-License-Identifier: BSD-2-Clause
/*
 * The vSBI fuzzer's model of the legacy SBI v0.1 calls (EIDs 0-8): a0
 * only, hart masks read through pointers into guest memory, a pointer
 * that faults sends the fault to the guest.
 */
#include <string.h>

#include "fuzz_vsbi.h"
#include "sbi.h"

static struct fv_call *const c = &fv_call;

/*
 * A legacy hart mask: @ptr points to it in guest memory (0: all vCPUs).
 * Returns 0 with @targets, SBI_ERR_INVALID_PARAM, or 1 when reading it
 * faulted: then the fault went to the guest, as an access fault if it
 * was one of the G-stage.
 */
static int legacy_mask(unsigned long ptr, uint64_t *targets)
{
	unsigned long mask, cause;

	if (!ptr)
		return fv_ref_mask(0, -1UL, targets) ? 0 :
						       SBI_ERR_INVALID_PARAM;
	if (fv_usable(ptr, sizeof(mask))) {
		memcpy(&mask, (const void *)(uintptr_t)ptr, sizeof(mask));
		return fv_ref_mask(mask, 0, targets) ? 0 :
						       SBI_ERR_INVALID_PARAM;
	}
	cause = c->v->hart->fault_cause;
	if (cause == EXC_LOAD_GUEST_PAGE_FAULT)
		cause = EXC_LOAD_ACCESS;
	fuzz_check(
		fv.fx.moved && (fv.fx.what & FX_INJECT) &&
			fv.fx.cause == cause && fv.fx.tval == ptr,
		"hart mask at 0x%lx faulted: injected cause %lu tval 0x%lx, want %lu",
		ptr, fv.fx.cause, fv.fx.tval, cause);
	c->allowed |= FX_INJECT;
	return 1;
}

void fv_check_legacy(unsigned long eid)
{
	const unsigned long *a = c->a;
	uint64_t targets;
	int ret;

	switch (eid) {
	case SBI_EXT_0_1_SET_TIMER:
		fv_want_legacy(0);
		fuzz_check((fv.fx.what & FX_TIMER) && fv.fx.timer == a[0],
			   "legacy set_timer(0x%lx)", a[0]);
		c->allowed |= FX_TIMER;
		fv_pmu_event(c->v, SBI_PMU_FW_SET_TIMER);
		return;
	case SBI_EXT_0_1_CONSOLE_PUTCHAR:
		fv_want_legacy(0);
		fuzz_check(fv.fx.writes == 1 && fv.fx.write_len == 1 &&
				   fv.fx.write_byte == (char)a[0],
			   "legacy putchar(0x%lx)", a[0]);
		c->allowed |= FX_CONSOLE_OUT;
		return;
	case SBI_EXT_0_1_CONSOLE_GETCHAR:
		fv_want_legacy(c->b->console_pos < fv.console_len ?
				       fv.console[c->b->console_pos] :
				       -1);
		fuzz_check(fv.fx.getcs == 1, "legacy getchar: %u getc calls",
			   fv.fx.getcs);
		c->allowed |= FX_CONSOLE_IN;
		return;
	case SBI_EXT_0_1_CLEAR_IPI:
		fv_want_legacy(c->b->vssip[c->v->id]);
		fuzz_check(!fv.vssip[c->v->id], "clear_ipi left VSSIP");
		c->allowed |= FX_CLEAR_IPI;
		return;
	case SBI_EXT_0_1_SHUTDOWN:
		fuzz_fail("legacy shutdown returned");
	}
	ret = legacy_mask(a[0], &targets);
	if (ret) {
		if (ret < 0)
			fv_want_legacy(ret);
		return;
	}
	fv_want_legacy(0);
	if (eid == SBI_EXT_0_1_SEND_IPI)
		fv_check_ipis(targets);
	else if (eid == SBI_EXT_0_1_REMOTE_FENCE_I)
		fv_check_fence(targets, 0, 0, -1, false,
			       SBI_PMU_FW_FENCE_I_SENT);
	else if (eid == SBI_EXT_0_1_REMOTE_SFENCE_VMA)
		fv_check_fence(targets, a[1], a[2], -1, true,
			       SBI_PMU_FW_SFENCE_VMA_SENT);
	else
		fv_check_fence(targets, a[1], a[2], (long)(a[3] & 0xffff), true,
			       SBI_PMU_FW_SFENCE_VMA_ASID_SENT);
}
