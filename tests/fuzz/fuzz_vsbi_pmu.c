// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI PMU in the vSBI fuzzer: a fake of the firmware's PMU on each vCPU's
 * hart (the arch_pmu_* hooks), and the model of what the spec (v3.0) and
 * hv/vsbi_pmu.c's contract say a call does:
 *
 * - the counters are the firmware's, at the same indices; a set naming
 *   one that is not there, or a reserved flag bit, is INVALID_PARAM and
 *   reaches nothing;
 * - hardware requests reach the firmware with only hardware counters of
 *   the guest's set, the mode filter rewritten (SINH, UINH, MINH always;
 *   the guest's SINH and UINH as VSINH and VUINH; its own VSINH and VUINH
 *   dropped) and raw event data cut to the spec's bits; the firmware's
 *   answer comes back, a counter outside the set as FAILED (and released);
 * - firmware counters: a reference model of config, start, stop, read,
 *   counting the events of the model (set_timer, IPIs and fences sent and
 *   received, the firmware's traps);
 * - event_get_info writes the output words of its entries and nothing
 *   else of guest RAM, and leaves no counter configured;
 * - a stopped vCPU has no counter configured or running, hardware or
 *   firmware, and a vCPU that starts has only cycle and instret running.
 */
#include <string.h>

#include "fuzz_vsbi.h"
#include "sbi.h"
#include "vsbi.h"

static struct fv_call *const c = &fv_call;

#define BIT64(n) (1ULL << (n))
#define FIXED 0x5ULL /* cycle and instret */
#define FILTER_ALWAYS                                            \
	(SBI_PMU_CFG_FLAG_SET_SINH | SBI_PMU_CFG_FLAG_SET_UINH | \
	 SBI_PMU_CFG_FLAG_SET_MINH)
#define HW_INFO(idx) \
	(0xc00UL + (idx) | (((idx) == 0 || (idx) == 2 ? 63UL : 47UL) << 12))

/* ---- The firmware's PMU, faked. ---- */

/* The vCPU whose hart an arch hook runs on. */
static struct vcpu *self(const char *what)
{
	if (fv.self)
		return fv.self;
	fuzz_check(fv.current, "%s with no SBI call running", what);
	return fv.current;
}

static struct fv_pmu_hart *hw_of(const char *what)
{
	return &fv.pmu[self(what)->id];
}

void fv_pmu_setup(uint32_t seed)
{
	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++) {
		struct fv_pmu_hart *h = &fv.pmu[i];
		struct vcpu *v = &fv.vcpus[i];
		uint8_t sel, hole;
		unsigned int prog, nfw;

		seed = seed * 1103515245U + 12345U;
		sel = (uint8_t)(seed >> 16);
		hole = (uint8_t)(seed >> 24);
		prog = sel % 29;
		nfw = 1 + (sel >> 3) % 32;

		memset(h, 0, sizeof(*h));
		if (sel < 16)
			continue; /* no SBI PMU on this hart */
		h->layout.hw_mask = FIXED | ((BIT64(prog) - 1) << 3);
		if (hole & 0x80) /* a counter missing */
			h->layout.hw_mask &= ~BIT64(hole % (3 + prog));
		h->layout.fw_mask = (BIT64(nfw) - 1) << (3 + prog);
		h->layout.nr_counters = 3 + prog + nfw;
		h->layout.fw_info = SBI_PMU_CTR_INFO_TYPE_FW | 63UL << 12;
		h->layout.lcofi = hole & 1;
		/* What vsbi_pmu_hart_init() makes of it (at most 32 firmware). */
		v->pmu.host = h->layout;
		v->pmu.fw_mask = h->layout.fw_mask;
		/* The firmware starts a hart with cycle and instret running. */
		h->configured = FIXED;
		h->started = FIXED;
		h->event[0] = 1;
		h->event[2] = 2;
	}
	fv.pmu_bogus = (seed >> 8 & 0xff) < 16;
}

/* Can counter @idx count @event? (a fixed rule, for the model too) */
static bool fake_can(unsigned long event, unsigned int idx)
{
	unsigned long type = event >> 16, code = event & 0xffff;

	switch (type) {
	case SBI_PMU_EVENT_TYPE_HW:
		if (code == 1 || code == 2)
			return idx == code - 1 + (code == 2) || idx >= 3;
		return code >= 3 && code <= 10 && idx >= 3 &&
		       (code + idx) % 3 != 0;
	case SBI_PMU_EVENT_TYPE_HW_CACHE:
		return code < 0x38 && idx >= 3;
	case SBI_PMU_EVENT_TYPE_HW_RAW:
	case SBI_PMU_EVENT_TYPE_HW_RAW_V2:
		return code == 0 && idx >= 3;
	default:
		return false;
	}
}

/* The counter config_matching picks in @counters, or -1. */
static int fake_pick(const struct fv_pmu_hart *h, uint64_t counters,
		     unsigned long event)
{
	for (unsigned int i = 0; i < 64; i++)
		if ((counters >> i & 1) && fake_can(event, i) &&
		    (i < 3 || !(h->configured >> i & 1)))
			return (int)i;
	return -1;
}

static void fake_counters(const struct fv_pmu_hart *h, uint64_t counters,
			  const char *what)
{
	fuzz_check(counters && !(counters & ~h->layout.hw_mask),
		   "%s of counters 0x%lx: hardware 0x%lx", what,
		   (unsigned long)counters, (unsigned long)h->layout.hw_mask);
}

long arch_pmu_cfg_match(uint64_t counters, unsigned long flags,
			unsigned long event_idx, uint64_t data,
			unsigned long *idx)
{
	struct fv_pmu_hart *h = hw_of("arch_pmu_cfg_match");
	unsigned long type = event_idx >> 16;
	struct fv_pmu_calls *p = &fv.fx.pmu;
	int pick;

	fake_counters(h, counters, "config_matching");
	fuzz_check((flags & FILTER_ALWAYS) == FILTER_ALWAYS &&
			   !(flags & ~SBI_PMU_CFG_FLAGS),
		   "config_matching flags 0x%lx to the firmware", flags);
	fuzz_check(type <= SBI_PMU_EVENT_TYPE_HW_RAW_V2 &&
			   (type >= SBI_PMU_EVENT_TYPE_HW_RAW ?
				    data >> (type == 2 ? 48 : 56) == 0 :
				    data == 0),
		   "event 0x%lx with data 0x%lx to the firmware", event_idx,
		   (unsigned long)data);
	fv.fx.what |= FX_PMU;
	p->cfg++;
	p->cfg_counters = counters;
	p->cfg_flags = flags;
	p->cfg_event = event_idx;
	p->cfg_data = data;
	*idx = 0;
	if (flags & SBI_PMU_CFG_FLAG_SKIP_MATCH) {
		pick = __builtin_ctzll(counters);
		if (pick >= 3 && !(h->configured >> pick & 1))
			return p->cfg_ret = SBI_ERR_INVALID_PARAM;
	} else {
		pick = fake_pick(h, counters, event_idx);
		if (pick < 0)
			return p->cfg_ret = SBI_ERR_NOT_SUPPORTED;
		if (fv.pmu_bogus && pick >= 3) /* a counter not asked for */
			pick = 63;
	}
	if (pick < 63) {
		h->configured |= BIT64(pick);
		h->event[pick] = event_idx;
		if (flags & SBI_PMU_CFG_FLAG_AUTO_START)
			h->started |= BIT64(pick);
	}
	*idx = p->cfg_idx = (unsigned long)pick;
	return p->cfg_ret = 0;
}

long arch_pmu_start(uint64_t counters, unsigned long flags, uint64_t value)
{
	struct fv_pmu_hart *h = hw_of("arch_pmu_start");
	struct fv_pmu_calls *p = &fv.fx.pmu;
	long err = 0;

	fake_counters(h, counters, "start");
	fuzz_check(!(flags & ~SBI_PMU_START_FLAG_SET_INIT_VALUE),
		   "start flags 0x%lx to the firmware", flags);
	fv.fx.what |= FX_PMU;
	p->start++;
	p->start_counters = counters;
	p->start_flags = flags;
	p->start_value = value;
	for (unsigned int i = 0; i < 64; i++) {
		if (!(counters >> i & 1))
			continue;
		if (!(h->configured >> i & 1))
			err = SBI_ERR_INVALID_PARAM;
		else if (h->started >> i & 1)
			err = err ? err : SBI_ERR_ALREADY_STARTED;
		else
			h->started |= BIT64(i);
	}
	return p->start_ret = err;
}

long arch_pmu_stop(uint64_t counters, unsigned long flags)
{
	struct fv_pmu_hart *h = hw_of("arch_pmu_stop");
	struct fv_pmu_calls *p = &fv.fx.pmu;
	long err = 0;

	/* The one stop of a counter the firmware gave wrongly: index 63. */
	if (counters != BIT64(63) || !fv.pmu_bogus)
		fake_counters(h, counters, "stop");
	fuzz_check(!(flags & ~SBI_PMU_STOP_FLAG_RESET),
		   "stop flags 0x%lx to the firmware", flags);
	fv.fx.what |= FX_PMU;
	p->stop++;
	p->stop_counters = counters;
	p->stop_flags = flags;
	for (unsigned int i = 0; i < 64; i++) {
		if (!(counters >> i & 1))
			continue;
		if (!(h->configured >> i & 1)) {
			err = SBI_ERR_INVALID_PARAM;
			continue;
		}
		if (h->started >> i & 1)
			h->started &= ~BIT64(i);
		else
			err = err ? err : SBI_ERR_ALREADY_STOPPED;
		if ((flags & SBI_PMU_STOP_FLAG_RESET) && i >= 3)
			h->configured &= ~BIT64(i);
	}
	return p->stop_ret = err;
}

long arch_pmu_counter_info(unsigned long idx, unsigned long *info)
{
	struct fv_pmu_hart *h = hw_of("arch_pmu_counter_info");

	fuzz_check(idx < 64 && (h->layout.hw_mask >> idx & 1),
		   "counter_get_info(%lu) to the firmware", idx);
	fv.fx.what |= FX_PMU;
	fv.fx.pmu.info++;
	*info = HW_INFO(idx);
	return 0;
}

uint64_t arch_pmu_fw_trap_count(unsigned int code)
{
	struct fv_pmu_hart *h = hw_of("arch_pmu_fw_trap_count");

	return code < ARRAY_SIZE(h->traps) ? h->traps[code] : 0;
}

void arch_pmu_reset(uint64_t counters, bool fixed_on)
{
	struct fv_pmu_hart *h = hw_of("arch_pmu_reset");

	fuzz_check(counters == h->layout.hw_mask,
		   "reset of counters 0x%lx, hardware 0x%lx",
		   (unsigned long)counters, (unsigned long)h->layout.hw_mask);
	h->configured &= FIXED;
	h->started = fixed_on ? counters & FIXED : 0;
	h->resets++;
	fv.fx.what |= FX_PMU_RESET;
	fv.fx.pmu.reset++;
}

void arch_pmu_probe(struct arch_pmu *pmu)
{
	(void)pmu;
	fuzz_fail("arch_pmu_probe from a guest");
}

/* ---- The model. ---- */

static struct fv_pmu_ref *ref_of(const struct vcpu *v)
{
	return &fv.pmu_ref[v->id];
}

void fv_pmu_event(const struct vcpu *v, unsigned int code)
{
	ref_of(v)->events[code]++;
}

void fv_pmu_trap(const struct vcpu *v, unsigned int code)
{
	fv.pmu[v->id].traps[code]++;
}

void fv_pmu_reset(struct vcpu *v, bool start)
{
	struct fv_pmu_ref *r = ref_of(v);
	struct vcpu *was = fv.self;

	/* What vcpu.c does, on the vCPU's hart: the real vsbi_pmu_reset. */
	fv.self = v;
	vsbi_pmu_reset(v, start);
	fv.self = was;
	r->configured = r->started = 0;
	memset(r->value, 0, sizeof(r->value));
}

static uint64_t total(const struct vcpu *v, unsigned int code)
{
	return ref_of(v)->events[code] + (code < ARRAY_SIZE(fv.pmu[0].traps) ?
						  fv.pmu[v->id].traps[code] :
						  0);
}

static uint64_t ref_value(const struct vcpu *v, unsigned int idx)
{
	const struct fv_pmu_ref *r = ref_of(v);

	if (!(r->started >> idx & 1))
		return r->value[idx];
	return r->value[idx] + total(v, r->event[idx]) - r->since[idx];
}

static void ref_start(const struct vcpu *v, unsigned int idx)
{
	struct fv_pmu_ref *r = ref_of(v);

	r->since[idx] = total(v, r->event[idx]);
	r->started |= BIT64(idx);
}

static void ref_stop(const struct vcpu *v, unsigned int idx)
{
	struct fv_pmu_ref *r = ref_of(v);

	r->value[idx] = ref_value(v, idx);
	r->started &= ~BIT64(idx);
}

/* The set a base and a mask name; false if a counter is not there. */
static bool ref_set(unsigned long base, unsigned long mask, uint64_t *set)
{
	const struct arch_pmu *l = &c->v->pmu.host;

	*set = 0;
	for (unsigned int bit = 0; bit < 64; bit++) {
		unsigned long idx = base + bit;

		if (!(mask >> bit & 1))
			continue;
		if (idx < base || idx >= 64 ||
		    !((l->hw_mask | c->v->pmu.fw_mask) >> idx & 1))
			return false;
		*set |= BIT64(idx);
	}
	return true;
}

static long worst(long a, long b)
{
	if (a == SBI_ERR_INVALID_PARAM || b == SBI_ERR_INVALID_PARAM)
		return SBI_ERR_INVALID_PARAM;
	return a ? a : b;
}

static void check_no_request(void)
{
	fuzz_check(!(fv.fx.what & FX_PMU),
		   "a PMU request reached the firmware");
}

static void check_fw_match(uint64_t fw, unsigned long flags, unsigned long code)
{
	struct fv_pmu_ref *r = ref_of(c->v);
	unsigned int idx;
	bool skip = flags & SBI_PMU_CFG_FLAG_SKIP_MATCH;

	check_no_request();
	if (!skip)
		fw &= ~r->configured;
	if (code >= SBI_PMU_FW_MAX || !fw) {
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	idx = (unsigned int)__builtin_ctzll(fw);
	if (skip && !(r->configured >> idx & 1)) {
		fv_want(SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	fv_want(0, idx);
	if (r->started >> idx & 1) {
		ref_stop(c->v, idx);
		r->event[idx] = (unsigned int)code;
		ref_start(c->v, idx);
	}
	r->configured |= BIT64(idx);
	r->event[idx] = (unsigned int)code;
	if (flags & SBI_PMU_CFG_FLAG_CLEAR_VALUE)
		r->value[idx] = 0;
	if ((flags & SBI_PMU_CFG_FLAG_AUTO_START) && !(r->started >> idx & 1))
		ref_start(c->v, idx);
}

/* What the firmware must have been asked for, and its answer passed on. */
static void check_hw_match(uint64_t hw, unsigned long flags,
			   unsigned long event, uint64_t data)
{
	const struct fv_pmu_calls *p = &fv.fx.pmu;
	unsigned long type = event >> 16;
	unsigned long want_flags = (flags & 7) | FILTER_ALWAYS;
	uint64_t want_data =
		type == SBI_PMU_EVENT_TYPE_HW_RAW    ? data & (BIT64(48) - 1) :
		type == SBI_PMU_EVENT_TYPE_HW_RAW_V2 ? data & (BIT64(56) - 1) :
						       0;

	if (!hw) {
		check_no_request();
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	if (flags & SBI_PMU_CFG_FLAG_SET_SINH)
		want_flags |= SBI_PMU_CFG_FLAG_SET_VSINH;
	if (flags & SBI_PMU_CFG_FLAG_SET_UINH)
		want_flags |= SBI_PMU_CFG_FLAG_SET_VUINH;
	fuzz_check(
		p->cfg == 1 && p->cfg_counters == hw &&
			p->cfg_flags == want_flags && p->cfg_event == event &&
			p->cfg_data == want_data,
		"config_matching to the firmware: %u calls, counters 0x%lx (want 0x%lx), flags 0x%lx (want 0x%lx), event 0x%lx, data 0x%lx",
		p->cfg, (unsigned long)p->cfg_counters, (unsigned long)hw,
		p->cfg_flags, want_flags, p->cfg_event,
		(unsigned long)p->cfg_data);
	c->allowed |= FX_PMU;
	if (p->cfg_ret) {
		fv_want(p->cfg_ret, 0);
	} else if (!(hw >> p->cfg_idx & 1)) {
		/* A counter outside the set: refused, and released. */
		fv_want(SBI_ERR_FAILED, 0);
		fuzz_check(p->stop == 1 &&
				   p->stop_counters == BIT64(p->cfg_idx) &&
				   p->stop_flags == SBI_PMU_STOP_FLAG_RESET,
			   "counter %lu the firmware gave wrongly not released",
			   p->cfg_idx);
	} else {
		fv_want(0, p->cfg_idx);
	}
}

static void check_cfg_match(void)
{
	const struct vcpu *v = c->v;
	unsigned long flags = c->a[2], event = c->a[3], type = event >> 16;
	uint64_t set;

	if ((flags & ~SBI_PMU_CFG_FLAGS) || !ref_set(c->a[0], c->a[1], &set)) {
		check_no_request();
		fv_want(SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (flags & SBI_PMU_CFG_FLAG_SKIP_MATCH)
		set &= -set;
	if (type == SBI_PMU_EVENT_TYPE_FW) {
		check_fw_match(set & v->pmu.fw_mask, flags, event & 0xffff);
	} else if (type > SBI_PMU_EVENT_TYPE_HW_RAW_V2) {
		check_no_request();
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
	} else {
		check_hw_match(set & v->pmu.host.hw_mask, flags, event,
			       c->a[4]);
	}
}

/* The firmware part of a start (@start) or stop: its error. */
static long ref_start_stop(uint64_t fw, bool start, unsigned long flags)
{
	struct fv_pmu_ref *r = ref_of(c->v);
	long err = 0;

	for (unsigned int i = 0; i < 64; i++) {
		if (!(fw >> i & 1))
			continue;
		if (!(r->configured >> i & 1)) {
			err = worst(err, SBI_ERR_INVALID_PARAM);
		} else if (start) {
			if (r->started >> i & 1) {
				err = worst(err, SBI_ERR_ALREADY_STARTED);
				continue;
			}
			if (flags & SBI_PMU_START_FLAG_SET_INIT_VALUE)
				r->value[i] = c->a[3];
			ref_start(c->v, i);
		} else {
			if (r->started >> i & 1)
				ref_stop(c->v, i);
			else
				err = worst(err, SBI_ERR_ALREADY_STOPPED);
			if (flags & SBI_PMU_STOP_FLAG_RESET)
				r->configured &= ~BIT64(i);
		}
	}
	return err;
}

static void check_start_stop(bool start)
{
	const struct fv_pmu_calls *p = &fv.fx.pmu;
	unsigned long flags = c->a[2];
	uint64_t set, hw;
	long err;

	/* Start: SET_INIT_VALUE, INIT_SNAPSHOT; stop: RESET, TAKE_SNAPSHOT. */
	if ((flags & ~3UL) || !ref_set(c->a[0], c->a[1], &set)) {
		check_no_request();
		fv_want(SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (flags & 2) { /* INIT_SNAPSHOT, TAKE_SNAPSHOT: no shared memory */
		check_no_request();
		fv_want(SBI_ERR_NO_SHMEM, 0);
		return;
	}
	err = ref_start_stop(set & c->v->pmu.fw_mask, start, flags);
	hw = set & c->v->pmu.host.hw_mask;
	if (!hw) {
		check_no_request();
	} else if (start) {
		fuzz_check(p->start == 1 && p->start_counters == hw &&
				   p->start_flags == flags &&
				   p->start_value == c->a[3],
			   "start to the firmware: %u calls, 0x%lx", p->start,
			   (unsigned long)p->start_counters);
		err = worst(err, p->start_ret);
	} else {
		fuzz_check(p->stop == 1 && p->stop_counters == hw &&
				   p->stop_flags == flags,
			   "stop to the firmware: %u calls, 0x%lx", p->stop,
			   (unsigned long)p->stop_counters);
		err = worst(err, p->stop_ret);
	}
	c->allowed |= FX_PMU;
	fv_want(err, 0);
}

struct entry {
	uint32_t event_idx, output;
	uint64_t event_data;
};

static void check_event_info(void)
{
	const struct vcpu *v = c->v;
	unsigned long base = c->a[0], num = c->a[2];
	const struct entry *e = (const struct entry *)(uintptr_t)base;
	const struct fv_pmu_hart *h = &fv.pmu[v->id];

	c->allowed |= FX_PMU;
	fuzz_check(h->configured == c->b->pmu_configured &&
			   h->started == c->b->pmu_started,
		   "event_get_info left counters configured 0x%lx (was 0x%lx)",
		   (unsigned long)h->configured,
		   (unsigned long)c->b->pmu_configured);
	if (c->a[3] || (base & 15)) {
		fv_want(SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (c->a[1]) {
		fv_want(SBI_ERR_INVALID_ADDRESS, 0);
		return;
	}
	if (!num) {
		fv_want(0, 0);
		return;
	}
	if (num > -1UL / 16 || !fv_usable(base, num * 16)) {
		fv_want(SBI_ERR_INVALID_ADDRESS, 0);
		return;
	}
	for (unsigned long i = 0; i < num; i++) {
		if (e[i].event_idx >> 20) {
			fv_want(SBI_ERR_INVALID_PARAM, 0);
			fv_check_ram();
			return;
		}
	}
	fv_want(0, 0);
	for (unsigned long i = 0; i < num; i++) {
		unsigned long event = e[i].event_idx, type = event >> 16;
		uint32_t want =
			type == SBI_PMU_EVENT_TYPE_FW ?
				(event & 0xffff) < SBI_PMU_FW_MAX :
			type <= SBI_PMU_EVENT_TYPE_HW_RAW_V2 ?
				fake_pick(h, h->layout.hw_mask, event) >= 0 :
				0;

		fuzz_check(e[i].output == want,
			   "event_get_info: event 0x%lx output %u, want %u",
			   event, e[i].output, want);
		memcpy(fv_shadow_of(base + i * 16 + 4), &want, sizeof(want));
	}
	fv_check_ram();
}

void fv_check_pmu(unsigned long fid)
{
	const struct vcpu *v = c->v;
	struct fv_pmu_ref *r = ref_of(v);
	unsigned long idx = c->a[0];

	switch (fid) {
	case SBI_EXT_PMU_NUM_COUNTERS:
		check_no_request();
		fv_want(0, v->pmu.host.nr_counters);
		break;
	case SBI_EXT_PMU_COUNTER_GET_INFO:
		if (idx < 64 && (v->pmu.fw_mask >> idx & 1)) {
			fv_want(0, v->pmu.host.fw_info);
		} else if (idx < 64 && (v->pmu.host.hw_mask >> idx & 1)) {
			fv_want(0, HW_INFO(idx));
			c->allowed |= FX_PMU;
		} else {
			check_no_request();
			fv_want(SBI_ERR_INVALID_PARAM, 0);
		}
		break;
	case SBI_EXT_PMU_COUNTER_CFG_MATCH:
		check_cfg_match();
		break;
	case SBI_EXT_PMU_COUNTER_START:
	case SBI_EXT_PMU_COUNTER_STOP:
		check_start_stop(fid == SBI_EXT_PMU_COUNTER_START);
		break;
	case SBI_EXT_PMU_COUNTER_FW_READ:
	case SBI_EXT_PMU_COUNTER_FW_READ_HI:
		check_no_request();
		if (idx >= 64 || !(v->pmu.fw_mask & r->configured & BIT64(idx)))
			fv_want(SBI_ERR_INVALID_PARAM, 0);
		else if (fid == SBI_EXT_PMU_COUNTER_FW_READ_HI)
			fv_want(0, 0);
		else
			fv_want(0, ref_value(v, (unsigned int)idx));
		break;
	case SBI_EXT_PMU_EVENT_GET_INFO:
		check_event_info();
		break;
	default: /* SNAPSHOT_SET_SHMEM among them */
		check_no_request();
		fv_want(SBI_ERR_NOT_SUPPORTED, 0);
		break;
	}
}

/* hartvisor's firmware counter @idx of @v, read as vsbi_pmu.c keeps it. */
static uint64_t hv_value(const struct vcpu *v, unsigned int idx)
{
	const struct vsbi_pmu *p = &v->pmu;
	const struct vsbi_pmu_fw *f =
		&p->fw[__builtin_popcountll(p->fw_mask & (BIT64(idx) - 1))];

	if (!(p->started >> idx & 1))
		return f->value;
	return f->value + total(v, f->event) - f->since;
}

void fv_check_pmu_state(void)
{
	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++) {
		const struct vcpu *v = &fv.vcpus[i];
		const struct fv_pmu_ref *r = ref_of(v);
		const struct fv_pmu_hart *h = &fv.pmu[i];

		for (unsigned int e = 0; e < SBI_PMU_FW_MAX; e++)
			fuzz_check(
				v->pmu.events[e] == r->events[e],
				"vCPU %u: firmware event %u counted %lu times, want %lu",
				i, e, (unsigned long)v->pmu.events[e],
				(unsigned long)r->events[e]);
		fuzz_check(
			v->pmu.configured == r->configured &&
				v->pmu.started == r->started,
			"vCPU %u: firmware counters 0x%lx running 0x%lx, want 0x%lx, 0x%lx",
			i, (unsigned long)v->pmu.configured,
			(unsigned long)v->pmu.started,
			(unsigned long)r->configured,
			(unsigned long)r->started);
		for (unsigned int k = 0; k < 64; k++)
			if (r->configured >> k & 1)
				fuzz_check(
					hv_value(v, k) == ref_value(v, k) &&
						v->pmu.fw[__builtin_popcountll(
								  v->pmu.fw_mask &
								  (BIT64(k) - 1))]
								.event ==
							r->event[k],
					"vCPU %u: firmware counter %u = %lu, want %lu",
					i, k, (unsigned long)hv_value(v, k),
					(unsigned long)ref_value(v, k));
		if (v->state != SBI_HSM_STATE_STOPPED)
			continue;
		/*
		 * A stopped vCPU leaves no counter configured or running (one
		 * that never ran has its hart's as the firmware left them).
		 */
		fuzz_check(
			!r->configured && !(h->configured & ~FIXED) &&
				!(h->started & ~(h->resets ? 0 : FIXED)),
			"stopped vCPU %u: hardware counters 0x%lx running 0x%lx, firmware 0x%lx",
			i, (unsigned long)h->configured,
			(unsigned long)h->started,
			(unsigned long)r->configured);
	}
}
