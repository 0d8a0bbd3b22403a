// SPDX-License-Identifier: BSD-2-Clause
/* SBI BASE: versions, identity, and which extensions exist. */
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

/* SBI v3.0: major in bits 30:24, minor in bits 23:0. */
#define VSBI_SPEC_VERSION ((3UL << 24) | 0)
/*
 * Not a registered SBI implementation ID (registered ones end at 11,
 * bhyve): hartvisor says who it is with an ID no one else uses.
 */
#define VSBI_IMPL_ID 0x4856UL /* "HV" */
#define VSBI_IMPL_VERSION 0x00000100UL /* 0.1.0 */

static void base_handle(struct vcpu *v, struct vsbi_call *c)
{
	struct vm *vm = v->vm;

	switch (c->fid) {
	case SBI_EXT_BASE_GET_SPEC_VERSION:
		c->value = VSBI_SPEC_VERSION;
		break;
	case SBI_EXT_BASE_GET_IMP_ID:
		c->value = VSBI_IMPL_ID;
		break;
	case SBI_EXT_BASE_GET_IMP_VERSION:
		c->value = VSBI_IMPL_VERSION;
		break;
	case SBI_EXT_BASE_PROBE_EXT:
		c->value = vsbi_probe(v, c->args[0]);
		break;
	case SBI_EXT_BASE_GET_MVENDORID:
		c->value = vm->mvendorid;
		break;
	case SBI_EXT_BASE_GET_MARCHID:
		c->value = vm->marchid;
		break;
	case SBI_EXT_BASE_GET_MIMPID:
		c->value = vm->mimpid;
		break;
	default:
		c->error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
}

const struct vsbi_ext vsbi_base = {
	.name = "BASE",
	.kind = VCPU_SBI_BASE,
	.eid_min = SBI_EXT_BASE,
	.eid_max = SBI_EXT_BASE,
	.handle = base_handle,
};
