// SPDX-License-Identifier: BSD-2-Clause
/*
 * perfcheck: the PMU through perf_event_open, as perf uses it. Linux runs
 * the counters through the SBI PMU extension (drivers/perf/riscv_pmu_sbi),
 * so every check here is also a check of the firmware's PMU, natively, or
 * of hartvisor's (hv/vsbi_pmu.c) under it:
 *
 * - cycles and instructions count a loop of this task, and a loop four
 *   times as long counts at least twice as much;
 * - where the hart has Sscofpmf (Linux then filters by mode and samples),
 *   a count of user mode only sees the user loop and a count of kernel
 *   mode only sees the system calls, and a sampled run gets samples whose
 *   IPs lie in the loop; without it, sampling is refused (EOPNOTSUPP), as
 *   on such a hart natively;
 * - the firmware event ILLEGAL_INSN counts the illegal instructions this
 *   task executes (each one a trap to the firmware).
 *
 * Under QEMU without -icount the cycle and instruction counters both
 * count host ticks while the hart is in a mode they count, so their
 * values say how long, not how many: the checks compare counts with each
 * other, never with an instruction count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "init.h"

/* Iterations of the loop the mode and sampling checks run. */
#define SPIN_SHORT 2000000UL
/*
 * The counting check's short loop, and its long one LONG_FACTOR times as
 * many, RUNS times. Without -icount the counters are host ticks, so
 * they also count the time QEMU's thread waits for a host CPU: on a busy
 * host a 1 ms loop came out 3 ms longer, natively too. A loop of some
 * 20 ms spans many such waits, which then grow with it.
 */
#define COUNT_SHORT 32000000UL
#define LONG_FACTOR 4
#define RUNS 5
/* Illegal instructions the firmware event check executes. */
#define TRAPS 16
/* The firmware event codes of the SBI spec (PMU, event type 15). */
#define FW_ILLEGAL_INSN 4
/* A firmware event in perf's raw config: bits 63:62 = 2 (riscv_pmu_sbi). */
#define RAW_FIRMWARE(code) ((2ULL << 62) | (code))
#define RING_PAGES 8
#define SAMPLE_PERIOD 1000000ULL
/* Samples to wait for, at most for SAMPLE_NS; a record with an IP. */
#define SAMPLES 16
#define SAMPLE_NS (10 * 1000000000L)
#define SAMPLE_SIZE (sizeof(struct perf_event_header) + sizeof(uint64_t))

/* The loop the counters watch: 2 instructions per iteration, no memory. */
void perf_spin(unsigned long n);
extern const char perf_spin_end[];
__asm__(".text\n"
	".globl perf_spin\n"
	".type perf_spin, @function\n"
	"perf_spin:\n"
	"1:	addi a0, a0, -1\n"
	"	bnez a0, 1b\n"
	"	ret\n"
	".globl perf_spin_end\n"
	"perf_spin_end:\n");

/* Does the hart have Sscofpmf? Linux samples and filters only then. */
static int has_sscofpmf(void)
{
	static char info[32768];

	if (read_file("/proc/cpuinfo", info, sizeof(info)) < 0)
		return 0;
	return strstr(info, "sscofpmf") != NULL;
}

static int perf_open(struct perf_event_attr *attr, int group)
{
	attr->size = sizeof(*attr);
	return (int)syscall(SYS_perf_event_open, attr, 0, -1, group, 0);
}

/*
 * Flags as perf's own tool sets them: no guest events wanted (on a host
 * that runs no guests), which a hart without Sscofpmf cannot filter.
 */
static void attr_init(struct perf_event_attr *a, __u32 type, __u64 config,
		      int filtering)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->config = config;
	a->disabled = 1;
	a->exclude_guest = filtering ? 1 : 0;
	a->read_format = PERF_FORMAT_GROUP;
}

/* The values of the group led by @fd, @n of them; 0 or -1. */
static int group_read(int fd, uint64_t *v, int n)
{
	uint64_t buf[1 + 8];

	if (read(fd, buf, sizeof(buf)) < 0 || buf[0] != (uint64_t)n)
		return -1;
	memcpy(v, buf + 1, n * sizeof(*v));
	return 0;
}

/* Run @work once with the group of @fd counting; its values into @v. */
static int group_count(int fd, uint64_t *v, int n, void (*work)(unsigned long),
		       unsigned long arg)
{
	ioctl(fd, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	work(arg);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	return group_read(fd, v, n);
}

static void syscalls(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/*
 * cycles and instructions of the loop, short then long, RUNS times: the
 * least counts, and for each counter the best long/short ratio of a run.
 * On a busy host the counts (host time) of runs far apart can be
 * disturbed unevenly; a run's two loops, back to back, share their host's
 * load, so one run that counts the long loop at least twice as much as
 * the short shows that the counter follows the work.
 */
static void check_counting(int filtering)
{
	struct perf_event_attr a;
	uint64_t v[2][2], least[2] = { ~0ULL, ~0ULL };
	double best[2] = { 0, 0 };
	int fd, fd2;

	attr_init(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, filtering);
	fd = perf_open(&a, -1);
	attr_init(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
		  filtering);
	fd2 = fd < 0 ? -1 : perf_open(&a, fd);
	if (fd < 0 || fd2 < 0) {
		check(0, "perfcheck: cycles and instructions open (%s)",
		      strerror(errno));
		return;
	}
	for (int r = 0; r < RUNS; r++) {
		for (int l = 0; l < 2; l++) {
			unsigned long n = COUNT_SHORT * (l ? LONG_FACTOR : 1);

			if (group_count(fd, v[l], 2, perf_spin, n)) {
				check(0, "perfcheck: read the cycles group");
				goto out;
			}
		}
		for (int i = 0; i < 2; i++) {
			double ratio = (double)v[1][i] / (v[0][i] + !v[0][i]);

			if (v[0][i] < least[i])
				least[i] = v[0][i];
			if (ratio > best[i])
				best[i] = ratio;
		}
	}
	printf("perfcheck: %lu iterations: cycles %llu, instructions %llu (least of %d runs); %lu: best ratio cycles x%.1f, instructions x%.1f\n",
	       COUNT_SHORT, (unsigned long long)least[0],
	       (unsigned long long)least[1], RUNS, COUNT_SHORT * LONG_FACTOR,
	       best[0], best[1]);
	check(least[0] > 0 && least[1] > 0,
	      "perfcheck: cycles and instructions count the loop (%llu, %llu)",
	      (unsigned long long)least[0], (unsigned long long)least[1]);
	check(best[0] >= 2 && best[1] >= 2,
	      "perfcheck: a loop %d times as long counts at least twice as much (cycles x%.1f, instructions x%.1f)",
	      LONG_FACTOR, best[0], best[1]);
out:
	close(fd2);
	close(fd);
}

/*
 * instructions of @work(@arg), only in user mode or only in the kernel:
 * the least of RUNS runs. Without -icount a count is host time, and
 * time the host takes QEMU's thread away lands in whatever mode the hart
 * was in; that noise only ever adds, so the least count is the truest.
 */
static int count_mode(int user, void (*work)(unsigned long), unsigned long arg,
		      uint64_t *v)
{
	struct perf_event_attr a;
	int fd, ret = 0;

	attr_init(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 1);
	a.exclude_kernel = user;
	a.exclude_user = !user;
	a.exclude_hv = 1;
	fd = perf_open(&a, -1);
	if (fd < 0)
		return -1;
	*v = UINT64_MAX;
	for (int i = 0; i < RUNS && !ret; i++) {
		uint64_t n;

		ret = group_count(fd, &n, 1, work, arg);
		if (!ret && n < *v)
			*v = n;
	}
	close(fd);
	return ret;
}

/*
 * instructions in user mode only and in kernel mode only, over the user
 * loop and over a loop of system calls: one event at a time (QEMU counts
 * an event on one counter only).
 */
static void check_modes(void)
{
	uint64_t spin[2], sys[2];

	if (count_mode(1, perf_spin, SPIN_SHORT * LONG_FACTOR, &spin[0]) ||
	    count_mode(0, perf_spin, SPIN_SHORT * LONG_FACTOR, &spin[1]) ||
	    count_mode(1, syscalls, 20000, &sys[0]) ||
	    count_mode(0, syscalls, 20000, &sys[1])) {
		check(0, "perfcheck: user-only and kernel-only counts (%s)",
		      strerror(errno));
		return;
	}
	printf("perfcheck: instructions user/kernel (least of %d runs): loop %llu/%llu, system calls %llu/%llu\n",
	       RUNS, (unsigned long long)spin[0], (unsigned long long)spin[1],
	       (unsigned long long)sys[0], (unsigned long long)sys[1]);
	check(spin[0] > spin[1],
	      "perfcheck: the user loop counts in user mode (%llu user, %llu kernel)",
	      (unsigned long long)spin[0], (unsigned long long)spin[1]);
	check(sys[1] > sys[0],
	      "perfcheck: system calls count in kernel mode (%llu user, %llu kernel)",
	      (unsigned long long)sys[0], (unsigned long long)sys[1]);
}

/* Sampled cycles of the loop, user mode only: samples, IPs in the loop. */
static void check_sampling(int filtering)
{
	struct perf_event_attr a;
	struct perf_event_mmap_page *meta;
	size_t size = (1 + RING_PAGES) * PAGE;
	unsigned long samples = 0, in_loop = 0, lost = 0;
	const char *ring;
	uint64_t head, pos;
	long end;
	int fd;

	attr_init(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, filtering);
	a.read_format = 0;
	a.sample_period = SAMPLE_PERIOD;
	a.sample_type = PERF_SAMPLE_IP;
	a.exclude_kernel = filtering;
	a.exclude_hv = filtering;
	fd = perf_open(&a, -1);
	if (!filtering) {
		check(fd < 0 && errno == EOPNOTSUPP,
		      "perfcheck: without Sscofpmf, sampling is refused as natively (%s)",
		      fd < 0 ? strerror(errno) : "it opened");
		if (fd >= 0)
			close(fd);
		return;
	}
	if (fd < 0) {
		check(0, "perfcheck: sampled cycles open (%s)",
		      strerror(errno));
		return;
	}
	meta = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (meta == MAP_FAILED) {
		check(0, "perfcheck: map the sample ring (%s)",
		      strerror(errno));
		close(fd);
		return;
	}
	ring = (const char *)meta + PAGE;
	/*
	 * QEMU raises the overflow from a timer of its own, late and
	 * unevenly: spin until SAMPLES samples came, or SAMPLE_NS passed.
	 */
	end = now_ns() + SAMPLE_NS;
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	do
		perf_spin(SPIN_SHORT);
	while (__atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE) <
		       SAMPLES * SAMPLE_SIZE &&
	       now_ns() < end);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	/* Records wrap around the ring: read each one's header, then on. */
	for (pos = head > RING_PAGES * PAGE ? head - RING_PAGES * PAGE : 0;
	     pos < head;) {
		struct perf_event_header h;
		uint64_t ip;

		memcpy(&h, ring + pos % (RING_PAGES * PAGE), sizeof(h));
		if (h.size < sizeof(h))
			break;
		if (h.type == PERF_RECORD_SAMPLE &&
		    (pos + sizeof(h)) % (RING_PAGES * PAGE) + sizeof(ip) <=
			    RING_PAGES * PAGE) {
			memcpy(&ip,
			       ring + (pos + sizeof(h)) % (RING_PAGES * PAGE),
			       sizeof(ip));
			samples++;
			in_loop += ip >= (uintptr_t)perf_spin &&
				   ip < (uintptr_t)perf_spin_end;
		} else if (h.type == PERF_RECORD_LOST) {
			lost++;
		}
		pos += h.size;
	}
	printf("perfcheck: sampled cycles every %llu: %lu samples, %lu in the loop, %lu lost records\n",
	       SAMPLE_PERIOD, samples, in_loop, lost);
	/*
	 * Most, not all: the overflow comes late, and on a busy host more of
	 * the samples land in the loop's own bookkeeping between spins (14 of
	 * 17 in the loop once natively, beside other QEMUs). Garbage IPs, or
	 * samples of the kernel, would put next to none there.
	 */
	check(samples > 0 && in_loop * 4 >= samples * 3,
	      "perfcheck: sampled cycles give samples, at least 75%% in the loop (%lu of %lu)",
	      in_loop, samples);
	munmap(meta, size);
	close(fd);
}

static volatile sig_atomic_t trapped;

/* An illegal instruction: on to the next one. */
static void on_trap(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;

	(void)sig, (void)si;
	trapped++;
	uc->uc_mcontext.__gregs[REG_PC] += 4;
}

static void illegal_insns(unsigned long n)
{
	/* unimp (csrrw zero, cycle, zero): 4 bytes, illegal everywhere. */
	for (unsigned long i = 0; i < n; i++)
		__asm__ volatile(".word 0xc0001073" ::: "memory");
}

/*
 * The firmware event ILLEGAL_INSN counts the illegal instructions this
 * task executes: each one traps to the firmware, which counts it and
 * passes it on to the kernel (natively as under hartvisor, whose own
 * firmware counters read the firmware's count of it).
 */
static void check_firmware(void)
{
	struct sigaction sa = { .sa_sigaction = on_trap,
				.sa_flags = SA_SIGINFO };
	struct perf_event_attr a;
	uint64_t v;
	int fd;

	attr_init(&a, PERF_TYPE_RAW, RAW_FIRMWARE(FW_ILLEGAL_INSN), 0);
	fd = perf_open(&a, -1);
	if (fd < 0) {
		check(0, "perfcheck: firmware event ILLEGAL_INSN open (%s)",
		      strerror(errno));
		return;
	}
	sigaction(SIGILL, &sa, NULL);
	trapped = 0;
	if (group_count(fd, &v, 1, illegal_insns, TRAPS)) {
		check(0, "perfcheck: read firmware event ILLEGAL_INSN");
	} else {
		check(trapped == TRAPS && v >= TRAPS && v <= 2 * TRAPS,
		      "perfcheck: firmware event ILLEGAL_INSN counts %d illegal instructions (%llu; %d signals)",
		      TRAPS, (unsigned long long)v, (int)trapped);
	}
	signal(SIGILL, SIG_DFL);
	close(fd);
}

int cmd_perfcheck(int argc, char **argv)
{
	int filtering = has_sscofpmf();
	char fmt[64];

	(void)argc, (void)argv;
	check(read_file("/sys/bus/event_source/devices/cpu/format/firmware",
			fmt, sizeof(fmt)) > 0,
	      "perfcheck: the SBI PMU driver runs the counters (cpu/format/firmware)");
	printf("perfcheck: the hart %s Sscofpmf\n",
	       filtering ? "has" : "has no");
	check_counting(filtering);
	if (filtering)
		check_modes();
	check_sampling(filtering);
	check_firmware();
	return 0;
}
