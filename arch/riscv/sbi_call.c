// SPDX-License-Identifier: BSD-2-Clause
/* The sbi_* calls down into OpenSBI. */
#include "arch/sbi_call.h"
#include "sbi.h"

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0,
			unsigned long a1, unsigned long a2, unsigned long a3,
			unsigned long a4, unsigned long a5)
{
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a3 __asm__("a3") = a3;
	register unsigned long r_a4 __asm__("a4") = a4;
	register unsigned long r_a5 __asm__("a5") = a5;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5),
			   "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){ .error = (long)r_a0, .value = (long)r_a1 };
}

long sbi_probe_extension(unsigned long ext)
{
	struct sbiret ret = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, ext,
				      0, 0, 0, 0, 0);

	return ret.error ? 0 : ret.value;
}

long sbi_hart_start(unsigned long hartid, unsigned long addr,
		    unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, hartid, addr,
			 opaque, 0, 0, 0)
		.error;
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, hart_mask,
			 hart_mask_base, 0, 0, 0, 0)
		.error;
}

void sbi_console_putchar(int c)
{
	sbi_ecall(SBI_EXT_0_1_CONSOLE_PUTCHAR, 0, (unsigned long)c, 0, 0, 0, 0,
		  0);
}

void sbi_set_timer(unsigned long when)
{
	sbi_ecall(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, when, 0, 0, 0, 0, 0);
}

void sbi_system_reset(unsigned long type, unsigned long reason)
{
	if (sbi_probe_extension(SBI_EXT_SRST) > 0)
		sbi_ecall(SBI_EXT_SRST, SBI_EXT_SRST_RESET, type, reason, 0, 0,
			  0, 0);
	if (type == SBI_SRST_RESET_TYPE_SHUTDOWN)
		sbi_ecall(SBI_EXT_0_1_SHUTDOWN, 0, 0, 0, 0, 0, 0, 0);
}
