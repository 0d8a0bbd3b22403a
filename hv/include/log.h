/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hypervisor's one logger. Each call prints one line, prefixed with who
 * speaks ("[h2]" for physical hart 2); the line is formatted first and
 * written whole, so lines of different harts never interleave. During the
 * boot, info lines wait for a hart with time to spare (log.c). pr_debug
 * compiles to nothing unless DEBUG=1.
 */
#ifndef HV_LOG_H
#define HV_LOG_H

#include "types.h"

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Longest line the logger prints; longer ones end in "...". */
#define LOG_LINE_MAX 256

/* Print one line at @level. Any context, any hart. */
void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);

#define pr_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#ifdef HV_DEBUG
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)
#else
#define pr_debug(...)                                       \
	do {                                                \
		if (0)                                      \
			log_printf(LOG_DEBUG, __VA_ARGS__); \
	} while (0)
#endif

/*
 * Write @n raw bytes (guest console output) under the console lock, after
 * the lines that wait.
 */
void log_console_write(const char *buf, size_t n);
/*
 * Write @n bytes for @owner as they come, a line left open until its
 * newline: @tag starts each of @owner's lines, and a line of anyone else
 * first ends @owner's open one; @owner's next byte then writes its tag
 * and its line so far again. Carriage returns are dropped. @n 0 opens
 * @owner's line (its tag) if it is not open.
 */
void log_console_stream(const void *owner, const char *tag, const char *buf,
			size_t n);
/*
 * The boot: from log_hold() on, info lines wait to be written by a hart
 * with time to spare; from log_release(@deadline) on, lines go straight
 * out again, and at an exit after the time CSR reaches @deadline whatever
 * still waits is written out (log_flush_due). Boot hart.
 */
void log_hold(void);
void log_release(uint64_t deadline);
/* Write out the lines that wait, now. Any hart. */
void log_flush(void);
/* The same, unless another hart is writing them already: idle harts. */
void log_flush_idle(void);
/* At an exit: log_flush() if lines wait past the release's deadline. */
void log_flush_due(void);
/* @s as it is, with no lock and no global state: before the image moved. */
void log_raw(const char *s);

/*
 * Stop the hypervisor because one of its own invariants broke: print the
 * hart, the reason and the trap CSRs, stop every hart and power off with
 * SYSTEM_FAILURE. Never for something a guest did. Any context.
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Hart ID printed in log prefixes before the boot hart has a struct hart. */
extern unsigned long log_boot_hartid;

#endif
