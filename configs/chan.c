// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two VMs and a channel with a checked doorbell, beside a VM that is no
 * peer (make run SMP=4 CONFIG=chan; configs/chan.h has the layout).
 */
#include "chan.h"

CHAN_TEST_CONFIG(
	chan, CHAN_DOORBELL_CHECKED,
	"ping (hart 0) and pong (hart 1) share channel 'pp' (checked doorbell); other (harts 2-3) does not");
