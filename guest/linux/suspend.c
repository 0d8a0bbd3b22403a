// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's suspend to RAM: "echo mem > /sys/power/state". Linux
 * takes every other CPU offline (SBI HSM stop) and calls SBI SUSP; the
 * hypervisor puts the VM to sleep until an interrupt wakes it.
 *
 * The wake-up source is the console: with its tty's power/wakeup enabled,
 * Linux keeps the UART's receive interrupt on through the suspend, so a
 * key typed on the console wakes the VM (the key is then read as input).
 */
#include <stdio.h>
#include <string.h>

#include "init.h"

#define WAKEUP "/sys/class/tty/ttyS0/power/wakeup"

int cmd_suspend(int argc, char **argv)
{
	char states[128] = "";
	int before = cpus_online(), ret;
	long t;

	(void)argc, (void)argv;
	read_file("/sys/power/state", states, sizeof(states));
	states[strcspn(states, "\n")] = '\0';
	if (!strstr(states, "mem")) {
		check(0, "suspend: /sys/power/state offers mem (it says '%s')",
		      states);
		return 1;
	}
	ret = write_file(WAKEUP, "enabled");
	if (ret) {
		check(0, "suspend: %s: %s", WAKEUP, strerror(-ret));
		return 1;
	}
	printf("suspend: to RAM now; press a key on the console to wake the VM\n");
	/* All of it before the VM sleeps: the rest would wait for the key. */
	drain_stdout();
	t = now_ns();
	ret = write_file("/sys/power/state", "mem");
	printf("suspend: back after %ld ms\n", (now_ns() - t) / 1000000);
	check(!ret, "suspend: the VM went to RAM and woke up (%s)",
	      ret ? strerror(-ret) : "ok");
	check(cpus_online() == before, "suspend: all %d CPUs online again (%d)",
	      before, cpus_online());
	return 0;
}
