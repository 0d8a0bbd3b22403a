// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's CPU checks: which CPUs are online, a thread pinned
 * on each really running there (cpus), and every secondary CPU taken
 * offline and online again through /sys (hotplug: SBI HSM stop/start).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

/* CPUs the kernel knows (possible), and whether one is online now. */
int cpus_possible(void)
{
	return (int)sysconf(_SC_NPROCESSORS_CONF);
}

int cpu_online(int cpu)
{
	char path[64], buf[8];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return cpu == 0; /* the boot CPU may have no online file */
	return buf[0] == '1';
}

int cpus_online(void)
{
	int n = 0;

	for (int c = 0; c < cpus_possible() && c < MAX_CPUS; c++)
		n += cpu_online(c);
	return n;
}

int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* ------------------------------------------------------------ pinning */

static void *pinned(void *arg)
{
	long cpu = (long)arg;

	if (pin_self((int)cpu))
		return (void *)-1L;
	sched_yield();
	return (void *)(long)sched_getcpu();
}

/* Run one thread pinned on @cpu; returns the CPU it ran on, or -1. */
static int run_on(int cpu)
{
	pthread_t t;
	void *ret;

	if (pthread_create(&t, NULL, pinned, (void *)(long)cpu))
		return -1;
	pthread_join(t, &ret);
	return (int)(long)ret;
}

void cmd_cpus(void)
{
	int n = cpus_possible();

	printf("cpus: %d online of %d\n", cpus_online(), n);
	for (int c = 0; c < n && c < MAX_CPUS; c++) {
		int ran;

		if (!cpu_online(c))
			continue;
		ran = run_on(c);
		check(ran == c, "a thread pinned on CPU %d ran on CPU %d", c,
		      ran);
	}
}

/* ------------------------------------------------------------ hotplug */

void cmd_hotplug(void)
{
	int n = cpus_online();

	if (cpus_possible() < 2) {
		printf("hotplug: no secondary CPU\n");
		return;
	}
	for (int c = 1; c < cpus_possible() && c < MAX_CPUS; c++) {
		char path[64];
		int off, on, ran, retries = 0;

		if (!cpu_online(c))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", c);
		off = write_file(path, "0");
		check(!off && !cpu_online(c) && cpus_online() == n - 1,
		      "hotplug: CPU %d offline (%s)", c,
		      off ? strerror(-off) : "ok");
		/*
		 * Linux reports a CPU dead before its SBI hart_stop has run
		 * (RISC-V's die path completes, then stops the hart), so an
		 * online right away can find the hart still started: the
		 * start fails with ALREADY_AVAILABLE, natively too, when the
		 * dying vCPU's thread is slow. Retry for up to 10 s
		 * (LOST_NS).
		 */
		while ((on = write_file(path, "1")) &&
		       retries < LOST_NS / 100000000) {
			retries++;
			usleep(100000);
		}
		if (retries)
			printf("hotplug: CPU %d online after %d retries (its hart was still stopping)\n",
			       c, retries);
		ran = run_on(c);
		check(!on && cpu_online(c) && cpus_online() == n && ran == c,
		      "hotplug: CPU %d online again, a thread ran on it (%s)",
		      c, on ? strerror(-on) : "ok");
	}
}
