// SPDX-License-Identifier: BSD-2-Clause
/* The fakes of fakes.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <setjmp.h>
#include <cmocka.h>

#include "arch.h"
#include "fakes.h"
#include "log.h"

int fake_lock_depth;
unsigned int fake_debug_logs, fake_warn_logs;

void spin_lock(struct spinlock *lock)
{
	(void)lock;
	assert_int_equal(fake_lock_depth++, 0);
}

void spin_unlock(struct spinlock *lock)
{
	(void)lock;
	assert_int_equal(--fake_lock_depth, 0);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	(void)fmt;
	if (level == LOG_DEBUG)
		fake_debug_logs++;
	if (level == LOG_WARN)
		fake_warn_logs++;
}
