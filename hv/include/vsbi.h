/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SBI for guests (spec v3.0). One table of extensions, one file each
 * (vsbi_base.c, vsbi_hsm.c, ...); vsbi_handle() is the only code that
 * writes the guest's a0/a1 and advances its sepc.
 */
#ifndef HV_VSBI_H
#define HV_VSBI_H

#include "types.h"
#include "vcpu.h"

struct vcpu;
struct vm;

/* What the dispatcher does with the guest once a handler is done. */
enum vsbi_action {
	VSBI_RETURN, /* a0 = error, a1 = value, next instruction */
	VSBI_RETURN_LEGACY, /* v0.1: a0 = error only, a1 preserved */
	VSBI_NO_RETURN, /* the handler moved the vCPU elsewhere */
};

struct vsbi_call {
	unsigned long eid, fid;
	const unsigned long *args; /* a0..a5 of the guest, read in place */
	long error; /* starts SBI_SUCCESS */
	unsigned long value; /* starts 0 */
	enum vsbi_action action;
};

struct vsbi_ext {
	const char *name;
	enum vcpu_sbi_kind kind; /* which counter its calls go to */
	unsigned long eid_min, eid_max;
	void (*handle)(struct vcpu *v, struct vsbi_call *call);
	/* NULL: always there; else whether @v has it (BASE probe too). */
	bool (*probe)(const struct vcpu *v);
};

extern const struct vsbi_ext vsbi_base, vsbi_time, vsbi_ipi, vsbi_rfence,
	vsbi_hsm, vsbi_srst, vsbi_dbcn, vsbi_susp, vsbi_fwft, vsbi_pmu,
	vsbi_hartvisor, vsbi_legacy;

/* Serve the SBI call the guest of @v just made (ecall from VS). */
void vsbi_handle(struct vcpu *v);

/* 1 when @eid is implemented for @v, else 0 (BASE probe_extension). */
unsigned long vsbi_probe(const struct vcpu *v, unsigned long eid);

/*
 * Turn an SBI hart mask into a bitmap of vCPU IDs. base == -1 means every
 * vCPU. SBI_ERR_INVALID_PARAM if any bit names no vCPU; nothing is
 * returned then, so no target is touched.
 */
int vsbi_hart_mask(const struct vm *vm, unsigned long mask, unsigned long base,
		   uint64_t *vcpus);

/* The hart slots (harts[] indices) the vCPUs in @vcpus are pinned to. */
uint64_t vsbi_vcpus_to_slots(const struct vm *vm, uint64_t vcpus);

/* Raise a supervisor software interrupt in every vCPU of @targets. */
void vsbi_send_ipis(struct vcpu *v, uint64_t targets);

/*
 * Remote fence for the vCPUs in @vcpus (SBI RFENCE, legacy remote fences):
 * fence.i and a guest TLB flush everywhere; the caller's own hart flushes
 * only [start, start + size) of @asid (-1: any) when the range is small.
 * @event is its SBI_PMU_FW_*_SENT firmware event: the caller counts one,
 * each vCPU fenced one of the RECEIVED event that follows it.
 */
void vsbi_fence(struct vcpu *v, uint64_t vcpus, unsigned long start,
		unsigned long size, long asid, unsigned int event);

#endif
