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
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS 64
#define PAGE 4096
/* A futex wait or a sleep this much longer than asked is a lost event. */
#define LATE_NS 1000000000L

static int failures;

static void check(int ok, const char *fmt, ...)
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
static long now_ns(void)
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
static int cpus_possible(void)
{
	return (int)sysconf(_SC_NPROCESSORS_CONF);
}

static int cpu_online(int cpu)
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

static int pin_self(int cpu)
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

/* ------------------------------------------------------------ stress */

static atomic_int stop;

/* Futex ping-pong between a pinger and a ponger on two CPUs. */
struct pingpong {
	atomic_int turn; /* 0: pinger's, 1: ponger's, 2: done */
	int pinger_cpu, ponger_cpu;
	long pings, pongs, late;
};

static long futex(atomic_int *addr, int op, int val, long timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000L,
			       timeout_ns % 1000000000L };

	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val,
		       timeout_ns ? &ts : NULL, NULL, 0);
}

/* Wait while *@turn == @while_is; counts waits that took too long. */
static void wait_turn(struct pingpong *pp, int while_is)
{
	long start = now_ns();

	while (atomic_load(&pp->turn) == while_is)
		futex(&pp->turn, FUTEX_WAIT, while_is, LATE_NS);
	if (now_ns() - start > LATE_NS && !atomic_load(&stop))
		pp->late++;
}

static void *pinger(void *arg)
{
	struct pingpong *pp = arg;

	pin_self(pp->pinger_cpu);
	while (!atomic_load(&stop)) {
		wait_turn(pp, 1);
		pp->pings++;
		atomic_store(&pp->turn, 1);
		futex(&pp->turn, FUTEX_WAKE, 1, 0);
	}
	wait_turn(pp, 1);
	atomic_store(&pp->turn, 2);
	futex(&pp->turn, FUTEX_WAKE, 1, 0);
	return NULL;
}

static void *ponger(void *arg)
{
	struct pingpong *pp = arg;

	pin_self(pp->ponger_cpu);
	for (;;) {
		wait_turn(pp, 0);
		if (atomic_load(&pp->turn) == 2)
			return NULL;
		pp->pongs++;
		atomic_store(&pp->turn, 0);
		futex(&pp->turn, FUTEX_WAKE, 1, 0);
	}
}

/*
 * TLB shootdowns: the mapper fills a fresh page with generation g and
 * moves it over the page at @area (mremap MREMAP_FIXED, which unmaps the
 * old one and fences every CPU of the process), then publishes g. A reader
 * that sees g published and reads less from @area used a stale
 * translation: the remote fence did not reach its CPU.
 */
static volatile long *area;
static atomic_long generation;

struct reader {
	int cpu;
	long reads, stale, sleeps, late_sleeps;
};

static void *reader(void *arg)
{
	struct reader *r = arg;
	unsigned int seed = (unsigned int)r->cpu * 7919U + 1;

	pin_self(r->cpu);
	while (!atomic_load(&stop)) {
		struct timespec ts;
		long ns, start;

		for (int i = 0; i < 2000; i++) {
			long g = atomic_load_explicit(&generation,
						      memory_order_acquire);

			r->stale += *area < g;
			r->reads++;
		}
		/* A short sleep: a timer interrupt on this CPU. */
		ns = 100000 + rand_r(&seed) % 900000;
		ts = (struct timespec){ 0, ns };
		start = now_ns();
		nanosleep(&ts, NULL);
		r->sleeps++;
		r->late_sleeps += now_ns() - start > ns + LATE_NS;
	}
	return NULL;
}

struct mapper {
	long remaps, mprotects, munmaps, errors;
};

static void *mapper(void *arg)
{
	struct mapper *m = arg;

	pin_self(0);
	while (!atomic_load(&stop)) {
		long g = atomic_load(&generation) + 1;
		long *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			m->errors++;
			break;
		}
		*p = g;
		if (mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)area) == MAP_FAILED) {
			m->errors++;
			break;
		}
		atomic_store_explicit(&generation, g, memory_order_release);
		m->remaps++;
		/* The rest: written, made read-only and back, unmapped. */
		memset(p + PAGE / sizeof(long), 0x5a, 3 * PAGE);
		if (mprotect(p + PAGE / sizeof(long), 3 * PAGE, PROT_READ) ||
		    mprotect(p + PAGE / sizeof(long), 3 * PAGE,
			     PROT_READ | PROT_WRITE))
			m->errors++;
		m->mprotects += 2;
		if (munmap(p + PAGE / sizeof(long), 3 * PAGE))
			m->errors++;
		m->munmaps++;
	}
	return NULL;
}

static void cmd_stress(int seconds)
{
	static struct pingpong pp[MAX_CPUS];
	static struct reader rd[MAX_CPUS];
	static pthread_t threads[3 * MAX_CPUS + 1];
	int cpu[MAX_CPUS], n = 0, nt = 0;
	long pings = 0, late = 0, reads = 0, stale = 0, sleeps = 0, late_s = 0;
	struct mapper m = { 0 };
	int bad_pairs = 0;

	for (int c = 0; c < cpus_possible() && c < MAX_CPUS; c++)
		if (cpu_online(c))
			cpu[n++] = c;
	area = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		check(0, "stress: mmap: %s", strerror(errno));
		return;
	}
	atomic_store(&generation, 0);
	*area = 0;
	atomic_store(&stop, 0);
	printf("stress: %d s on %d CPUs: futex ping-pong, page remaps read "
	       "by every CPU, short sleeps\n",
	       seconds, n);
	for (int i = 0; i < n; i++) {
		pp[i] = (struct pingpong){ .pinger_cpu = cpu[i],
					   .ponger_cpu = cpu[(i + 1) % n] };
		rd[i] = (struct reader){ .cpu = cpu[i] };
		pthread_create(&threads[nt++], NULL, pinger, &pp[i]);
		pthread_create(&threads[nt++], NULL, ponger, &pp[i]);
		pthread_create(&threads[nt++], NULL, reader, &rd[i]);
	}
	pthread_create(&threads[nt++], NULL, mapper, &m);
	sleep((unsigned int)seconds);
	atomic_store(&stop, 1);
	for (int i = 0; i < nt; i++)
		pthread_join(threads[i], NULL);
	munmap((void *)area, PAGE);

	for (int i = 0; i < n; i++) {
		pings += pp[i].pings;
		late += pp[i].late;
		bad_pairs += pp[i].pings != pp[i].pongs;
		reads += rd[i].reads;
		stale += rd[i].stale;
		sleeps += rd[i].sleeps;
		late_s += rd[i].late_sleeps;
	}
	printf("stress: %ld futex round trips, %ld remaps, %ld mprotects, "
	       "%ld munmaps, %ld reads, %ld sleeps\n",
	       pings, m.remaps, m.mprotects, m.munmaps, reads, sleeps);
	check(pings > n && !bad_pairs && !late,
	      "stress: futex ping-pong, every ping answered (%d pairs off, "
	      "%ld waits over 1 s)",
	      bad_pairs, late);
	check(m.remaps > 0 && !m.errors && !stale,
	      "stress: no stale translation after a remap (%ld stale reads, "
	      "%ld errors)",
	      stale, m.errors);
	check(sleeps >= n && !late_s,
	      "stress: every sleep woke in time (%ld over 1 s late)", late_s);
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
	printf("init: %s\n", how == RB_POWER_OFF ? "powering off" :
						   "rebooting");
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
	       failures ? "some checks FAILED" : "all checks passed",
	       failures);
	power(RB_POWER_OFF);
	return 1;
}
