// SPDX-License-Identifier: BSD-2-Clause
/*
 * Console logger and panic. Output goes through arch_console_putc (the SBI
 * legacy console): it works before the device tree is read, and it leaves
 * the UART's registers to whoever owns the device.
 */
#include <stdarg.h>
#include <string.h>

#include "arch.h"
#include "hart.h"
#include "log.h"
#include "printf.h"

unsigned long log_boot_hartid;

static struct spinlock console_lock = SPINLOCK_INIT;
/* Set once by the first panic: from then on, print without the lock. */
static int panicking;
/* The hart that panicked first; a fault inside panic must not hang it. */
static struct hart *panic_hart;

static const char *const level_tag[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

static void console_write(const char *s)
{
	arch_console_write(s, strlen(s));
}

static void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	struct hart *self = arch_this_hart();
	char line[LOG_LINE_MAX];
	int n;

	n = snprintf(line, sizeof(line), "[h%lu] %s",
		     self ? self->hartid : log_boot_hartid, level_tag[level]);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		snprintf(line + sizeof(line) - 5, 5, "...");

	/* Acquire: a panicking hart bypasses the lock it may itself hold. */
	if (__atomic_load_n(&panicking, __ATOMIC_ACQUIRE)) {
		console_write(line);
		console_write("\n");
		return;
	}
	spin_lock(&console_lock);
	console_write(line);
	console_write("\n");
	spin_unlock(&console_lock);
}

void log_raw(const char *s)
{
	console_write(s);
}

void log_console_write(const char *buf, size_t n)
{
	spin_lock(&console_lock);
	while (n--)
		arch_console_putc(*buf++);
	spin_unlock(&console_lock);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	/*
	 * Only the first panicking hart reports; any other one parks. If the
	 * report itself traps (a CSR this hart lacks), power off at once.
	 */
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL)) {
		if (panic_hart == arch_this_hart()) {
			console_write("\nnested panic: powering off\n");
			arch_poweroff(true);
		}
		arch_park();
	}
	panic_hart = arch_this_hart();

	console_write("\n");
	va_start(ap, fmt);
	log_vprintf(LOG_ERR, fmt, ap);
	va_end(ap);
	pr_err("PANIC: hypervisor invariant broken; stopping every hart");
	arch_dump_csrs();
	harts_stop_others();
	arch_poweroff(true);
}
