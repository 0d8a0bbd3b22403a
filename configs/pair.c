// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two VMs side by side on a 4-hart machine with 1 GiB (make run SMP=4
 * CONFIG=pair): "left" on harts 0-1 with the first 256 MiB, the UART and
 * its interrupt controller; "right" on harts 2-3 with the next 256 MiB,
 * its interrupt controller and virtio slots 0-3. Each VM has its own
 * G-stage table and VMID, its own DTB (its harts numbered from 0) and its
 * own lifecycle: one VM's reboot or shutdown leaves the other running,
 * and the machine powers off when both have shut down. A guest image
 * belongs to the VM whose RAM holds it: left's from 0x80000000 (a test
 * guest at 0x81000000), right's from 0x90000000 (at 0x91000000:
 * build/guest/hi/NAME.bin). Right has no UART: its console is SBI DBCN,
 * its lines marked "[right]". The bootargs are the partition test
 * guest's: left reboots 3 times and shuts down while right runs on for
 * 10 s.
 */
#include "vm_config.h"

VM_CONFIG(pair) = {
	.name = "pair",
	.description = "two VMs: left (harts 0-1, UART) and right (harts 2-3)",
	.nr_vms = 2,
	.vms = {
		{
			.name = "left",
			.harts = HARTS(0, 2),
			.ram_base = 0x80000000,
			.ram_size = 256 * MiB,
			.bootargs = "peer=0x90000000 reboots=3",
			.devices = VM_DEV_UART | VM_DEV_IRQCHIP,
		},
		{
			.name = "right",
			.harts = HARTS(2, 2),
			.ram_base = 0x90000000,
			.ram_size = 256 * MiB,
			.bootargs = "peer=0x80200000 uart=0 run=10000",
			.devices = VM_DEV_VIRTIO | VM_DEV_IRQCHIP,
			.virtio = 0xf,
		},
	},
};
