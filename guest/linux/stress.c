// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's SMP stress: on every online CPU, futex ping-pong with
 * the next CPU (IPIs), reading a page another thread keeps moving (TLB
 * shootdowns through SBI RFENCE), and short sleeps (timers). It checks its
 * own results: every ping answered, no stale read, no late wake-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

static atomic_int stop;
static long started_ns; /* now_ns() when the stress began */

/* Futex ping-pong between a pinger and a ponger on two CPUs. */
struct pingpong {
	atomic_int turn; /* 0: pinger's, 1: ponger's, 2: done */
	int pinger_cpu, ponger_cpu;
	long pings, pongs, slow, lost;
	long worst_ns, worst_at; /* the longest wait, and when it ended */
};

static long futex(atomic_int *addr, int op, int val, long timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000L,
			       timeout_ns % 1000000000L };

	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val,
		       timeout_ns ? &ts : NULL, NULL, 0);
}

/*
 * Wait while *@turn == @while_is, for the thread on CPU @other; counts
 * slow and lost wake-ups. The futex wait times out every second, so a
 * lost futex wake-up costs a second and only a partner that makes no
 * progress for LOST_NS counts as lost; one that has not for 3 s is named
 * at once, while it happens.
 */
static void wait_turn(struct pingpong *pp, int while_is, int self, int other)
{
	long start = now_ns(), took;
	bool told = false;

	while (atomic_load(&pp->turn) == while_is) {
		futex(&pp->turn, FUTEX_WAIT, while_is, SLOW_NS);
		if (!told && now_ns() - start > 3 * SLOW_NS &&
		    !atomic_load(&stop)) {
			told = true;
			printf("stress: CPU %d has waited 3 s for CPU %d, %ld ms in\n",
			       self, other, (now_ns() - started_ns) / 1000000);
			fflush(stdout);
		}
	}
	took = now_ns() - start;
	if (atomic_load(&stop))
		return;
	pp->slow += took > SLOW_NS;
	pp->lost += took >= LOST_NS;
	if (took > pp->worst_ns) {
		pp->worst_ns = took;
		pp->worst_at = now_ns() - started_ns;
	}
}

static void *pinger(void *arg)
{
	struct pingpong *pp = arg;

	pin_self(pp->pinger_cpu);
	while (!atomic_load(&stop)) {
		wait_turn(pp, 1, pp->pinger_cpu, pp->ponger_cpu);
		pp->pings++;
		atomic_store(&pp->turn, 1);
		futex(&pp->turn, FUTEX_WAKE, 1, 0);
	}
	wait_turn(pp, 1, pp->pinger_cpu, pp->ponger_cpu);
	atomic_store(&pp->turn, 2);
	futex(&pp->turn, FUTEX_WAKE, 1, 0);
	return NULL;
}

static void *ponger(void *arg)
{
	struct pingpong *pp = arg;

	pin_self(pp->ponger_cpu);
	for (;;) {
		wait_turn(pp, 0, pp->ponger_cpu, pp->pinger_cpu);
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
	long reads, stale, sleeps, slow_sleeps, lost_sleeps;
	long worst_late, worst_at; /* the latest wake-up, and when */
};

static void *reader(void *arg)
{
	struct reader *r = arg;
	unsigned int seed = (unsigned int)r->cpu * 7919U + 1;

	pin_self(r->cpu);
	while (!atomic_load(&stop)) {
		struct timespec ts;
		long ns, start, late;

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
		late = now_ns() - start - ns;
		r->sleeps++;
		r->slow_sleeps += late > SLOW_NS;
		r->lost_sleeps += late > LOST_NS;
		if (late > r->worst_late) {
			r->worst_late = late;
			r->worst_at = now_ns() - started_ns;
		}
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

void cmd_stress(int seconds)
{
	static struct pingpong pp[MAX_CPUS];
	static struct reader rd[MAX_CPUS];
	static pthread_t threads[3 * MAX_CPUS + 1];
	int cpu[MAX_CPUS], n = 0, nt = 0;
	long pings = 0, slow = 0, lost = 0, reads = 0, stale = 0, sleeps = 0;
	long slow_s = 0, lost_s = 0;
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
	started_ns = now_ns();
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
		slow += pp[i].slow;
		lost += pp[i].lost;
		bad_pairs += pp[i].pings != pp[i].pongs;
		reads += rd[i].reads;
		stale += rd[i].stale;
		sleeps += rd[i].sleeps;
		slow_s += rd[i].slow_sleeps;
		lost_s += rd[i].lost_sleeps;
	}
	/* Where the time went, when it went long: which CPUs, and when. */
	for (int i = 0; i < n; i++) {
		if (pp[i].worst_ns > SLOW_NS)
			printf("stress: CPU %d <-> CPU %d: a wait took %ld ms, "
			       "ending %ld ms in\n",
			       pp[i].pinger_cpu, pp[i].ponger_cpu,
			       pp[i].worst_ns / 1000000,
			       pp[i].worst_at / 1000000);
		if (rd[i].worst_late > SLOW_NS)
			printf("stress: CPU %d: a sleep came back %ld ms late, "
			       "%ld ms in\n",
			       rd[i].cpu, rd[i].worst_late / 1000000,
			       rd[i].worst_at / 1000000);
	}
	printf("stress: %ld futex round trips, %ld remaps, %ld mprotects, "
	       "%ld munmaps, %ld reads, %ld sleeps\n",
	       pings, m.remaps, m.mprotects, m.munmaps, reads, sleeps);
	printf("stress: %ld futex waits and %ld sleeps took over 1 s longer "
	       "than asked\n",
	       slow, slow_s);
	check(pings > n && !bad_pairs && !lost,
	      "stress: futex ping-pong, every ping answered (%d pairs off, "
	      "%ld waits over 10 s)",
	      bad_pairs, lost);
	check(m.remaps > 0 && !m.errors && !stale,
	      "stress: no stale translation after a remap (%ld stale reads, "
	      "%ld errors)",
	      stale, m.errors);
	check(sleeps >= n && !lost_s,
	      "stress: every sleep woke (%ld over 10 s late)", lost_s);
}
