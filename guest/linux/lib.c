// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the guest's programs share: one PASS/FAIL line per check, the
 * clock by system call, small files, numbers on the command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	/* A kernel message (CPU hotplug prints some) would land mid-line. */
	drain_stdout();
	funlockfile(stdout);
}

void drain_stdout(void)
{
	fflush(stdout);
	/* A background job ("stress 5 &") would be stopped (SIGTTOU). */
	if (tcgetpgrp(STDOUT_FILENO) == getpgrp())
		tcdrain(STDOUT_FILENO);
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

int number_arg(const char *prog, const char *what, const char *s, long min,
	       long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max) {
		fprintf(stderr, "%s: %s '%s': a number from %ld to %ld\n", prog,
			what, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}
