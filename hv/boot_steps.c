// SPDX-License-Identifier: BSD-2-Clause
/* The boot hart's time per step (boot_steps.h). */
#include "arch.h"
#include "boot_steps.h"
#include "printf.h"

static const char *const step_name[BOOT_STEPS] = {
	[BOOT_STEP_MOVE] = "move", [BOOT_STEP_PARSE] = "parse",
	[BOOT_STEP_PLAN] = "plan", [BOOT_STEP_REWRITE] = "rewrite",
	[BOOT_STEP_MAP] = "map",   [BOOT_STEP_HARTS] = "harts",
	[BOOT_STEP_REST] = "rest",
};

static uint64_t spent[BOOT_STEPS];
static uint64_t last;

void boot_steps_begin(uint64_t entered)
{
	last = entered;
}

void boot_step(enum boot_step step)
{
	uint64_t now = arch_time();

	spent[step] += now - last;
	last = now;
}

void boot_steps_format(char *buf, size_t len, uint64_t timebase_hz)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < BOOT_STEPS && pos < len; i++)
		pos += (size_t)snprintf(
			buf + pos, len - pos, "%s%s %lu", i ? ", " : "",
			step_name[i],
			(unsigned long)(spent[i] * 1000000000 / timebase_hz));
}
