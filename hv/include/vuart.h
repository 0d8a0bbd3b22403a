/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An emulated ns16550a: the console UART of a VM when several VMs share
 * the machine's one UART (hartvisor keeps the real one). Registers as an
 * 8250 driver sees them (one byte each, reg-shift 0): a transmitter that
 * is always empty (a byte written to THR goes out at once, through the
 * caller), a 16-byte receive FIFO the caller fills, the interrupt
 * identification of a 16550 (receive data before a transmitter-empty
 * interrupt, which reading IIR or writing THR takes back), the divisor
 * latch, scratch, and the modem control loop-back that drivers probe.
 *
 * Pure state: no lock, no I/O. The caller serialises the calls, sends
 * what vuart_write() returns, and raises or lowers the VM's interrupt
 * source after each call to follow vuart_irq().
 */
#ifndef HV_VUART_H
#define HV_VUART_H

#include "types.h"

#define VUART_SIZE 8 /* registers: offsets 0-7 */
#define VUART_FIFO 16

/* Registers (reg-shift 0). */
#define UART_RBR 0 /* read, DLAB 0; THR on write; DLL with DLAB 1 */
#define UART_IER 1 /* DLM with DLAB 1 */
#define UART_IIR 2 /* read; FCR on write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI 0x01 /* receive data available */
#define UART_IER_THRI 0x02 /* transmitter holding register empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI 0x08 /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_FIFO 0xc0 /* FIFOs enabled */

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RCVR 0x02

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

struct vuart {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t lsr_oe; /* an overrun since LSR was last read */
	bool thr_pending; /* a transmitter-empty interrupt to take */
	uint8_t rx[VUART_FIFO];
	unsigned int rx_head, rx_len;
};

/* @u at reset: nothing received, no interrupt enabled, divisor 1. */
void vuart_reset(struct vuart *u);

/* A guest load of register @off (0-7). */
uint8_t vuart_read(struct vuart *u, unsigned int off);

/*
 * A guest store of @val to register @off (0-7). Returns the byte to send
 * out (a THR write, not in loop-back), or -1.
 */
int vuart_write(struct vuart *u, unsigned int off, uint8_t val);

/*
 * A byte from outside for the guest: into the receive FIFO, or, if that
 * is full, lost and the overrun flagged. Returns false when lost.
 */
bool vuart_receive(struct vuart *u, uint8_t ch);

/* Would vuart_receive() keep a byte now (FIFO, or the holding register)? */
bool vuart_has_room(const struct vuart *u);

/*
 * The next received byte, or -1: the firmware's read of the same device
 * (SBI DBCN read, getchar) beside the guest's driver.
 */
int vuart_getc(struct vuart *u);

/* Is the UART's interrupt line up (an enabled interrupt pending)? */
bool vuart_irq(const struct vuart *u);

#endif
