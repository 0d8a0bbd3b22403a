// SPDX-License-Identifier: BSD-2-Clause
/*
 * configs/linux2.c with a trusted doorbell: each VM's interrupt files
 * mapped into the other, a ring with no exit (AIA machines only: make run
 * SMP=4 CONFIG=linux2_trusted IRQCHIP=aia).
 */
#include "linux2.h"

LINUX2_CONFIG(
	linux2_trusted, CHAN_DOORBELL_TRUSTED,
	"configs/linux2.c with a trusted doorbell on the channel 'files' (no exit; AIA only)");
