/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Linux beside a bare-metal guest on a 4-hart machine with 1 GiB
 * (configs/linux_rt.c, configs/linux_rt_trusted.c): "linux" on harts 0-2
 * with 256 MiB from 0x80000000 (the kernel at 0x80200000), the UART
 * (ttyS0), the RTC, the virtio slots and its interrupt controller; "rt" on
 * hart 3 with 64 MiB from 0x90000000 and its own interrupt controller, its
 * console SBI DBCN (its lines marked "[rt]"). They share the channel "rt":
 * 4 KiB of header and 64 KiB for each, at 0x8000000 in both, rung by
 * source 64 in each; Linux's generic UIO driver makes it /dev/uio0. By
 * default rt runs the chan test guest (build/guest/hi/chan.bin at
 * 0x91000000), which answers what Linux's "vmchan ping" sends until Linux
 * powers off.
 */
#include "vm_config.h"

#define LINUX_RT_CONFIG(id, kind, text) \
	VM_CONFIG(id) = {                                                      \
		.name = #id,                                                   \
		.description = text,                                           \
		.nr_vms = 2,                                                   \
		.vms = {                                                       \
			{                                                      \
				.name = "linux",                               \
				.harts = HARTS(0, 3),                          \
				.ram_base = 0x80000000,                        \
				.ram_size = 256 * MiB,                         \
				.bootargs =                                    \
					"console=ttyS0 earlycon=sbi "          \
					"uio_pdrv_genirq.of_id="               \
					"hartvisor,channel",                   \
				.devices = VM_DEV_UART | VM_DEV_RTC |          \
					   VM_DEV_VIRTIO | VM_DEV_IRQCHIP,     \
			},                                                     \
			{                                                      \
				.name = "rt",                                  \
				.harts = HARTS(3, 1),                          \
				.ram_base = 0x90000000,                        \
				.ram_size = 64 * MiB,                          \
				.bootargs = "forever=1",                       \
				.devices = VM_DEV_IRQCHIP,                     \
			},                                                     \
		},                                                             \
		.nr_channels = 1,                                              \
		.channels = { {                                                \
			.name = "rt",                                          \
			.size = CHAN_PAGE + 2 * 64 * KiB,                      \
			.doorbell = kind,                                      \
			.nr_peers = 2,                                         \
			.peers = { { .vm = 0, .gpa = 0x8000000, .irq = 64 },   \
				   { .vm = 1, .gpa = 0x8000000, .irq = 64 } }, \
		} },                                                           \
	}
