// SPDX-License-Identifier: BSD-2-Clause
/*
 * The receive side of the real UART, hartvisor's own when several VMs
 * share the machine (with one VM the UART is the guest's, passed through,
 * and none of this runs). Its interrupt goes to one hart, the first of the
 * first VM: on the PLIC, that hart's S-mode context; with AIA, an MSI into
 * that hart's S-level interrupt file (the guests have guest file 1). The
 * hart drains the receive FIFO at each interrupt and hands every byte to
 * the console (vm_console_input), which gives it to the VM with the input
 * or to the monitor.
 *
 * Transmission stays the firmware's (SBI): the UART's registers here are
 * the receive buffer, the interrupt enable and the line status, 16550
 * style, one byte each (no reg-shift, as on QEMU virt).
 */
#include "arch.h"
#include "hart.h"
#include "log.h"
#include "vaplic.h"
#include "vm.h"
#include "vuart.h"

/* Its ID in the hart's S-level file: the file is hartvisor's alone. */
#define UART_RX_EIID 1
/* Bytes taken at one interrupt before the source is asked to come back. */
#define UART_RX_BURST 64

static volatile uint8_t *uart;
static struct hart *rx_hart;
static uint32_t rx_src;
static enum irqchip_kind rx_kind;
static int rx_plic_ctx = -1;

void uart_rx_setup(const struct platform *p)
{
	const struct platform_hart *h;

	if (nr_vms <= 1 || !p->uart.present)
		return;
	h = &p->harts[vms[0].hart_slot[0]];
	rx_src = p->uart.irq;
	rx_kind = platform_has_aia(p) ? IRQCHIP_AIA :
		  p->plic.present     ? IRQCHIP_PLIC :
					IRQCHIP_NONE;
	if (!rx_src || rx_kind == IRQCHIP_NONE ||
	    (rx_kind == IRQCHIP_PLIC && h->plic_s_context < 0) ||
	    (rx_kind == IRQCHIP_AIA && h->imsic_index < 0)) {
		pr_warn("console: the UART's interrupt cannot reach hart %lu: no console input",
			h->hartid);
		return;
	}
	uart = (volatile uint8_t *)(uintptr_t)p->uart.base;
	rx_hart = &harts[vms[0].hart_slot[0]];
	if (rx_kind == IRQCHIP_PLIC) {
		rx_plic_ctx = h->plic_s_context;
		arch_plic_init(p->plic.base);
		arch_plic_set_priority(rx_src, 1);
	} else {
		arch_aplic_init(p->aplic.base);
		vaplic_hv_source(rx_src, (uint32_t)h->imsic_index,
				 UART_RX_EIID);
	}
	/* Received data raises the line; OUT2 gates it on a PC's 16550. */
	uart[UART_MCR] |= UART_MCR_OUT2;
	uart[UART_IER] = UART_IER_RDI;
}

void uart_rx_hart_init(const struct hart *self)
{
	if (self != rx_hart || !rx_hart)
		return;
	/* After the VM's own controller set this hart's context up. */
	if (rx_kind == IRQCHIP_PLIC) {
		arch_plic_set_threshold(rx_plic_ctx, 0);
		arch_plic_enable(rx_plic_ctx, rx_src, true);
	} else {
		arch_imsic_s_enable(UART_RX_EIID);
	}
}

/* Whatever the UART holds, to the console; true if some was left. */
static bool uart_rx_drain(void)
{
	for (unsigned int n = 0; n < UART_RX_BURST; n++) {
		if (!(uart[UART_LSR] & UART_LSR_DR))
			return false;
		vm_console_input((char)uart[UART_RBR]);
	}
	return uart[UART_LSR] & UART_LSR_DR;
}

bool uart_rx_plic_claimed(unsigned int src)
{
	if (!rx_hart || src != rx_src || arch_this_hart() != rx_hart)
		return false;
	/* A level still high comes back once completed: the PLIC's gateway. */
	uart_rx_drain();
	return true;
}

void uart_rx_take(void)
{
	if (!rx_hart || arch_this_hart() != rx_hart)
		return;
	if (rx_kind == IRQCHIP_AIA) {
		uint32_t id;

		while ((id = arch_imsic_s_claim()))
			if (id == UART_RX_EIID && uart_rx_drain())
				vaplic_hv_retrigger(rx_src);
		return;
	}
	/* The PLIC, the hart's VM without a vPLIC: claim here. */
	for (unsigned int n = 0; n < UART_RX_BURST; n++) {
		unsigned int src = arch_plic_claim(rx_plic_ctx);

		if (!src)
			break;
		if (!uart_rx_plic_claimed(src)) {
			pr_warn("PLIC source %u fired on context %d but no VM owns it: disabled",
				src, rx_plic_ctx);
			arch_plic_enable(rx_plic_ctx, src, false);
		}
		arch_plic_complete(rx_plic_ctx, src);
	}
}
