// SPDX-License-Identifier: BSD-2-Clause
/*
 * Linux beside a bare-metal guest on a 4-hart machine with 1 GiB (make
 * run SMP=4 CONFIG=linux_rt): "linux" on harts 0-2 with 256 MiB from
 * 0x80000000 (the kernel at 0x80200000), the UART (ttyS0), the RTC, the
 * virtio slots and its interrupt controller; "rt" on hart 3 with 64 MiB
 * from 0x90000000 and its own interrupt controller, its console SBI DBCN
 * (its lines marked "[rt]"). By default rt runs the partition test guest
 * (build/guest/hi/partition.bin at 0x91000000), which runs a second,
 * reboots itself, 10 times, and shuts down while Linux runs on.
 */
#include "vm_config.h"

VM_CONFIG(linux_rt) = {
	.name = "linux_rt",
	.description = "Linux on harts 0-2 (ttyS0), a bare-metal guest on hart 3",
	.nr_vms = 2,
	.vms = {
		{
			.name = "linux",
			.harts = HARTS(0, 3),
			.ram_base = 0x80000000,
			.ram_size = 256 * MiB,
			.bootargs = "console=ttyS0 earlycon=sbi",
			.devices = VM_DEV_UART | VM_DEV_RTC | VM_DEV_VIRTIO |
				   VM_DEV_IRQCHIP,
		},
		{
			.name = "rt",
			.harts = HARTS(3, 1),
			.ram_base = 0x90000000,
			.ram_size = 64 * MiB,
			.bootargs = "peer=0x80200000 uart=0 reboots=10 run=1000",
			.devices = VM_DEV_IRQCHIP,
		},
	},
};
