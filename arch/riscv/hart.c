// SPDX-License-Identifier: BSD-2-Clause
/* Per-hart mechanics offered to hv/: tp, IPIs, wfi, time, power off. */
#include <string.h>

#include "arch.h"
#include "arch/csr.h"
#include "arch/sbi_call.h"
#include "hart.h"
#include "sbi.h"

extern char _start[], _hv_end[], _hv_load_end[], __bss_start[], __bss_end[];
extern unsigned long hv_moved_to;

struct hart *arch_this_hart(void)
{
	struct hart *h;

	__asm__ volatile("mv %0, tp" : "=r"(h));
	return h;
}

void arch_set_this_hart(struct hart *h)
{
	__asm__ volatile("mv tp, %0" : : "r"(h) : "memory");
}

struct mem_range arch_hv_image(void)
{
	paddr_t base = (paddr_t)(uintptr_t)_start;

	return (struct mem_range){ .base = base,
				   .size = (paddr_t)(uintptr_t)_hv_end - base };
}

void arch_hv_move(paddr_t to)
{
	char *base = (char *)(uintptr_t)to;
	uintptr_t start = (uintptr_t)_start;

	/* A hart OpenSBI 1.1 sends here from now on goes on to the copy. */
	hv_moved_to = to;
	memcpy(base, _start, (uintptr_t)_hv_load_end - start);
	memset(base + ((uintptr_t)__bss_start - start), 0,
	       (uintptr_t)__bss_end - (uintptr_t)__bss_start);
}

void arch_console_putc(char c)
{
	sbi_console_putchar((unsigned char)c);
}

void arch_console_write(const char *s, size_t n)
{
	/*
	 * One DBCN call for the whole line (the legacy console traps into
	 * the firmware for every byte); OpenSBI 1.1 has no DBCN. No state:
	 * this runs before the image moved, too.
	 */
	struct sbiret r = sbi_ecall(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_WRITE, n,
				    (unsigned long)(uintptr_t)s, 0, 0, 0, 0);

	if (r.error == SBI_SUCCESS && r.value == (long)n)
		return;
	if (r.error == SBI_SUCCESS) {
		s += r.value;
		n -= r.value;
	}
	while (n--)
		arch_console_putc(*s++);
}

int arch_hart_start(struct hart *h)
{
	/* Release: the hart must see harts[] (head.S reads it) complete. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return (int)sbi_hart_start(h->hartid, (unsigned long)_start,
				   (unsigned long)h);
}

int arch_send_ipi(unsigned long hartid)
{
	return (int)sbi_send_ipi(1, hartid);
}

void arch_wait_for_interrupt(void)
{
	/* SIE stays 0: wfi wakes on a pending enabled interrupt, none taken. */
	csr_set(CSR_SIE, SIE_SSIE);
	__asm__ volatile("wfi" ::: "memory");
	csr_clear(CSR_SIP, SIP_SSIP);
}

void arch_ack_ipi(void)
{
	csr_clear(CSR_SIP, SIP_SSIP);
}

void arch_cpu_relax(void)
{
	/* Zihintpause "pause"; a plain fence hint where Zihintpause is absent. */
	__asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
}

uint64_t arch_time(void)
{
	return csr_read(CSR_TIME);
}

void arch_park(void)
{
	csr_write(CSR_SIE, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void arch_system_reset(unsigned long type, unsigned long reason)
{
	sbi_system_reset(type, reason);
}

void arch_poweroff(bool failure)
{
	sbi_system_reset(SBI_SRST_RESET_TYPE_SHUTDOWN,
			 failure ? SBI_SRST_RESET_REASON_SYSFAIL :
				   SBI_SRST_RESET_REASON_NONE);
	arch_park();
}
