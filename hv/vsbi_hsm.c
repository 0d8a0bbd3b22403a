// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI HSM: start, stop, status and suspend of the guest's harts, on top of
 * the vCPU state machine in vcpu.c.
 */
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

#define HSM_SUSPEND_RETENTIVE 0x00000000U
#define HSM_SUSPEND_NON_RETENTIVE 0x80000000U

static void hsm_start(struct vcpu *v, struct vsbi_call *c)
{
	struct vcpu *target = vm_vcpu(v->vm, c->args[0]);

	if (!target)
		c->error = SBI_ERR_INVALID_PARAM;
	else if (!vm_ram_usable(v->vm, c->args[1], 4))
		c->error = SBI_ERR_INVALID_ADDRESS;
	else
		c->error = vcpu_start(target, c->args[1], c->args[2]);
}

static void hsm_suspend(struct vcpu *v, struct vsbi_call *c)
{
	uint32_t type = (uint32_t)c->args[0];

	if (type == HSM_SUSPEND_RETENTIVE) {
		/* Returns SUCCESS once an interrupt is pending (vcpu_run). */
		vcpu_suspend_self(v, false, 0, 0);
	} else if (type == HSM_SUSPEND_NON_RETENTIVE) {
		if (!vm_ram_usable(v->vm, c->args[1], 4)) {
			c->error = SBI_ERR_INVALID_ADDRESS;
			return;
		}
		vcpu_suspend_self(v, true, c->args[1], c->args[2]);
		c->action = VSBI_NO_RETURN;
	} else {
		/* Reserved, or platform-specific types we do not have. */
		c->error = SBI_ERR_INVALID_PARAM;
	}
}

static void hsm_handle(struct vcpu *v, struct vsbi_call *c)
{
	struct vcpu *target;

	switch (c->fid) {
	case SBI_EXT_HSM_HART_START:
		hsm_start(v, c);
		break;
	case SBI_EXT_HSM_HART_STOP:
		vcpu_stop_self(v);
		c->action = VSBI_NO_RETURN;
		break;
	case SBI_EXT_HSM_HART_GET_STATUS:
		target = vm_vcpu(v->vm, c->args[0]);
		if (target)
			c->value = (unsigned long)vcpu_get_state(target);
		else
			c->error = SBI_ERR_INVALID_PARAM;
		break;
	case SBI_EXT_HSM_HART_SUSPEND:
		hsm_suspend(v, c);
		break;
	default:
		c->error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
}

const struct vsbi_ext vsbi_hsm = {
	.name = "HSM",
	.kind = VCPU_SBI_HSM,
	.eid_min = SBI_EXT_HSM,
	.eid_max = SBI_EXT_HSM,
	.handle = hsm_handle,
};
