// SPDX-License-Identifier: BSD-2-Clause
/*
 * The console of the VMs. With one VM, its output (SBI DBCN, the legacy
 * putchar) goes out byte for byte, as the firmware would write it, and
 * its input is the UART's (the VM owns it).
 *
 * With several, hartvisor keeps the UART and the console is shared:
 * - Each line says whose it is: "[name] " in front. The VM with the input
 *   (the focus) is written as it comes, so its prompt and its echo show;
 *   every other VM's output is gathered a line at a time and written in
 *   one piece, so no two VMs' lines mix.
 * - Input (uart_rx.c) goes to the focus alone: queued for it, and fed to
 *   its emulated UART's receive FIFO as that has room, or read through
 *   SBI (DBCN read, getchar). The real UART is always drained, so the
 *   monitor's key gets through even to a VM that never reads.
 * - CONSOLE_ESCAPE (Ctrl-]; QEMU keeps Ctrl-A) opens the monitor
 *   (monitor.c) and closes it again; no VM sees that key.
 */
#include <string.h>

#include "arch.h"
#include "log.h"
#include "vm.h"

/* The VM with the input, and the one written as it comes (atomic). */
static struct vm *focus;
static struct vm *streaming;

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

/* What @vm gathered, written as it comes from now on; its lock held. */
static void vm_console_unfold(struct vm *vm)
{
	if (!vm->console_len)
		return;
	log_console_stream(vm, vm->tag, vm->console, vm->console_len);
	vm->console_len = 0;
}

void vm_console_write(struct vm *vm, const char *buf, size_t n)
{
	if (nr_vms <= 1) {
		log_console_write(buf, n);
		return;
	}
	spin_lock(&vm->console_lock);
	if (vm == __atomic_load_n(&streaming, __ATOMIC_ACQUIRE)) {
		vm_console_unfold(vm);
		log_console_stream(vm, vm->tag, buf, n);
		spin_unlock(&vm->console_lock);
		return;
	}
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

void vm_console_stream(struct vm *vm)
{
	__atomic_store_n(&streaming, vm, __ATOMIC_RELEASE);
	if (!vm)
		return;
	/* Its line so far (a prompt, say) shows at once. */
	spin_lock(&vm->console_lock);
	vm_console_unfold(vm);
	spin_unlock(&vm->console_lock);
}

struct vm *vm_console_focus(void)
{
	return __atomic_load_n(&focus, __ATOMIC_ACQUIRE);
}

void vm_console_set_focus(struct vm *vm)
{
	__atomic_store_n(&focus, vm, __ATOMIC_RELEASE);
}

void vm_console_start(void)
{
	struct vm *first = &vms[0];

	if (nr_vms <= 1)
		return;
	/* The VM that would own the UART natively, else the first. */
	for (unsigned int i = 0; i < nr_vms; i++)
		if (vms[i].spec->devices & VM_DEV_UART) {
			first = &vms[i];
			break;
		}
	vm_console_set_focus(first);
	vm_console_stream(first);
	pr_info("console: input goes to VM '%s'; Ctrl-] opens the monitor",
		first->name);
}

/*
 * A byte of @vm's console input, queued until the guest reads it (its
 * emulated UART's FIFO or SBI); lost when the queue is full.
 */
static void vm_console_push(struct vm *vm, char ch)
{
	spin_lock(&vm->console_lock);
	if (vm->input_len < sizeof(vm->input)) {
		vm->input[(vm->input_head + vm->input_len) % sizeof(vm->input)] =
			ch;
		vm->input_len++;
	}
	spin_unlock(&vm->console_lock);
}

void vm_console_input(char ch)
{
	struct vm *vm = vm_console_focus();

	if (ch == CONSOLE_ESCAPE) {
		monitor_toggle();
		return;
	}
	if (monitor_active()) {
		monitor_input(ch);
		return;
	}
	if (!vm)
		return;
	vm_console_push(vm, ch);
	if (vm->vuart_on)
		vm_uart_feed(vm);
}

int vm_console_pop(struct vm *vm)
{
	int ch = -1;

	spin_lock(&vm->console_lock);
	if (vm->input_len) {
		ch = (unsigned char)vm->input[vm->input_head];
		vm->input_head = (vm->input_head + 1) % sizeof(vm->input);
		vm->input_len--;
	}
	spin_unlock(&vm->console_lock);
	return ch;
}

int vm_console_getc(struct vm *vm)
{
	if (nr_vms <= 1)
		return arch_console_getc();
	/* The UART's input is the UART's, read by SBI as natively. */
	if (vm->vuart_on)
		return vm_uart_getc(vm);
	return vm_console_pop(vm);
}
