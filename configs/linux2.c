// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two Linux VMs and the channel 'files' between them with a checked
 * doorbell (make run SMP=4 CONFIG=linux2; configs/linux2.h has the
 * layout).
 */
#include "linux2.h"

LINUX2_CONFIG(
	linux2, CHAN_DOORBELL_CHECKED,
	"two Linux VMs of 2 harts: left (ttyS0, virtio 0-3), right (ttyS0, virtio 4-7), the channel 'files' between them");
