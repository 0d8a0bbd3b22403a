// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI SUSP: suspend to RAM. The VM is its own system, so the call is the
 * guest's: every other vCPU must be stopped already, and the caller then
 * sleeps on its hart until an interrupt is pending for it — its timer, an
 * IPI, or a device of the VM (the UART when the guest kept its receive
 * interrupt on). It resumes at resume_addr as from a non-retentive HSM
 * suspend. No hardware is powered down: the VM's RAM and devices simply
 * keep their state.
 */
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

static bool others_stopped(const struct vcpu *v)
{
	for (unsigned int id = 0; id < v->vm->nr_vcpus; id++)
		if (id != v->id &&
		    vcpu_get_state(vm_vcpu(v->vm, id)) != SBI_HSM_STATE_STOPPED)
			return false;
	return true;
}

static void susp_handle(struct vcpu *v, struct vsbi_call *c)
{
	/* sleep_type is 32 bits wide: the upper half of a0 is not read. */
	uint32_t type = (uint32_t)c->args[0];

	if (c->fid != SBI_EXT_SUSP_SYSTEM_SUSPEND)
		c->error = SBI_ERR_NOT_SUPPORTED;
	else if (type != SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM)
		c->error = SBI_ERR_INVALID_PARAM; /* reserved or platform's */
	else if (!vm_ram_usable(v->vm, c->args[1], 4))
		c->error = SBI_ERR_INVALID_ADDRESS;
	else if (!others_stopped(v))
		c->error = SBI_ERR_DENIED;
	if (c->error)
		return;
	vcpu_system_suspend(v, c->args[1], c->args[2]);
	c->action = VSBI_NO_RETURN;
}

const struct vsbi_ext vsbi_susp = {
	.name = "SUSP",
	.kind = VCPU_SBI_SUSP,
	.eid_min = SBI_EXT_SUSP,
	.eid_max = SBI_EXT_SUSP,
	.handle = susp_handle,
};
