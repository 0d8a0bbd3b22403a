// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's disk soak: for SECONDS, threads keep the virtio disk
 * busy at once, so requests complete out of order on several CPUs:
 *
 *  - readers: O_DIRECT 4 KiB reads of random blocks of /dev/vda;
 *  - a writer: a 16 KiB file in /mnt written, fsynced and read back with
 *    O_DIRECT (from the device, not the page cache) and compared;
 *  - a watchdog: a request that has not completed in 10 s is a FAIL (a
 *    lost interrupt looks like this), reported once per request;
 *  - this thread: a progress line every 10 s.
 *
 * A reader or the writer stops at its first error (a FAIL). The soak's
 * state is on the heap and left behind if a request never completes, so a
 * stuck thread can never touch a later soak's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

#define SOAK_DEV "/dev/vda"
#define SOAK_DIR "/mnt"
#define SOAK_FILE SOAK_DIR "/soak.tmp"
#define SOAK_READERS 2
#define SOAK_BLOCK 4096
#define SOAK_FILE_SIZE (16 * 1024)
/* A request this old is stuck: its completion is lost (init.h's LOST_NS). */
#define STUCK_NS LOST_NS
#define PROGRESS_S 10
/* After the time is up, how long the workers get to finish. */
#define DRAIN_NS (2 * LOST_NS)

struct soak;

struct worker {
	struct soak *soak;
	pthread_t thread;
	int id;
	atomic_long started; /* when the pending request began; 0: none */
	/* The pending request: the watchdog reads it once it is stuck. */
	char what[64];
	atomic_int reported; /* the watchdog reported the pending request */
	atomic_long count; /* requests (reads) or rounds (writes) done */
	atomic_int done;
};

struct soak {
	atomic_int stop, stop_watchdog;
	atomic_int fail_count;
	struct worker workers[SOAK_READERS + 1]; /* readers, then the writer */
	int nr_workers;
	pthread_t watchdog;
};

/* A request begins: the watchdog times it from now. */
static void begin(struct worker *w, const char *fmt, long arg)
{
	snprintf(w->what, sizeof(w->what), fmt, arg);
	atomic_store(&w->reported, 0);
	atomic_store(&w->started, now_ns()); /* publishes what[] too */
}

static void fail(struct worker *w, const char *what, long ret)
{
	check(0, "soak: %s: %s", what, ret < 0 ? strerror(errno) : "short");
	atomic_fetch_add(&w->soak->fail_count, 1);
}

/* The request begun last returned @ret: is that @want (0 or a size)? */
static int done_ok(struct worker *w, long ret, long want)
{
	atomic_store(&w->started, 0);
	if (ret == want)
		return 1;
	fail(w, w->what, ret);
	return 0;
}

static void *reader(void *arg)
{
	struct worker *w = arg;
	unsigned long x = (unsigned long)now_ns() * 2654435761u + w->id + 1;
	void *buf = aligned_alloc(PAGE, SOAK_BLOCK);
	int fd = open(SOAK_DEV, O_RDONLY | O_DIRECT);
	long blocks = fd < 0 ? 0 : lseek(fd, 0, SEEK_END) / SOAK_BLOCK;

	if (!buf || blocks <= 0)
		fail(w, "open " SOAK_DEV, -1);
	while (buf && blocks > 0 && !atomic_load(&w->soak->stop)) {
		long block, n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		block = (long)(x % (unsigned long)blocks);
		begin(w, "read of block %ld", block);
		n = pread(fd, buf, SOAK_BLOCK, block * SOAK_BLOCK);
		if (!done_ok(w, n, SOAK_BLOCK))
			break;
		atomic_fetch_add(&w->count, 1);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	atomic_store(&w->done, 1);
	return NULL;
}

/* Round @round of the writer: write, fsync, read back, compare. */
static int write_round(struct worker *w, int fd, long *out, long *in,
		       long round)
{
	const long words = SOAK_FILE_SIZE / sizeof(long);

	for (long i = 0; i < words; i++)
		out[i] = round * words + i;
	begin(w, "write of round %ld", round);
	if (!done_ok(w, pwrite(fd, out, SOAK_FILE_SIZE, 0), SOAK_FILE_SIZE))
		return -1;
	begin(w, "fsync of round %ld", round);
	if (!done_ok(w, fsync(fd), 0))
		return -1;
	begin(w, "read back of round %ld", round);
	if (!done_ok(w, pread(fd, in, SOAK_FILE_SIZE, 0), SOAK_FILE_SIZE))
		return -1;
	if (memcmp(out, in, SOAK_FILE_SIZE)) {
		check(0, "soak: round %ld read back other data than written",
		      round);
		atomic_fetch_add(&w->soak->fail_count, 1);
		return -1;
	}
	return 0;
}

static void *writer(void *arg)
{
	struct worker *w = arg;
	long *out = aligned_alloc(PAGE, SOAK_FILE_SIZE);
	long *in = aligned_alloc(PAGE, SOAK_FILE_SIZE);
	int fd = open(SOAK_FILE, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);

	if (!out || !in || fd < 0)
		fail(w, "open " SOAK_FILE, -1);
	for (long round = 0; out && in && fd >= 0; round++) {
		if (atomic_load(&w->soak->stop) ||
		    write_round(w, fd, out, in, round))
			break;
		atomic_fetch_add(&w->count, 1);
	}
	if (fd >= 0) {
		close(fd);
		unlink(SOAK_FILE);
	}
	free(out);
	free(in);
	atomic_store(&w->done, 1);
	return NULL;
}

static void *watchdog(void *arg)
{
	struct soak *s = arg;

	while (!atomic_load(&s->stop_watchdog)) {
		for (int i = 0; i < s->nr_workers; i++) {
			struct worker *w = &s->workers[i];
			long started = atomic_load(&w->started);

			if (!started || atomic_load(&w->reported) ||
			    now_ns() - started <= STUCK_NS)
				continue;
			atomic_store(&w->reported, 1);
			atomic_fetch_add(&s->fail_count, 1);
			check(0,
			      "soak: disk request stuck for %ld s (%s %d: %s)",
			      (now_ns() - started) / 1000000000L,
			      i < SOAK_READERS ? "reader" : "writer", w->id,
			      w->what);
		}
		usleep(100 * 1000);
	}
	return NULL;
}

/* Reads and write rounds done so far. */
static void totals(struct soak *s, long *reads, long *writes)
{
	*reads = *writes = 0;
	for (int i = 0; i < s->nr_workers; i++)
		*(i < SOAK_READERS ? reads : writes) +=
			atomic_load(&s->workers[i].count);
}

/* Starts the workers; returns 0, or -1 with nothing left running. */
static int start(struct soak *s, int with_writer)
{
	s->nr_workers = SOAK_READERS + !!with_writer;
	for (int i = 0; i < s->nr_workers; i++) {
		struct worker *w = &s->workers[i];

		w->soak = s;
		w->id = i;
		if (pthread_create(&w->thread, NULL,
				   i < SOAK_READERS ? reader : writer, w)) {
			atomic_store(&s->stop, 1);
			for (int j = 0; j < i; j++)
				pthread_join(s->workers[j].thread, NULL);
			return -1;
		}
	}
	if (pthread_create(&s->watchdog, NULL, watchdog, s)) {
		atomic_store(&s->stop, 1);
		for (int i = 0; i < s->nr_workers; i++)
			pthread_join(s->workers[i].thread, NULL);
		return -1;
	}
	return 0;
}

/* Stops the workers; returns how many are still stuck in a request. */
static int drain(struct soak *s)
{
	long deadline = now_ns() + DRAIN_NS;
	int stuck;

	atomic_store(&s->stop, 1);
	do {
		stuck = 0;
		for (int i = 0; i < s->nr_workers; i++)
			stuck += !atomic_load(&s->workers[i].done);
		if (stuck)
			usleep(50 * 1000);
	} while (stuck && now_ns() < deadline);
	atomic_store(&s->stop_watchdog, 1);
	pthread_join(s->watchdog, NULL);
	for (int i = 0; i < s->nr_workers; i++)
		if (atomic_load(&s->workers[i].done))
			pthread_join(s->workers[i].thread, NULL);
		else
			pthread_detach(s->workers[i].thread);
	return stuck;
}

int cmd_soak(int argc, char **argv)
{
	long t0, reads, writes, seconds;
	struct stat dev, root;
	int with_writer, stuck;
	struct soak *s;

	(void)argc;
	if (number_arg(argv[0], "SECONDS", argv[1], 1, 86400, &seconds))
		return 2;
	if (access(SOAK_DEV, R_OK)) {
		check(0, "soak: no %s: %s", SOAK_DEV, strerror(errno));
		return 1;
	}
	/* A disk is mounted on SOAK_DIR: it is not on the root's device. */
	with_writer = !stat(SOAK_DIR, &dev) && !stat("/", &root) &&
		      dev.st_dev != root.st_dev;
	if (!with_writer)
		printf("soak: nothing mounted on %s: reads only\n", SOAK_DIR);
	s = calloc(1, sizeof(*s));
	if (!s || start(s, with_writer)) {
		check(0, "soak: cannot start its threads");
		free(s);
		return 1;
	}
	printf("soak: %ld s, %d readers of %s%s\n", seconds, SOAK_READERS,
	       SOAK_DEV, with_writer ? ", a writer of " SOAK_FILE : "");
	t0 = now_ns();
	for (int next = PROGRESS_S; now_ns() - t0 < seconds * 1000000000L;) {
		usleep(100 * 1000);
		if ((now_ns() - t0) / 1000000000L < next)
			continue;
		totals(s, &reads, &writes);
		printf("soak: %d s: %ld reads, %ld writes\n", next, reads,
		       writes);
		next += PROGRESS_S;
	}
	stuck = drain(s);
	totals(s, &reads, &writes);
	if (stuck)
		check(0, "soak: %d disk requests never completed", stuck);
	if (!stuck && !atomic_load(&s->fail_count))
		printf("soak: %ld reads, %ld writes in %ld s, all completed\n",
		       reads, writes, seconds);
	else
		check(0, "soak: %ld reads, %ld writes in %ld s, %d problems",
		      reads, writes, seconds,
		      atomic_load(&s->fail_count) + stuck);
	if (!stuck)
		free(s); /* else stuck threads still use it */
	return 0;
}
