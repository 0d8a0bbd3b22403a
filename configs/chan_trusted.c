// SPDX-License-Identifier: BSD-2-Clause
/*
 * The channel scenario of configs/chan.c with a trusted doorbell: each
 * peer's interrupt files mapped into the other, rings with no exit (AIA
 * machines only: make run SMP=4 CONFIG=chan_trusted IRQCHIP=aia).
 */
#include "chan.h"

CHAN_TEST_CONFIG(
	chan_trusted, CHAN_DOORBELL_TRUSTED,
	"channel 'pp' between ping and pong with a trusted doorbell (no exit; AIA only); other is no peer");
