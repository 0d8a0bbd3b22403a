// SPDX-License-Identifier: BSD-2-Clause
/*
 * Linux (guest/linux): one vCPU on every hart, all the RAM above the
 * hypervisor, the UART as its console and every virtio slot. The
 * guest-loader's bootargs, when given, replace these.
 */
#include "vm_config.h"

VM_CONFIG(linux) = {
	.name = "linux",
	.description = "SMP Linux on every hart",
	.bootargs = "console=ttyS0 earlycon=sbi",
	.devices = VM_DEV_UART | VM_DEV_VIRTIO,
};
