// SPDX-License-Identifier: BSD-2-Clause
/*
 * vCPUs: the HSM state machine, the run loop of each hart, and what
 * happens when a guest exits. There is no scheduler: a hart runs its one
 * vCPU or sleeps in wfi.
 */
#include <string.h>

#include "arch.h"
#include "hart.h"
#include "log.h"
#include "printf.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"
#include "vsbi.h"

static struct vcpu vcpus[HV_MAX_HARTS];

_Static_assert(offsetof(struct vcpu, ctx) == 0, "vcpu_exit casts ctx");

struct vcpu *vcpu_create(struct vm *vm, struct hart *h, unsigned int id)
{
	struct vcpu *v = &vcpus[h->slot];

	v->vm = vm;
	v->hart = h;
	v->id = id;
	v->state = SBI_HSM_STATE_STOPPED;
	v->ctx.host_sp = h->stack_top;
	v->ctx.host_tp = (unsigned long)h;
	h->vcpu = v;
	vm_register_vcpu(vm, v);
	return v;
}

void vcpu_hart_init(struct vcpu *v)
{
	const struct platform_hart *ph = &v->vm->platform->harts[v->hart->slot];
	/* The CSRs follow the ISA table, as the guest's device tree does. */
	unsigned int needs = isa_guest_needs(ph->isa, ph->exts, ph->exts_len,
					     v->vm->isa_offers);

	/* make WAITS=spin: wfi and wrs.nto stay in the guest, as natively. */
	if (!HV_WAIT_EXITS)
		needs &= ~ISA_NEED_WAIT_EXITS;

	v->fwft.supported = arch_fwft_probe(ph->has_svadu);
	arch_hart_virt_init(v->vm->gstage, needs);
	if (v->id == 0)
		vcpu_wait_describe();
	irqchip_hart_init(v->vm, v->id);
	uart_rx_hart_init(v->hart);
	/* Svadu alone in the tree: A/D updating is on from the start. */
	v->fwft.reset[SBI_FWFT_PTE_AD_HW_UPDATING] =
		(needs & ISA_NEED_HW_AD) ? 1 : 0;
	memcpy(v->fwft.value, v->fwft.reset, sizeof(v->fwft.value));
	vsbi_pmu_hart_init(v);
}

/* FWFT values do not survive a hart reset: back to reset[], unlocked. */
static void vcpu_fwft_reset(struct vcpu *v)
{
	for (unsigned int f = 0; f < VCPU_FWFT_FEATURES; f++) {
		if (v->fwft.value[f] != v->fwft.reset[f])
			arch_fwft_set(f, v->fwft.reset[f]);
		v->fwft.value[f] = v->fwft.reset[f];
	}
	v->fwft.locked = 0;
}

int vcpu_get_state(const struct vcpu *v)
{
	return __atomic_load_n(&v->state, __ATOMIC_ACQUIRE);
}

bool vcpu_set_state(struct vcpu *v, int from, int to)
{
	/*
	 * Acquire-release: the winner sees what the previous owner of the
	 * state wrote, and whoever reads the new state sees what we wrote.
	 */
	return __atomic_compare_exchange_n(&v->state, &from, to, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Reset-only: whatever the state was, it is now @to. Own hart. */
static void vcpu_force_state(struct vcpu *v, int to)
{
	__atomic_store_n(&v->state, to, __ATOMIC_RELEASE);
}

void vcpu_set_absent(struct vcpu *v)
{
	v->absent = true;
	/* A start that came before: it never runs, HSM says stopped. */
	vcpu_force_state(v, SBI_HSM_STATE_STOPPED);
}

int vcpu_start(struct vcpu *v, unsigned long pc, unsigned long arg)
{
	int ret = 0;

	/*
	 * The start address goes in before START_PENDING is published (the
	 * order OpenSBI 1.1 got wrong); the lock keeps a second starter from
	 * overwriting it between our check and our state change.
	 */
	/* Its hart may still be on its way: START_PENDING until it is in. */
	if (v->absent || hart_missing(v->hart))
		return SBI_ERR_FAILED;
	spin_lock(&v->start_lock);
	if (vcpu_get_state(v) != SBI_HSM_STATE_STOPPED) {
		ret = SBI_ERR_ALREADY_AVAILABLE;
	} else {
		v->start_pc = pc;
		v->start_arg = arg;
		v->resume_non_retentive = false;
		if (!vcpu_set_state(v, SBI_HSM_STATE_STOPPED,
				    SBI_HSM_STATE_START_PENDING))
			ret = SBI_ERR_ALREADY_AVAILABLE;
	}
	spin_unlock(&v->start_lock);
	if (ret)
		return ret;
	hart_post(v->hart, HART_MSG_VCPU_START);
	/*
	 * Once per vCPU: only a start at boot can find its hart still out,
	 * and only the start that won START_PENDING gets here.
	 */
	if (!__atomic_load_n(&v->hart->online, __ATOMIC_ACQUIRE) &&
	    !v->started_early) {
		v->started_early = true;
		pr_info("vCPU %u: started before hart %lu checked in; START_PENDING until it is in",
			v->id, v->hart->hartid);
	}
	return 0;
}

void vcpu_stop_self(struct vcpu *v)
{
	vcpu_force_state(v, SBI_HSM_STATE_STOPPED);
	arch_vcpu_timer_park();
	arch_vcpu_clear_ipi();
	/* Its interrupt file may still signal: a stopped vCPU hears nothing. */
	arch_vcpu_mask_irqs();
	/* Nor does it count anything. */
	vsbi_pmu_reset(v, false);
}

void vcpu_suspend_self(struct vcpu *v, bool non_retentive, unsigned long pc,
		       unsigned long arg)
{
	spin_lock(&v->start_lock);
	v->resume_non_retentive = non_retentive;
	v->start_pc = pc;
	v->start_arg = arg;
	vcpu_set_state(v, SBI_HSM_STATE_STARTED, SBI_HSM_STATE_SUSPENDED);
	spin_unlock(&v->start_lock);
}

void vcpu_system_suspend(struct vcpu *v, unsigned long pc, unsigned long arg)
{
	v->system_suspended = true;
	v->suspended_at = arch_time();
	pr_info("vCPU %u suspends the VM to RAM: an interrupt of its timer or of a device wakes it",
		v->id);
	vcpu_suspend_self(v, true, pc, arg);
}

/*
 * A new life for @v at its start address: registers, its interrupts, its
 * firmware features, its counters.
 */
static void vcpu_reset(struct vcpu *v)
{
	arch_vcpu_reset(&v->ctx, v->start_pc, v->id, v->start_arg);
	irqchip_vcpu_reset(v->vm, v->id);
	vcpu_fwft_reset(v);
	vsbi_pmu_reset(v, true);
}

/*
 * SUSPENDED and an interrupt is pending: carry on, or restart. A
 * non-retentive resume is not a hart reset: FWFT values stay.
 */
static void vcpu_resume(struct vcpu *v)
{
	if (!vcpu_set_state(v, SBI_HSM_STATE_SUSPENDED, SBI_HSM_STATE_STARTED))
		return;
	if (v->resume_non_retentive)
		arch_vcpu_resume_at(&v->ctx, v->start_pc, v->id, v->start_arg);
	if (v->system_suspended) {
		v->system_suspended = false;
		pr_info("vCPU %u: the VM wakes up after %lu ms of suspend to RAM",
			v->id,
			(unsigned long)((arch_time() - v->suspended_at) * 1000 /
					v->vm->platform->timebase_hz));
	}
}

/*
 * Act on what other harts posted. Runs before every guest entry and after
 * every wakeup, so nothing posted is lost. Own hart.
 */
static void vcpu_process_mailbox(struct vcpu *v)
{
	struct hart *self = v->hart;
	unsigned long msg = hart_take_mail(self);

	if (msg & HART_MSG_VCPU_RESET) {
		vcpu_stop_self(v);
		/* Release: our vCPU is stopped before the rebooter counts us. */
		__atomic_fetch_add(&v->vm->reset_acks, 1, __ATOMIC_RELEASE);
	}
	/* After a reset: a restart asked for with it starts anew. */
	if (msg & HART_MSG_VM_REQUEST)
		vm_serve_request(v);
	if (msg & HART_MSG_VCPU_START) {
		if (vcpu_set_state(v, SBI_HSM_STATE_START_PENDING,
				   SBI_HSM_STATE_STARTED))
			vcpu_reset(v);
	}
	if (msg & HART_MSG_VCPU_IPI) {
		int state = vcpu_get_state(v);

		if (state == SBI_HSM_STATE_STARTED ||
		    state == SBI_HSM_STATE_SUSPENDED) {
			arch_vcpu_raise_ipi();
			vsbi_pmu_event(v, SBI_PMU_FW_IPI_RECEIVED);
		}
	}
	/*
	 * VSEIP is the vPLIC's line for us, whatever the mail said: a reset
	 * above cleared hvip, and HART_MSG_VCPU_EXT means it changed. (With
	 * AIA the guest file raises it, and this keeps hvip.VSEIP 0.)
	 */
	arch_vcpu_set_external(irqchip_line(v->vm, v->id));
}

void vcpu_external_changed(const struct vplic *p, unsigned int id)
{
	/* The vPLIC is its VM's: vCPU @id of that VM, not of harts[]. */
	const struct vm *vm =
		(const struct vm *)((uintptr_t)p -
				    offsetof(struct vm, irqchip.vplic));
	struct vcpu *v = vm_vcpu(vm, id);

	if (!v || !v->hart)
		return;
	/* Our own line: now. Another hart's: before its next entry. */
	if (v->hart == arch_this_hart())
		arch_vcpu_set_external(irqchip_line(v->vm, id));
	else
		hart_post(v->hart, HART_MSG_VCPU_EXT);
}

/* The physical controller signals this hart (PLIC: claim its sources). */
static void vcpu_take_external(struct vcpu *v)
{
	irqchip_take_external(v->vm, v->id);
}

static void vcpu_inject(struct vcpu *v, unsigned long cause)
{
	pr_debug("vcpu%u: %s exit at 0x%lx: inject cause %lu, tval 0x%lx",
		 v->id, "guest", v->ctx.sepc, cause, v->ctx.stval);
	arch_vcpu_inject_exception(&v->ctx, cause, v->ctx.stval);
}

static void vcpu_handle_interrupt(struct vcpu *v, unsigned long irq)
{
	if (irq < ARRAY_SIZE(v->exits_by_irq))
		v->exits_by_irq[irq]++;
	switch (irq) {
	case IRQ_S_SOFT:
		/* An IPI: the mailbox is read before the next entry. */
		arch_ack_ipi();
		break;
	case IRQ_S_TIMER:
		arch_vcpu_timer_poll();
		break;
	case IRQ_S_EXT:
		vcpu_take_external(v);
		break;
	case IRQ_PMU_OVF:
		/* A counter of the guest's overflowed: its interrupt. */
		arch_pmu_overflow();
		break;
	default:
		pr_warn("vcpu%u: unexpected interrupt %lu", v->id, irq);
		break;
	}
}

/* A virtual instruction: one a hart without H would execute, emulated? */
static bool vcpu_virtual_inst(struct vcpu *v)
{
	uint32_t insn = (uint32_t)v->ctx.stval;

	/* No instruction in stval: fetch it (4 bytes: all emulated ones are). */
	if (!insn && arch_guest_fetch_insn(v->ctx.sepc, &insn))
		return false;
	return vcpu_wait_emulate(v, insn) || vcpu_csr_emulate(v, insn);
}

/* The guest-physical address of the guest-page fault being handled. */
static gpa_t vcpu_fault_gpa(const struct vcpu *v)
{
	unsigned long htval, htinst;

	arch_vcpu_trap_info(&htval, &htinst);
	return (htval << 2) | (v->ctx.stval & 3);
}

/*
 * Image pages the guest has not written, saved at each exit until all
 * are, when the G-stage gets its largest leaves back (vm_pristine.c):
 * 16 pages, about 20 000 instructions.
 */
#define PRISTINE_PAGES_PER_EXIT 16

static void vcpu_handle_exit(struct vcpu *v)
{
	unsigned long cause = v->ctx.scause;

	/*
	 * SBI calls are most exits: first, and nothing else on the way
	 * (vsbi_handle counts them, by extension).
	 */
	if (cause == EXC_ECALL_VS) {
		vsbi_handle(v);
		return;
	}
	if (cause & SCAUSE_INTERRUPT) {
		vcpu_handle_interrupt(v, cause & ~SCAUSE_INTERRUPT);
		return;
	}
	if (cause < VCPU_EXIT_KINDS)
		v->exits_by_cause[cause]++;

	switch (cause) {
	case EXC_VIRTUAL_INST:
		if (vcpu_virtual_inst(v))
			break;
		/* A hypervisor instruction or CSR: illegal, as without H. */
		vsbi_pmu_event(v, SBI_PMU_FW_ILLEGAL_INSN);
		vcpu_inject(v, EXC_ILLEGAL_INST);
		break;
	case EXC_INST_GUEST_PAGE_FAULT:
		/*
		 * The guest cannot fetch its own trap vector: this fault and
		 * every one after it would come back here for ever. Bao spins
		 * such a hart; the VM stops, alone, and says why.
		 */
		if (v->ctx.sepc == arch_vcpu_trap_vector()) {
			char why[80];

			snprintf(why, sizeof(why),
				 "cannot fetch its trap vector 0x%lx",
				 v->ctx.sepc);
			vm_crash(v->vm, v, why);
			break;
		}
		vcpu_inject(v, EXC_INST_ACCESS);
		break;
	case EXC_STORE_GUEST_PAGE_FAULT:
		/* The first write to a page of a guest image: save it. */
		if (vm_pristine_save(v->vm, vcpu_fault_gpa(v), 1) ||
		    vm_pristine_device(v->vm, vcpu_fault_gpa(v)))
			break;
		vcpu_mmio_fault(v, true);
		break;
	case EXC_LOAD_GUEST_PAGE_FAULT:
		/* A device that writes guest RAM, first touched: map it. */
		if (vm_pristine_device(v->vm, vcpu_fault_gpa(v)))
			break;
		vcpu_mmio_fault(v, false);
		break;
	default:
		/* Anything else the guest caused is the guest's to handle. */
		vcpu_inject(v, cause);
		break;
	}
}

/* Act on mail; sleep while stopped or suspended; return once runnable. */
static void vcpu_wait_runnable(struct vcpu *v)
{
	for (;;) {
		/* Sleeping or not, a physical interrupt here is the VM's. */
		if (arch_external_pending())
			vcpu_take_external(v);
		vcpu_process_mailbox(v);
		switch (vcpu_get_state(v)) {
		case SBI_HSM_STATE_STARTED:
			return;
		case SBI_HSM_STATE_SUSPENDED:
			arch_vcpu_timer_poll();
			if (arch_vcpu_irq_pending()) {
				vcpu_resume(v);
				continue;
			}
			log_flush_idle();
			hart_sleep(v->hart, arch_vcpu_wait_for_interrupt);
			continue;
		default:
			/* Time to spare: the log lines that wait, if any. */
			log_flush_idle();
			hart_sleep(v->hart, arch_wait_for_interrupt);
			continue;
		}
	}
}

/*
 * Return once @v may enter the guest. The common case, no mail and still
 * running, goes straight through. Mail posted after hart_enter_guest comes
 * with an IPI, which ends the guest's run at once: nothing is lost.
 */
static void vcpu_ready_to_enter(struct vcpu *v)
{
	while (vcpu_get_state(v) != SBI_HSM_STATE_STARTED ||
	       !hart_enter_guest(v->hart))
		vcpu_wait_runnable(v);
}

void vcpu_run(struct vcpu *v)
{
	vcpu_ready_to_enter(v);
	arch_vcpu_enter(&v->ctx);
}

struct vcpu_context *vcpu_exit(struct vcpu_context *ctx)
{
	struct vcpu *v = (struct vcpu *)ctx;

	hart_in_hv(v->hart);
	vcpu_handle_exit(v);
	/* After the exit's own work: a first write saves its page itself. */
	vm_pristine_background(v->vm, PRISTINE_PAGES_PER_EXIT);
	log_flush_due();
	vcpu_ready_to_enter(v);
	return ctx;
}
