/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The channel test scenario (configs/chan.c, configs/chan_trusted.c), on a
 * 4-hart machine with 1 GiB: "ping" on hart 0 (its RAM from 0x80000000,
 * the test guest at 0x81000000) and "pong" on hart 1 (from 0x90000000,
 * build/guest/hi/chan.bin at 0x91000000) share the channel "pp": 4 KiB of
 * header and 32 KiB for each, at 0x8000000 in ping and 0x9000000 in pong,
 * rung by source 64 in ping and 70 in pong. "other" on harts 2-3 (from
 * 0xa0000000, build/guest/hi2/chan.bin at 0xa1000000) is no peer: where
 * ping has the channel, it must fault. Ping runs 1000 round trips, reboots,
 * runs 1000 more and shuts down; pong answers, sees the reboot in ping's
 * state word, and stops when ping is off.
 */
#include "vm_config.h"

#define CHAN_TEST_CONFIG(id, kind, text) \
	VM_CONFIG(id) = {                                                      \
		.name = #id,                                                   \
		.description = text,                                           \
		.nr_vms = 3,                                                   \
		.vms = {                                                       \
			{                                                      \
				.name = "ping",                                \
				.harts = HARTS(0, 1),                          \
				.ram_base = 0x80000000,                        \
				.ram_size = 64 * MiB,                          \
				.bootargs = "rounds=1000 reboots=1",           \
				.devices = VM_DEV_UART | VM_DEV_IRQCHIP,       \
			},                                                     \
			{                                                      \
				.name = "pong",                                \
				.harts = HARTS(1, 1),                          \
				.ram_base = 0x90000000,                        \
				.ram_size = 64 * MiB,                          \
				.bootargs = "reboots=1",                       \
				.devices = VM_DEV_IRQCHIP,                     \
			},                                                     \
			{                                                      \
				.name = "other",                               \
				.harts = HARTS(2, 2),                          \
				.ram_base = 0xa0000000,                        \
				.ram_size = 64 * MiB,                          \
				.bootargs = "mem=0x8000000 bell=0x8011000",    \
				.devices = VM_DEV_IRQCHIP,                     \
			},                                                     \
		},                                                             \
		.nr_channels = 1,                                              \
		.channels = { {                                                \
			.name = "pp",                                          \
			.size = CHAN_PAGE + 2 * 32 * KiB,                      \
			.doorbell = kind,                                      \
			.nr_peers = 2,                                         \
			.peers = { { .vm = 0, .gpa = 0x8000000, .irq = 64 },   \
				   { .vm = 1, .gpa = 0x9000000, .irq = 70 } }, \
		} },                                                           \
	}
