// SPDX-License-Identifier: BSD-2-Clause
/*
 * PID 1 of hartvisor's Linux guest. It sets the machine up the way the
 * checks and the tests expect it: /proc, /sys and /dev mounted, the host
 * name, and when the machine has them the virtio disk on /mnt and the
 * virtio network with a TCP echo server (disk.c, net.c). Then it gives the
 * console to busybox's shell, with job control, and stays behind it: it
 * reaps orphans, starts a new shell when one exits, and answers busybox's
 * halt, poweroff and reboot (SIGUSR1, SIGUSR2, SIGTERM to PID 1) by
 * stopping every process, unmounting the disks and calling reboot(2).
 *
 * With "hvtest[=SECONDS]" on the kernel command line the shell runs
 * "hvtest SECONDS" (cpus, stress, hotplug: main.c) instead of a prompt,
 * and the machine powers off when it ends; "hvtest=0" powers off right
 * after the banner (make bench times boots to it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

#define SHELL "/bin/sh"
#define HOSTNAME "hartvisor"
/* How long processes get to end on SIGTERM before SIGKILL. */
#define GRACE_NS 2000000000L

/* clang-format off */
static char *const shell_env[] = {
	"HOME=/root",
	"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
	"SHELL=" SHELL,
	"TERM=vt102",
	"USER=root",
	"LOGNAME=root",
	NULL,
};
/* clang-format on */

/* The machine's time CSR: ticks since reset, natively and as a guest. */
static unsigned long rdtime(void)
{
	unsigned long t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/*
 * The last "@key" or "@key=VALUE" word of the kernel command line: 1 with
 * VALUE ("" for the bare word) in @value, 0 when there is none.
 */
static int cmdline_word(const char *key, char *value, size_t size)
{
	char cmdline[1024];
	size_t len = strlen(key);
	int found = 0;

	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return 0;
	for (char *w = strtok(cmdline, " \n"); w; w = strtok(NULL, " \n")) {
		if (strncmp(w, key, len) || (w[len] && w[len] != '='))
			continue;
		snprintf(value, size, "%s", w[len] ? w + len + 1 : "");
		found = 1;
	}
	return found;
}

/*
 * "hvtest" (20 s of stress) or "hvtest=SECONDS": seconds; else, or when
 * SECONDS is no number of them, -1 (the prompt).
 */
static int hvtest_seconds(void)
{
	char v[32];
	long s = 20;

	if (!cmdline_word("hvtest", v, sizeof(v)))
		return -1;
	if (*v && number_arg("init", "hvtest=", v, 0, 86400, &s)) {
		printf("init: hvtest=%s ignored: the shell, no checks\n", v);
		return -1;
	}
	return (int)s;
}

/*
 * The shell's terminal: the console the command line names last
 * ("console=ttyS0,115200" is /dev/ttyS0), else /dev/console, which
 * cannot be a controlling terminal (no job control).
 */
static void console_path(char *path, size_t size)
{
	char name[64];

	if (cmdline_word("console", name, sizeof(name)) && *name) {
		name[strcspn(name, ",")] = '\0';
		snprintf(path, size, "/dev/%s", name);
		if (!access(path, R_OK | W_OK))
			return;
		printf("init: console=%s: no %s\n", name, path);
	}
	snprintf(path, size, "/dev/console");
}

/*
 * Starts the shell in a session of its own with @console as its
 * controlling terminal: "-sh", a login shell that reads /etc/profile, or
 * with @hvtest > 0 "sh -c 'hvtest N'". Returns its PID, or -1.
 */
static pid_t start_shell(const char *console, int hvtest)
{
	char command[32];
	sigset_t none;
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		printf("init: fork: %s\n", strerror(errno));
	if (pid)
		return pid;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	fd = open(console, O_RDWR);
	if (fd < 0) {
		printf("init: %s: %s\n", console, strerror(errno));
		_exit(127);
	}
	if (ioctl(fd, TIOCSCTTY, 0))
		printf("init: %s is no controlling terminal (%s): no job control\n",
		       console, strerror(errno));
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	if (chdir("/"))
		_exit(127);
	snprintf(command, sizeof(command), "hvtest %d", hvtest);
	if (hvtest > 0)
		execle(SHELL, "sh", "-c", command, (char *)NULL, shell_env);
	else
		execle(SHELL, "-sh", (char *)NULL, shell_env);
	printf("init: %s: %s\n", SHELL, strerror(errno));
	_exit(127);
}

/* Reaps every child that has ended; 1 when none is left. */
static int reap(pid_t shell, int *shell_status)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == shell)
			*shell_status = status;
	return pid < 0 && errno == ECHILD;
}

/*
 * Ends every process (SIGTERM, and SIGHUP for interactive shells, which
 * ignore SIGTERM; SIGKILL after GRACE_NS), unmounts the disks and powers
 * off, reboots or halts (RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM).
 */
static void __attribute__((noreturn)) shut_down(int how)
{
	long start = now_ns();
	int unused;
	const char *what = how == RB_POWER_OFF ? "powering off" :
			   how == RB_AUTOBOOT  ? "rebooting" :
						 "halting";

	/*
	 * ttyS0 sends from a buffer, and when the shell, the session leader
	 * of ttyS0, ends, Linux hangs the terminal up and drops what the
	 * buffer still holds: let this line out before any process ends.
	 */
	printf("init: %s\n", what);
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	kill(-1, SIGTERM); /* every process but PID 1 */
	kill(-1, SIGHUP);
	kill(-1, SIGCONT);
	while (!reap(0, &unused) && now_ns() - start < GRACE_NS)
		usleep(20000);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	/* And what the processes wrote as they ended. */
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	disk_unmount_all();
	sync();
	reboot(how);
	printf("init: reboot(2) failed: %s\n", strerror(errno));
	for (;;)
		pause();
}

static void describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
}

int init_main(void)
{
	char console[80], how[40];
	int hvtest, status;
	pid_t shell = 0;
	sigset_t set;

	if (getpid() != 1) {
		fprintf(stderr,
			"init: only the kernel starts init; the guest's programs: ");
		list_programs(stderr);
		return 2;
	}
	/* Before any thread: the signals wait for sigwaitinfo() below. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	sethostname(HOSTNAME, strlen(HOSTNAME));
	printf("hartvisor guest init: Linux with %d CPUs online (time CSR %lu)\n",
	       cpus_online(), rdtime());
	hvtest = hvtest_seconds();
	if (hvtest == 0)
		shut_down(RB_POWER_OFF);
	disk_setup();
	net_setup();
	console_path(console, sizeof(console));
	if (hvtest > 0)
		printf("init: sh -c 'hvtest %d' on %s, then power-off\n",
		       hvtest, console);
	else {
		printf("init: busybox sh on %s; the guest's checks: ", console);
		list_programs(stdout);
	}
	fflush(stdout);
	for (long started = 0;;) {
		int sig;

		if (shell <= 0) {
			/* One a second at most when it ends at once (0: none yet). */
			if (started && now_ns() - started < 1000000000L)
				sleep(1);
			started = now_ns();
			shell = start_shell(console, hvtest);
			if (shell < 0)
				continue;
		}
		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGUSR2)
			shut_down(RB_POWER_OFF);
		if (sig == SIGTERM)
			shut_down(RB_AUTOBOOT);
		if (sig == SIGUSR1)
			shut_down(RB_HALT_SYSTEM);
		status = -1;
		reap(shell, &status);
		if (status == -1)
			continue;
		describe(status, how, sizeof(how));
		if (hvtest > 0) {
			printf("init: hvtest %d ended: %s\n", hvtest, how);
			shut_down(RB_POWER_OFF);
		}
		printf("init: the shell ended (%s); a new one on %s\n", how,
		       console);
		shell = 0;
	}
}
