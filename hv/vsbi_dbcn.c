// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI DBCN, the debug console. Buffers are guest-physical and must lie in
 * guest RAM; guest RAM is identity mapped, so they are read in place.
 */
#include "arch.h"
#include "log.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

static void dbcn_handle(struct vcpu *v, struct vsbi_call *c)
{
	unsigned long num = c->args[0], base = c->args[1];
	char *buf = (char *)(uintptr_t)base;

	switch (c->fid) {
	case SBI_EXT_DBCN_CONSOLE_WRITE:
	case SBI_EXT_DBCN_CONSOLE_READ:
		/* base_hi != 0 is an address past 2^64: never guest RAM. */
		if (c->args[2] || !vm_ram_usable(v->vm, base, num)) {
			c->error = SBI_ERR_INVALID_PARAM;
			return;
		}
		if (c->fid == SBI_EXT_DBCN_CONSOLE_WRITE) {
			vm_console_write(v->vm, buf, num);
			c->value = num;
			return;
		}
		vm_pristine_save(v->vm, base, num);
		while (c->value < num) {
			int ch = vm_console_getc(v->vm);

			if (ch < 0)
				break;
			buf[c->value++] = (char)ch;
		}
		break;
	case SBI_EXT_DBCN_CONSOLE_WRITE_BYTE: {
		char ch = (char)c->args[0];

		vm_console_write(v->vm, &ch, 1);
		break;
	}
	default:
		c->error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
}

const struct vsbi_ext vsbi_dbcn = {
	.name = "DBCN",
	.kind = VCPU_SBI_DBCN,
	.eid_min = SBI_EXT_DBCN,
	.eid_max = SBI_EXT_DBCN,
	.handle = dbcn_handle,
};
