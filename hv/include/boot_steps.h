/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where the boot hart's time goes, from the firmware's handover to the
 * guest's first instruction: the time CSR at each step's end, charged to
 * that step. Printed once per boot ("boot steps: ..."); under QEMU's
 * -icount shift=0 a nanosecond of the time CSR is one instruction, so the
 * line is then an instruction count per step (make bench reads it).
 */
#ifndef HV_BOOT_STEPS_H
#define HV_BOOT_STEPS_H

#include "types.h"

enum boot_step {
	BOOT_STEP_MOVE, /* handover to hv_boot_main: layout, copy, BSS */
	BOOT_STEP_PARSE, /* the host DTB read and checked */
	BOOT_STEP_PLAN, /* vm_plan: where everything goes */
	BOOT_STEP_REWRITE, /* the guest DTB written */
	BOOT_STEP_MAP, /* the G-stage tables */
	BOOT_STEP_HARTS, /* vCPUs created, secondaries started */
	BOOT_STEP_REST, /* the rest: firmware calls, log lines */
	BOOT_STEPS
};

/* The firmware handed over at time @entered. Boot hart, once. */
void boot_steps_begin(uint64_t entered);
/* Charge the time since the last mark to @step. Boot hart. */
void boot_step(enum boot_step step);
/*
 * "move N, parse N, ..." in nanoseconds of the time CSR at @timebase_hz,
 * into @buf (@len bytes). Boot hart.
 */
void boot_steps_format(char *buf, size_t len, uint64_t timebase_hz);

#endif
