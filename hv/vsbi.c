// SPDX-License-Identifier: BSD-2-Clause
/*
 * The vSBI dispatcher: find the extension, let it fill in the result, and
 * hand the result to the guest. Results start zeroed, so nothing of the
 * hypervisor's reaches a guest register.
 */
#include "hart.h"
#include "log.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

/* The dispatch table; a switch lets the compiler make it a compare tree. */
static const struct vsbi_ext *vsbi_table(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
		return &vsbi_base;
	case SBI_EXT_TIME:
		return &vsbi_time;
	case SBI_EXT_IPI:
		return &vsbi_ipi;
	case SBI_EXT_RFENCE:
		return &vsbi_rfence;
	case SBI_EXT_HSM:
		return &vsbi_hsm;
	case SBI_EXT_SRST:
		return &vsbi_srst;
	case SBI_EXT_DBCN:
		return &vsbi_dbcn;
	case SBI_EXT_SUSP:
		return &vsbi_susp;
	case SBI_EXT_FWFT:
		return &vsbi_fwft;
	case SBI_EXT_PMU:
		return &vsbi_pmu;
	case SBI_EXT_HARTVISOR:
		return &vsbi_hartvisor;
	default:
		return eid <= SBI_EXT_0_1_SHUTDOWN ? &vsbi_legacy : NULL;
	}
}

/* @eid's extension, if @v has it. */
static const struct vsbi_ext *vsbi_find(const struct vcpu *v, unsigned long eid)
{
	const struct vsbi_ext *ext = vsbi_table(eid);

	return ext && (!ext->probe || ext->probe(v)) ? ext : NULL;
}

unsigned long vsbi_probe(const struct vcpu *v, unsigned long eid)
{
	return vsbi_find(v, eid) ? 1 : 0;
}

void vsbi_handle(struct vcpu *v)
{
	unsigned long *x = v->ctx.x;
	struct vsbi_call call = {
		.eid = x[REG_A7],
		.fid = x[REG_A6],
		.args = &x[REG_A0],
		.error = SBI_SUCCESS,
		.value = 0,
		.action = VSBI_RETURN,
	};
	const struct vsbi_ext *ext = vsbi_find(v, call.eid);

	v->sbi_calls[ext ? ext->kind : VCPU_SBI_UNKNOWN]++;
	if (ext)
		ext->handle(v, &call);
	else
		call.error = SBI_ERR_NOT_SUPPORTED;

	/* Results go in only now: handlers read args until they return. */
	switch (call.action) {
	case VSBI_RETURN:
		x[REG_A0] = (unsigned long)call.error;
		x[REG_A1] = call.value;
		v->ctx.sepc += 4;
		break;
	case VSBI_RETURN_LEGACY:
		x[REG_A0] = (unsigned long)call.error;
		v->ctx.sepc += 4;
		break;
	case VSBI_NO_RETURN:
		break;
	}
}

int vsbi_hart_mask(const struct vm *vm, unsigned long mask, unsigned long base,
		   uint64_t *vcpus)
{
	uint64_t out = 0;

	if (base == -1UL) {
		*vcpus = vm->nr_vcpus >= 64 ? ~0ULL :
					      (1ULL << vm->nr_vcpus) - 1;
		return 0;
	}
	for (unsigned int bit = 0; mask; bit++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		/* base + bit must not wrap, and must name a vCPU. */
		if (base >= vm->nr_vcpus || bit >= vm->nr_vcpus - base)
			return SBI_ERR_INVALID_PARAM;
		out |= 1ULL << (base + bit);
	}
	*vcpus = out;
	return 0;
}

uint64_t vsbi_vcpus_to_slots(const struct vm *vm, uint64_t vcpus)
{
	uint64_t slots = 0;

	/*
	 * A vCPU whose hart is not in yet (or never came) never ran: it has
	 * nothing to fence, and its hart flushes all as it checks in.
	 */
	for (unsigned int id = 0; id < vm->nr_vcpus; id++) {
		const struct vcpu *t = vm_vcpu(vm, id);

		if ((vcpus & (1ULL << id)) && !t->absent &&
		    __atomic_load_n(&t->hart->online, __ATOMIC_ACQUIRE))
			slots |= 1ULL << t->hart->slot;
	}
	return slots;
}

/* Above this many pages, one full flush is cheaper than a page each. */
#define FENCE_PAGES_MAX 64

void vsbi_fence(struct vcpu *v, uint64_t vcpus, unsigned long start,
		unsigned long size, long asid, unsigned int event)
{
	bool all = (start == 0 && size == 0) || size == -1UL ||
		   size / 4096 > FENCE_PAGES_MAX;
	uint64_t slots = vsbi_vcpus_to_slots(v->vm, vcpus & ~(1ULL << v->id));

	vsbi_pmu_event(v, event);
	for (unsigned int id = 0; id < v->vm->nr_vcpus; id++) {
		struct vcpu *t = vm_vcpu(v->vm, id);

		if (t == v ? vcpus >> id & 1 : slots >> t->hart->slot & 1)
			vsbi_pmu_event(t, event + 1);
	}
	if (vcpus & (1ULL << v->id)) {
		arch_fence_i();
		if (all) {
			arch_hfence_vvma_all();
		} else {
			for (unsigned long off = 0; off < size; off += 4096)
				arch_hfence_vvma_page(start + off, asid);
			if ((start + size) & 4095)
				arch_hfence_vvma_page(start + size - 1, asid);
		}
	}
	harts_fence(slots);
}
