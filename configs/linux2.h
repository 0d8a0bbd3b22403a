/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Two Linux VMs on a 4-hart machine with 1 GiB (configs/linux2.c,
 * configs/linux2_trusted.c): "left" on harts 0-1 with 256 MiB from
 * 0x80000000 (its kernel at 0x80200000), the RTC and virtio slots 0-3;
 * "right" on harts 2-3 with 256 MiB from 0x90000000 (its kernel at
 * 0x90200000) and virtio slots 4-7. Each has its own emulated UART
 * (ttyS0); every console line is marked with its VM ("[left]",
 * "[right]"), and the keys go to left until the monitor (Ctrl-]) moves
 * them. They share the channel "files" (4 KiB of header and 256 KiB for
 * each, at 0x8000000 in both, rung by source 64; /dev/uio0 in each):
 * "vmchan send FILE" in one and "vmchan recv FILE" in the other copy a
 * file across. Give each its own disk and network card on its own slots:
 * QEMU -device virtio-blk-device,bus=virtio-mmio-bus.N, N 0-3 for left
 * and 4-7 for right.
 */
#include "vm_config.h"

#define LINUX2_CONFIG(id, kind, text) \
	VM_CONFIG(id) = {                                                      \
		.name = #id,                                                   \
		.description = text,                                           \
		.nr_vms = 2,                                                   \
		.vms = {                                                       \
			{                                                      \
				.name = "left",                                \
				.harts = HARTS(0, 2),                          \
				.ram_base = 0x80000000,                        \
				.ram_size = 256 * MiB,                         \
				.bootargs = "console=ttyS0 earlycon=sbi "      \
					    "uio_pdrv_genirq.of_id="           \
					    "hartvisor,channel",               \
				.devices = VM_DEV_UART | VM_DEV_RTC |          \
					   VM_DEV_VIRTIO | VM_DEV_IRQCHIP,     \
				.virtio = 0x0f,                                \
			},                                                     \
			{                                                      \
				.name = "right",                               \
				.harts = HARTS(2, 2),                          \
				.ram_base = 0x90000000,                        \
				.ram_size = 256 * MiB,                         \
				.bootargs = "console=ttyS0 earlycon=sbi "      \
					    "uio_pdrv_genirq.of_id="           \
					    "hartvisor,channel",               \
				.devices = VM_DEV_UART | VM_DEV_VIRTIO |       \
					   VM_DEV_IRQCHIP,                     \
				.virtio = 0xf0,                                \
			},                                                     \
		},                                                             \
		.nr_channels = 1,                                              \
		.channels = { {                                                \
			.name = "files",                                       \
			.size = CHAN_PAGE + 2 * 256 * KiB,                     \
			.doorbell = kind,                                      \
			.nr_peers = 2,                                         \
			.peers = { { .vm = 0, .gpa = 0x8000000, .irq = 64 },   \
				   { .vm = 1, .gpa = 0x8000000, .irq = 64 } }, \
		} },                                                           \
	}
