// SPDX-License-Identifier: BSD-2-Clause
/*
 * The init program of hartvisor's Linux guest (static glibc, in the
 * kernel's initramfs). It shows and checks what the hypervisor gives the
 * guest: every CPU online, a thread pinned on each really running there,
 * an SMP stress (futex ping-pong: IPIs; remapping a page other CPUs read:
 * TLB shootdowns through SBI RFENCE; short sleeps: timers) that checks its
 * own results, and CPU hotplug (SBI HSM stop/start).
 *
 * With "hvtest[=SECONDS]" on the kernel command line it runs everything
 * once and powers off ("hvtest=0": right after the banner, for make
 * bench); otherwise it offers a prompt.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

int failures;

void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
}

/*
 * The clock by system call: this tinyconfig kernel's vDSO clock_gettime
 * faults at address 4 (seen natively too), and a syscall is an honest
 * load on the hypervisor anyway.
 */
long now_ns(void)
{
	struct timespec t;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* The machine's time CSR: ticks since reset, natively and as a guest. */
static unsigned long rdtime(void)
{
	unsigned long t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

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

static int cpus_online(void)
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

static void cmd_cpus(void)
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

static void cmd_hotplug(void)
{
	int n = cpus_online();

	if (cpus_possible() < 2) {
		printf("hotplug: no secondary CPU\n");
		return;
	}
	for (int c = 1; c < cpus_possible() && c < MAX_CPUS; c++) {
		char path[64];
		int off, on, ran;

		if (!cpu_online(c))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", c);
		off = write_file(path, "0");
		check(!off && !cpu_online(c) && cpus_online() == n - 1,
		      "hotplug: CPU %d offline (%s)", c,
		      off ? strerror(-off) : "ok");
		on = write_file(path, "1");
		ran = run_on(c);
		check(!on && cpu_online(c) && cpus_online() == n && ran == c,
		      "hotplug: CPU %d online again, a thread ran on it (%s)",
		      c, on ? strerror(-on) : "ok");
	}
}

/* ------------------------------------------------------------ main */

static void cmd_cat(const char *path)
{
	char buf[4096];

	if (read_file(path, buf, sizeof(buf)) < 0)
		printf("cat: %s: %s\n", path, strerror(errno));
	else
		fputs(buf, stdout);
}

static void power(int how)
{
	printf("init: %s\n",
	       how == RB_POWER_OFF ? "powering off" : "rebooting");
	fflush(stdout);
	sync();
	reboot(how);
	printf("init: reboot(2) failed: %s\n", strerror(errno));
}

/* "hvtest" or "hvtest=SECONDS" on the kernel command line: seconds, or -1. */
static int test_mode(void)
{
	char cmdline[1024];
	const char *w;

	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return -1;
	for (w = strtok(cmdline, " \n"); w; w = strtok(NULL, " \n")) {
		if (!strcmp(w, "hvtest"))
			return 20;
		if (!strncmp(w, "hvtest=", 7))
			return atoi(w + 7);
	}
	return -1;
}

static void prompt(void)
{
	char line[256];

	printf("commands: cpus, stress SECONDS, hotplug, cat FILE, poweroff, "
	       "reboot\n");
	for (;;) {
		char *cmd, *arg;

		printf("hartvisor# ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin)) {
			sleep(1);
			continue;
		}
		cmd = strtok(line, " \t\n");
		arg = strtok(NULL, " \t\n");
		if (!cmd)
			continue;
		failures = 0;
		if (!strcmp(cmd, "cpus"))
			cmd_cpus();
		else if (!strcmp(cmd, "stress"))
			cmd_stress(arg ? atoi(arg) : 10);
		else if (!strcmp(cmd, "hotplug"))
			cmd_hotplug();
		else if (!strcmp(cmd, "cat") && arg)
			cmd_cat(arg);
		else if (!strcmp(cmd, "poweroff"))
			power(RB_POWER_OFF);
		else if (!strcmp(cmd, "reboot"))
			power(RB_AUTOBOOT);
		else
			printf("unknown command '%s'\n", cmd);
	}
}

int main(void)
{
	int seconds;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	printf("hartvisor guest init: Linux with %d CPUs online (time CSR %lu)\n",
	       cpus_online(), rdtime());
	seconds = test_mode();
	if (seconds == 0) /* hvtest=0: boot, report, power off (make bench) */
		power(RB_POWER_OFF);
	if (seconds < 0)
		prompt();

	cmd_cpus();
	cmd_stress(seconds);
	cmd_hotplug();
	printf("init: %s (%d failed)\n",
	       failures ? "some checks FAILED" : "all checks passed", failures);
	power(RB_POWER_OFF);
	return 1;
}
