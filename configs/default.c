// SPDX-License-Identifier: BSD-2-Clause
/*
 * The VM when nothing else is asked for: one vCPU on every hart, all the
 * RAM above the hypervisor, the UART and every virtio slot. The bare-metal
 * test guests run in it.
 */
#include "vm_config.h"

VM_CONFIG(default) = {
	.name = "default",
	.description = "every hart, all RAM below the hypervisor",
	.nr_vms = 1,
	.vms = { {
		.devices = VM_DEV_UART | VM_DEV_VIRTIO | VM_DEV_IRQCHIP,
	} },
};
