// SPDX-License-Identifier: BSD-2-Clause
/*
 * A guest's console output through SBI (DBCN, the legacy putchar). With
 * one VM it goes out byte for byte, as the firmware would write it. With
 * several, each VM's output is gathered a line at a time and written with
 * the VM's name in front ("[name] "), so the lines of two VMs never mix
 * and each says whose it is. Input (SBI DBCN read, the legacy getchar)
 * comes from the UART; with several VMs, only to the VM that owns it (the
 * others read nothing), so no two VMs take each other's keys.
 */
#include <string.h>

#include "arch.h"
#include "log.h"
#include "vm.h"

/* Write out @vm's gathered line, in one piece; its lock held. */
static void vm_console_line(struct vm *vm)
{
	char out[sizeof(vm->tag) + sizeof(vm->console) + 1];
	size_t tag = strlen(vm->tag);

	memcpy(out, vm->tag, tag);
	memcpy(out + tag, vm->console, vm->console_len);
	out[tag + vm->console_len] = '\n';
	log_console_write(out, tag + vm->console_len + 1);
	vm->console_len = 0;
}

void vm_console_write(struct vm *vm, const char *buf, size_t n)
{
	if (nr_vms <= 1) {
		log_console_write(buf, n);
		return;
	}
	spin_lock(&vm->console_lock);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			vm_console_line(vm);
		else if (buf[i] != '\r')
			vm->console[vm->console_len++] = buf[i];
		/* A line longer than the buffer goes out in pieces. */
		if (vm->console_len == sizeof(vm->console))
			vm_console_line(vm);
	}
	spin_unlock(&vm->console_lock);
}

int vm_console_getc(const struct vm *vm)
{
	if (nr_vms > 1 && !(vm->spec->devices & VM_DEV_UART))
		return -1;
	return arch_console_getc();
}
