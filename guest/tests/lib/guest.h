/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The runtime of hartvisor's bare-metal test guests: SBI calls, a console,
 * PASS/FAIL checks, traps. A guest defines guest_main(hartid, dtb) and,
 * if it starts other harts, guest_secondary_main / guest_resumed_main.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/sbi_call.h"
#include "sbi.h"

#define MAX_HARTS 64

/* sbi_ecall() is the hypervisor's own (arch/riscv/sbi_call.c). */
#define sbi_call sbi_ecall
#define SBI0(e, f) sbi_call(e, f, 0, 0, 0, 0, 0, 0)
#define SBI1(e, f, a) sbi_call(e, f, a, 0, 0, 0, 0, 0)
#define SBI2(e, f, a, b) sbi_call(e, f, a, b, 0, 0, 0, 0)
#define SBI3(e, f, a, b, c) sbi_call(e, f, a, b, c, 0, 0, 0)
/* Legacy v0.1 call: returns a0. */
long sbi_legacy(unsigned long eid, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3);

/* Printing (one line at a time across harts) and checks. */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record one check: "PASS: what" or "FAIL: what". Returns @ok. */
bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Evaluates @got and @want once each. */
#define CHECK_EQ(got, want, what)                                             \
	({                                                                    \
		long __got = (long)(got), __want = (long)(want);              \
		check(__got == __want, "%s (got %ld, want %ld)", what, __got, \
		      __want);                                                \
	})
/* Print "RESULT: N passed, M failed" and shut down through SRST. */
__attribute__((noreturn)) void finish(void);
__attribute__((noreturn)) void shutdown(void);

/*
 * The number after @key ("name=") in the bootargs @args, where @key starts
 * a word; @def when it is not there (or @args is NULL).
 */
unsigned long boot_arg(const char *args, const char *key, unsigned long def);

/* Number of vCPUs, counted with HSM get_status. */
unsigned int count_harts(void);

/* Traps the guest handles. */
struct frame {
	unsigned long x[32];
	unsigned long sepc;
	unsigned long scause;
};
/*
 * Arm the calling hart to expect one exception: the faulting instruction
 * is skipped and its cause and stval recorded. Returns after arming.
 */
void expect_trap(void);
/* The cause of the trap since expect_trap(), or -1 if none came. */
long trapped_cause(void);
unsigned long trapped_tval(void);
/* Interrupt handlers a test may install (software, timer, external). */
extern void (*on_soft_irq)(unsigned long hartid);
extern void (*on_timer_irq)(unsigned long hartid);
extern void (*on_ext_irq)(unsigned long hartid);
/* An ecall from U-mode (cause 8); the handler may rewrite the frame. */
extern void (*on_user_ecall)(struct frame *f);
/* The Sscofpmf counter-overflow interrupt (13); its handler clears sip. */
extern void (*on_pmu_irq)(unsigned long hartid);

/*
 * Arm this hart's timer for @when (-1: disarm): its own stimecmp where it
 * has Sstc (no exit), else SBI set_timer. timer_has_sstc() says which.
 */
void timer_arm(unsigned long when);
bool timer_has_sstc(void);

/* Per-hart ID as passed in a0 at entry (tp holds it). */
unsigned long this_hartid(void);

static inline unsigned long read_time(void)
{
	unsigned long t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

#define csr_read(csr)                                                     \
	({                                                                \
		unsigned long __v;                                        \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory"); \
		__v;                                                      \
	})
#define csr_write(csr, v) \
	__asm__ volatile("csrw " #csr ", %0" ::"r"(v) : "memory")
#define csr_set(csr, v) \
	__asm__ volatile("csrs " #csr ", %0" ::"r"(v) : "memory")
#define csr_clear(csr, v) \
	__asm__ volatile("csrc " #csr ", %0" ::"r"(v) : "memory")

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)
#define SSTATUS_SIE (1UL << 1)

/*
 * Wait until *@p == @want or @ticks of the time CSR pass; false on
 * timeout (the caller records a FAIL: a lost event must not hang a test).
 * Where the hart has Zawrs the wait is lr.d and wrs.nto, as Linux waits
 * for another CPU's store: under hartvisor a wait that lasts then gives
 * the host CPU away (hv/vcpu_wait.c), to the vCPU it waits for, where a
 * spinning wait held it (test_ipi beside a busy QEMU and two CPU hogs:
 * 150 s, seconds on a quiet machine).
 */
bool wait_eq(volatile unsigned long *p, unsigned long want,
	     unsigned long ticks);
/*
 * The same until *@p is no longer @old: for a count that may move on by
 * more than one before the waiter looks (a periodic timer on a busy host).
 */
bool wait_ne(volatile unsigned long *p, unsigned long old, unsigned long ticks);
/* Spin until vCPU @hart reports HSM state @state, or time out. */
bool wait_state(unsigned long hart, long state, unsigned long ticks);
#define SECONDS(s) ((unsigned long)(s)*10000000UL) /* 10 MHz timebase */
/*
 * How long a test waits for an event before it calls it lost: a lost
 * event never comes, so the bound is far beyond what a loaded 2-core host
 * can delay a vCPU. How fast events come is a figure for make bench.
 */
#define LOST_TICKS SECONDS(10)
/* Sort @n values ascending (insertion sort: the samples of a benchmark). */
void sort_ulong(unsigned long *v, int n);

/* Sv39 page-table entries and satp, for the guests' own tables. */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define SATP_SV39 (8UL << 60)
#define GIB (1UL << 30)

/* Test entry points. */
void guest_main(unsigned long hartid, unsigned long dtb);
void guest_secondary_main(unsigned long hartid, unsigned long opaque);
void guest_resumed_main(unsigned long hartid, unsigned long opaque);
extern char secondary_entry[], resume_entry[], __image_end[];

#endif
