// SPDX-License-Identifier: BSD-2-Clause
/*
 * The monitor: a few commands on the shared console, with several VMs.
 * CONSOLE_ESCAPE (Ctrl-]) opens it and closes it again; while it is open,
 * the keys are its own and every VM's output comes a line at a time. It
 * runs on the hart that takes the UART's interrupt (uart_rx.c), one key
 * at a time, so its state needs no lock. A reboot or a stop is asked of
 * the VM's own harts (vm_request): the VM does it as if its guest had
 * asked through SBI SRST.
 */
#include <stdarg.h>
#include <string.h>

#include "log.h"
#include "printf.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"

#define PROMPT "hv> "

static bool active;
static char cmd[48];
static size_t cmd_len;

bool monitor_active(void)
{
	return active;
}

/* One whole line of the monitor's. */
static void say(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	log_console_write(line, (size_t)n);
}

/* The prompt, and what is typed after it, as it comes. */
static void echo(const char *s, size_t n)
{
	log_console_stream(&active, PROMPT, s, n);
}

static const char *const hsm_names[] = {
	[SBI_HSM_STATE_STARTED] = "started",
	[SBI_HSM_STATE_STOPPED] = "stopped",
	[SBI_HSM_STATE_START_PENDING] = "start-pending",
	[SBI_HSM_STATE_STOP_PENDING] = "stop-pending",
	[SBI_HSM_STATE_SUSPENDED] = "suspended",
	[SBI_HSM_STATE_SUSPEND_PENDING] = "suspend-pending",
	[SBI_HSM_STATE_RESUME_PENDING] = "resume-pending",
};

static const char *hsm_name(int state)
{
	if (state < 0 || (size_t)state >= ARRAY_SIZE(hsm_names) ||
	    !hsm_names[state])
		return "?";
	return hsm_names[state];
}

/* The VM @arg names (its name, or its number), or NULL with a line. */
static struct vm *find_vm(const char *arg)
{
	for (unsigned int i = 0; i < nr_vms; i++)
		if (!strcmp(vms[i].name, arg) ||
		    (arg[0] == (char)('0' + i) && !arg[1]))
			return &vms[i];
	say("monitor: no VM '%s' (vms lists them)", arg);
	return NULL;
}

static void list_vms(void)
{
	const struct vm *in = vm_console_focus();

	for (unsigned int i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];
		const struct platform *p = vm->platform;

		say("VM %u '%s': %s, boot %u, harts %lu-%lu%s", i, vm->name,
		    vm_state_name(vm), vm->boots,
		    p->harts[vm->hart_slot[0]].hartid,
		    p->harts[vm->hart_slot[vm->nr_vcpus - 1]].hartid,
		    vm == in ? ", has the input" : "");
		for (unsigned int j = 0; j < vm->nr_vcpus; j++) {
			const struct vcpu *v = vm->vcpus[j];

			say("  vCPU %u on hart %lu: %s, %lu exits", j,
			    p->harts[vm->hart_slot[j]].hartid,
			    v->absent ? "absent" : hsm_name(vcpu_get_state(v)),
			    vcpu_exits_total(v));
		}
	}
}

static void help(void)
{
	say("monitor commands (VM: its name or number):");
	say("  vms          each VM: state, boots, harts, vCPUs' HSM states and exits");
	say("  stats VM     every exit and SBI counter of VM's vCPUs");
	say("  console VM   give VM the input and leave the monitor");
	say("  reboot VM    restart VM from its pristine images (starts it if off)");
	say("  stop VM      stop VM; the machine powers off with the last");
	say("  exit         leave the monitor (Ctrl-] too)");
}

static void leave(void)
{
	struct vm *vm = vm_console_focus();

	active = false;
	say("monitor: input goes to VM '%s'", vm->name);
	vm_console_stream(vm);
}

static void run(char *line)
{
	char *arg = strchr(line, ' ');
	struct vm *vm = NULL;

	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
	}
	if (!line[0])
		return;
	if (!strcmp(line, "help")) {
		help();
		return;
	}
	if (!strcmp(line, "vms")) {
		list_vms();
		return;
	}
	if (!strcmp(line, "exit")) {
		leave();
		return;
	}
	if (strcmp(line, "stats") && strcmp(line, "console") &&
	    strcmp(line, "reboot") && strcmp(line, "stop")) {
		say("monitor: unknown command '%s' (help lists them)", line);
		return;
	}
	if (!arg || !*arg) {
		say("monitor: %s which VM?", line);
		return;
	}
	vm = find_vm(arg);
	if (!vm)
		return;
	if (!strcmp(line, "stats")) {
		vm_print_stats(vm);
	} else if (!strcmp(line, "console")) {
		vm_console_set_focus(vm);
		leave();
	} else {
		bool reboot = !strcmp(line, "reboot");

		say("monitor: VM '%s' is asked to %s", vm->name,
		    reboot ? "reboot" : "stop");
		vm_request(vm, reboot ? VM_REQUEST_REBOOT : VM_REQUEST_STOP);
	}
}

void monitor_toggle(void)
{
	if (active) {
		leave();
		return;
	}
	active = true;
	cmd_len = 0;
	vm_console_stream(NULL);
	say("monitor: help lists the commands; Ctrl-] or exit goes back to VM '%s'",
	    vm_console_focus()->name);
	echo("", 0);
}

void monitor_input(char ch)
{
	if (ch == '\r' || ch == '\n') {
		echo("\n", 1);
		cmd[cmd_len] = '\0';
		cmd_len = 0;
		run(cmd);
		if (active)
			echo("", 0);
	} else if (ch == '\b' || ch == 0x7f) {
		if (cmd_len) {
			cmd_len--;
			echo("\b \b", 3);
		}
	} else if (ch >= ' ' && ch <= '~' && cmd_len < sizeof(cmd) - 1) {
		cmd[cmd_len++] = ch;
		echo(&ch, 1);
	}
}
