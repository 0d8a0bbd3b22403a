// SPDX-License-Identifier: BSD-2-Clause
/*
 * configs/linux_rt.c with a trusted doorbell: each VM's interrupt files
 * mapped into the other, a ring with no exit (AIA machines only: make run
 * SMP=4 CONFIG=linux_rt_trusted IRQCHIP=aia).
 */
#include "linux_rt.h"

LINUX_RT_CONFIG(
	linux_rt_trusted, CHAN_DOORBELL_TRUSTED,
	"configs/linux_rt.c with a trusted doorbell on the channel 'rt' (no exit; AIA only)");
