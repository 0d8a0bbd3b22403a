// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI PMU (v3.0) for guests. The guest gets the counters it would get
 * natively, at the same indices: num_counters and counter_get_info are
 * the firmware's on the vCPU's hart.
 *
 * - Hardware counters are the hart's own: the vCPU is pinned, so they are
 *   the guest's alone. Requests go down to the firmware (arch_pmu_*),
 *   checked first: only counters that exist, only defined flags, and the
 *   mode filter rewritten so that nothing counts hartvisor. The guest's
 *   S-mode is VS and its U-mode VU: its SINH and UINH become VSINH and
 *   VUINH; SINH, UINH and MINH always go down (HS-mode is hartvisor,
 *   nothing runs in HU-mode, M is the firmware, which OpenSBI inhibits
 *   anyway); the guest runs no guests of its own, so its VSINH and VUINH
 *   name nothing and are dropped. The event data of raw events is cut to
 *   the bits the spec gives the guest (47:0, v2 55:0): the firmware
 *   decides the mode bits above them, from the flags. Without Sscofpmf
 *   (and Smcntrpmf for cycle and instret) the hardware filters nothing,
 *   natively or here.
 * - Firmware counters are hartvisor's, per vCPU. They count the events
 *   hartvisor serves for the guest (set_timer, IPIs sent and received,
 *   remote fences sent and received, illegal instructions and access
 *   faults it injects) plus the traps the firmware takes for the guest
 *   itself (misaligned accesses it emulates, access faults, illegal
 *   instructions), which it counts on counters of its own for
 *   arch/riscv/pmu.c. The HFENCE events exist but never happen: the guest
 *   has no H.
 * - Snapshot shared memory is NOT_SUPPORTED (optional, and OpenSBI 1.5,
 *   natively, has none either); event_get_info is implemented: Linux
 *   with the event-info patches calls it once the SBI is v3.0.
 *
 * A counter is free for config_matching while it is not configured to an
 * event, i.e. until a stop with RESET releases it (as OpenSBI and KVM).
 * start and stop act on every counter of the set and report the worst:
 * INVALID_PARAM (a firmware counter not configured), then the firmware's
 * or ALREADY_STARTED / ALREADY_STOPPED. A set naming a counter that does
 * not exist is INVALID_PARAM and nothing happens.
 */
#include "arch.h"
#include "hart.h"
#include "log.h"
#include "platform.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

#define PMU_START_FLAGS \
	(SBI_PMU_START_FLAG_SET_INIT_VALUE | SBI_PMU_START_FLAG_INIT_SNAPSHOT)
#define PMU_STOP_FLAGS \
	(SBI_PMU_STOP_FLAG_RESET | SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT)
#define PMU_CFG_ACTIONS                                               \
	(SBI_PMU_CFG_FLAG_SKIP_MATCH | SBI_PMU_CFG_FLAG_CLEAR_VALUE | \
	 SBI_PMU_CFG_FLAG_AUTO_START)
#define RAW_DATA_MASK ((1ULL << 48) - 1)
#define RAW_V2_DATA_MASK ((1ULL << 56) - 1)
#define BIT64(n) (1ULL << (n))

/* One entry of event_get_info's shared memory. */
struct pmu_event_info {
	uint32_t event_idx;
	uint32_t output;
	uint64_t event_data;
};

void vsbi_pmu_hart_init(struct vcpu *v)
{
	struct vsbi_pmu *p = &v->pmu;
	bool sscofpmf;
	uint64_t fw;

	arch_pmu_probe(&p->host);
	p->fw_mask = 0;
	fw = p->host.fw_mask;
	for (unsigned int n = 0; fw && n < VSBI_PMU_FW_COUNTERS; n++) {
		p->fw_mask |= fw & -fw; /* the lowest one */
		fw &= fw - 1;
	}
	if (fw)
		pr_warn("vcpu%u: the firmware has more than %d firmware counters; the guest gets %d",
			v->id, VSBI_PMU_FW_COUNTERS, VSBI_PMU_FW_COUNTERS);
	if (v->id != 0 || !p->host.nr_counters)
		return;
	sscofpmf = v->vm->platform->harts[v->hart->slot].has_sscofpmf;
	pr_info("SBI PMU: %lu counters, %d hardware and %d firmware; overflow interrupts %s",
		p->host.nr_counters, __builtin_popcountll(p->host.hw_mask),
		__builtin_popcountll(p->fw_mask),
		!sscofpmf     ? "none (no Sscofpmf)" :
		p->host.lcofi ? "go to the guest" :
				"cannot reach the guest");
	if (sscofpmf && !p->host.lcofi)
		pr_warn("the harts have Sscofpmf, but counter overflows cannot reach the guest (IRQCHIP=aia gives them): perf sampling in the guest gets no samples");
}

/* Every event hartvisor and the firmware counted for @v so far. */
static uint64_t pmu_total(const struct vcpu *v, unsigned int code)
{
	return __atomic_load_n(&v->pmu.events[code], __ATOMIC_RELAXED) +
	       arch_pmu_fw_trap_count(code);
}

static struct vsbi_pmu_fw *pmu_fw(struct vsbi_pmu *p, unsigned int idx)
{
	return &p->fw[__builtin_popcountll(p->fw_mask & (BIT64(idx) - 1))];
}

static uint64_t pmu_fw_value(struct vcpu *v, unsigned int idx)
{
	struct vsbi_pmu_fw *f = pmu_fw(&v->pmu, idx);

	if (!(v->pmu.started & BIT64(idx)))
		return f->value;
	return f->value + pmu_total(v, f->event) - f->since;
}

static void pmu_fw_start(struct vcpu *v, unsigned int idx)
{
	struct vsbi_pmu_fw *f = pmu_fw(&v->pmu, idx);

	f->since = pmu_total(v, f->event);
	v->pmu.started |= BIT64(idx);
}

static void pmu_fw_stop(struct vcpu *v, unsigned int idx)
{
	pmu_fw(&v->pmu, idx)->value = pmu_fw_value(v, idx);
	v->pmu.started &= ~BIT64(idx);
}

void vsbi_pmu_reset(struct vcpu *v, bool start)
{
	struct vsbi_pmu *p = &v->pmu;

	if (!p->host.nr_counters)
		return;
	arch_pmu_reset(p->host.hw_mask, start);
	p->configured = p->started = 0;
	for (unsigned int i = 0; i < VSBI_PMU_FW_COUNTERS; i++)
		p->fw[i] = (struct vsbi_pmu_fw){ 0 };
}

/*
 * The counters base + n for each bit n of @mask, into @set; false if one
 * of them is not a counter of the guest's.
 */
static bool pmu_set(const struct vsbi_pmu *p, unsigned long base,
		    unsigned long mask, uint64_t *set)
{
	*set = 0;
	if (!mask)
		return true;
	if (base >= 64 || (base && mask >> (64 - base)))
		return false;
	*set = (uint64_t)mask << base;
	return !(*set & ~(p->host.hw_mask | p->fw_mask));
}

/* Errors of two parts of one request: INVALID_PARAM first, then any. */
static long pmu_worst(long a, long b)
{
	if (a == SBI_ERR_INVALID_PARAM || b == SBI_ERR_INVALID_PARAM)
		return SBI_ERR_INVALID_PARAM;
	return a ? a : b;
}

/* A firmware's answer for the guest: a known SBI error, else FAILED. */
static long pmu_firmware_error(long err)
{
	return err > 0 || err < SBI_ERR_DENIED_LOCKED ? SBI_ERR_FAILED : err;
}

/* The guest's mode filter for the hardware (see the top of the file). */
static unsigned long pmu_host_filter(unsigned long flags)
{
	unsigned long host = SBI_PMU_CFG_FLAG_SET_SINH |
			     SBI_PMU_CFG_FLAG_SET_UINH |
			     SBI_PMU_CFG_FLAG_SET_MINH;

	if (flags & SBI_PMU_CFG_FLAG_SET_SINH)
		host |= SBI_PMU_CFG_FLAG_SET_VSINH;
	if (flags & SBI_PMU_CFG_FLAG_SET_UINH)
		host |= SBI_PMU_CFG_FLAG_SET_VUINH;
	return host;
}

/* The event data the firmware gets for a hardware event. */
static uint64_t pmu_host_data(unsigned long type, uint64_t data)
{
	if (type == SBI_PMU_EVENT_TYPE_HW_RAW)
		return data & RAW_DATA_MASK;
	if (type == SBI_PMU_EVENT_TYPE_HW_RAW_V2)
		return data & RAW_V2_DATA_MASK;
	return 0; /* reserved for the general and cache events */
}

/* config_matching of a hardware event on the counters @hw. */
static long pmu_hw_match(struct vcpu *v, uint64_t hw, unsigned long flags,
			 unsigned long event, uint64_t data, unsigned long *out)
{
	unsigned long type = event >> SBI_PMU_EVENT_IDX_TYPE_SHIFT, idx;
	long err;

	if (!hw)
		return SBI_ERR_NOT_SUPPORTED;
	err = arch_pmu_cfg_match(
		hw, (flags & PMU_CFG_ACTIONS) | pmu_host_filter(flags), event,
		pmu_host_data(type, data), &idx);
	if (err)
		return pmu_firmware_error(err);
	if (idx >= 64 || !(hw & BIT64(idx))) {
		pr_warn("vcpu%u: the firmware configured counter %lu, not one of 0x%lx",
			v->id, idx, (unsigned long)hw);
		if (idx < 64)
			arch_pmu_stop(BIT64(idx), SBI_PMU_STOP_FLAG_RESET);
		return SBI_ERR_FAILED;
	}
	*out = idx;
	return SBI_SUCCESS;
}

/* config_matching of firmware event @code on the counters @fw. */
static long pmu_fw_match(struct vcpu *v, uint64_t fw, unsigned long flags,
			 unsigned long code, unsigned long *out)
{
	struct vsbi_pmu *p = &v->pmu;
	bool running;
	unsigned int idx;

	/* Codes 22 and up: reserved, hartvisor's own (none), platform's. */
	if (code >= SBI_PMU_FW_MAX)
		return SBI_ERR_NOT_SUPPORTED;
	if (!(flags & SBI_PMU_CFG_FLAG_SKIP_MATCH))
		fw &= ~p->configured; /* the free ones */
	if (!fw)
		return SBI_ERR_NOT_SUPPORTED;
	idx = (unsigned int)__builtin_ctzll(fw);
	/* SKIP_MATCH takes the counter as configured before: it must be. */
	if (!(flags & SBI_PMU_CFG_FLAG_SKIP_MATCH))
		p->configured |= BIT64(idx);
	else if (!(p->configured & BIT64(idx)))
		return SBI_ERR_INVALID_PARAM;
	/* A running one (SKIP_MATCH) runs on, counting the new event. */
	running = p->started & BIT64(idx);
	if (running)
		pmu_fw_stop(v, idx);
	pmu_fw(p, idx)->event = (unsigned int)code;
	if (running)
		pmu_fw_start(v, idx);
	if (flags & SBI_PMU_CFG_FLAG_CLEAR_VALUE)
		pmu_fw(p, idx)->value = 0;
	if ((flags & SBI_PMU_CFG_FLAG_AUTO_START) && !(p->started & BIT64(idx)))
		pmu_fw_start(v, idx);
	*out = idx;
	return SBI_SUCCESS;
}

static long pmu_cfg_match(struct vcpu *v, const unsigned long *a,
			  unsigned long *out)
{
	unsigned long flags = a[2], event = a[3], type;
	uint64_t set;

	if ((flags & ~SBI_PMU_CFG_FLAGS) || !pmu_set(&v->pmu, a[0], a[1], &set))
		return SBI_ERR_INVALID_PARAM;
	/* SKIP_MATCH: the first counter of the set, whatever its type. */
	if (flags & SBI_PMU_CFG_FLAG_SKIP_MATCH)
		set &= -set;
	type = event >> SBI_PMU_EVENT_IDX_TYPE_SHIFT; /* > 15: no event */
	if (type == SBI_PMU_EVENT_TYPE_FW)
		return pmu_fw_match(v, set & v->pmu.fw_mask, flags,
				    event & SBI_PMU_EVENT_IDX_CODE_MASK, out);
	if (type > SBI_PMU_EVENT_TYPE_HW_RAW_V2)
		return SBI_ERR_NOT_SUPPORTED;
	return pmu_hw_match(v, set & v->pmu.host.hw_mask, flags, event, a[4],
			    out);
}

static long pmu_start(struct vcpu *v, const unsigned long *a)
{
	struct vsbi_pmu *p = &v->pmu;
	unsigned long flags = a[2];
	uint64_t set, fw;
	long err = SBI_SUCCESS;

	if ((flags & ~PMU_START_FLAGS) || !pmu_set(p, a[0], a[1], &set))
		return SBI_ERR_INVALID_PARAM;
	if (flags & SBI_PMU_START_FLAG_INIT_SNAPSHOT)
		return SBI_ERR_NO_SHMEM;
	for (fw = set & p->fw_mask; fw; fw &= fw - 1) {
		unsigned int idx = (unsigned int)__builtin_ctzll(fw);

		if (!(p->configured & BIT64(idx))) {
			err = pmu_worst(err, SBI_ERR_INVALID_PARAM);
		} else if (p->started & BIT64(idx)) {
			err = pmu_worst(err, SBI_ERR_ALREADY_STARTED);
		} else {
			if (flags & SBI_PMU_START_FLAG_SET_INIT_VALUE)
				pmu_fw(p, idx)->value = a[3];
			pmu_fw_start(v, idx);
		}
	}
	if (set & p->host.hw_mask)
		err = pmu_worst(err,
				pmu_firmware_error(arch_pmu_start(
					set & p->host.hw_mask, flags, a[3])));
	return err;
}

static long pmu_stop(struct vcpu *v, const unsigned long *a)
{
	struct vsbi_pmu *p = &v->pmu;
	unsigned long flags = a[2];
	uint64_t set, fw;
	long err = SBI_SUCCESS;

	if ((flags & ~PMU_STOP_FLAGS) || !pmu_set(p, a[0], a[1], &set))
		return SBI_ERR_INVALID_PARAM;
	if (flags & SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT)
		return SBI_ERR_NO_SHMEM;
	for (fw = set & p->fw_mask; fw; fw &= fw - 1) {
		unsigned int idx = (unsigned int)__builtin_ctzll(fw);

		if (!(p->configured & BIT64(idx))) {
			err = pmu_worst(err, SBI_ERR_INVALID_PARAM);
			continue;
		}
		if (p->started & BIT64(idx))
			pmu_fw_stop(v, idx);
		else
			err = pmu_worst(err, SBI_ERR_ALREADY_STOPPED);
		/* RESET releases it even when it was stopped already. */
		if (flags & SBI_PMU_STOP_FLAG_RESET)
			p->configured &= ~BIT64(idx);
	}
	if (set & p->host.hw_mask)
		err = pmu_worst(err, pmu_firmware_error(arch_pmu_stop(
					     set & p->host.hw_mask, flags)));
	return err;
}

/* fw_read and fw_read_hi: a configured firmware counter only. */
static long pmu_fw_read(struct vcpu *v, unsigned long idx, bool hi,
			unsigned long *out)
{
	if (idx >= 64 || !(v->pmu.fw_mask & v->pmu.configured & BIT64(idx)))
		return SBI_ERR_INVALID_PARAM;
	/* RV64: the whole count in fw_read; fw_read_hi is always 0. */
	*out = hi ? 0 : pmu_fw_value(v, (unsigned int)idx);
	return SBI_SUCCESS;
}

static long pmu_counter_info(struct vcpu *v, unsigned long idx,
			     unsigned long *out)
{
	if (idx >= 64)
		return SBI_ERR_INVALID_PARAM;
	if (v->pmu.fw_mask & BIT64(idx)) {
		*out = v->pmu.host.fw_info;
		return SBI_SUCCESS;
	}
	if (!(v->pmu.host.hw_mask & BIT64(idx)))
		return SBI_ERR_INVALID_PARAM;
	return pmu_firmware_error(arch_pmu_counter_info(idx, out));
}

/*
 * Can a counter monitor @event now? Hardware events are tried: a free
 * counter configured (with the guest's mode filter) and released again,
 * as Linux itself checks them before SBI v3.0. cycle and instret on
 * their fixed counters are never stopped: they may be counting.
 */
static bool pmu_event_supported(struct vcpu *v, uint32_t event, uint64_t data)
{
	unsigned long type = event >> SBI_PMU_EVENT_IDX_TYPE_SHIFT, idx;

	if (type == SBI_PMU_EVENT_TYPE_FW)
		return (event & SBI_PMU_EVENT_IDX_CODE_MASK) < SBI_PMU_FW_MAX;
	if (type > SBI_PMU_EVENT_TYPE_HW_RAW_V2 || !v->pmu.host.hw_mask)
		return false;
	if (arch_pmu_cfg_match(v->pmu.host.hw_mask, pmu_host_filter(0), event,
			       pmu_host_data(type, data), &idx))
		return false;
	if (idx > 2 && idx < 64)
		arch_pmu_stop(BIT64(idx), SBI_PMU_STOP_FLAG_RESET);
	return true;
}

static long pmu_event_info(struct vcpu *v, const unsigned long *a)
{
	unsigned long base = a[0], num = a[2];
	struct pmu_event_info *e = (struct pmu_event_info *)(uintptr_t)base;

	if (a[3] || (base & (sizeof(*e) - 1)))
		return SBI_ERR_INVALID_PARAM;
	/* shmem_phys_hi != 0 is past 2^64: never guest RAM. */
	if (a[1])
		return SBI_ERR_INVALID_ADDRESS;
	if (!num)
		return SBI_SUCCESS;
	if (num > -1UL / sizeof(*e) ||
	    !vm_ram_usable(v->vm, base, num * sizeof(*e)))
		return SBI_ERR_INVALID_ADDRESS;
	/* Guest RAM is identity-mapped: the entries are read in place. */
	for (unsigned long i = 0; i < num; i++)
		if (e[i].event_idx & ~SBI_PMU_EVENT_IDX_MASK)
			return SBI_ERR_INVALID_PARAM;
	vm_pristine_save(v->vm, base, num * sizeof(*e));
	for (unsigned long i = 0; i < num; i++)
		e[i].output =
			pmu_event_supported(v, e[i].event_idx, e[i].event_data);
	return SBI_SUCCESS;
}

static void pmu_handle(struct vcpu *v, struct vsbi_call *c)
{
	const unsigned long *a = c->args;

	switch (c->fid) {
	case SBI_EXT_PMU_NUM_COUNTERS:
		c->value = v->pmu.host.nr_counters;
		break;
	case SBI_EXT_PMU_COUNTER_GET_INFO:
		c->error = pmu_counter_info(v, a[0], &c->value);
		break;
	case SBI_EXT_PMU_COUNTER_CFG_MATCH:
		c->error = pmu_cfg_match(v, a, &c->value);
		break;
	case SBI_EXT_PMU_COUNTER_START:
		c->error = pmu_start(v, a);
		break;
	case SBI_EXT_PMU_COUNTER_STOP:
		c->error = pmu_stop(v, a);
		break;
	case SBI_EXT_PMU_COUNTER_FW_READ:
	case SBI_EXT_PMU_COUNTER_FW_READ_HI:
		c->error = pmu_fw_read(v, a[0],
				       c->fid == SBI_EXT_PMU_COUNTER_FW_READ_HI,
				       &c->value);
		break;
	case SBI_EXT_PMU_EVENT_GET_INFO:
		c->error = pmu_event_info(v, a);
		break;
	default: /* SNAPSHOT_SET_SHMEM among them: no snapshots */
		c->error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
	if (c->error)
		c->value = 0;
}

/* Only where the firmware has an SBI PMU on the vCPU's hart. */
static bool pmu_probe(const struct vcpu *v)
{
	return v->pmu.host.nr_counters != 0;
}

const struct vsbi_ext vsbi_pmu = {
	.name = "PMU",
	.kind = VCPU_SBI_PMU,
	.eid_min = SBI_EXT_PMU,
	.eid_max = SBI_EXT_PMU,
	.handle = pmu_handle,
	.probe = pmu_probe,
};
