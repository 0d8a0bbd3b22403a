/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A channel between VMs as its peers see it: the layout of its memory, its
 * doorbell page and the states hartvisor reports. Guests include this too
 * (the bare-metal test guests, and vmchan in the Linux guest).
 *
 * A channel of `size` bytes, at a guest-physical address the scenario
 * picks in each peer:
 *
 *   [0, 4 KiB)                   the header (struct chan_header), written
 *                                by hartvisor only: read-only to every peer
 *   [4 KiB + i * section, +section)
 *                                peer i's output section: peer i writes it,
 *                                the other peers only read it
 *
 * Right after the memory comes the doorbell:
 *
 * - CHAN_DOORBELL_CHECKED: one page that traps. A 32-bit store of a peer's
 *   number at offset 0 rings that peer (one exit); a load there gives the
 *   caller's own number. Nothing else can be raised through it.
 * - CHAN_DOORBELL_TRUSTED (AIA only): the other peers' interrupt files
 *   themselves, one page per vCPU (peer j's vCPU v at page
 *   peer[j].ring_page + v), mapped. A ring is a plain 32-bit store of
 *   CHAN_RING_EIID(peer[j].ring) at offset 0 of page peer[j].ring_page +
 *   CHAN_RING_VCPU(peer[j].ring): no exit. A sender can then raise any identity in any of those files (see
 *   docs/design.md, "Channels").
 *
 * A peer's doorbell is an interrupt source of its own controller (its
 * vAPLIC or vPLIC, edge-triggered), named in its device tree.
 */
#ifndef HV_CHANNEL_ABI_H
#define HV_CHANNEL_ABI_H

#include <stdint.h>

#define CHAN_MAGIC 0x48435648u /* "HVCH" in memory order */
#define CHAN_VERSION 1u
#define CHAN_PAGE 4096u
#define CHAN_MAX_PEERS 4u

/* How a channel's peers ring each other. */
#define CHAN_DOORBELL_CHECKED 0u
#define CHAN_DOORBELL_TRUSTED 1u

/* A peer's state word: its state in the low byte, its boots above it. */
#define CHAN_PEER_OFF 0u /* never booted, shut down or stopped */
#define CHAN_PEER_RUNNING 1u
#define CHAN_PEER_REBOOTING 2u
#define CHAN_PEER_CRASHED 3u
#define CHAN_STATE(word) ((word)&0xffu)
#define CHAN_BOOTS(word) ((word) >> 8)

#define CHAN_RING_VCPU(ring) ((ring) >> 16)
#define CHAN_RING_EIID(ring) ((ring)&0xffffu)

/* The checked doorbell page's one register. */
#define CHAN_DOORBELL_RING 0x0

struct chan_peer_info {
	/*
	 * CHAN_PEER_* | boots << 8: set by hartvisor when the peer boots,
	 * reboots or stops, and the other peers are rung for it.
	 */
	uint32_t state;
	uint32_t vcpus; /* the peer's vCPUs */
	/* CHAN_DOORBELL_TRUSTED: its doorbell as its controller routes it now. */
	uint32_t ring_page; /* its vCPU 0's page in the doorbell window */
	/*
	 * Its doorbell source as its controller routes it now, in one word:
	 * the vCPU << 16 | the identity; 0: not enabled.
	 */
	uint32_t ring;
	uint32_t reserved[4];
};

struct chan_header {
	uint32_t magic; /* CHAN_MAGIC */
	uint32_t version; /* CHAN_VERSION */
	uint32_t nr_peers;
	uint32_t doorbell; /* CHAN_DOORBELL_* */
	uint64_t size; /* the memory's bytes, this header included */
	uint64_t section; /* each peer's output section */
	uint64_t doorbell_size; /* the doorbell window's bytes */
	uint64_t reserved;
	char name[32];
	struct chan_peer_info peer[CHAN_MAX_PEERS];
};

#endif
