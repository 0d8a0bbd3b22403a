// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmchan: a channel between VMs (hartvisor's channel_abi.h) from Linux
 * user space, with no driver of ours. Where the kernel has the generic
 * UIO driver (uio_pdrv_genirq.of_id=hartvisor,channel on its command
 * line) the channel is /dev/uioN: its memory and doorbell mapped, its
 * doorbell interrupt read from the device. Elsewhere (Debian's kernels
 * build no uio_pdrv_genirq) it maps both through /dev/mem, found in the
 * device tree, and polls. It speaks channel_lane.h's protocol with the
 * other peer: the bare-metal chan guest, or vmchan in another VM.
 *
 *   vmchan [-c NAME] info          the channel, its peers and their states
 *   vmchan [-c NAME] ping [N]      N round trips (1000), each answered
 *   vmchan [-c NAME] pong [N]      answer N messages (0: until the other
 *                                  peer stops or starts another session)
 *   vmchan [-c NAME] send FILE     send FILE to the other peer
 *   vmchan [-c NAME] recv FILE     receive one into FILE
 *   vmchan pipeping [N]            the ping over a pipe between two
 *                                  processes, for comparison
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "vmchan.h"

#define MAX_SAMPLES 100000

static struct vmchan ch = { .uio = -1 };

static void ring(void)
{
	uint32_t other = ch.v.other;

	/* The message before the doorbell, memory before I/O. */
	__asm__ volatile("fence w, o" ::: "memory");
	if (ch.trusted) {
		uint32_t r = __atomic_load_n(&ch.v.h->peer[other].ring,
					     __ATOMIC_ACQUIRE);
		size_t page = ch.v.h->peer[other].ring_page + CHAN_RING_VCPU(r);

		if (CHAN_RING_EIID(r) && (page + 1) * CHAN_PAGE <= ch.bell_size)
			*(volatile uint32_t *)(ch.bell + page * CHAN_PAGE) =
				CHAN_RING_EIID(r);
	} else {
		*(volatile uint32_t *)ch.bell = other;
	}
}

/*
 * Until @done(arg) holds: with UIO, enable the interrupt, look, and sleep
 * in poll() for the next one; without, look again and again. False after
 * LOST_NS with nothing.
 */
static bool wait_for(bool (*done)(void *), void *arg, bool spin)
{
	long end = now_ns() + LOST_NS;
	int32_t one = 1;

	for (;;) {
		struct pollfd p = { .fd = ch.uio, .events = POLLIN };
		uint32_t count;

		if (ch.uio >= 0 && !spin &&
		    write(ch.uio, &one, sizeof(one)) != sizeof(one))
			return false;
		if (done(arg))
			return true;
		if (now_ns() > end)
			return false;
		if (ch.uio < 0 || spin)
			continue;
		if (poll(&p, 1, 1000) > 0 &&
		    read(ch.uio, &count, sizeof(count)) != sizeof(count))
			return false;
	}
}

static bool their_epoch_is(void *arg)
{
	return __atomic_load_n(&chan_lane(&ch.v, ch.v.other)->epoch,
			       __ATOMIC_ACQUIRE) == *(uint64_t *)arg;
}

static bool they_sent_more(void *arg)
{
	return __atomic_load_n(&chan_lane(&ch.v, ch.v.other)->sent,
			       __ATOMIC_ACQUIRE) != *(uint64_t *)arg;
}

/* Start a session as the initiator; false if the other peer never joins. */
static bool start_session(uint64_t *epoch)
{
	uint32_t boots = CHAN_BOOTS(chan_state(&ch.v, ch.me));
	uint64_t old = chan_lane(&ch.v, ch.me)->epoch;

	*epoch = CHAN_EPOCH(
		boots, CHAN_EPOCH_BOOTS(old) == boots ? (uint32_t)old + 1 : 1);
	chan_lane_reset(&ch.v, *epoch);
	ring();
	if (!wait_for(their_epoch_is, epoch, false)) {
		fprintf(stderr,
			"vmchan: channel '%s': the other peer (state 0x%x) never took up the session\n",
			ch.name, chan_state(&ch.v, ch.v.other));
		return false;
	}
	return true;
}

/* The other peer's session, once it starts a new one: as the follower. */
static bool their_new_session(void *arg)
{
	uint32_t word = chan_state(&ch.v, ch.v.other);
	uint64_t e = __atomic_load_n(&chan_lane(&ch.v, ch.v.other)->epoch,
				     __ATOMIC_ACQUIRE);

	if (CHAN_STATE(word) != CHAN_PEER_RUNNING || !e ||
	    CHAN_EPOCH_BOOTS(e) != CHAN_BOOTS(word) ||
	    e == chan_lane(&ch.v, ch.me)->epoch)
		return false;
	*(uint64_t *)arg = e;
	return true;
}

static bool join_session(uint64_t *epoch)
{
	/* A follower may wait long for a person to start the other side. */
	while (!wait_for(their_new_session, epoch, false))
		if (CHAN_STATE(chan_state(&ch.v, ch.v.other)) == CHAN_PEER_OFF)
			return false;
	chan_lane_reset(&ch.v, *epoch);
	ring();
	return true;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void report_trips(const char *how, long *ns, long n)
{
	qsort(ns, (size_t)n, sizeof(*ns), cmp_long);
	printf("vmchan: %ld round trips over %s: min %.1f us, median %.1f us, p99 %.1f us\n",
	       n, how, ns[0] / 1e3, ns[n / 2] / 1e3, ns[n * 99 / 100] / 1e3);
}

static int cmd_ping(long rounds, bool spin)
{
	static long ns[MAX_SAMPLES];
	uint64_t epoch;
	long bad = 0, k;
	char how[128];

	if (!start_session(&epoch))
		return 1;
	for (k = 0; k < rounds; k++) {
		uint8_t data[40];
		struct chan_msg m;
		uint64_t sent = chan_lane(&ch.v, ch.v.other)->sent;
		long t0 = now_ns();

		for (unsigned int i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)(k * 7 + i);
		chan_put(&ch.v, data, sizeof(data), 0);
		ring();
		if (!wait_for(they_sent_more, &sent, spin))
			break;
		if (chan_take(&ch.v, epoch, &m) != 1 || m.len != sizeof(data) ||
		    memcmp(m.data, data, sizeof(data)))
			bad++;
		if (k < MAX_SAMPLES)
			ns[k] = now_ns() - t0;
	}
	snprintf(how, sizeof(how), "'%s' (%s doorbell, %s%s)", ch.name,
		 ch.trusted ? "trusted" : "checked",
		 ch.uio >= 0 ? "uio" : "/dev/mem", spin ? ", spinning" : "");
	if (k)
		report_trips(how, ns, k < MAX_SAMPLES ? k : MAX_SAMPLES);
	check(k == rounds, "vmchan ping: %ld of %ld round trips answered", k,
	      rounds);
	check(!bad, "vmchan ping: every answer in order and intact (%ld bad)",
	      bad);
	return 0;
}

/* Answer up to @n messages (0: no limit) of one session of the other's. */
static int cmd_pong(long n)
{
	uint64_t epoch, seen;
	long taken = 0, bad = 0;

	if (!join_session(&epoch))
		return 1;
	printf("vmchan: answering on '%s'\n", ch.name);
	while (!n || taken < n) {
		struct chan_msg m;
		int got;

		seen = chan_lane(&ch.v, ch.v.other)->sent;
		while ((got = chan_take(&ch.v, epoch, &m)) != 0) {
			taken++;
			bad += got != 1;
			chan_put(&ch.v, m.data, m.len, 0);
			ring();
		}
		if (chan_lane(&ch.v, ch.v.other)->epoch != epoch)
			break; /* their next session, or they rebooted */
		if (!wait_for(they_sent_more, &seen, false) &&
		    CHAN_STATE(chan_state(&ch.v, ch.v.other)) !=
			    CHAN_PEER_RUNNING)
			break;
	}
	printf("vmchan: answered %ld messages\n", taken);
	check(!bad, "vmchan pong: every message in order and intact (%ld bad)",
	      bad);
	return 0;
}

static bool they_took(void *arg)
{
	return __atomic_load_n(&chan_lane(&ch.v, ch.v.other)->got,
			       __ATOMIC_ACQUIRE) >= *(uint64_t *)arg;
}

static int cmd_send(const char *path)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
	uint8_t buf[CHAN_MSG_DATA];
	uint64_t epoch, bytes = 0, msgs = 0;
	long t0;
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "vmchan: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!start_session(&epoch))
		return 1;
	t0 = now_ns();
	do {
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			break;
		while (!chan_can_put(&ch.v)) {
			uint64_t want = chan_lane(&ch.v, ch.me)->sent -
					ch.v.nr_slots + 1;

			if (!wait_for(they_took, &want, false)) {
				check(0,
				      "vmchan send: the other peer takes what is sent");
				return 1;
			}
		}
		chan_put(&ch.v, buf, (uint32_t)n, n ? 0 : CHAN_MSG_END);
		ring();
		bytes += (uint64_t)n;
		msgs++;
	} while (n > 0);
	if (fd)
		close(fd);
	{
		uint64_t all = chan_lane(&ch.v, ch.me)->sent;

		check(n == 0 && wait_for(they_took, &all, false),
		      "vmchan send: all of %s sent and taken", path);
	}
	printf("vmchan: sent %llu bytes in %llu messages over '%s' in %.1f ms: %.2f MB/s\n",
	       (unsigned long long)bytes, (unsigned long long)msgs, ch.name,
	       (now_ns() - t0) / 1e6, bytes * 1e3 / (double)(now_ns() - t0));
	return 0;
}

static int cmd_recv(const char *path)
{
	int fd = strcmp(path, "-") ?
			 open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) :
			 1;
	uint64_t epoch, bytes = 0, msgs = 0, seen;
	long bad = 0;
	bool end = false;

	if (fd < 0) {
		fprintf(stderr, "vmchan: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!join_session(&epoch))
		return 1;
	while (!end) {
		struct chan_msg m;
		int got;

		seen = chan_lane(&ch.v, ch.v.other)->sent;
		while (!end && (got = chan_take(&ch.v, epoch, &m)) != 0) {
			msgs++;
			bad += got != 1;
			if (m.len && write(fd, m.data, m.len) != (ssize_t)m.len)
				bad++;
			bytes += m.len;
			end = m.flags & CHAN_MSG_END;
		}
		/* The sender may wait for room: tell it there is some. */
		ring();
		if (!end && !wait_for(they_sent_more, &seen, false))
			break;
	}
	if (fd != 1)
		close(fd);
	printf("vmchan: received %llu bytes in %llu messages over '%s'\n",
	       (unsigned long long)bytes, (unsigned long long)msgs, ch.name);
	check(end && !bad, "vmchan recv: the whole transfer, intact (%ld bad)",
	      bad);
	return 0;
}

static void info(void)
{
	volatile struct chan_header *h = ch.v.h;

	printf("channel '%s': %llu KiB, %u peers, %s doorbell, via %s; we are peer %u\n",
	       ch.name, (unsigned long long)(h->size / 1024), h->nr_peers,
	       ch.trusted ? "trusted" : "checked",
	       ch.uio >= 0 ? "uio" : "/dev/mem", ch.me);
	for (uint32_t i = 0; i < h->nr_peers && i < CHAN_MAX_PEERS; i++) {
		static const char *const states[] = { "off", "running",
						      "rebooting", "crashed" };
		uint32_t w = chan_state(&ch.v, i);

		printf("  peer %u: %s, boot %u, %u vCPUs\n", i,
		       CHAN_STATE(w) < 4 ? states[CHAN_STATE(w)] : "?",
		       CHAN_BOOTS(w), h->peer[i].vcpus);
	}
}

/* The same ping between two processes of this VM, over two pipes. */
static int pipe_ping(long rounds)
{
	static long ns[MAX_SAMPLES];
	int to[2], from[2];
	char b[40] = { 0 };
	pid_t pid;
	long k;

	if (pipe(to) || pipe(from))
		return 1;
	pid = fork();
	if (pid == 0) {
		/* Only its own ends: the parent's close of to[1] ends it. */
		close(to[1]);
		close(from[0]);
		while (read(to[0], b, sizeof(b)) == sizeof(b))
			if (write(from[1], b, sizeof(b)) != sizeof(b))
				break;
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	for (k = 0; k < rounds; k++) {
		long t0 = now_ns();

		if (write(to[1], b, sizeof(b)) != sizeof(b) ||
		    read(from[0], b, sizeof(b)) != sizeof(b))
			break;
		if (k < MAX_SAMPLES)
			ns[k] = now_ns() - t0;
	}
	close(to[1]);
	waitpid(pid, NULL, 0);
	if (k)
		report_trips("a pipe", ns, k < MAX_SAMPLES ? k : MAX_SAMPLES);
	check(k == rounds, "vmchan pipeping: %ld of %ld round trips", k,
	      rounds);
	return 0;
}

int cmd_vmchan(int argc, char **argv)
{
	const char *name = NULL, *cmd;
	long n = -1;
	bool spin = false;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		name = argv[2];
		i = 3;
	}
	if (i >= argc)
		return 2;
	cmd = argv[i++];
	if (i < argc && !strcmp(argv[i], "--spin")) {
		spin = true;
		i++;
	}
	if ((!strcmp(cmd, "ping") || !strcmp(cmd, "pong") ||
	     !strcmp(cmd, "pipeping")) &&
	    i < argc && number_arg("vmchan", "N", argv[i++], 0, 100000000, &n))
		return 2;
	if (!strcmp(cmd, "pipeping"))
		return pipe_ping(n < 0 ? 1000 : n);
	if (strcmp(cmd, "info") && strcmp(cmd, "ping") && strcmp(cmd, "pong") &&
	    strcmp(cmd, "send") && strcmp(cmd, "recv")) {
		fprintf(stderr, "vmchan: no command '%s'\n", cmd);
		return 2;
	}
	if ((!strcmp(cmd, "send") || !strcmp(cmd, "recv")) && i >= argc) {
		fprintf(stderr, "vmchan %s: which FILE?\n", cmd);
		return 2;
	}
	if (vmchan_open(&ch, name))
		return 1;
	if (!strcmp(cmd, "info")) {
		info();
		return 0;
	}
	if (!strcmp(cmd, "ping"))
		return cmd_ping(n < 0 ? 1000 : n, spin);
	if (!strcmp(cmd, "pong"))
		return cmd_pong(n < 0 ? 0 : n);
	if (!strcmp(cmd, "send"))
		return cmd_send(argv[i]);
	return cmd_recv(argv[i]);
}
