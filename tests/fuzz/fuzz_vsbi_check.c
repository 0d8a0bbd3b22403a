// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the vSBI fuzzer checks after each call, from the SBI spec (v3.0)
 * and the contracts in hv/include/vsbi.h:
 *
 * - the call is counted once, under its extension (unknown EIDs too);
 * - a call that returns advances sepc by exactly 4 and changes a0 and a1
 *   only (a0 only for the legacy EIDs 0-8); a0 is 0 or an SBI error code
 *   the hypervisor knows (legacy getchar: a byte or -1; clear_ipi: 0 or
 *   1), and a1 is 0 with an error;
 * - a call that does not return (HSM stop, non-retentive suspend, SRST,
 *   a legacy hart-mask pointer that faults) changes no register at all,
 *   but the trap's sepc; one that returns moved the vCPU nowhere;
 * - no other vCPU's registers change, ever;
 * - an EID that BASE probe_extension denies is NOT_SUPPORTED with no
 *   effect; probe_extension says 1 for every extension checked here (the
 *   PMU: where the vCPU's firmware has one);
 * - each extension's results against a model of the spec, in
 *   fuzz_vsbi_ext.c: hart masks (any bit naming no vCPU is INVALID_PARAM
 *   and then nothing is sent or fenced), who gets IPIs and fences (never
 *   an absent vCPU or a hart not online, the caller's own through its
 *   hart-local hooks),
 *   that every page of a remote sfence.vma range is flushed, HSM states
 *   and start addresses in usable RAM only, DBCN buffers in usable RAM
 *   only and read or written exactly, SRST types and reasons, the
 *   reboot (every vCPU stopped, the boot vCPU starting at the entry, the
 *   images and the DTB restored), system suspend only with every other
 *   vCPU stopped, FWFT features per vCPU (values, locks, what the hart
 *   cannot give), the exit counters, the PMU (fuzz_vsbi_pmu.c: what
 *   reaches the firmware, firmware counters against a reference, no
 *   counter of a stopped vCPU running);
 * - guest RAM holds what the calls wrote and nothing else;
 * - no effect beyond what the call may have (no IPI from a failed
 *   IPI call, no console output from a refused write...).
 *
 * An extension the model does not know (one added later) gets the
 * generic checks only.
 */
#include <string.h>

#include "fuzz_vsbi.h"
#include "sbi.h"
#include "vsbi.h"

struct fv_call fv_call;
static struct fv_call *const c = &fv_call;

/* ---- References. ---- */

static bool in_range(uint64_t base, uint64_t len, unsigned long gpa,
		     unsigned long size)
{
	return gpa >= base && gpa - base <= len && size <= len - (gpa - base);
}

bool fv_usable(unsigned long gpa, unsigned long size)
{
	unsigned long fw = (uintptr_t)fv.ram0;

	/* [gpa, gpa + size) meets [fw, fw + FV_FIRMWARE_SIZE)? */
	if (size && gpa < fw + FV_FIRMWARE_SIZE &&
	    (gpa >= fw || fw - gpa < size))
		return false;
	return in_range((uintptr_t)fv.ram0, FV_RAM0_SIZE, gpa, size) ||
	       in_range((uintptr_t)fv.ram1, FV_RAM1_SIZE, gpa, size);
}

/* The vCPUs a hart mask names; false if a bit names no vCPU. */
bool fv_ref_mask(unsigned long mask, unsigned long base, uint64_t *out)
{
	unsigned int nr = fv.vm->nr_vcpus;

	*out = 0;
	if (base == -1UL) {
		*out = nr == 64 ? ~0ULL : (1ULL << nr) - 1;
		return true;
	}
	for (unsigned int bit = 0; bit < 64; bit++) {
		unsigned long id = base + bit;

		if (!(mask >> bit & 1))
			continue;
		if (id < base || id >= nr)
			return false;
		*out |= 1ULL << id;
	}
	return true;
}

static bool valid_error(long err)
{
	return err == SBI_SUCCESS ||
	       (err < 0 && strcmp(sbi_strerror(err), "unknown SBI error"));
}

/* Does @v have extension @eid? The PMU only where its firmware has one. */
bool fv_has(const struct vcpu *v, unsigned long eid)
{
	return eid != SBI_EXT_PMU || v->pmu.host.nr_counters;
}

/* The EIDs checked in detail here: probe_extension must say fv_has(). */
bool fv_modelled(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
	case SBI_EXT_SUSP:
	case SBI_EXT_FWFT:
	case SBI_EXT_PMU:
	case SBI_EXT_HARTVISOR:
		return true;
	default:
		return eid <= SBI_EXT_0_1_SHUTDOWN;
	}
}

static enum vcpu_sbi_kind kind_of(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
		return VCPU_SBI_BASE;
	case SBI_EXT_TIME:
		return VCPU_SBI_TIME;
	case SBI_EXT_IPI:
		return VCPU_SBI_IPI;
	case SBI_EXT_RFENCE:
		return VCPU_SBI_RFENCE;
	case SBI_EXT_HSM:
		return VCPU_SBI_HSM;
	case SBI_EXT_SRST:
		return VCPU_SBI_SRST;
	case SBI_EXT_DBCN:
		return VCPU_SBI_DBCN;
	case SBI_EXT_SUSP:
		return VCPU_SBI_SUSP;
	case SBI_EXT_FWFT:
		return VCPU_SBI_FWFT;
	case SBI_EXT_PMU:
		return VCPU_SBI_PMU;
	case SBI_EXT_HARTVISOR:
		return VCPU_SBI_HARTVISOR;
	default:
		return eid <= SBI_EXT_0_1_SHUTDOWN ? VCPU_SBI_LEGACY :
						     VCPU_SBI_UNKNOWN;
	}
}

uint8_t *fv_shadow_of(unsigned long gpa)
{
	if (in_range((uintptr_t)fv.ram0, FV_RAM0_SIZE, gpa, 0))
		return fv.shadow0 + (gpa - (uintptr_t)fv.ram0);
	fuzz_check(in_range((uintptr_t)fv.ram1, FV_RAM1_SIZE, gpa, 0),
		   "0x%lx is not guest RAM", gpa);
	return fv.shadow1 + (gpa - (uintptr_t)fv.ram1);
}

void fv_check_ram(void)
{
	if (!memcmp(fv.ram0, fv.shadow0, FV_RAM0_SIZE) &&
	    !memcmp(fv.ram1, fv.shadow1, FV_RAM1_SIZE))
		return;
	for (unsigned int i = 0; i < FV_RAM0_SIZE; i++)
		fuzz_check(fv.ram0[i] == fv.shadow0[i],
			   "guest RAM 0x%lx written (0x%02x, was 0x%02x)",
			   (unsigned long)(uintptr_t)fv.ram0 + i, fv.ram0[i],
			   fv.shadow0[i]);
	for (unsigned int i = 0; i < FV_RAM1_SIZE; i++)
		fuzz_check(fv.ram1[i] == fv.shadow1[i],
			   "guest RAM 0x%lx written (0x%02x, was 0x%02x)",
			   (unsigned long)(uintptr_t)fv.ram1 + i, fv.ram1[i],
			   fv.shadow1[i]);
}

/* ---- Results. ---- */

void fv_want(long err, unsigned long val)
{
	fuzz_check(
		c->err == err && c->val == val,
		"eid 0x%lx fid 0x%lx returned (%ld, 0x%lx), want (%ld, 0x%lx)",
		c->a[7], c->a[6], c->err, c->val, err, val);
}

void fv_want_legacy(long err)
{
	fuzz_check(c->err == err, "legacy eid %lu returned %ld, want %ld",
		   c->a[7], c->err, err);
}

/* ---- Every call. ---- */

static void check_poweroff(unsigned long eid, unsigned long fid)
{
	uint32_t type = (uint32_t)c->a[0], reason = (uint32_t)c->a[1];

	if (eid == SBI_EXT_0_1_SHUTDOWN) {
		fuzz_check(!fv.fx.failure, "legacy shutdown as a failure");
		return;
	}
	fuzz_check(eid == SBI_EXT_SRST && fid == SBI_EXT_SRST_RESET &&
			   type == SBI_SRST_RESET_TYPE_SHUTDOWN &&
			   reason <= SBI_SRST_RESET_REASON_SYSFAIL,
		   "eid 0x%lx fid 0x%lx (0x%lx, 0x%lx) powered off", eid, fid,
		   c->a[0], c->a[1]);
	fuzz_check(fv.fx.failure == (reason == SBI_SRST_RESET_REASON_SYSFAIL),
		   "shutdown reason %u: failure %d", reason, fv.fx.failure);
}

/* Registers: untouched but a0/a1 and sepc + 4, or untouched. */
static void check_registers(bool legacy)
{
	struct vcpu_context want_ctx = c->b->ctx[c->v->id];
	const struct vcpu_context *now = &c->v->ctx;

	if (fv.fx.moved) {
		if (fv.fx.what & FX_INJECT)
			want_ctx.sepc = FV_STVEC;
	} else {
		fuzz_check(now->sepc == want_ctx.sepc + 4,
			   "sepc 0x%lx after a call at 0x%lx", now->sepc,
			   want_ctx.sepc);
		want_ctx.sepc = now->sepc;
		want_ctx.x[REG_A0] = now->x[REG_A0];
		if (!legacy)
			want_ctx.x[REG_A1] = now->x[REG_A1];
	}
	for (unsigned int r = 0; r < 32; r++)
		fuzz_check(now->x[r] == want_ctx.x[r],
			   "x%u changed: 0x%lx, was 0x%lx (moved %d)", r,
			   now->x[r], want_ctx.x[r], fv.fx.moved);
	fuzz_check(!memcmp(now, &want_ctx, sizeof(want_ctx)),
		   "a CSR of the context changed");
}

static void check_result(unsigned long eid)
{
	if (eid == SBI_EXT_0_1_CONSOLE_GETCHAR) {
		fuzz_check(c->err >= -1 && c->err <= 255, "getchar gave %ld",
			   c->err);
	} else if (eid == SBI_EXT_0_1_CLEAR_IPI) {
		fuzz_check(c->err == 0 || c->err == 1, "clear_ipi gave %ld",
			   c->err);
	} else {
		fuzz_check(valid_error(c->err), "eid 0x%lx: a0 = %ld", eid,
			   c->err);
	}
	if (eid > SBI_EXT_0_1_SHUTDOWN)
		fuzz_check(!c->err || !c->val, "error %ld with value 0x%lx",
			   c->err, c->val);
}

void fv_check_call(struct vcpu *v, const struct fv_before *b)
{
	const unsigned long *a = &b->ctx[v->id].x[REG_A0];
	unsigned long eid = a[7], fid = a[6];
	bool known = vsbi_probe(v, eid);
	enum vcpu_sbi_kind kind = kind_of(eid);

	*c = (struct fv_call){
		v, b, a, (long)v->ctx.x[REG_A0], v->ctx.x[REG_A1], 0
	};
	fuzz_check(!fuzz_lock_depth, "a lock left held");
	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++) {
		const struct vcpu *o = &fv.vcpus[i];

		fuzz_check(vcpu_sbi_calls(o) == b->calls[i] + (o == v),
			   "vCPU %u: %lu SBI calls counted, was %lu", i,
			   vcpu_sbi_calls(o), b->calls[i]);
		fuzz_check(o == v ||
				   !memcmp(&o->ctx, &b->ctx[i], sizeof(o->ctx)),
			   "vCPU %u's registers changed by vCPU %u's call", i,
			   v->id);
	}
	if (known && fv_modelled(eid))
		fuzz_check(v->sbi_calls[kind] == b->kinds[kind] + 1,
			   "eid 0x%lx not counted as kind %d", eid, kind);
	fuzz_check((v->sbi_calls[VCPU_SBI_UNKNOWN] ==
		    b->kinds[VCPU_SBI_UNKNOWN] + 1) == !known,
		   "eid 0x%lx (probe %d) counted as unknown or not", eid,
		   known);
	fuzz_check(known == fv_has(v, eid) || !fv_modelled(eid),
		   "probe_extension(0x%lx) = %d", eid, known);

	if (fv.fx.what & FX_POWEROFF) {
		check_poweroff(eid, fid);
		return;
	}
	check_registers(eid <= SBI_EXT_0_1_SHUTDOWN);
	if (!fv.fx.moved)
		check_result(eid);

	if (!known)
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
	else
		fv_check_ext(eid, fid);
	/* A vCPU stopped or started resets its PMU. */
	if (c->allowed & (FX_STOP | FX_START | FX_REBOOT))
		c->allowed |= FX_PMU_RESET;
	fuzz_check(
		!(fv.fx.what & ~c->allowed),
		"eid 0x%lx fid 0x%lx (a0 0x%lx a1 0x%lx): effects 0x%x, may have 0x%x",
		eid, fid, a[0], a[1], fv.fx.what, c->allowed);
	fv_check_pmu_state();
}
