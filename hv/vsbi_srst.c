// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI SRST: a shutdown stops the VM (the machine powers off with the
 * last one); a reboot restarts the VM alone.
 */
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

static void srst_handle(struct vcpu *v, struct vsbi_call *c)
{
	uint32_t type = (uint32_t)c->args[0];
	uint32_t reason = (uint32_t)c->args[1];

	if (c->fid != SBI_EXT_SRST_RESET) {
		c->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	/* Reserved and vendor types and reasons: we implement none. */
	if (type > SBI_SRST_RESET_TYPE_WARM_REBOOT ||
	    reason > SBI_SRST_RESET_REASON_SYSFAIL) {
		c->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	if (type == SBI_SRST_RESET_TYPE_SHUTDOWN)
		vm_shutdown(v->vm, v, reason == SBI_SRST_RESET_REASON_SYSFAIL);
	else
		vm_reboot(v->vm, v);
	c->action = VSBI_NO_RETURN;
}

const struct vsbi_ext vsbi_srst = {
	.name = "SRST",
	.kind = VCPU_SBI_SRST,
	.eid_min = SBI_EXT_SRST,
	.eid_max = SBI_EXT_SRST,
	.handle = srst_handle,
};
