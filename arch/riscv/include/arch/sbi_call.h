/* SPDX-License-Identifier: BSD-2-Clause */
/* Calls down from HS-mode into the SBI firmware (OpenSBI). */
#ifndef ARCH_SBI_CALL_H
#define ARCH_SBI_CALL_H

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0,
			unsigned long a1, unsigned long a2, unsigned long a3,
			unsigned long a4, unsigned long a5);

/* 1 when the firmware implements extension @ext, else 0. */
long sbi_probe_extension(unsigned long ext);
long sbi_hart_start(unsigned long hartid, unsigned long addr,
		    unsigned long opaque);
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
void sbi_console_putchar(int c);
void sbi_set_timer(unsigned long when);
/* SRST system_reset, falling back to the legacy shutdown; returns on error. */
void sbi_system_reset(unsigned long type, unsigned long reason);

#endif
