/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Physical harts. The boot hart fills harts[] from the device tree (in
 * hart ID order) before it starts any other hart; from then on each hart
 * owns its entry, reached through tp (arch_this_hart()).
 */
#ifndef HV_HART_H
#define HV_HART_H

/* Offsets and size used by arch/riscv/head.S; pinned below. */
#define HART_HARTID_OFFSET 0
#define HART_STACK_TOP_OFFSET 8
#define HART_SIZE 64
#define HART_STACK_SIZE (16 * 1024)

#ifndef __ASSEMBLER__

#include <stddef.h>

#include "platform.h"
#include "types.h"

/* Mailbox bits: requests from other harts, drained before guest entry. */
#define HART_MSG_HALT (1UL << 0)

struct hart {
	unsigned long hartid;
	unsigned long stack_top;
	unsigned int slot; /* index in harts[] */
	int plic_s_context; /* from the PLIC's interrupts-extended */
	unsigned long mailbox; /* HART_MSG_* bits, atomic */
	bool online; /* checked in (atomic) */
} __aligned(HART_SIZE);

_Static_assert(offsetof(struct hart, hartid) == HART_HARTID_OFFSET,
	       "head.S reads hartid");
_Static_assert(offsetof(struct hart, stack_top) == HART_STACK_TOP_OFFSET,
	       "head.S reads stack_top");
_Static_assert(sizeof(struct hart) == HART_SIZE, "head.S walks harts[]");

extern struct hart harts[HV_MAX_HARTS];
extern unsigned int nr_harts;

/*
 * Fill harts[] from @p and make the boot hart's entry its own (tp). Boot
 * hart, before any other hart runs.
 */
void harts_init(const struct platform *p, unsigned long boot_hartid);

/*
 * Start every other hart and wait (at most @timeout_ticks of the time CSR)
 * for all of them to check in. Returns 0, or a negative SBI error after
 * logging which hart failed. Boot hart only.
 */
int harts_start_secondaries(uint64_t timeout_ticks);

/* Number of harts that have checked in, the boot hart included. */
unsigned int harts_online(void);

/* Entry of a secondary hart from head.S, on its own stack. Never returns. */
__noreturn void hart_secondary_main(struct hart *self);

/* Post @msg bits to @h's mailbox and send it an IPI. Any context. */
void hart_post(struct hart *h, unsigned long msg);

/* Ask every other online hart to park (for panic). Any context. */
void harts_stop_others(void);

#endif /* __ASSEMBLER__ */
#endif
