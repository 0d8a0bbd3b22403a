// SPDX-License-Identifier: BSD-2-Clause
/*
 * A VM smaller than the machine: two vCPUs on the two lowest harts (the
 * others stay idle), 64 MiB of RAM from the start of RAM, the UART
 * and the interrupt controller (vAPLIC or vPLIC), no virtio. The dtb test
 * guest runs in it to see the difference.
 */
#include "vm_config.h"

VM_CONFIG(small) = {
	.name = "small",
	.description = "2 vCPUs, 64 MiB, UART and interrupt controller only",
	.nr_vms = 1,
	.vms = { {
		.harts = HARTS(0, 2),
		.ram_size = 64 * MiB,
		.bootargs = "small config",
		.devices = VM_DEV_UART | VM_DEV_IRQCHIP,
	} },
};
