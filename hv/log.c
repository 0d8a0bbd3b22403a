// SPDX-License-Identifier: BSD-2-Clause
/*
 * Console logger and panic. Output goes through the firmware's console
 * (SBI DBCN, or the legacy one): it works before the device tree is read,
 * and it leaves the UART's registers to whoever owns the device.
 *
 * Writing to the console is slow: under QEMU every byte is a trip into
 * the UART's model and a write to QEMU's output (the boot's 1 500 bytes
 * cost it about 8 ms); on a board at 115 200 baud a byte takes 87 us. So
 * while the boot hart boots (log_hold() to log_release()), info lines wait
 * in held[], and a hart with time to spare writes them out: one about to
 * sleep, one about to print anything itself (the guest's console output
 * among it), and any hart at an exit once the boot is some time past.
 * Errors and warnings are never held: they write out what waits first.
 * The order of lines is the order in which they were logged.
 */
#include <stdarg.h>
#include <string.h>

#include "arch.h"
#include "hart.h"
#include "log.h"
#include "printf.h"

unsigned long log_boot_hartid;

/* held[]: the lines waiting; [held_out, held_len) not written yet. */
static struct spinlock console_lock = SPINLOCK_INIT;
/* The console itself: whoever writes to it, in turn. */
static struct spinlock writer_lock = SPINLOCK_INIT;
#define LOG_HELD_SIZE 16384
static char held[LOG_HELD_SIZE];
static size_t held_len, held_out;
static bool holding;
/* After log_release(): exits write out what waits from this time on. */
static uint64_t flush_by;
/*
 * Who has a line open on the console (written in part, its newline still
 * to come: a VM's streamed output, the monitor's prompt), or NULL. Whoever
 * writes next breaks it with a newline first. writer_lock.
 */
static const void *line_owner;
/*
 * The last streamed line's owner and what it wrote of that line so far:
 * written again after another line broke it, so each line shows whole at
 * least once (as a terminal's line editor redraws). writer_lock.
 */
static const void *stream_owner;
static char stream_text[LOG_LINE_MAX];
static size_t stream_len;
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

/* End the line someone left open; writer_lock held. */
static void line_close(void)
{
	if (line_owner) {
		arch_console_putc('\n');
		line_owner = NULL;
	}
}

/* Write out every held line, those held meanwhile too; writer_lock held. */
static void drain(void)
{
	for (;;) {
		size_t from, to;

		spin_lock(&console_lock);
		from = held_out;
		to = held_len;
		if (from == to)
			held_out = held_len = 0;
		spin_unlock(&console_lock);
		if (from == to)
			return;
		/* Lines are only ever added past held_len: these stay. */
		line_close();
		arch_console_write(held + from, to - from);
		spin_lock(&console_lock);
		held_out = to;
		spin_unlock(&console_lock);
	}
}

static bool lines_wait(void)
{
	return __atomic_load_n(&held_len, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&held_out, __ATOMIC_RELAXED);
}

/* Hold @line (@n bytes with its newline) if lines are held and it fits. */
static bool hold(const char *line, size_t n)
{
	bool ok;

	spin_lock(&console_lock);
	ok = holding && held_len + n <= sizeof(held);
	if (ok) {
		memcpy(held + held_len, line, n);
		held_len += n;
	}
	spin_unlock(&console_lock);
	return ok;
}

static void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	struct hart *self = arch_this_hart();
	char line[LOG_LINE_MAX + 1];
	int n;

	n = snprintf(line, LOG_LINE_MAX, "[h%lu] %s",
		     self ? self->hartid : log_boot_hartid, level_tag[level]);
	n += vsnprintf(line + n, LOG_LINE_MAX - n, fmt, ap);
	if (n >= LOG_LINE_MAX - 1) {
		/* Cut: "..." ends the line, in its last bytes before the NUL. */
		snprintf(line + LOG_LINE_MAX - 5, 5, "...");
		n = LOG_LINE_MAX - 2;
	}
	line[n++] = '\n';

	/* Acquire: a panicking hart bypasses the locks it may itself hold. */
	if (__atomic_load_n(&panicking, __ATOMIC_ACQUIRE)) {
		arch_console_write(line, n);
		return;
	}
	if (level >= LOG_INFO && hold(line, n))
		return;
	spin_lock(&writer_lock);
	drain();
	line_close();
	arch_console_write(line, n);
	spin_unlock(&writer_lock);
}

void log_raw(const char *s)
{
	console_write(s);
}

void log_console_write(const char *buf, size_t n)
{
	spin_lock(&writer_lock);
	drain();
	line_close();
	while (n--)
		arch_console_putc(*buf++);
	spin_unlock(&writer_lock);
}

/* Make the console's open line @owner's: its tag and its text so far. */
static void stream_open(const void *owner, const char *tag)
{
	if (line_owner == owner)
		return;
	line_close();
	if (stream_owner != owner) {
		stream_owner = owner;
		stream_len = 0;
	}
	arch_console_write(tag, strlen(tag));
	arch_console_write(stream_text, stream_len);
	line_owner = owner;
}

void log_console_stream(const void *owner, const char *tag, const char *buf,
			size_t n)
{
	spin_lock(&writer_lock);
	drain();
	stream_open(owner, tag);
	for (; n; n--, buf++) {
		if (*buf == '\r')
			continue;
		stream_open(owner, tag);
		arch_console_putc(*buf);
		if (*buf == '\n') {
			line_owner = NULL;
			stream_len = 0;
		} else if (stream_len < sizeof(stream_text)) {
			/* Longer: what is past the buffer is not redrawn. */
			stream_text[stream_len++] = *buf;
		}
	}
	spin_unlock(&writer_lock);
}

void log_hold(void)
{
	holding = true;
}

void log_release(uint64_t deadline)
{
	spin_lock(&console_lock);
	holding = false;
	flush_by = deadline;
	spin_unlock(&console_lock);
}

void log_flush(void)
{
	if (!lines_wait())
		return;
	spin_lock(&writer_lock);
	drain();
	spin_unlock(&writer_lock);
}

void log_flush_idle(void)
{
	/* Another hart writing them out will write all: no need to wait. */
	if (lines_wait() && spin_trylock(&writer_lock)) {
		drain();
		spin_unlock(&writer_lock);
	}
}

void log_flush_due(void)
{
	if (lines_wait() && !__atomic_load_n(&holding, __ATOMIC_RELAXED) &&
	    arch_time() >= __atomic_load_n(&flush_by, __ATOMIC_RELAXED))
		log_flush();
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

	/* What waits first, without the locks this hart may hold. */
	if (held_out < held_len)
		arch_console_write(held + held_out, held_len - held_out);
	console_write("\n");
	va_start(ap, fmt);
	log_vprintf(LOG_ERR, fmt, ap);
	va_end(ap);
	pr_err("PANIC: hypervisor invariant broken; stopping every hart");
	arch_dump_csrs();
	harts_stop_others();
	arch_poweroff(true);
}
