// SPDX-License-Identifier: BSD-2-Clause
/* Physical harts: the table, bring-up of secondaries, the idle loop. */
#include "arch.h"
#include "hart.h"
#include "log.h"
#include "printf.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"

struct hart harts[HV_MAX_HARTS];
unsigned int nr_harts;
/* How long secondaries get to check in, in seconds of the time CSR. */
#define CHECKIN_TIMEOUT_S 20

/* Secondaries started at, and given up after (time CSR). */
static uint64_t bringup_start, bringup_deadline, bringup_hz;
static unsigned int harts_checked_in; /* secondaries (atomic) */

static uint8_t
	hart_stacks[HV_MAX_HARTS][HART_STACK_SIZE] __aligned(16) __noclear;

/* "PLIC S-mode context 3", "IMSIC hart index 3": for the online line. */
static const char *hart_irq_name(const struct hart *h, char *buf, size_t size)
{
	if (h->plic_s_context >= 0)
		snprintf(buf, size, "PLIC S-mode context %d",
			 h->plic_s_context);
	else if (h->imsic_index >= 0)
		snprintf(buf, size, "IMSIC hart index %d", h->imsic_index);
	else
		snprintf(buf, size, "no external interrupts");
	return buf;
}

void harts_init(const struct platform *p, unsigned long boot_hartid)
{
	for (unsigned int i = 0; i < p->nr_harts; i++) {
		struct hart *h = &harts[i];

		h->hartid = p->harts[i].hartid;
		h->slot = i;
		h->plic_s_context = p->harts[i].plic_s_context;
		h->imsic_index = p->harts[i].imsic_index;
		h->stack_top = (unsigned long)hart_stacks[i + 1];
		if (h->hartid == boot_hartid) {
			h->online = true;
			h->checkin = HART_CHECKIN_CLAIMED;
			arch_set_this_hart(h);
		}
	}
	/*
	 * Release: head.S on a secondary reads nr_harts and then the table;
	 * it must see the table complete once it sees the count.
	 */
	__atomic_store_n(&nr_harts, p->nr_harts, __ATOMIC_RELEASE);
}

unsigned int harts_online(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_harts; i++)
		n += __atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE);
	return n;
}

/*
 * Give up on @h if it has not claimed its check-in: the firmware never
 * ran it (OpenSBI 1.5 leaves a few harts hung at 64 harts, natively too).
 * The VM keeps running without it, as Linux does without a CPU that fails
 * to come online. Returns true if @h is given up.
 */
static bool hart_give_up(struct hart *h)
{
	int waiting = HART_CHECKIN_WAITING;

	if (!__atomic_compare_exchange_n(&h->checkin, &waiting,
					 HART_CHECKIN_GIVEN_UP, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (waiting == HART_CHECKIN_GIVEN_UP)
			return true;
		/* Claimed: it is setting up; it checks in shortly. */
		while (!__atomic_load_n(&h->online, __ATOMIC_ACQUIRE))
			arch_cpu_relax();
		return false;
	}
	pr_warn("hart %lu was started but never came out of the firmware%s",
		h->hartid, h->vcpu ? "; its vCPU stays stopped" : "");
	if (h->vcpu)
		vcpu_set_absent(h->vcpu);
	return true;
}

bool hart_missing(struct hart *h)
{
	if (__atomic_load_n(&h->online, __ATOMIC_ACQUIRE))
		return false;
	return arch_time() > bringup_deadline && hart_give_up(h);
}

void harts_report_missing(void)
{
	uint64_t now = arch_time();
	unsigned long ms =
		bringup_hz ? (now - bringup_start) * 1000 / bringup_hz : 0;

	for (unsigned int i = 0; i < nr_harts; i++) {
		struct hart *h = &harts[i];

		if (__atomic_load_n(&h->online, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&h->checkin, __ATOMIC_ACQUIRE) ==
			    HART_CHECKIN_GIVEN_UP)
			continue;
		/*
		 * Within its check-in window a hart may only be slow (its
		 * QEMU thread not yet run on a loaded host): not a warning.
		 */
		if (now > bringup_deadline)
			pr_warn("hart %lu never checked in: still in the firmware at power-off",
				h->hartid);
		else
			pr_info("hart %lu had not checked in yet at power-off, %lu ms after it was started",
				h->hartid, ms);
	}
}

int harts_start_secondaries(bool wait, uint64_t timebase_hz)
{
	/* Polled every 100 us: a check-in costs the boot no more than that. */
	uint64_t poll_ticks = timebase_hz / 10000 + 1;
	struct hart *self = arch_this_hart();
	int ret, missing = 0;

	bringup_hz = timebase_hz;
	bringup_start = arch_time();
	bringup_deadline = bringup_start + CHECKIN_TIMEOUT_S * timebase_hz;
	for (unsigned int i = 0; i < nr_harts; i++) {
		if (&harts[i] == self)
			continue;
		ret = arch_hart_start(&harts[i]);
		if (ret) {
			pr_err("cannot start hart %lu: SBI hart_start returned %d (%s)",
			       harts[i].hartid, ret, sbi_strerror(ret));
			return ret;
		}
	}
	if (!wait)
		return 0;
	/*
	 * Sleep in short slices, not spin. A check-in sends no IPI: one
	 * still on its way when the last hart is counted would land in the
	 * guest as an exit.
	 */
	while (harts_online() < nr_harts && arch_time() <= bringup_deadline)
		arch_wait_until(
			MIN(bringup_deadline, arch_time() + poll_ticks));
	for (unsigned int i = 0; i < nr_harts; i++)
		if (hart_missing(&harts[i]))
			missing++;
	return missing;
}

/*
 * The poster and the hart each store, then load the other's word: mailbox
 * then where here, where then mailbox in hart_publish_where. With a full
 * fence between on both sides, at least one of them sees the other's
 * store: the poster sends an IPI, or the hart sees its mail before it
 * enters the guest or sleeps. Mail is never left unread.
 */
void hart_post(struct hart *h, unsigned long msg)
{
	/* Release: whatever the message refers to is visible before the bit. */
	__atomic_fetch_or(&h->mailbox, msg, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/*
	 * A hart in the hypervisor (ourselves, or one still coming up out of
	 * the firmware) reads its mail before it enters the guest or sleeps;
	 * an IPI would only arrive later, as an exit from its next run.
	 */
	if (__atomic_load_n(&h->where, __ATOMIC_RELAXED) != HART_IN_HV)
		arch_send_ipi(h->hartid);
}

/* Publish @where, then report whether mail is waiting. */
static bool hart_publish_where(struct hart *self, int where)
{
	__atomic_store_n(&self->where, where, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&self->mailbox, __ATOMIC_RELAXED))
		return false;
	hart_in_hv(self);
	return true;
}

bool hart_enter_guest(struct hart *self)
{
	return !hart_publish_where(self, HART_IN_GUEST);
}

void hart_sleep(struct hart *self, void (*wait)(void))
{
	if (hart_publish_where(self, HART_ASLEEP))
		return;
	wait();
	hart_in_hv(self);
}

void hart_sleep_until(struct hart *self, uint64_t deadline)
{
	if (hart_publish_where(self, HART_ASLEEP))
		return;
	arch_vcpu_wait_until(deadline);
	hart_in_hv(self);
}

void harts_stop_others(void)
{
	struct hart *self = arch_this_hart();

	for (unsigned int i = 0; i < nr_harts; i++)
		if (&harts[i] != self &&
		    __atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE))
			hart_post(&harts[i], HART_MSG_HALT);
}

void hart_do_fences(struct hart *self)
{
	/* Acquire: pairs with the requester's release in harts_fence. */
	uint64_t from = __atomic_load_n(&self->fence_from, __ATOMIC_ACQUIRE);

	if (!from)
		return;
	arch_fence_i();
	arch_hfence_vvma_all();
	/*
	 * Release: the flush is done before a requester sees its bit clear.
	 * Only the bits we served are cleared; a request that came in since
	 * our load keeps its bit, and its HART_MSG_FENCE brings us back.
	 */
	__atomic_fetch_and(&self->fence_from, ~from, __ATOMIC_RELEASE);
}

unsigned long hart_take_mail(struct hart *self)
{
	/* Acquire: pairs with the release in hart_post. */
	unsigned long msg =
		__atomic_exchange_n(&self->mailbox, 0, __ATOMIC_ACQUIRE);

	if (msg & HART_MSG_HALT)
		arch_park();
	if (msg & HART_MSG_FENCE)
		hart_do_fences(self);
	return msg;
}

void harts_fence(uint64_t slots)
{
	struct hart *self = arch_this_hart();
	uint64_t me = 1ULL << self->slot;

	slots &= ~me;
	for (unsigned int i = 0; i < nr_harts; i++) {
		if (!(slots & (1ULL << i)))
			continue;
		/* Release: orders the caller's page-table writes before. */
		__atomic_fetch_or(&harts[i].fence_from, me, __ATOMIC_RELEASE);
		hart_post(&harts[i], HART_MSG_FENCE);
	}
	for (unsigned int i = 0; i < nr_harts; i++) {
		if (!(slots & (1ULL << i)))
			continue;
		while (__atomic_load_n(&harts[i].fence_from, __ATOMIC_ACQUIRE) &
		       me) {
			/* Two harts fencing each other must not deadlock. */
			hart_do_fences(self);
			arch_cpu_relax();
		}
	}
}

void hart_idle(struct hart *self)
{
	for (;;) {
		hart_take_mail(self);
		hart_sleep(self, arch_wait_for_interrupt);
	}
}

void hart_report_online(const struct hart *h)
{
	char irq[40];

	pr_info("online: slot %u, %s%s%s", h->slot,
		hart_irq_name(h, irq, sizeof(irq)),
		h->hartid == log_boot_hartid ? " (boot hart)" : "",
		h->vcpu ? ", vcpu registered" :
		nr_vms	? ", idle (no VM takes this hart)" :
			  "");
}

void hart_secondary_main(struct hart *self)
{
	struct vcpu *v = NULL;
	int waiting = HART_CHECKIN_WAITING;

	/* Acquire-release: against the boot hart giving up on us. */
	if (!__atomic_compare_exchange_n(&self->checkin, &waiting,
					 HART_CHECKIN_CLAIMED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		pr_warn("slot %u came too late and stays idle", self->slot);
		hart_idle(self);
	}
	/* The VM and every vCPU exist before any secondary runs. */
	v = self->vcpu;
	if (v)
		vcpu_hart_init(v);
	hart_report_online(self);
	/* Release: whoever counts check-ins does so with acquire loads. */
	__atomic_store_n(&self->online, true, __ATOMIC_RELEASE);
	/* A VM whose vCPU 0's hart was not in when the boot hart got there. */
	if (v)
		vm_boot_pending(v->vm);
	/* The last one says so (the boot hart may be in the guest by now). */
	if (__atomic_add_fetch(&harts_checked_in, 1, __ATOMIC_ACQ_REL) ==
	    nr_harts - 1)
		pr_info("%u secondary harts up in %lu us", nr_harts - 1,
			(unsigned long)((arch_time() - bringup_start) *
					1000000 / bringup_hz));
	if (v)
		vcpu_run(v);
	hart_idle(self);
}
