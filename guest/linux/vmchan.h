/* SPDX-License-Identifier: BSD-2-Clause */
/* vmchan (guest/linux/vmchan.c): one channel between VMs, mapped. */
#ifndef VMCHAN_H
#define VMCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel_lane.h"

struct vmchan {
	char name[64];
	int uio; /* /dev/uioN, or -1: /dev/mem and polling */
	volatile uint8_t *mem, *bell; /* the channel, its doorbell window */
	size_t size, bell_size;
	uint32_t me; /* our peer number */
	bool trusted; /* the doorbell: the other's interrupt files */
	struct chan_view v;
};

/*
 * Find channel @want (NULL: the first) and map it into @c (whose uio is
 * -1 before): 0, or -1 with a message on stderr.
 */
int vmchan_open(struct vmchan *c, const char *want);

#endif
