// SPDX-License-Identifier: BSD-2-Clause
/*
 * A VM's life after its boot, each event confined to its VM: an SRST
 * reboot or shutdown, a crash, and what the monitor asks of it. The last
 * VM to stop powers the machine off.
 */
#include "arch.h"
#include "hart.h"
#include "log.h"
#include "printf.h"
#include "vcpu.h"
#include "vm.h"

/*
 * Stop every vCPU of @vm but @self (stopped already) and wait until each
 * has, for a reboot or a shutdown; the caller won vm->resetting.
 */
static void vm_stop_others(struct vm *vm, struct vcpu *self)
{
	struct hart *me = arch_this_hart();
	unsigned int others = 0;

	__atomic_store_n(&vm->reset_acks, 0, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i] == self || vm->vcpus[i]->absent)
			continue;
		hart_post(vm->vcpus[i]->hart, HART_MSG_VCPU_RESET);
		others++;
	}
	/*
	 * Acquire: pairs with each hart's release after it stopped. A hart
	 * still on its way acks once it is in; one lost in the firmware is
	 * given up after its 20 s and never acks.
	 */
	while (__atomic_load_n(&vm->reset_acks, __ATOMIC_ACQUIRE) < others) {
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i] != self && !vm->vcpus[i]->absent &&
			    hart_missing(vm->vcpus[i]->hart))
				others--;
		hart_do_fences(me);
		arch_cpu_relax();
	}
}

/* @self stops; true if it is the one to reset or stop the whole VM. */
static bool vm_take_reset(struct vm *vm, struct vcpu *self)
{
	vcpu_stop_self(self);
	/* One at a time; a second asker just stops (it is reset). */
	return !__atomic_exchange_n(&vm->resetting, 1, __ATOMIC_ACQ_REL);
}

/*
 * Stop @vm for good from vCPU @self, @why being the guest's shutdown or
 * its crash: the machine powers off (@failure) with the last VM.
 */
static void vm_stop_taken(struct vm *vm, struct vcpu *self, bool failure,
			  bool crashed, const char *why)
{
	enum log_level level = failure ? LOG_WARN : LOG_INFO;
	unsigned int left;

	left = __atomic_sub_fetch(&vms_running, 1, __ATOMIC_ACQ_REL);
	if (left)
		log_printf(level, "%s%s: VM '%s' stops, %u other VM%s on",
			   vm->tag, why, vm->name, left,
			   left == 1 ? " runs" : "s run");
	else
		log_printf(level, "%s%s: powering off", vm->tag, why);
	vm_print_stats(vm);
	pr_info("%sguest images, since the last boot: %lu pages saved on first write, %lu in the background (%u leaves whole)",
		vm->tag, vm->pristine_pages, vm->pristine_background,
		vm->pristine_leaves);
	if (!left) {
		/* The guest did not wait for them; say which never arrived. */
		harts_report_missing();
		arch_poweroff(failure);
	}
	vm_stop_others(vm, self);
	/* Its devices stay quiet: nobody would serve their interrupts. */
	irqchip_reset(vm);
	__atomic_store_n(&vm->state, crashed ? VM_CRASHED : VM_OFF,
			 __ATOMIC_RELEASE);
	vm_chan_state(vm);
	pr_info("%sVM '%s' is off", vm->tag, vm->name);
}

static void vm_stop(struct vm *vm, struct vcpu *self, bool failure,
		    bool crashed, const char *why)
{
	if (vm_take_reset(vm, self))
		vm_stop_taken(vm, self, failure, crashed, why);
}

void vm_shutdown(struct vm *vm, struct vcpu *self, bool failure)
{
	vm_stop(vm, self, failure, false,
		failure ? "guest asked for shutdown (system failure)" :
			  "guest asked for shutdown");
}

void vm_crash(struct vm *vm, struct vcpu *self, const char *why)
{
	char line[LOG_LINE_MAX];

	snprintf(line, sizeof(line), "VM '%s' crashed: vCPU %u %s", vm->name,
		 self->id, why);
	vm_stop(vm, self, true, true, line);
}

/* Restart @vm from @self, @why asked for it; the caller won the reset. */
static void vm_restart(struct vm *vm, struct vcpu *self, const char *why)
{
	__atomic_store_n(&vm->state, VM_REBOOTING, __ATOMIC_RELEASE);
	vm_chan_state(vm);
	pr_info("%s%s (boot %u): restarting it", vm->tag, why, vm->boots + 1);
	vm_stop_others(vm, self);
	vm_boot(vm);
	__atomic_store_n(&vm->resetting, 0, __ATOMIC_RELEASE);
}

void vm_reboot(struct vm *vm, struct vcpu *self)
{
	if (vm_take_reset(vm, self))
		vm_restart(vm, self, "guest asked for a reboot");
}

const char *vm_state_name(const struct vm *vm)
{
	static const char *const names[] = {
		[VM_RUNNING] = "running",
		[VM_REBOOTING] = "rebooting",
		[VM_OFF] = "off",
		[VM_CRASHED] = "crashed",
	};
	int state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);

	return state >= 0 && state <= VM_CRASHED ? names[state] : "?";
}

void vm_request(struct vm *vm, enum vm_request req)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i]->absent)
			continue;
		__atomic_store_n(&vm->request, req, __ATOMIC_RELEASE);
		hart_post(vm->vcpus[i]->hart, HART_MSG_VM_REQUEST);
		return;
	}
}

void vm_serve_request(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int req = __atomic_exchange_n(&vm->request, VM_REQUEST_NONE,
				      __ATOMIC_ACQ_REL);
	int state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
	bool off = state == VM_OFF || state == VM_CRASHED;

	if (req == VM_REQUEST_NONE)
		return;
	if (off && req == VM_REQUEST_STOP) {
		pr_info("%sVM '%s' is off already", vm->tag, vm->name);
	} else if (off) {
		/* Every vCPU stopped with it; it won its reset for good. */
		__atomic_add_fetch(&vms_running, 1, __ATOMIC_ACQ_REL);
		vm_restart(vm, v, "the monitor starts it again");
	} else if (__atomic_exchange_n(&vm->resetting, 1, __ATOMIC_ACQ_REL)) {
		/* A reset of its own is under way: leave it be. */
		pr_warn("%sVM '%s' is rebooting: the monitor's request is dropped",
			vm->tag, vm->name);
	} else {
		/* As vm_take_reset, the reset won before this vCPU stops. */
		vcpu_stop_self(v);
		if (req == VM_REQUEST_REBOOT)
			vm_restart(vm, v, "the monitor reboots it");
		else
			vm_stop_taken(vm, v, false, false,
				      "the monitor stops it");
	}
}
