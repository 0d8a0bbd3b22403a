// SPDX-License-Identifier: BSD-2-Clause
/*
 * The emulated ns16550a (hv/vuart.c) as Linux's 8250 driver uses it: the
 * transmitter-empty interrupt raised by enabling it and by each byte sent,
 * taken back by reading IIR; received bytes before it in IIR, in order,
 * and an overrun past the FIFO; the divisor latch behind DLAB; the modem
 * loop-back the driver probes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <setjmp.h>
#include <cmocka.h>

#include "vuart.h"

static struct vuart u;

static int setup(void **state)
{
	(void)state;
	vuart_reset(&u);
	return 0;
}

static void test_reset(void **state)
{
	(void)state;
	assert_int_equal(vuart_read(&u, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(vuart_read(&u, UART_LSR),
			 UART_LSR_THRE | UART_LSR_TEMT);
	assert_false(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, UART_RBR), 0);
}

static void test_transmit_interrupt(void **state)
{
	(void)state;
	assert_int_equal(vuart_write(&u, UART_RBR, 'a'), 'a');
	/* Not enabled: no line, whatever is pending. */
	assert_false(vuart_irq(&u));
	vuart_write(&u, UART_IER, UART_IER_THRI);
	assert_true(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, UART_IIR), UART_IIR_THRI);
	/* Reading IIR took it back; the next byte sent raises it again. */
	assert_false(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(vuart_write(&u, UART_RBR, 'b'), 'b');
	assert_true(vuart_irq(&u));
	vuart_write(&u, UART_IER, 0);
	assert_false(vuart_irq(&u));
	/* Enabled again with the register empty: raised at once. */
	vuart_read(&u, UART_IIR);
	vuart_write(&u, UART_IER, UART_IER_THRI);
	assert_true(vuart_irq(&u));
}

static void test_receive(void **state)
{
	(void)state;
	vuart_write(&u, UART_IIR, UART_FCR_ENABLE);
	vuart_write(&u, UART_IER, UART_IER_RDI | UART_IER_THRI);
	for (int i = 0; i < VUART_FIFO; i++)
		assert_true(vuart_receive(&u, (uint8_t)('A' + i)));
	assert_false(vuart_receive(&u, '!'));
	/* Receive data comes first, with the FIFO bits. */
	assert_int_equal(vuart_read(&u, UART_IIR),
			 UART_IIR_RDI | UART_IIR_FIFO);
	assert_int_equal(vuart_read(&u, UART_LSR), UART_LSR_DR | UART_LSR_OE |
							   UART_LSR_THRE |
							   UART_LSR_TEMT);
	/* The overrun is told once. */
	assert_int_equal(vuart_read(&u, UART_LSR) & UART_LSR_OE, 0);
	for (int i = 0; i < VUART_FIFO; i++)
		assert_int_equal(vuart_read(&u, UART_RBR), 'A' + i);
	assert_int_equal(vuart_read(&u, UART_LSR) & UART_LSR_DR, 0);
	/* Then the transmitter's interrupt, raised when it was enabled. */
	assert_int_equal(vuart_read(&u, UART_IIR),
			 UART_IIR_THRI | UART_IIR_FIFO);
	assert_false(vuart_irq(&u));
	/* Clearing the receive FIFO drops what waits. */
	vuart_receive(&u, 'x');
	vuart_write(&u, UART_IIR, UART_FCR_ENABLE | UART_FCR_CLEAR_RCVR);
	assert_false(vuart_irq(&u));
	/* Without the FIFO, one byte waits at most. */
	vuart_write(&u, UART_IIR, 0);
	assert_true(vuart_receive(&u, 'y'));
	assert_false(vuart_receive(&u, 'z'));
}

/*
 * What the console feeds in: only while there is room (one byte without
 * the FIFO, 16 with it), and SBI's reads take the same bytes in order.
 */
static void test_room_and_sbi_reads(void **state)
{
	(void)state;
	assert_true(vuart_has_room(&u));
	assert_true(vuart_receive(&u, 'x'));
	assert_false(vuart_has_room(&u));
	assert_int_equal(vuart_getc(&u), 'x');
	assert_int_equal(vuart_getc(&u), -1);
	vuart_write(&u, UART_IIR, UART_FCR_ENABLE);
	for (int i = 0; i < VUART_FIFO; i++) {
		assert_true(vuart_has_room(&u));
		vuart_receive(&u, (uint8_t)('a' + i));
	}
	assert_false(vuart_has_room(&u));
	assert_int_equal(vuart_getc(&u), 'a');
	assert_true(vuart_has_room(&u));
	assert_int_equal(vuart_read(&u, UART_RBR), 'b');
	assert_int_equal(vuart_getc(&u), 'c');
}

static void test_divisor_and_scratch(void **state)
{
	(void)state;
	vuart_write(&u, UART_LCR, UART_LCR_DLAB | 3);
	vuart_write(&u, UART_RBR, 0x0c);
	vuart_write(&u, UART_IER, 0x01);
	assert_int_equal(vuart_read(&u, UART_RBR), 0x0c);
	assert_int_equal(vuart_read(&u, UART_IER), 0x01);
	vuart_write(&u, UART_LCR, 3);
	/* The latch is not the registers it hides. */
	assert_int_equal(vuart_read(&u, UART_IER), 0);
	assert_int_equal(vuart_read(&u, UART_LCR), 3);
	vuart_write(&u, UART_SCR, 0x5a);
	assert_int_equal(vuart_read(&u, UART_SCR), 0x5a);
	/* LSR and MSR are read-only. */
	vuart_write(&u, UART_LSR, 0);
	assert_int_equal(vuart_read(&u, UART_LSR),
			 UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_loopback(void **state)
{
	(void)state;
	assert_int_equal(vuart_read(&u, UART_MSR),
			 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	vuart_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	assert_int_equal(vuart_read(&u, UART_MSR), UART_MSR_DCD | UART_MSR_CTS);
	/* Sent bytes come back instead of going out. */
	assert_int_equal(vuart_write(&u, UART_RBR, 'q'), -1);
	assert_int_equal(vuart_read(&u, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(vuart_read(&u, UART_RBR), 'q');
	vuart_write(&u, UART_MCR, UART_MCR_OUT2);
	assert_int_equal(vuart_write(&u, UART_RBR, 'r'), 'r');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_transmit_interrupt, setup),
		cmocka_unit_test_setup(test_receive, setup),
		cmocka_unit_test_setup(test_room_and_sbi_reads, setup),
		cmocka_unit_test_setup(test_divisor_and_scratch, setup),
		cmocka_unit_test_setup(test_loopback, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
