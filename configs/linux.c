// SPDX-License-Identifier: BSD-2-Clause
/*
 * Linux (guest/linux): one vCPU on every hart and all the RAM above the
 * hypervisor. It owns the UART (its console, ttyS0, interrupt driven), the
 * real-time clock (the date, as natively) and every virtio-mmio slot,
 * passed through; their interrupts come as MSIs
 * into each vCPU's guest interrupt file through the vAPLIC (AIA machine)
 * or through the vPLIC. earlycon=sbi shows the boot before the 8250 driver is up.
 * The guest-loader's bootargs, when given, replace these.
 */
#include "vm_config.h"

VM_CONFIG(linux) = {
	.name = "linux",
	.description =
		"SMP Linux on every hart: UART (ttyS0), RTC, virtio-mmio, interrupt controller",
	.nr_vms = 1,
	.vms = { {
		.bootargs = "console=ttyS0 earlycon=sbi",
		.devices = VM_DEV_UART | VM_DEV_RTC | VM_DEV_VIRTIO |
			   VM_DEV_IRQCHIP,
	} },
};
