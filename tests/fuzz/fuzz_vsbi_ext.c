// SPDX-License-Identifier: BSD-2-Clause
/*
 * The vSBI fuzzer's model of each extension (fuzz_vsbi_check.c checks
 * what every call must do; the legacy ones are fuzz_vsbi_legacy.c): the
 * results the spec gives for the call in fv_call, and the effects it
 * must have had through the fakes, each one added to fv_call.allowed.
 */
#include <string.h>

#include "fuzz_vsbi.h"
#include "sbi.h"
#include "vsbi.h"

static struct fv_call *const c = &fv_call;

/* The IPIs of a call that sent them to @targets. */
void fv_check_ipis(uint64_t targets)
{
	uint64_t want_ipis = 0;

	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++) {
		if (!(targets >> i & 1) || c->b->absent[i])
			continue;
		want_ipis |= 1ULL << i;
		fv_pmu_event(c->v, SBI_PMU_FW_IPI_SENT);
		if (i == c->v->id)
			fv_pmu_event(c->v, SBI_PMU_FW_IPI_RECEIVED);
	}
	fuzz_check(fv.fx.ipis == want_ipis, "IPIs to 0x%lx, want 0x%lx",
		   (unsigned long)fv.fx.ipis, (unsigned long)want_ipis);
	c->allowed |= FX_IPI;
}

/*
 * A remote fence of @targets: fence.i (@tlb false), or an sfence.vma of
 * [@start, +@size) for @asid. Remote harts: each target's that is in and
 * not the caller's. The caller's own: fence.i, and a full flush or every
 * page of the range.
 */
void fv_check_fence(uint64_t targets, unsigned long start, unsigned long size,
		    long asid, bool tlb, unsigned int event)
{
	const struct fv_effects *fx = &fv.fx;
	uint64_t slots = 0;
	unsigned long pages;

	/* The caller sent one; each vCPU fenced received one. */
	fv_pmu_event(c->v, event);
	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++) {
		const struct vcpu *t = &fv.vcpus[i];

		if (!(targets >> i & 1))
			continue;
		if (t == c->v) {
			fv_pmu_event(t, event + 1);
		} else if (!t->absent && t->hart->online) {
			slots |= 1ULL << t->hart->slot;
			fv_pmu_event(t, event + 1);
		}
	}
	fuzz_check(fx->remote_fences <= 1 && fx->fence_slots == slots,
		   "remote fence of slots 0x%lx (%u calls), want 0x%lx",
		   (unsigned long)fx->fence_slots, fx->remote_fences,
		   (unsigned long)slots);
	c->allowed |= FX_FENCE | FX_REMOTE_FENCE;
	if (!(targets >> c->v->id & 1)) {
		fuzz_check(!(fx->what & FX_FENCE),
			   "the caller fenced itself, not a target");
		return;
	}
	if (!tlb) {
		fuzz_check(fx->fence_i, "no fence.i on the caller");
		return;
	}
	if ((!start && !size) || size == -1UL) {
		fuzz_check(fx->flush_all, "no full flush for (0x%lx, 0x%lx)",
			   start, size);
		return;
	}
	if (fx->flush_all)
		return;
	fuzz_check(size <= (FV_MAX_PAGES - 2) * FV_PAGE,
		   "a range of 0x%lx bytes flushed page by page", size);
	/* The pages [start, start + size) touches: none when size is 0. */
	pages = size ? ((start & (FV_PAGE - 1)) + size + FV_PAGE - 1) /
				FV_PAGE :
		       0;
	for (unsigned long k = 0; k < pages; k++) {
		unsigned long page = (start / FV_PAGE + k) << 12;
		bool done = false;

		for (unsigned int i = 0; i < fx->nr_pages; i++)
			done |= (fx->pages[i] & ~(FV_PAGE - 1)) == page;
		fuzz_check(done, "page 0x%lx of (0x%lx, 0x%lx) not flushed",
			   page, start, size);
	}
	for (unsigned int i = 0; i < fx->nr_pages; i++)
		fuzz_check(fx->asids[i] == asid, "flush of ASID %ld, want %ld",
			   fx->asids[i], asid);
}

/* ---- The extensions. ---- */

static void check_base(unsigned long fid)
{
	const struct vm *vm = fv.vm;

	switch (fid) {
	case SBI_EXT_BASE_GET_SPEC_VERSION:
		/* Major in 30:24, at least 1 (this is not v0.1); 31 is 0. */
		fuzz_check(!c->err && c->val >> 24 >= 1 && !(c->val >> 31),
			   "spec version 0x%lx", c->val);
		break;
	case SBI_EXT_BASE_GET_IMP_ID:
	case SBI_EXT_BASE_GET_IMP_VERSION:
		fuzz_check(!c->err, "BASE fid %lu failed", fid);
		break;
	case SBI_EXT_BASE_PROBE_EXT:
		fuzz_check(!c->err && c->val <= 1 &&
				   (c->val == fv_has(c->v, c->a[0]) ||
				    !fv_modelled(c->a[0])),
			   "probe_extension(0x%lx) = %lu", c->a[0], c->val);
		break;
	case SBI_EXT_BASE_GET_MVENDORID:
		fv_want(0, vm->mvendorid);
		break;
	case SBI_EXT_BASE_GET_MARCHID:
		fv_want(0, vm->marchid);
		break;
	case SBI_EXT_BASE_GET_MIMPID:
		fv_want(0, vm->mimpid);
		break;
	default:
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		break;
	}
}

static void check_time(unsigned long fid)
{
	if (fid != SBI_EXT_TIME_SET_TIMER) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	fv_want(0, 0);
	fuzz_check((fv.fx.what & FX_TIMER) && fv.fx.timer == c->a[0],
		   "set_timer(0x%lx) set 0x%lx", c->a[0],
		   (unsigned long)fv.fx.timer);
	c->allowed |= FX_TIMER;
	fv_pmu_event(c->v, SBI_PMU_FW_SET_TIMER);
}

static void check_ipi(unsigned long fid)
{
	uint64_t targets;

	if (fid != SBI_EXT_IPI_SEND_IPI) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
	} else if (!fv_ref_mask(c->a[0], c->a[1], &targets)) {
		fv_want(SBI_ERR_INVALID_PARAM, 0);
	} else {
		fv_want(0, 0);
		fv_check_ipis(targets);
	}
}

static void check_rfence(unsigned long fid)
{
	uint64_t targets;

	if (fid > SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	if (!fv_ref_mask(c->a[0], c->a[1], &targets)) {
		fv_want(SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	fv_want(0, 0);
	if (fid == SBI_EXT_RFENCE_REMOTE_FENCE_I)
		fv_check_fence(targets, 0, 0, -1, false,
			       SBI_PMU_FW_FENCE_I_SENT);
	else if (fid == SBI_EXT_RFENCE_REMOTE_SFENCE_VMA)
		fv_check_fence(targets, c->a[2], c->a[3], -1, true,
			       SBI_PMU_FW_SFENCE_VMA_SENT);
	else
		fv_check_fence(targets, c->a[2], c->a[3],
			       (long)(c->a[4] & 0xffff), true,
			       SBI_PMU_FW_SFENCE_VMA_ASID_SENT);
}

static void check_hsm(unsigned long fid)
{
	const struct fv_effects *fx = &fv.fx;
	struct vcpu *v = c->v, *t;
	uint32_t type = (uint32_t)c->a[0];

	switch (fid) {
	case SBI_EXT_HSM_HART_START:
		t = c->a[0] < fv.vm->nr_vcpus ? &fv.vcpus[c->a[0]] : NULL;
		if (!t) {
			fv_want(SBI_ERR_INVALID_PARAM, 0);
		} else if (!fv_usable(c->a[1], 4)) {
			fv_want(SBI_ERR_INVALID_ADDRESS, 0);
		} else {
			fuzz_check(
				fx->starts == 1 && fx->start_target == t &&
					fx->start_pc == c->a[1] &&
					fx->start_arg == c->a[2],
				"hart_start(%lu, 0x%lx, 0x%lx) started vCPU %u at 0x%lx",
				c->a[0], c->a[1], c->a[2],
				fx->start_target ? fx->start_target->id : 0,
				fx->start_pc);
			fv_want(fx->start_ret, 0);
			c->allowed |= FX_START;
		}
		break;
	case SBI_EXT_HSM_HART_STOP:
		fuzz_check(fx->moved && v->state == SBI_HSM_STATE_STOPPED,
			   "hart_stop returned, or left state %d", v->state);
		c->allowed |= FX_STOP;
		break;
	case SBI_EXT_HSM_HART_GET_STATUS:
		if (c->a[0] < fv.vm->nr_vcpus)
			fv_want(0, (unsigned long)c->b->state[c->a[0]]);
		else
			fv_want(SBI_ERR_INVALID_PARAM, 0);
		break;
	case SBI_EXT_HSM_HART_SUSPEND:
		if (type == 0) {
			fv_want(0, 0);
			fuzz_check(v->state == SBI_HSM_STATE_SUSPENDED &&
					   !v->resume_non_retentive,
				   "retentive suspend left state %d", v->state);
			c->allowed |= FX_SUSPEND;
		} else if (type != 0x80000000U) {
			fv_want(SBI_ERR_INVALID_PARAM, 0);
		} else if (!fv_usable(c->a[1], 4)) {
			fv_want(SBI_ERR_INVALID_ADDRESS, 0);
		} else {
			fuzz_check(
				fx->moved &&
					v->state == SBI_HSM_STATE_SUSPENDED &&
					v->resume_non_retentive &&
					v->start_pc == c->a[1] &&
					v->start_arg == c->a[2],
				"non-retentive suspend: state %d, resume at 0x%lx",
				v->state, v->start_pc);
			c->allowed |= FX_SUSPEND;
		}
		break;
	default:
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		break;
	}
}

/* After an SRST reboot: all stopped, one vCPU starting at the entry. */
static void check_reboot(void)
{
	const struct vm *vm = fv.vm;
	const struct vcpu *boot = NULL;

	fuzz_check(fv.fx.moved && vm->boots == c->b->boots + 1 &&
			   !vm->resetting,
		   "reboot: boots %u (was %u), resetting %d", vm->boots,
		   c->b->boots, vm->resetting);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = &fv.vcpus[i];

		if (!boot && !v->absent) {
			boot = v;
			fuzz_check(
				v->state == SBI_HSM_STATE_START_PENDING &&
					v->start_pc == vm->entry &&
					v->start_arg == vm->dtb,
				"reboot: vCPU %u in state %d, starting at 0x%lx",
				i, v->state, v->start_pc);
		} else {
			fuzz_check(v->state == SBI_HSM_STATE_STOPPED,
				   "reboot: vCPU %u in state %d", i, v->state);
		}
	}
	fuzz_check(boot, "reboot: no vCPU boots");
	/* The images and the DTB are back, whatever the guest wrote. */
	memcpy(fv_shadow_of(vm->images[0].base), fv.pristine, FV_IMAGE_SIZE);
	memcpy(fv_shadow_of(vm->dtb), fv_dtb(), FV_DTB_SIZE);
	fv_check_ram();
	c->allowed |= FX_STOP | FX_START | FX_REBOOT;
}

static void check_srst(unsigned long fid)
{
	uint32_t type = (uint32_t)c->a[0], reason = (uint32_t)c->a[1];

	if (fid != SBI_EXT_SRST_RESET)
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
	else if (type > SBI_SRST_RESET_TYPE_WARM_REBOOT ||
		 reason > SBI_SRST_RESET_REASON_SYSFAIL)
		fv_want(SBI_ERR_INVALID_PARAM, 0);
	else if (type == SBI_SRST_RESET_TYPE_SHUTDOWN)
		fuzz_fail("SRST shutdown returned");
	else
		check_reboot();
}

static void check_dbcn(unsigned long fid)
{
	const struct fv_effects *fx = &fv.fx;
	unsigned long num = c->a[0], base = c->a[1], got;

	switch (fid) {
	case SBI_EXT_DBCN_CONSOLE_WRITE:
	case SBI_EXT_DBCN_CONSOLE_READ:
		if (c->a[2] || !fv_usable(base, num)) {
			fv_want(SBI_ERR_INVALID_PARAM, 0);
			break;
		}
		if (fid == SBI_EXT_DBCN_CONSOLE_WRITE) {
			fv_want(0, num);
			fuzz_check(
				fx->writes == 1 &&
					fx->write_buf ==
						(const char *)(uintptr_t)base &&
					fx->write_len == num,
				"console_write(0x%lx, 0x%lx) wrote %zu bytes from %p",
				num, base, fx->write_len, fx->write_buf);
			c->allowed |= FX_CONSOLE_OUT;
			break;
		}
		got = MIN(num, fv.console_len - c->b->console_pos);
		fv_want(0, got);
		fuzz_check(
			fx->getcs == got + (got < num),
			"console_read of %lu bytes (%lu there): %u getc calls",
			num, got, fx->getcs);
		fuzz_check(!memcmp((const void *)(uintptr_t)base,
				   fv.console + c->b->console_pos, got),
			   "console_read: not the bytes typed");
		if (got)
			memcpy(fv_shadow_of(base),
			       fv.console + c->b->console_pos, got);
		fv_check_ram();
		c->allowed |= FX_CONSOLE_IN;
		break;
	case SBI_EXT_DBCN_CONSOLE_WRITE_BYTE:
		fv_want(0, 0);
		fuzz_check(fx->writes == 1 && fx->write_len == 1 &&
				   fx->write_byte == (char)c->a[0],
			   "console_write_byte(0x%lx)", c->a[0]);
		c->allowed |= FX_CONSOLE_OUT;
		break;
	default:
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		break;
	}
}

/* System suspend: only with every other vCPU stopped, resuming in RAM. */
static void check_susp(unsigned long fid)
{
	const struct vcpu *v = c->v;
	bool alone = true;

	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++)
		alone &= i == v->id || c->b->state[i] == SBI_HSM_STATE_STOPPED;
	if (fid != SBI_EXT_SUSP_SYSTEM_SUSPEND) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
	} else if ((uint32_t)c->a[0] != SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM) {
		fv_want(SBI_ERR_INVALID_PARAM, 0);
	} else if (!fv_usable(c->a[1], 4)) {
		fv_want(SBI_ERR_INVALID_ADDRESS, 0);
	} else if (!alone) {
		fv_want(SBI_ERR_DENIED, 0);
	} else {
		fuzz_check(fv.fx.moved && v->state == SBI_HSM_STATE_SUSPENDED &&
				   v->resume_non_retentive &&
				   v->system_suspended &&
				   v->start_pc == c->a[1] &&
				   v->start_arg == c->a[2],
			   "system suspend: state %d, resume at 0x%lx",
			   v->state, v->start_pc);
		c->allowed |= FX_SUSPEND;
	}
}

/*
 * FWFT: the defined features (IDs 0-5) are the vCPU's own; what its hart
 * cannot give is NOT_SUPPORTED, any other ID DENIED. A set takes 0 or 1
 * and only the LOCK flag, and fails once the feature is locked.
 */
static void check_fwft(unsigned long fid)
{
	const struct vcpu *v = c->v;
	uint32_t f = (uint32_t)c->a[0];
	unsigned long value = c->a[1], flags = c->a[2];
	unsigned int bit = f < 32 ? 1U << f : 0;
	long err;

	for (unsigned int i = 0; i < VCPU_FWFT_FEATURES; i++)
		fuzz_check(v->fwft.value[i] <= 1 &&
				   !(v->fwft.locked & ~v->fwft.supported),
			   "FWFT feature %u = %lu, locked 0x%x", i,
			   v->fwft.value[i], v->fwft.locked);
	if (fid != SBI_EXT_FWFT_SET && fid != SBI_EXT_FWFT_GET) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	if (f >= VCPU_FWFT_FEATURES) {
		fv_want(SBI_ERR_DENIED, 0);
		return;
	}
	if (!(v->fwft.supported & bit)) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	if (fid == SBI_EXT_FWFT_GET) {
		fv_want(0, c->b->fwft_value[f]);
		return;
	}
	if ((flags & ~SBI_FWFT_SET_FLAG_LOCK) || value > 1) {
		fv_want(SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (c->b->fwft_locked & bit) {
		fv_want(SBI_ERR_DENIED_LOCKED, 0);
		return;
	}
	err = value != c->b->fwft_value[f] && (fv.fwft_fails & bit) ?
		      SBI_ERR_FAILED :
		      0;
	fv_want(err, 0);
	if (value != c->b->fwft_value[f]) {
		fuzz_check((fv.fx.what & FX_FWFT) && fv.fx.fwft_feature == f &&
				   fv.fx.fwft_value == value,
			   "FWFT set of %u to %lu did not reach the hart", f,
			   value);
		c->allowed |= FX_FWFT;
	}
	fuzz_check(v->fwft.value[f] == (err ? c->b->fwft_value[f] : value),
		   "FWFT feature %u = %lu after setting %lu (error %ld)", f,
		   v->fwft.value[f], value, err);
	fuzz_check(
		v->fwft.locked ==
			(c->b->fwft_locked |
			 (!err && (flags & SBI_FWFT_SET_FLAG_LOCK) ? bit : 0)),
		"FWFT locked 0x%x after flags 0x%lx", v->fwft.locked, flags);
}

static void check_hartvisor(unsigned long fid)
{
	const struct vcpu *v = c->v;
	unsigned long calls = c->b->calls[v->id] + 1, all = calls;

	for (unsigned int i = 0; i < VCPU_EXIT_KINDS; i++)
		all += v->exits_by_cause[i];
	for (unsigned int i = 0; i < ARRAY_SIZE(v->exits_by_irq); i++)
		all += v->exits_by_irq[i];
	if (fid != SBI_EXT_HARTVISOR_EXITS) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	switch (c->a[0]) {
	case HV_EXITS_ALL:
		fv_want(0, all);
		break;
	case HV_EXITS_ECALL:
		fv_want(0, calls);
		break;
	case HV_EXITS_MMIO:
		fv_want(0,
			v->exits_by_cause[EXC_LOAD_GUEST_PAGE_FAULT] +
				v->exits_by_cause[EXC_STORE_GUEST_PAGE_FAULT]);
		break;
	case HV_EXITS_EXTERNAL:
		fv_want(0, v->exits_by_irq[IRQ_S_EXT]);
		break;
	case HV_EXITS_IPI:
		fv_want(0, v->exits_by_irq[IRQ_S_SOFT]);
		break;
	case HV_EXITS_TIMER:
		fv_want(0, v->exits_by_irq[IRQ_S_TIMER]);
		break;
	case HV_EXITS_WAITS:
		fv_want(0, v->waits[VCPU_WAIT_WFI] + v->waits[VCPU_WAIT_WRS]);
		break;
	default:
		fv_want(SBI_ERR_INVALID_PARAM, 0);
		break;
	}
}

void fv_check_ext(unsigned long eid, unsigned long fid)
{
	if (eid <= SBI_EXT_0_1_SHUTDOWN) {
		fv_check_legacy(eid);
		return;
	}
	switch (eid) {
	case SBI_EXT_BASE:
		check_base(fid);
		break;
	case SBI_EXT_TIME:
		check_time(fid);
		break;
	case SBI_EXT_IPI:
		check_ipi(fid);
		break;
	case SBI_EXT_RFENCE:
		check_rfence(fid);
		break;
	case SBI_EXT_HSM:
		check_hsm(fid);
		break;
	case SBI_EXT_SRST:
		check_srst(fid);
		break;
	case SBI_EXT_DBCN:
		check_dbcn(fid);
		break;
	case SBI_EXT_SUSP:
		check_susp(fid);
		break;
	case SBI_EXT_FWFT:
		check_fwft(fid);
		break;
	case SBI_EXT_HARTVISOR:
		check_hartvisor(fid);
		break;
	case SBI_EXT_PMU:
		fv_check_pmu(fid);
		break;
	default:
		c->allowed = ~0U; /* not modelled: generic checks only */
		break;
	}
}
