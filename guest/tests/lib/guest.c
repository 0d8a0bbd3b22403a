// SPDX-License-Identifier: BSD-2-Clause
/* The runtime of the bare-metal test guests (see guest.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "printf.h"

static int print_lock;
static int passed, failed;

void (*on_soft_irq)(unsigned long hartid);
void (*on_timer_irq)(unsigned long hartid);
void (*on_ext_irq)(unsigned long hartid);
void (*on_pmu_irq)(unsigned long hartid);

/* Per-hart trap expectations, indexed by hart ID. */
static struct {
	bool armed;
	long cause;
	unsigned long tval;
} expected[MAX_HARTS];

long sbi_legacy(unsigned long eid, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3)
{
	return sbi_ecall(eid, 0, a0, a1, a2, a3, 0, 0).error;
}

unsigned long this_hartid(void)
{
	unsigned long id;

	__asm__ volatile("mv %0, tp" : "=r"(id));
	return id;
}

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static void vprint_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[257];
	int n = snprintf(line, sizeof(line) - 1, "%s", prefix);

	vsnprintf(line + n, sizeof(line) - 1 - n, fmt, ap);
	lock();
	for (n = 0; line[n]; n++)
		;
	line[n++] = '\n';
	/*
	 * DBCN writes the line in one call; without DBCN (a guest run on
	 * bare OpenSBI 1.1 for comparison) the legacy console, a byte a call.
	 */
	if (sbi_call(SBI_EXT_DBCN, 0, (unsigned long)n, (unsigned long)line, 0,
		     0, 0, 0)
		    .error)
		for (int i = 0; i < n; i++)
			sbi_legacy(SBI_EXT_0_1_CONSOLE_PUTCHAR, line[i], 0, 0,
				   0);
	unlock();
}

void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line("", fmt, ap);
	va_end(ap);
}

bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line(ok ? "PASS: " : "FAIL: ", fmt, ap);
	va_end(ap);
	__atomic_fetch_add(ok ? &passed : &failed, 1, __ATOMIC_RELAXED);
	return ok;
}

void shutdown(void)
{
	sbi_call(SBI_EXT_SRST, 0, SBI_SRST_RESET_TYPE_SHUTDOWN, 0, 0, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void finish(void)
{
	gprintf("RESULT: %d passed, %d failed", passed, failed);
	shutdown();
}

unsigned long boot_arg(const char *args, const char *key, unsigned long def)
{
	size_t len = strlen(key);

	for (const char *p = args; p && (p = strstr(p, key)); p += len)
		if (p == args || p[-1] == ' ')
			return strtoul(p + len, NULL, 0);
	return def;
}

unsigned int count_harts(void)
{
	unsigned int n = 0;

	while (n < MAX_HARTS &&
	       !SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, n).error)
		n++;
	return n;
}

/* Does the hart execute wrs.nto (Zawrs)? Found by hart 0 at boot. */
static bool zawrs;

static unsigned long load_reserved(volatile unsigned long *p)
{
	unsigned long v;

	__asm__ volatile("lr.d.aq %0, (%1)" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static void wrs_nto(void)
{
	__asm__ volatile(".4byte 0x00d00073" ::: "memory"); /* wrs.nto */
}

/* Wait until (*@p == @v) is @eq, or @ticks pass. */
static bool wait_cmp(volatile unsigned long *p, unsigned long v, bool eq,
		     unsigned long ticks)
{
	unsigned long end = read_time() + ticks;

	if (!zawrs) {
		while ((__atomic_load_n(p, __ATOMIC_ACQUIRE) == v) != eq)
			if (read_time() > end)
				return false;
		return true;
	}
	while ((load_reserved(p) == v) != eq) {
		if (read_time() > end)
			return false;
		wrs_nto();
	}
	return true;
}

bool wait_eq(volatile unsigned long *p, unsigned long want, unsigned long ticks)
{
	return wait_cmp(p, want, true, ticks);
}

bool wait_ne(volatile unsigned long *p, unsigned long old, unsigned long ticks)
{
	return wait_cmp(p, old, false, ticks);
}

bool wait_state(unsigned long hart, long state, unsigned long ticks)
{
	unsigned long end = read_time() + ticks;

	while (SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, hart).value !=
	       state)
		if (read_time() > end)
			return false;
	return true;
}

void expect_trap(void)
{
	unsigned long id = this_hartid();

	expected[id].cause = -1;
	expected[id].tval = 0;
	__atomic_store_n(&expected[id].armed, true, __ATOMIC_RELEASE);
}

long trapped_cause(void)
{
	return expected[this_hartid()].cause;
}

unsigned long trapped_tval(void)
{
	return expected[this_hartid()].tval;
}

void (*on_user_ecall)(struct frame *f);

#define CSR_STIMECMP "0x14d"

/* 1: stimecmp is ours; 0: it traps; -1: not known yet. */
static int sstc = -1;

bool timer_has_sstc(void)
{
	if (sstc < 0) {
		/* Every hart of a guest has the same ISA: any may look. */
		expect_trap();
		__asm__ volatile("csrw " CSR_STIMECMP ", %0" ::"r"(-1UL));
		sstc = trapped_cause() < 0;
	}
	return sstc;
}

void timer_arm(unsigned long when)
{
	if (timer_has_sstc())
		__asm__ volatile("csrw " CSR_STIMECMP ", %0" ::"r"(when));
	else
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, when);
}

void guest_trap(struct frame *f);
void guest_trap(struct frame *f)
{
	unsigned long id = this_hartid();
	unsigned long cause = f->scause;

	if (cause >> 63) {
		cause &= ~(1UL << 63);
		if (cause == 1) {
			csr_clear(sip, SIE_SSIE);
			if (on_soft_irq)
				on_soft_irq(id);
			return;
		}
		if (cause == 5 && on_timer_irq) {
			on_timer_irq(id);
			return;
		}
		if (cause == 9 && on_ext_irq) {
			on_ext_irq(id);
			return;
		}
		if (cause == 13 && on_pmu_irq) {
			on_pmu_irq(id);
			return;
		}
		check(false, "hart %lu: unexpected interrupt %lu", id, cause);
		finish();
	}
	if (cause == 8 && on_user_ecall) {
		on_user_ecall(f);
		return;
	}
	if (id < MAX_HARTS && expected[id].armed) {
		uint16_t insn = cause == 1 || cause == 12 ?
					0 :
					*(volatile uint16_t *)f->sepc;

		expected[id].armed = false;
		expected[id].cause = (long)cause;
		expected[id].tval = csr_read(stval);
		/*
		 * A failed fetch returns to the caller (the test jumped
		 * there through a function pointer); anything else skips
		 * the faulting instruction (2 or 4 bytes).
		 */
		if (cause == 1 || cause == 12)
			f->sepc = f->x[1];
		else
			f->sepc += (insn & 3) == 3 ? 4 : 2;
		return;
	}
	check(false, "hart %lu: unexpected exception %lu at 0x%lx, stval 0x%lx",
	      id, cause, f->sepc, csr_read(stval));
	finish();
}

/* Called from start.S; tp = hart ID for this_hartid(). */
void guest_boot(unsigned long hartid, unsigned long dtb);
void guest_secondary(unsigned long hartid, unsigned long opaque);
void guest_resumed(unsigned long hartid, unsigned long opaque);

void guest_boot(unsigned long hartid, unsigned long dtb)
{
	__asm__ volatile("mv tp, %0" ::"r"(hartid));
	/* Without Zawrs wrs.nto is an illegal instruction. */
	expect_trap();
	wrs_nto();
	zawrs = trapped_cause() < 0;
	expected[hartid].armed = false;
	guest_main(hartid, dtb);
	finish();
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	__asm__ volatile("mv tp, %0" ::"r"(hartid));
	guest_secondary_main(hartid, opaque);
	SBI0(SBI_EXT_HSM, SBI_EXT_HSM_HART_STOP);
}

void guest_resumed(unsigned long hartid, unsigned long opaque)
{
	__asm__ volatile("mv tp, %0" ::"r"(hartid));
	guest_resumed_main(hartid, opaque);
	SBI0(SBI_EXT_HSM, SBI_EXT_HSM_HART_STOP);
}

/* Weak defaults for guests that start no other hart. */
__attribute__((weak)) void guest_secondary_main(unsigned long h,
						unsigned long o)
{
	(void)h;
	(void)o;
}

__attribute__((weak)) void guest_resumed_main(unsigned long h, unsigned long o)
{
	(void)h;
	(void)o;
}

void sort_ulong(unsigned long *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			unsigned long t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}
