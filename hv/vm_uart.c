// SPDX-License-Identifier: BSD-2-Clause
/*
 * A VM's emulated UART, when several VMs share the machine's one: the
 * ns16550a model (vuart.c) at the real UART's address, its output through
 * the VM's console lines ("[name] ...", vm_console.c), its input what
 * the console queued for it (vm_uart_feed), its interrupt an emulated source
 * of the VM's vAPLIC or vPLIC that follows the model's line.
 */
#include "irqchip.h"
#include "vm.h"

bool vm_uart_contains(const struct vm *vm, gpa_t gpa)
{
	return vm->vuart_on &&
	       range_contains(vm->vuart_page.base, vm->vuart_page.size, gpa, 1);
}

/* After a change, the model's line to the controller. Lock held. */
static void vm_uart_line(struct vm *vm)
{
	if (vm->vuart_irq)
		irqchip_set_level(vm, vm->vuart_irq, vuart_irq(&vm->vuart));
}

/*
 * The console's input queued for the VM, into the receive FIFO while it
 * has room: the rest waits for the guest to read. Lock held.
 */
static void vm_uart_fill(struct vm *vm)
{
	while (vuart_has_room(&vm->vuart)) {
		int ch = vm_console_pop(vm);

		if (ch < 0)
			break;
		vuart_receive(&vm->vuart, (uint8_t)ch);
	}
}

uint32_t vm_uart_access(struct vm *vm, gpa_t gpa, unsigned int width,
			bool store, uint32_t val)
{
	unsigned int off = (unsigned int)(gpa - vm->vuart_page.base);
	uint32_t ret = 0;
	int out = -1;

	/* One byte a register (reg-shift 0); the rest of the page reads 0. */
	if (width != 1 || off >= VUART_SIZE)
		return 0;
	spin_lock(&vm->vuart_lock);
	if (store)
		out = vuart_write(&vm->vuart, off, (uint8_t)val);
	else
		ret = vuart_read(&vm->vuart, off);
	vm_uart_fill(vm);
	vm_uart_line(vm);
	spin_unlock(&vm->vuart_lock);
	if (out >= 0) {
		char ch = (char)out;

		vm_console_write(vm, &ch, 1);
	}
	return ret;
}

void vm_uart_feed(struct vm *vm)
{
	spin_lock(&vm->vuart_lock);
	vm_uart_fill(vm);
	vm_uart_line(vm);
	spin_unlock(&vm->vuart_lock);
}

int vm_uart_getc(struct vm *vm)
{
	int ch;

	spin_lock(&vm->vuart_lock);
	ch = vuart_getc(&vm->vuart);
	vm_uart_fill(vm);
	vm_uart_line(vm);
	spin_unlock(&vm->vuart_lock);
	return ch;
}

void vm_uart_reset(struct vm *vm)
{
	if (!vm->vuart_on)
		return;
	spin_lock(&vm->vuart_lock);
	vuart_reset(&vm->vuart);
	vm_uart_line(vm);
	spin_unlock(&vm->vuart_lock);
}
