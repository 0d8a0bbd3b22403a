// SPDX-License-Identifier: BSD-2-Clause
/*
 * Channels between VMs at run time (channel_abi.h has the layout, the
 * plan is vm_plan_chan.c): the memory mapped into each peer's G-stage
 * (the header read-only, each output section writable by its own peer
 * only), the header's state words, kept as the peers boot and stop, and
 * the doorbells: the checked page, which traps, or (trusted) the other
 * peers' interrupt files, mapped.
 */
#include <string.h>

#include "arch.h"
#include "irqchip.h"
#include "log.h"
#include "printf.h"
#include "sbi.h"
#include "vm.h"

static struct chan_header *chan_header(const struct vm_chan_end *e)
{
	return (struct chan_header *)(uintptr_t)e->hpa;
}

static uint64_t chan_section(const struct vm_channel *ch)
{
	return (ch->size - CHAN_PAGE) / ch->nr_peers;
}

/* Peer @j of @e's channel: its VM, and its end there. */
static struct vm_chan_end *chan_peer(const struct vm_chan_end *e,
				     unsigned int j, struct vm **vm)
{
	*vm = &vms[e->ch->peers[j].vm];
	for (unsigned int i = 0; i < (*vm)->nr_chans; i++)
		if ((*vm)->chans[i].chan == e->chan)
			return &(*vm)->chans[i];
	return NULL; /* not reached: the plan gave every peer its end */
}

/* Ring peer @j of @e's channel: a rising edge of its doorbell source. */
static void chan_ring(const struct vm_chan_end *e, unsigned int j)
{
	struct vm *pv;
	struct vm_chan_end *pe = chan_peer(e, j, &pv);

	if (pe)
		irqchip_trigger(pv, pe->irq);
}

int vm_chan_map(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < vm->nr_chans; i++) {
		const struct vm_chan_end *e = &vm->chans[i];
		uint64_t section = chan_section(e->ch);
		int ret = arch_gstage_map(vm->gstage, e->gpa, e->hpa, CHAN_PAGE,
					  GSTAGE_R);

		for (unsigned int j = 0; !ret && j < e->ch->nr_peers; j++) {
			uint64_t off = CHAN_PAGE + j * section;

			ret = arch_gstage_map(
				vm->gstage, e->gpa + off, e->hpa + off, section,
				j == e->peer ? GSTAGE_R | GSTAGE_W : GSTAGE_R);
		}
		if (ret)
			return errorf(err, errlen, ret,
				      "cannot map channel '%s' at 0x%lx: %s",
				      e->ch->name, e->gpa, sbi_strerror(ret));
	}
	return 0;
}

/* Trusted: the other peers' interrupt files into @e's doorbell window. */
static int chan_map_files(struct vm *vm, const struct vm_chan_end *e)
{
	uint64_t page = 0;

	for (unsigned int j = 0; j < e->ch->nr_peers; j++) {
		struct vm *pv = &vms[e->ch->peers[j].vm];

		for (unsigned int v = 0; j != e->peer && v < pv->nr_vcpus;
		     v++) {
			int ret = arch_gstage_map(
				vm->gstage,
				e->doorbell + (page + v) * CHAN_PAGE,
				pv->irqchip.vaplic.guest_file[v], CHAN_PAGE,
				GSTAGE_R | GSTAGE_W);

			if (ret)
				return ret;
		}
		page += pv->nr_vcpus;
	}
	return 0;
}

/* The header of channel @e's memory, the rest zeroed. Boot hart. */
static void chan_init(const struct vm_chan_end *e)
{
	struct chan_header *h = chan_header(e);
	uint32_t page = 0;

	memset(h, 0, e->ch->size);
	h->magic = CHAN_MAGIC;
	h->version = CHAN_VERSION;
	h->nr_peers = e->ch->nr_peers;
	h->doorbell = e->ch->doorbell;
	h->size = e->ch->size;
	h->section = chan_section(e->ch);
	h->doorbell_size = e->doorbell_size;
	strncpy(h->name, e->ch->name, sizeof(h->name) - 1);
	for (unsigned int j = 0; j < e->ch->nr_peers; j++) {
		const struct vm *pv = &vms[e->ch->peers[j].vm];

		h->peer[j].state = CHAN_PEER_OFF;
		h->peer[j].vcpus = pv->nr_vcpus;
		h->peer[j].ring_page = page;
		page += pv->nr_vcpus;
	}
}

int vm_chan_create_all(char *err, size_t errlen)
{
	for (unsigned int v = 0; v < nr_vms; v++) {
		struct vm *vm = &vms[v];

		for (unsigned int i = 0; i < vm->nr_chans; i++) {
			const struct vm_chan_end *e = &vm->chans[i];
			int ret = 0;

			/* Its first peer sets the memory up. */
			if (!e->peer)
				chan_init(e);
			if (e->ch->doorbell == CHAN_DOORBELL_TRUSTED)
				ret = chan_map_files(vm, e);
			if (ret)
				return errorf(
					err, errlen, ret,
					"%s: cannot map channel '%s''s doorbells: %s",
					vm->what, e->ch->name,
					sbi_strerror(ret));
			pr_info("%schannel '%s': peer %u of %u, %lu KiB at 0x%lx, %s doorbell at 0x%lx, rung by source %u",
				vm->tag, e->ch->name, e->peer, e->ch->nr_peers,
				(unsigned long)(e->ch->size / KiB), e->gpa,
				e->ch->doorbell == CHAN_DOORBELL_TRUSTED ?
					"trusted (no exit)" :
					"checked",
				e->doorbell, e->irq);
		}
	}
	return 0;
}

/* What the peers read of a VM's state. */
static uint32_t chan_state_word(const struct vm *vm)
{
	static const uint8_t states[] = {
		[VM_RUNNING] = CHAN_PEER_RUNNING,
		[VM_REBOOTING] = CHAN_PEER_REBOOTING,
		[VM_OFF] = CHAN_PEER_OFF,
		[VM_CRASHED] = CHAN_PEER_CRASHED,
	};
	int state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);

	return (uint32_t)states[state] | vm->boots << 8;
}

void vm_chan_state(struct vm *vm)
{
	uint32_t word = chan_state_word(vm);

	for (unsigned int i = 0; i < vm->nr_chans; i++) {
		const struct vm_chan_end *e = &vm->chans[i];

		/* Release: a peer that sees the word sees what came before. */
		__atomic_store_n(&chan_header(e)->peer[e->peer].state, word,
				 __ATOMIC_RELEASE);
		for (unsigned int j = 0; j < e->ch->nr_peers; j++)
			if (j != e->peer)
				chan_ring(e, j);
	}
	vm_chan_routes(vm); /* none after a reset */
}

void vm_chan_routes(struct vm *vm)
{
	for (unsigned int i = 0;
	     vm->irqchip.kind == IRQCHIP_AIA && i < vm->nr_chans; i++) {
		const struct vm_chan_end *e = &vm->chans[i];
		uint32_t vcpu, eiid, ring = 0;

		if (e->ch->doorbell != CHAN_DOORBELL_TRUSTED)
			continue;
		if (vaplic_source_route(&vm->irqchip.vaplic, e->irq, &vcpu,
					&eiid))
			ring = vcpu << 16 | eiid;
		__atomic_store_n(&chan_header(e)->peer[e->peer].ring, ring,
				 __ATOMIC_RELEASE);
	}
}

/* @vm's checked doorbell page at @gpa, if it has one there. */
static struct vm_chan_end *chan_doorbell(const struct vm *vm, gpa_t gpa)
{
	for (unsigned int i = 0; i < vm->nr_chans; i++) {
		const struct vm_chan_end *e = &vm->chans[i];

		if (e->ch->doorbell == CHAN_DOORBELL_CHECKED &&
		    range_contains(e->doorbell, CHAN_PAGE, gpa, 1))
			return (struct vm_chan_end *)e;
	}
	return NULL;
}

bool vm_chan_contains(const struct vm *vm, gpa_t gpa)
{
	return vm->nr_chans && chan_doorbell(vm, gpa);
}

uint32_t vm_chan_access(struct vm *vm, gpa_t gpa, unsigned int width,
			bool store, uint32_t val)
{
	struct vm_chan_end *e = chan_doorbell(vm, gpa);

	/* One 32-bit register; the rest of the page reads 0, takes nothing. */
	if (!e || gpa - e->doorbell != CHAN_DOORBELL_RING || width != 4) {
		if (e && store)
			__atomic_fetch_add(&e->refused, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (!store)
		return e->peer;
	if (val >= e->ch->nr_peers || val == e->peer) {
		/* Said once; the count is in the monitor's stats. */
		if (!__atomic_fetch_add(&e->refused, 1, __ATOMIC_RELAXED))
			pr_warn("%schannel '%s': doorbell store of %u names no other peer (0-%u, itself %u): ignored",
				vm->tag, e->ch->name, val, e->ch->nr_peers - 1,
				e->peer);
		return 0;
	}
	__atomic_fetch_add(&e->rings, 1, __ATOMIC_RELAXED);
	chan_ring(e, val);
	return 0;
}

void vm_chan_print_stats(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_chans; i++) {
		const struct vm_chan_end *e = &vm->chans[i];

		pr_info("%schannel '%s': peer %u, rings sent %lu, refused %lu",
			vm->tag, e->ch->name, e->peer, e->rings, e->refused);
	}
}
