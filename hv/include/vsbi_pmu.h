/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SBI PMU for guests (hv/vsbi_pmu.c): a vCPU's performance counters. Its
 * hardware counters are its hart's own, configured through the firmware;
 * its firmware counters are hartvisor's, one set per vCPU, at the
 * indices where the firmware has its own, so the guest finds the
 * counters it would find natively.
 */
#ifndef HV_VSBI_PMU_H
#define HV_VSBI_PMU_H

#include "arch.h"
#include "sbi.h"
#include "types.h"

struct vcpu;

/* Firmware counters a vCPU can have (OpenSBI has 16). */
#define VSBI_PMU_FW_COUNTERS 32

struct vsbi_pmu {
	struct arch_pmu host; /* what the firmware has on the vCPU's hart */
	uint64_t fw_mask; /* the guest's firmware counters, by index */
	/* Firmware counters configured to an event, and running. */
	uint64_t configured, started;
	struct vsbi_pmu_fw {
		uint64_t value; /* its count; while started, the count then */
		uint64_t since; /* while started: the event's total then */
		unsigned int event; /* the firmware event code it counts */
	} fw[VSBI_PMU_FW_COUNTERS]; /* by rank in fw_mask */
	/*
	 * Totals of the firmware events hartvisor serves for this vCPU,
	 * added to by any hart (atomic); never reset, counters take
	 * differences.
	 */
	uint64_t events[SBI_PMU_FW_MAX];
};

/* Read what the vCPU's hart has. Own hart, after arch_hart_virt_init. */
void vsbi_pmu_hart_init(struct vcpu *v);

/*
 * A stopped or reset vCPU: every counter stopped and released, the
 * firmware counters unconfigured and zero; @start: it starts now (cycle
 * and instret run, as on a hart the firmware starts). Own hart.
 */
void vsbi_pmu_reset(struct vcpu *v, bool start);

/*
 * Firmware event @code happened for @v (SBI_PMU_FW_*). Any hart: relaxed,
 * a total that only @v's own hart reads, when its guest counts.
 */
#define vsbi_pmu_event(v, code) \
	__atomic_fetch_add(&(v)->pmu.events[(code)], 1, __ATOMIC_RELAXED)

#endif
