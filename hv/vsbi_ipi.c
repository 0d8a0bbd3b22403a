// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI IPI. Each target's hart gets HART_MSG_VCPU_IPI in its mailbox and a
 * physical IPI; it raises VSSIP for its guest before the next entry.
 */
#include "arch.h"
#include "hart.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

void vsbi_send_ipis(struct vcpu *v, uint64_t targets)
{
	for (unsigned int id = 0; id < v->vm->nr_vcpus; id++) {
		if (!(targets & (1ULL << id)) || vm_vcpu(v->vm, id)->absent)
			continue;
		vsbi_pmu_event(v, SBI_PMU_FW_IPI_SENT);
		if (id == v->id) {
			arch_vcpu_raise_ipi();
			vsbi_pmu_event(v, SBI_PMU_FW_IPI_RECEIVED);
		} else {
			hart_post(vm_vcpu(v->vm, id)->hart, HART_MSG_VCPU_IPI);
		}
	}
}

static void ipi_handle(struct vcpu *v, struct vsbi_call *c)
{
	uint64_t targets;

	if (c->fid != SBI_EXT_IPI_SEND_IPI) {
		c->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	/* Validate the whole mask first: on error, nobody gets an IPI. */
	c->error = vsbi_hart_mask(v->vm, c->args[0], c->args[1], &targets);
	if (!c->error)
		vsbi_send_ipis(v, targets);
}

const struct vsbi_ext vsbi_ipi = {
	.name = "IPI",
	.kind = VCPU_SBI_IPI,
	.eid_min = SBI_EXT_IPI,
	.eid_max = SBI_EXT_IPI,
	.handle = ipi_handle,
};
