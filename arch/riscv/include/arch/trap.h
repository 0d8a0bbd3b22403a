/* SPDX-License-Identifier: BSD-2-Clause */
/* The register frame entry.S saves on a trap taken in HS-mode. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#define TRAP_FRAME_SEPC 256
#define TRAP_FRAME_SSTATUS 264
#define TRAP_FRAME_SIZE 272

#ifndef __ASSEMBLER__
#include <stddef.h>

struct trap_frame {
	unsigned long x[32]; /* x[0] unused; x[2] = sp before the trap */
	unsigned long sepc;
	unsigned long sstatus;
};

_Static_assert(offsetof(struct trap_frame, sepc) == TRAP_FRAME_SEPC, "");
_Static_assert(offsetof(struct trap_frame, sstatus) == TRAP_FRAME_SSTATUS, "");
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "");
_Static_assert(TRAP_FRAME_SIZE % 16 == 0, "the stack stays 16-byte aligned");

/* Called by entry.S with the saved frame. */
void arch_trap(struct trap_frame *frame);
#endif

#endif
