// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two Linux VMs on a 4-hart machine with 1 GiB (make run SMP=4
 * CONFIG=linux2): "left" on harts 0-1 with 256 MiB from 0x80000000 (its
 * kernel at 0x80200000), the RTC and virtio slots 0-3; "right" on harts
 * 2-3 with 256 MiB from 0x90000000 (its kernel at 0x90200000) and virtio
 * slots 4-7. Each has its own emulated UART (ttyS0); every console line
 * is marked with its VM ("[left]", "[right]"), and the keys go to left
 * until the monitor (Ctrl-]) moves them. Give each its own disk and
 * network card on its own slots: QEMU -device
 * virtio-blk-device,bus=virtio-mmio-bus.N, N 0-3 for left and 4-7 for
 * right.
 */
#include "vm_config.h"

VM_CONFIG(linux2) = {
	.name = "linux2",
	.description = "two Linux VMs of 2 harts: left (ttyS0, virtio 0-3), right (ttyS0, virtio 4-7)",
	.nr_vms = 2,
	.vms = {
		{
			.name = "left",
			.harts = HARTS(0, 2),
			.ram_base = 0x80000000,
			.ram_size = 256 * MiB,
			.bootargs = "console=ttyS0 earlycon=sbi",
			.devices = VM_DEV_UART | VM_DEV_RTC | VM_DEV_VIRTIO |
				   VM_DEV_IRQCHIP,
			.virtio = 0x0f,
		},
		{
			.name = "right",
			.harts = HARTS(2, 2),
			.ram_base = 0x90000000,
			.ram_size = 256 * MiB,
			.bootargs = "console=ttyS0 earlycon=sbi",
			.devices = VM_DEV_UART | VM_DEV_VIRTIO | VM_DEV_IRQCHIP,
			.virtio = 0xf0,
		},
	},
};
