// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's CPU benchmarks for make bench, each timed in the
 * guest and printed as one line:
 * - memwalk: fresh anonymous memory, populated page by page, then read one
 *   byte per 4 KiB page in passes, so every read misses the TLB and walks
 *   the page tables (under a hypervisor, both stages); and the cost of
 *   mapping, touching and unmapping the memory again;
 * - forkexec: fork, exec of this program (which exits at once when started
 *   with "--exit", see main) and wait, in a loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

/* Map/touch/unmap rounds of memwalk: the walk runs in the first. */
#define MEMWALK_ROUNDS 2

/* Writes one byte to every page of @p: each write faults in a fresh page. */
static void touch_pages(volatile char *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		p[i * PAGE] = (char)i;
}

/* Reads one byte per page, @passes times; returns their sum. */
static unsigned long walk_pages(const volatile char *p, size_t pages,
				int passes)
{
	unsigned long sum = 0;

	for (int n = 0; n < passes; n++)
		for (size_t i = 0; i < pages; i++)
			sum += (unsigned char)p[i * PAGE];
	return sum;
}

/*
 * memwalk [MIB] [PASSES]: MIB MiB (256) mapped fresh and touched, PASSES
 * (8) read passes over it, unmapped; then mapped, touched and unmapped
 * once more. Prints the passes' time and the mean time of one
 * map+touch+unmap round.
 */
int cmd_memwalk(int argc, char **argv)
{
	long mib = 256, passes = 8, map_ns = 0, walk_ns = 0, t;
	unsigned long sum = 0;
	size_t size, pages;

	if ((argc > 1 &&
	     number_arg(argv[0], "MIB", argv[1], 1, 1L << 20, &mib)) ||
	    (argc > 2 &&
	     number_arg(argv[0], "PASSES", argv[2], 1, 1000000, &passes)))
		return 2;
	size = (size_t)mib * MiB;
	pages = size / PAGE;
	for (int round = 0; round < MEMWALK_ROUNDS; round++) {
		char *p;

		t = now_ns();
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "memwalk: mmap of %ld MiB: %s\n", mib,
				strerror(errno));
			return 1;
		}
		/* 4 KiB pages only (fails harmlessly without THP). */
		madvise(p, size, MADV_NOHUGEPAGE);
		touch_pages(p, pages);
		map_ns += now_ns() - t;
		if (!round) {
			t = now_ns();
			sum = walk_pages(p, pages, (int)passes);
			walk_ns = now_ns() - t;
		}
		t = now_ns();
		munmap(p, size);
		map_ns += now_ns() - t;
	}
	map_ns /= MEMWALK_ROUNDS;
	printf("memwalk: %ld MiB, %ld passes: walk %ld ms (%ld ns/page), "
	       "map+touch+unmap %ld ms (%ld ns/page, mean of %d rounds)\n",
	       mib, passes, walk_ns / 1000000,
	       walk_ns / (long)(pages * (size_t)passes), map_ns / 1000000,
	       map_ns / (long)pages, MEMWALK_ROUNDS);
	/* The passes read back what touch_pages() wrote. */
	for (size_t i = 0; i < pages; i++)
		sum -= (unsigned long)passes * (unsigned char)i;
	check(!sum, "memwalk: the passes read back what was written");
	return 0;
}

/*
 * forkexec [N]: N (200) times fork, exec /proc/self/exe --exit (this
 * program, which returns at once) and wait for it. Prints the total and
 * the mean time of one round.
 */
int cmd_forkexec(int argc, char **argv)
{
	long n = 200, start, ns;
	int failed = 0;

	if (argc > 1 && number_arg(argv[0], "N", argv[1], 1, 1000000, &n))
		return 2;
	start = now_ns();
	for (int i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "forkexec: fork: %s\n",
				strerror(errno));
			return 1;
		}
		if (!pid) {
			execl("/proc/self/exe", "init", "--exit", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed++;
	}
	ns = now_ns() - start;
	printf("forkexec: %ld in %ld ms (%.2f ms each)\n", n, ns / 1000000,
	       ns / 1e6 / (double)n);
	check(!failed,
	      "forkexec: every child exited with 0 (%d of %ld did not)", failed,
	      n);
	return 0;
}
