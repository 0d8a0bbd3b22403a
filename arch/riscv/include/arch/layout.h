/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where QEMU loads hartvisor: 240 MiB into RAM, clear of the kernel at
 * 0x80200000 and of an initrd at 0x88000000 (QEMU's own places for them),
 * and of OpenSBI, whose memory grows with the harts (loaded at 0x80100000,
 * SMP 64 hung before hartvisor printed anything). The boot hart moves the image to the top of RAM at once
 * (hv_boot_move). Used by hartvisor.lds and head.S.
 */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

#define HV_LINK_BASE 0x8f000000

#endif
