// SPDX-License-Identifier: BSD-2-Clause
/* The emulated ns16550a: see vuart.h. */
#include <string.h>

#include "vuart.h"

void vuart_reset(struct vuart *u)
{
	memset(u, 0, sizeof(*u));
	u->dll = 1;
}

static bool rx_ready(const struct vuart *u)
{
	return u->rx_len > 0;
}

/* The highest-priority interrupt pending and enabled, as IIR says it. */
static uint8_t vuart_iir(const struct vuart *u)
{
	if ((u->ier & UART_IER_RLSI) && u->lsr_oe)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && rx_ready(u))
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thr_pending)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

bool vuart_irq(const struct vuart *u)
{
	/* OUT2 gates the line on a PC; QEMU's 16550 and Linux ignore it. */
	return vuart_iir(u) != UART_IIR_NO_INT;
}

static uint8_t rx_pop(struct vuart *u)
{
	uint8_t ch;

	if (!rx_ready(u))
		return 0;
	ch = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_FIFO;
	u->rx_len--;
	return ch;
}

int vuart_getc(struct vuart *u)
{
	return rx_ready(u) ? rx_pop(u) : -1;
}

bool vuart_has_room(const struct vuart *u)
{
	return u->rx_len < ((u->fcr & UART_FCR_ENABLE) ? VUART_FIFO : 1);
}

bool vuart_receive(struct vuart *u, uint8_t ch)
{
	if (!vuart_has_room(u)) {
		u->lsr_oe = UART_LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_len) % VUART_FIFO] = ch;
	u->rx_len++;
	return true;
}

/* The modem status lines: looped back from MCR, else all up but RI. */
static uint8_t vuart_msr(const struct vuart *u)
{
	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	return (u->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
	       (u->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (u->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
	       (u->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

uint8_t vuart_read(struct vuart *u, unsigned int off)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (off) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = vuart_iir(u);
		/* Reading IIR takes a transmitter-empty interrupt back. */
		if (v == UART_IIR_THRI)
			u->thr_pending = false;
		return v | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_oe |
		    (rx_ready(u) ? UART_LSR_DR : 0);
		u->lsr_oe = 0;
		return v;
	case UART_MSR:
		return vuart_msr(u);
	case UART_SCR:
		return u->scr;
	default:
		return 0;
	}
}

int vuart_write(struct vuart *u, unsigned int off, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (off) {
	case UART_RBR:
		if (dlab) {
			u->dll = val;
			return -1;
		}
		/* Sent at once: the holding register is empty again. */
		u->thr_pending = true;
		if (u->mcr & UART_MCR_LOOP) {
			vuart_receive(u, val);
			return -1;
		}
		return val;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			return -1;
		}
		/* Enabling it with the register empty raises it, as on a 16550. */
		if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thr_pending = true;
		u->ier = val & 0x0f;
		return -1;
	case UART_IIR: /* FCR */
		if (val & UART_FCR_CLEAR_RCVR)
			u->rx_len = 0;
		u->fcr = val & (UART_FCR_ENABLE | 0xc0);
		return -1;
	case UART_LCR:
		u->lcr = val;
		return -1;
	case UART_MCR:
		u->mcr = val & 0x1f;
		return -1;
	case UART_SCR:
		u->scr = val;
		return -1;
	default: /* LSR and MSR are read-only */
		return -1;
	}
}
