// SPDX-License-Identifier: BSD-2-Clause
/*
 * The shared part of the libFuzzer targets (fuzz.h): failures, and the
 * hypervisor's spinlocks, logger and panic() as checking fakes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch.h"
#include "fuzz.h"
#include "log.h"

void (*fuzz_on_fail)(void);
int fuzz_lock_depth;
unsigned long fuzz_log_lines;

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	if (fuzz_on_fail)
		fuzz_on_fail();
	fprintf(stderr, "fuzz_%s: ", fuzz_target);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Ticket lock semantics: held while next != owner. */
void spin_lock(struct spinlock *lock)
{
	fuzz_check(lock->next == lock->owner, "spin_lock of a lock held");
	fuzz_check(!fuzz_lock_depth, "spin_lock with another lock held");
	lock->next++;
	fuzz_lock_depth++;
}

void spin_unlock(struct spinlock *lock)
{
	fuzz_check(lock->next != lock->owner, "spin_unlock of a free lock");
	lock->owner++;
	fuzz_lock_depth--;
}

bool fuzz_verbose(void)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	return verbose;
}

/* Formatted for real, so a bad argument for the format shows (ASan). */
void log_printf(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fuzz_log_lines++;
	if (fuzz_verbose())
		fprintf(stderr, "[log %d] %s\n", level, line);
}

/* panic() is for broken hypervisor invariants: no input may reach it. */
void panic(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fuzz_fail("panic: %s", line);
}
