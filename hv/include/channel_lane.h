/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A protocol for two peers over a channel (channel_abi.h), the one
 * hartvisor's own guests speak: the bare-metal chan test guest and vmchan
 * in the Linux guest. hartvisor itself knows nothing of it: it keeps the
 * memory, the header and the doorbells.
 *
 * Each peer's output section starts with its lane (struct chan_lane, one
 * CHAN_SLOT), then slots of CHAN_SLOT bytes, each a message. A lane is
 * written only by its own peer:
 * - sent: the messages it has put, in slots sent % nr_slots;
 * - got: the other peer's messages it has taken;
 * - epoch: the session, CHAN_EPOCH(boots, n): the boot of the peer that
 *   started it (its state word's count) and a number it counts up.
 *
 * The initiator (the one that sends first) resets its lane with a new
 * epoch; the other peer, seeing a new epoch in the initiator's lane whose
 * boot is the initiator's boot now, resets its own to the same epoch and
 * rings; then both send. A message is in the other's lane once its sent
 * count covers it (release, after the slot); a slot is free again once
 * the other's got count has passed it. A peer that reboots starts a new
 * session: what it had sent before is ignored from then on. A reset
 * writes epoch 0 first and the new epoch last, and a reader checks the
 * epoch before and after it reads a message (as a seqlock): a message
 * read across a reset is not taken.
 */
#ifndef HV_CHANNEL_LANE_H
#define HV_CHANNEL_LANE_H

#include <stdbool.h>
#include <stdint.h>

#include "channel_abi.h"

#define CHAN_SLOT 1024u
#define CHAN_MSG_DATA (CHAN_SLOT - 32u)
#define CHAN_MSG_END 1u /* the last message of a transfer */
#define CHAN_EPOCH(boots, n) ((uint64_t)(boots) << 32 | (uint32_t)(n))
#define CHAN_EPOCH_BOOTS(epoch) ((uint32_t)((epoch) >> 32))

struct chan_lane {
	uint64_t sent;
	uint64_t got;
	uint64_t epoch;
};

struct chan_msg {
	uint64_t seq; /* 0, 1, ... in its session */
	uint64_t epoch; /* its session */
	uint32_t len; /* bytes of data */
	uint32_t flags; /* CHAN_MSG_* */
	uint64_t sum; /* chan_msg_sum() */
	uint8_t data[CHAN_MSG_DATA];
};

/* One peer's view of a two-peer channel mapped at @mem. */
struct chan_view {
	volatile uint8_t *mem;
	volatile struct chan_header *h;
	uint32_t me, other;
	uint64_t nr_slots;
};

static inline void chan_view_init(struct chan_view *c, volatile void *mem,
				  uint32_t me)
{
	c->mem = (volatile uint8_t *)mem;
	c->h = (volatile struct chan_header *)mem;
	c->me = me;
	c->other = !me;
	c->nr_slots = c->h->section / CHAN_SLOT - 1;
}

static inline volatile struct chan_lane *chan_lane(const struct chan_view *c,
						   uint32_t peer)
{
	return (volatile struct chan_lane *)(c->mem + CHAN_PAGE +
					     peer * c->h->section);
}

static inline volatile struct chan_msg *chan_slot(const struct chan_view *c,
						  uint32_t peer, uint64_t n)
{
	return (volatile struct chan_msg *)((volatile uint8_t *)chan_lane(
						    c, peer) +
					    CHAN_SLOT * (1 + n % c->nr_slots));
}

/* @peer's state word (CHAN_STATE, CHAN_BOOTS). */
static inline uint32_t chan_state(const struct chan_view *c, uint32_t peer)
{
	return __atomic_load_n(&c->h->peer[peer].state, __ATOMIC_ACQUIRE);
}

static inline uint64_t chan_msg_sum(const volatile struct chan_msg *m)
{
	uint64_t s = m->seq * 31 + m->epoch * 7 + m->len * 3 + m->flags;
	uint32_t len = m->len < CHAN_MSG_DATA ? m->len : CHAN_MSG_DATA;

	for (uint32_t i = 0; i < len; i++)
		s = s * 131 + m->data[i];
	return s;
}

/* Our lane empty, in session @epoch. */
static inline void chan_lane_reset(const struct chan_view *c, uint64_t epoch)
{
	volatile struct chan_lane *l = chan_lane(c, c->me);

	__atomic_store_n(&l->epoch, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* no session, then counts */
	l->sent = 0;
	l->got = 0;
	__atomic_store_n(&l->epoch, epoch, __ATOMIC_RELEASE);
}

/* Is there a free slot in our lane? */
static inline bool chan_can_put(const struct chan_view *c)
{
	return chan_lane(c, c->me)->sent -
		       __atomic_load_n(&chan_lane(c, c->other)->got,
				       __ATOMIC_ACQUIRE) <
	       c->nr_slots;
}

/* Put a message of @len bytes (at most CHAN_MSG_DATA) into our lane. */
static inline void chan_put(const struct chan_view *c, const void *data,
			    uint32_t len, uint32_t flags)
{
	volatile struct chan_lane *l = chan_lane(c, c->me);
	volatile struct chan_msg *m = chan_slot(c, c->me, l->sent);
	const uint8_t *d = (const uint8_t *)data;

	m->seq = l->sent;
	m->epoch = l->epoch;
	m->len = len;
	m->flags = flags;
	for (uint32_t i = 0; i < len; i++)
		m->data[i] = d[i];
	m->sum = chan_msg_sum(m);
	__atomic_store_n(&l->sent, l->sent + 1, __ATOMIC_RELEASE);
}

/*
 * The other's next message of session @epoch, copied to *@out: 1, or 0
 * when there is none, or -1 when it is not whole (a bad sum, sequence or
 * session); it is taken either way.
 */
static inline int chan_take(const struct chan_view *c, uint64_t epoch,
			    struct chan_msg *out)
{
	volatile struct chan_lane *in = chan_lane(c, c->other);
	volatile struct chan_lane *mine = chan_lane(c, c->me);
	volatile struct chan_msg *m;
	uint64_t sent;
	bool ok;

	if (__atomic_load_n(&in->epoch, __ATOMIC_ACQUIRE) != epoch)
		return 0;
	sent = __atomic_load_n(&in->sent, __ATOMIC_ACQUIRE);
	/* Still the session: this sent count is its own. */
	if (__atomic_load_n(&in->epoch, __ATOMIC_RELAXED) != epoch ||
	    sent == mine->got || sent - mine->got > c->nr_slots)
		return 0;
	m = chan_slot(c, c->other, mine->got);
	out->seq = m->seq;
	out->epoch = m->epoch;
	out->len = m->len < CHAN_MSG_DATA ? m->len : CHAN_MSG_DATA;
	out->flags = m->flags;
	out->sum = m->sum;
	for (uint32_t i = 0; i < out->len; i++)
		out->data[i] = m->data[i];
	/* A reset while we read: the message was not this session's. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&in->epoch, __ATOMIC_RELAXED) != epoch)
		return 0;
	ok = out->sum == chan_msg_sum(out) && out->seq == mine->got &&
	     out->epoch == epoch && m->len <= CHAN_MSG_DATA;
	__atomic_store_n(&mine->got, mine->got + 1, __ATOMIC_RELEASE);
	return ok ? 1 : -1;
}

#endif
