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
#define HART_FIXUP_OFFSET 16
#define HART_SIZE 128
#define HART_STACK_SIZE (16 * 1024)

#ifndef __ASSEMBLER__

#include <stddef.h>

#include "platform.h"
#include "types.h"

/* Mailbox bits: requests from other harts, drained before guest entry. */
#define HART_MSG_HALT (1UL << 0) /* park for good (panic) */
#define HART_MSG_FENCE (1UL << 1) /* see fence_from */
#define HART_MSG_VCPU_START (1UL << 2) /* the vCPU left STOPPED */
#define HART_MSG_VCPU_IPI (1UL << 3) /* raise the guest's VSSIP */
#define HART_MSG_VCPU_RESET (1UL << 4) /* SRST reboot: stop and ack */
#define HART_MSG_VCPU_EXT (1UL << 5) /* the vPLIC line changed */
#define HART_MSG_VM_REQUEST (1UL << 6) /* see vm->request */

struct vcpu;

/* A started hart either checks in or, after the timeout, is given up. */
#define HART_CHECKIN_WAITING 0
#define HART_CHECKIN_CLAIMED 1 /* the hart is creating its vCPU */
#define HART_CHECKIN_GIVEN_UP 2

/*
 * Where a hart is, for whoever posts it mail (hart.where). Only a hart in
 * the guest or asleep needs an IPI to read it: one in the hypervisor reads
 * its mail before it enters the guest or sleeps, and an IPI sent to it
 * anyway would end its next guest run for nothing.
 */
#define HART_IN_HV 0 /* also while it boots: it reads its mail when in */
#define HART_IN_GUEST 1
#define HART_ASLEEP 2

struct hart {
	unsigned long hartid;
	unsigned long stack_top;
	unsigned long fixup; /* where a faulting guest access resumes */
	unsigned int slot; /* index in harts[] */
	int plic_s_context; /* from the PLIC's interrupts-extended */
	int imsic_index; /* its S-level IMSIC's hart index (AIA), or -1 */
	unsigned long mailbox; /* HART_MSG_* bits, atomic */
	int where; /* HART_IN_*, HART_ASLEEP; set by the hart itself */
	bool online; /* checked in (atomic) */
	int checkin; /* HART_CHECKIN_*, atomic: who won, it or the boot hart */
	struct vcpu *vcpu; /* pinned here for life */
	uint64_t fence_from; /* slots of harts waiting for our fence */
	unsigned long fault_cause; /* of the last guarded guest access */
	unsigned long fault_tval;
} __aligned(HART_SIZE);

_Static_assert(offsetof(struct hart, hartid) == HART_HARTID_OFFSET,
	       "head.S reads hartid");
_Static_assert(offsetof(struct hart, stack_top) == HART_STACK_TOP_OFFSET,
	       "head.S reads stack_top");
_Static_assert(offsetof(struct hart, fixup) == HART_FIXUP_OFFSET,
	       "guest_access.S sets fixup");
_Static_assert(sizeof(struct hart) == HART_SIZE, "head.S walks harts[]");

extern struct hart harts[HV_MAX_HARTS];
extern unsigned int nr_harts;

/*
 * Fill harts[] from @p and make the boot hart's entry its own (tp). Boot
 * hart, before any other hart runs.
 */
void harts_init(const struct platform *p, unsigned long boot_hartid);

/*
 * Start every other hart; they come up in parallel and check in on their
 * own, and get 20 s of the time CSR (@timebase_hz) to. With @wait, also
 * wait for all of them and give up on those that do not come (their vCPUs
 * stay stopped for good). Returns how many were given up, or a negative
 * SBI error if a start failed. Boot hart only.
 */
int harts_start_secondaries(bool wait, uint64_t timebase_hz);

/*
 * Is @h lost in the firmware: not checked in, and its 20 s are over? Then
 * it is given up (once, with a warning; its vCPU becomes absent). Any
 * hart that needs @h; false while @h may still come.
 */
bool hart_missing(struct hart *h);
/*
 * At power-off: names each hart that never checked in and was not given
 * up; a warning once its check-in window has passed, else a line saying
 * how long ago it was started.
 */
void harts_report_missing(void);

/*
 * "online: slot N, <its interrupt route>[ (boot hart)], vcpu registered"
 * (or ", idle (the VM has fewer vCPUs)"): once per hart, once its vCPU,
 * if any, exists. Own hart.
 */
void hart_report_online(const struct hart *h);

/* Number of harts that have checked in, the boot hart included. */
unsigned int harts_online(void);

/* Entry of a secondary hart from head.S, on its own stack. Never returns. */
__noreturn void hart_secondary_main(struct hart *self);

/* A hart without a vCPU: answer mail (halt, fences) and sleep. */
__noreturn void hart_idle(struct hart *self);

/*
 * Post @msg bits to @h's mailbox and send it an IPI if it is in the guest
 * or asleep (none to a hart in the hypervisor, the caller included: it
 * reads its mail before its next entry or sleep). Any context.
 */
void hart_post(struct hart *h, unsigned long msg);

/*
 * About to enter the guest: true if the hart may (no mail, and from now on
 * mail comes with an IPI). False leaves it in the hypervisor to read the
 * mail first. Own hart.
 */
bool hart_enter_guest(struct hart *self);

/* Back from the guest: mail posted from now on needs no IPI. Own hart. */
static inline void hart_in_hv(struct hart *self)
{
	__atomic_store_n(&self->where, HART_IN_HV, __ATOMIC_RELAXED);
}

/*
 * Sleep in @wait (a wfi) unless mail is already there; mail posted while
 * asleep comes with an IPI, which ends the wfi. Own hart.
 */
void hart_sleep(struct hart *self, void (*wait)(void));

/* hart_sleep() with arch_vcpu_wait_until(@deadline). Own hart. */
void hart_sleep_until(struct hart *self, uint64_t deadline);

/* Ask every other online hart to park (for panic). Any context. */
void harts_stop_others(void);

/*
 * Take this hart's mail: park on HALT, do requested fences, and return
 * the bits left for the caller (HART_MSG_VCPU_*). Own hart.
 */
unsigned long hart_take_mail(struct hart *self);

/*
 * Make every hart in @slots (a bitmap of harts[] indices; the caller is
 * skipped) execute fence.i and flush its guest TLB, and wait until they
 * have. While waiting, serve the fences others ask of us. Any hart.
 */
void harts_fence(uint64_t slots);

/* Serve fence requests addressed to this hart. Own hart. */
void hart_do_fences(struct hart *self);

#endif /* __ASSEMBLER__ */
#endif
