/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual harts. vCPU i is created by physical hart harts[i] and pinned to
 * it for life. Its state follows the SBI HSM states and changes only
 * through vcpu_set_state() / vcpu_force_state().
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include "arch.h"
#include "types.h"
#include "vcpu_context.h"
#include "vsbi_pmu.h"

struct vm;

/* Exits counted by cause, printed at shutdown with DEBUG=1 or on demand. */
#define VCPU_EXIT_KINDS 32

/* The FWFT feature IDs below this are defined (local ones, 0..5). */
#define VCPU_FWFT_FEATURES 6

/* SBI calls counted by extension (the ecall exits, split), same. */
enum vcpu_sbi_kind {
	VCPU_SBI_BASE,
	VCPU_SBI_TIME,
	VCPU_SBI_IPI,
	VCPU_SBI_RFENCE,
	VCPU_SBI_HSM,
	VCPU_SBI_SRST,
	VCPU_SBI_DBCN,
	VCPU_SBI_SUSP,
	VCPU_SBI_FWFT,
	VCPU_SBI_PMU,
	VCPU_SBI_HARTVISOR,
	VCPU_SBI_LEGACY,
	VCPU_SBI_UNKNOWN,
	VCPU_SBI_KINDS
};

/* The guest's waits that exit (hv/vcpu_wait.c), counted. */
enum vcpu_wait_kind {
	VCPU_WAIT_WFI,
	VCPU_WAIT_WRS,
	VCPU_WAIT_WRS_SLEPT, /* of those, the ones it slept for */
	VCPU_WAIT_KINDS
};

struct vcpu {
	struct vcpu_context ctx; /* registers the world switch saves */
	struct vm *vm;
	struct hart *hart;
	unsigned int id; /* the guest's hart ID */
	int state; /* SBI_HSM_STATE_*, atomic */
	bool absent; /* its hart never came out of the firmware */

	/*
	 * Where the next START or non-retentive resume begins. Written under
	 * start_lock before the state says START_PENDING (or SUSPENDED), so
	 * a hart that sees the state sees these too.
	 */
	struct spinlock start_lock;
	unsigned long start_pc;
	unsigned long start_arg;
	bool resume_non_retentive;
	bool started_early; /* a start found its hart not in yet (logged) */
	bool system_suspended; /* it suspended the VM (SBI SUSP), not itself */
	uint64_t suspended_at; /* the time CSR then, for the wake-up line */

	/*
	 * SBI FWFT, per vCPU (all features are local): what its hart can do,
	 * the values set, the locked ones. Reset to 0, unlocked, at each start.
	 */
	struct {
		unsigned int supported, locked;
		unsigned long value[VCPU_FWFT_FEATURES];
		/* At hart start: what the guest's ISA says (Svadu: 1). */
		unsigned long reset[VCPU_FWFT_FEATURES];
	} fwft;

	struct vsbi_pmu pmu; /* SBI PMU: its counters (vsbi_pmu.h) */

	unsigned long exits_by_cause[VCPU_EXIT_KINDS]; /* ecalls: sbi_calls */
	unsigned long exits_by_irq[16];
	unsigned long sbi_calls[VCPU_SBI_KINDS];
	unsigned long waits[VCPU_WAIT_KINDS]; /* of the virtual-inst exits */
	struct {
		unsigned long pc; /* the wrs.nto of the wait now */
		uint64_t first, last; /* its first and last exit (time CSR) */
	} wrs;
};

/*
 * Create hart @h's vCPU, vCPU @id of @vm, STOPPED. The boot hart makes every one
 * before the guest starts, so HART_START for a hart still on its way only
 * leaves it START_PENDING (its mail waits for it).
 */
struct vcpu *vcpu_create(struct vm *vm, struct hart *h, unsigned int id);

/* Set up @v's hart for it (hgatp, interrupt file). Own hart, at check-in. */
void vcpu_hart_init(struct vcpu *v);

/*
 * @v's hart never came out of the firmware (hart_give_up()): STOPPED for
 * good, HART_START fails, IPIs and fences skip it.
 */
void vcpu_set_absent(struct vcpu *v);

/* Start @v's life on its own hart: wait until it runs, enter it. */
__noreturn void vcpu_run(struct vcpu *v);

/*
 * A guest exit of the vCPU whose context is @ctx (from switch.S, on its
 * hart's stack): handle it, wait until the vCPU may run, and return the
 * context to enter.
 */
struct vcpu_context *vcpu_exit(struct vcpu_context *ctx);

/* @v's SBI calls (ecall exits) so far, all extensions. Any hart (racy). */
unsigned long vcpu_sbi_calls(const struct vcpu *v);

/* All exits of @v so far, every cause and interrupt. Any hart (racy). */
unsigned long vcpu_exits_total(const struct vcpu *v);

/* @v's HSM state (acquire). Any hart. */
int vcpu_get_state(const struct vcpu *v);

/*
 * Move @v from @from to @to in one compare-and-swap; false (and nothing
 * changed) if @v was not in @from. Any hart: this is how two harts racing
 * to start the same vCPU can never both win.
 */
bool vcpu_set_state(struct vcpu *v, int from, int to);

/*
 * Ask @v to start at @pc with a0 = its ID and a1 = @arg: STOPPED ->
 * START_PENDING, then its hart is told. Returns 0 or
 * SBI_ERR_ALREADY_AVAILABLE if @v is not stopped. Any hart.
 */
int vcpu_start(struct vcpu *v, unsigned long pc, unsigned long arg);

/* Stop the calling vCPU (SBI hart_stop): its hart goes back to sleep. */
void vcpu_stop_self(struct vcpu *v);

/*
 * Suspend the calling vCPU until an interrupt is pending for it. A
 * non-retentive suspend resumes at @pc with a0 = ID and a1 = @arg.
 */
void vcpu_suspend_self(struct vcpu *v, bool non_retentive, unsigned long pc,
		       unsigned long arg);

/*
 * SBI SUSP: the calling vCPU, the only one not stopped, suspends the VM to
 * RAM. It sleeps as a non-retentive HSM suspend does and resumes at @pc
 * with a0 = ID, a1 = @arg once an interrupt is pending for it (logged).
 */
void vcpu_system_suspend(struct vcpu *v, unsigned long pc, unsigned long arg);

/*
 * A virtual-instruction exit of @v for @insn that a hart without H would
 * have executed: a CSR access (hv/vcpu_csr.c), a wfi or a wrs.nto
 * (hv/vcpu_wait.c). Emulated, and true; false if it is none (it is then
 * illegal). Own hart.
 */
bool vcpu_csr_emulate(struct vcpu *v, uint32_t insn);
bool vcpu_wait_emulate(struct vcpu *v, uint32_t insn);

/* One line on how the guest's waits are handled, if they exit. */
void vcpu_wait_describe(void);

/*
 * A load (@store false) or store guest-page fault of @v: emulate it if it
 * hit the interrupt controller's registers (vPLIC or vAPLIC), else inject
 * an access fault (hv/vcpu_mmio.c). Own hart.
 */
void vcpu_mmio_fault(struct vcpu *v, bool store);

#endif
