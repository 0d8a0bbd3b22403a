/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Everything arch/riscv/ offers to hv/. hv/ code uses nothing else from the
 * architecture: no inline assembly, no CSR access. The host unit tests
 * supply their own versions of whatever they need from here.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include "types.h"

struct hart;

/* The struct hart of the calling hart (NULL before the boot hart set it). */
struct hart *arch_this_hart(void);
/* Make @h the calling hart's struct hart (it lives in tp from now on). */
void arch_set_this_hart(struct hart *h);

/* Where the hypervisor image (code, data, stacks, tables) lies in RAM. */
struct mem_range arch_hv_region(void);

/* Write one character to the hypervisor's console (SBI legacy putchar). */
void arch_console_putc(char c);

/*
 * Start physical hart @h->hartid at the hypervisor's entry through SBI
 * HSM. Returns 0 or an SBI error code. Boot hart only.
 */
int arch_hart_start(struct hart *h);

/* Send a physical IPI (supervisor software interrupt) to @hartid. */
int arch_send_ipi(unsigned long hartid);

/*
 * Sleep in wfi until an interrupt is pending for this hart (SIE stays 0,
 * so nothing is taken), then acknowledge a pending IPI. Any context.
 */
void arch_wait_for_interrupt(void);

/* A hint for spin-wait loops. */
void arch_cpu_relax(void);

/* Current value of the time CSR, in timebase ticks. */
uint64_t arch_time(void);

/* Print the trap CSRs of this hart (for panic). */
void arch_dump_csrs(void);

/*
 * Power the machine off through SBI SRST (legacy shutdown if SRST is
 * absent); @failure selects the SYSTEM_FAILURE reason. Never returns.
 */
__noreturn void arch_poweroff(bool failure);

/* Park this hart for good: interrupts masked, wfi forever. */
__noreturn void arch_park(void);

/*
 * Ticket spinlock. Every trap runs to completion and HS-mode never takes
 * interrupts, so there are no irq-save variants. In DEBUG builds the lock
 * records its owner and panics on recursion or a foreign unlock.
 */
struct spinlock {
	uint32_t next;
	uint32_t owner;
#ifdef HV_DEBUG
	struct hart *holder;
#endif
};

#define SPINLOCK_INIT \
	{             \
		0     \
	}

void spin_lock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);

#endif
