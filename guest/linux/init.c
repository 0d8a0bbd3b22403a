// SPDX-License-Identifier: BSD-2-Clause
/*
 * The init program of hartvisor's Linux guest (static glibc, in the
 * kernel's initramfs). It shows and checks what the hypervisor gives the
 * guest: every CPU online, a thread pinned on each really running there,
 * an SMP stress (futex ping-pong: IPIs; remapping a page other CPUs read:
 * TLB shootdowns through SBI RFENCE; short sleeps: timers) that checks its
 * own results, and CPU hotplug (SBI HSM stop/start). When the machine has
 * them, it mounts the virtio disk on /mnt and brings the virtio network
 * up with a TCP echo server (disk.c, net.c).
 *
 * With "hvtest[=SECONDS]" on the kernel command line it runs everything
 * once and powers off ("hvtest=0": right after the banner, for make
 * bench); otherwise it offers a prompt (prompt.c). Started with "--exit"
 * it returns at once: forkexec's child (bench.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

int failures;

void check(int ok, const char *fmt, ...)
{
	va_list ap;

	/* One whole line, and one count, even when threads check at once. */
	flockfile(stdout);
	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
	/*
	 * Out on the wire before we go on: ttyS0 sends from a buffer, and a
	 * kernel message (CPU hotplug prints some) would land mid-line.
	 */
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	funlockfile(stdout);
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

int read_file(const char *path, char *buf, size_t size)
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

int write_file(const char *path, const char *text)
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

/* Prints a whole file (any size) or why it cannot. */
void cmd_cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		printf("cat: %s: %s\n", path, strerror(errno));
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n < 0)
		printf("cat: %s: %s\n", path, strerror(errno));
	close(fd);
}

/* Powers off or reboots (RB_POWER_OFF, RB_AUTOBOOT), disks unmounted. */
void power(int how)
{
	printf("init: %s\n",
	       how == RB_POWER_OFF ? "powering off" : "rebooting");
	fflush(stdout);
	/* ttyS0 sends from a buffer: let it drain before the machine stops. */
	tcdrain(STDOUT_FILENO);
	disk_unmount_all();
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

int main(int argc, char **argv)
{
	int seconds;

	/* Started by forkexec (bench.c): the exec alone is measured. */
	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	printf("hartvisor guest init: Linux with %d CPUs online (time CSR %lu)\n",
	       cpus_online(), rdtime());
	seconds = test_mode();
	if (seconds == 0) /* hvtest=0: boot, report, power off (make bench) */
		power(RB_POWER_OFF);
	disk_setup();
	net_setup();
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
