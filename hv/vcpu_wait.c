// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's waits, where its hart sends them to hartvisor (hstatus.VTW:
 * the guest has Zawrs, and hartvisor a timer of its own).
 *
 * - wfi (VS-mode): sleep until an interrupt the guest enabled is pending,
 *   as the hart would have.
 * - wrs.nto: the guest waits for another CPU's store to a word it holds
 *   a reservation on: a ticket lock's owner field, a queued lock's node,
 *   a call-function flag (Linux's smp_cond_load_*). On QEMU every hart is
 *   a host thread. A waiter that spins holds a host CPU that the CPU it
 *   waits for may need, and on a loaded host a lock's waiters then hand
 *   it on at the host scheduler's pace: seconds, and soft lockups
 *   (docs/interrupts.md). So a waiter that has waited WRS_SPIN_US gives
 *   its host CPU away: it sleeps until hartvisor has mail for it or
 *   WRS_SLEEP_US have passed. Most waits are shorter than WRS_SPIN_US
 *   (a wake-up waiting for its task to leave another CPU) and would only
 *   be stretched by a sleep: those return at once, as natively. A wrs.nto
 *   may end at any time; the guest checks its word again and waits again
 *   if it must. Its interrupts wait as long as the sleep, no more.
 */
#include "arch.h"
#include "hart.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"

#define INSN_WFI 0x10500073U
#define INSN_WRS_NTO 0x00d00073U
#define WRS_SPIN_US 50
#define WRS_SLEEP_US 100

static void vcpu_wfi(struct vcpu *v)
{
	arch_vcpu_timer_poll();
	if (arch_vcpu_irq_pending())
		return;
	/* The guest is idle: time to write out the log lines that wait. */
	log_flush_idle();
	hart_sleep(v->hart, arch_vcpu_wait_for_interrupt);
}

static uint64_t us_to_ticks(const struct vcpu *v, uint64_t us)
{
	return v->vm->platform->timebase_hz * us / 1000000 + 1;
}

/*
 * One wait is a streak of wrs.nto exits at one pc, each within
 * WRS_SPIN_US of the last; it sleeps once it is WRS_SPIN_US old.
 */
static void vcpu_wrs(struct vcpu *v)
{
	uint64_t now = arch_time(), spin = us_to_ticks(v, WRS_SPIN_US);

	if (v->ctx.sepc != v->wrs.pc || now - v->wrs.last > spin) {
		v->wrs.pc = v->ctx.sepc;
		v->wrs.first = now;
	}
	if (now - v->wrs.first >= spin) {
		v->waits[VCPU_WAIT_WRS_SLEPT]++;
		hart_sleep_until(v->hart, now + us_to_ticks(v, WRS_SLEEP_US));
	}
	v->wrs.last = arch_time();
}

bool vcpu_wait_emulate(struct vcpu *v, uint32_t insn)
{
	if (insn == INSN_WFI && arch_vcpu_from_vs(&v->ctx)) {
		v->waits[VCPU_WAIT_WFI]++;
		v->ctx.sepc += 4;
		vcpu_wfi(v);
		return true;
	}
	if (insn == INSN_WRS_NTO) {
		v->waits[VCPU_WAIT_WRS]++;
		vcpu_wrs(v);
		v->ctx.sepc += 4;
		return true;
	}
	return false;
}

void vcpu_wait_describe(void)
{
	if (arch_vcpu_wait_exits())
		pr_info("guest waits: wfi and wrs.nto exit; a wait in wrs.nto over %u us gives its host CPU away, %u us at a time",
			WRS_SPIN_US, WRS_SLEEP_US);
}
