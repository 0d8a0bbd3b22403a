// SPDX-License-Identifier: BSD-2-Clause
/*
 * Linux on harts 0-2 beside a bare-metal guest on hart 3, the channel 'rt'
 * between them with a checked doorbell (make run SMP=4 CONFIG=linux_rt;
 * configs/linux_rt.h has the layout).
 */
#include "linux_rt.h"

LINUX_RT_CONFIG(
	linux_rt, CHAN_DOORBELL_CHECKED,
	"Linux on harts 0-2 (ttyS0), a bare-metal guest on hart 3, the channel 'rt' between them");
