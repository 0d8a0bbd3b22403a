// SPDX-License-Identifier: BSD-2-Clause
/*
 * The virtual PLIC: the register model the guest sees, and the physical
 * PLIC behind the sources the VM owns. See vplic.h for the routing and
 * completion rules.
 */
#include <string.h>

#include "log.h"
#include "vplic.h"

static bool bit_test(const uint32_t *map, unsigned int n)
{
	return map[n / 32] & (1U << (n % 32));
}

static void bit_assign(uint32_t *map, unsigned int n, bool on)
{
	if (on)
		map[n / 32] |= 1U << (n % 32);
	else
		map[n / 32] &= ~(1U << (n % 32));
}

/* Words of a bitmap that hold sources 0..ndev. */
static unsigned int vplic_words(const struct vplic *p)
{
	return p->ndev / 32 + 1;
}

static unsigned int vplic_contexts(const struct vplic *p)
{
	return 2 * p->nr_vcpus;
}

/*
 * The source context @ctx would get from a claim now: pending, enabled
 * there, priority above its threshold; the highest priority wins, ties
 * go to the lowest ID. 0 if none.
 */
static unsigned int vplic_best(const struct vplic *p, unsigned int ctx)
{
	unsigned int best = 0;
	uint32_t best_prio = p->threshold[ctx];

	for (unsigned int w = 0; w < vplic_words(p); w++) {
		uint32_t ready = p->pending[w] & p->enable[ctx][w] &
				 ~p->claimed[w];

		while (ready) {
			unsigned int src = w * 32 + __builtin_ctz(ready);

			ready &= ready - 1;
			if (p->priority[src] > best_prio) {
				best = src;
				best_prio = p->priority[src];
			}
		}
	}
	return best;
}

/* Recompute every vCPU's line (its S context); report the ones that flip. */
static void vplic_update(struct vplic *p)
{
	for (unsigned int v = 0; v < p->nr_vcpus; v++) {
		bool level = vplic_best(p, 2 * v + 1) != 0;

		if (level == p->line[v])
			continue;
		/* Release: a hart that sees the new line sees the state too. */
		__atomic_store_n(&p->line[v], level, __ATOMIC_RELEASE);
		vcpu_external_changed(p, v);
	}
}

/*
 * Enable owned source @src on the physical context of the lowest vCPU
 * whose S context enables it (none: nowhere). While the source is held
 * (claimed, the guest not done) its route stays: the completion must
 * reach the context that claimed it. vplic_complete() routes it again.
 */
static void vplic_route(struct vplic *p, unsigned int src)
{
	int target = -1;

	if (!bit_test(p->owned, src) || p->hw_held[src] >= 0)
		return;
	for (unsigned int v = 0; v < p->nr_vcpus && target < 0; v++)
		if (bit_test(p->enable[2 * v + 1], src) &&
		    p->hw_context[v] >= 0)
			target = (int)v;
	if (target == p->hw_route[src])
		return;
	if (p->hw_route[src] >= 0)
		arch_plic_enable(p->hw_context[p->hw_route[src]], src, false);
	if (target >= 0)
		arch_plic_enable(p->hw_context[target], src, true);
	p->hw_route[src] = (int16_t)target;
}

void vplic_init(struct vplic *p, paddr_t base, uint64_t size, unsigned int ndev,
		unsigned int nr_vcpus, const int *hw_context,
		const uint32_t *owned, unsigned int nr_owned)
{
	memset(p, 0, sizeof(*p));
	p->base = base;
	p->size = size;
	p->ndev = MIN(ndev, VPLIC_MAX_SOURCES - 1);
	p->nr_vcpus = MIN(nr_vcpus, HV_MAX_HARTS);
	for (unsigned int src = 0; src < VPLIC_MAX_SOURCES; src++) {
		p->hw_route[src] = -1;
		p->hw_held[src] = -1;
	}
	for (unsigned int v = 0; v < p->nr_vcpus; v++)
		p->hw_context[v] = hw_context[v];
	for (unsigned int i = 0; i < nr_owned; i++) {
		if (!owned[i] || owned[i] > p->ndev)
			continue;
		bit_assign(p->owned, owned[i], true);
		arch_plic_set_priority(owned[i], 1);
	}
}

void vplic_hart_init(struct vplic *p, unsigned int vcpu)
{
	int ctx = vcpu < p->nr_vcpus ? p->hw_context[vcpu] : -1;

	if (ctx < 0)
		return;
	spin_lock(&p->lock);
	arch_plic_set_threshold(ctx, 0);
	for (unsigned int src = 1; src <= p->ndev; src++)
		arch_plic_enable(ctx, src, false);
	spin_unlock(&p->lock);
}

void vplic_emulate(struct vplic *p, unsigned int src)
{
	if (src < 1 || src > p->ndev)
		return;
	/* One of the VM's devices' sources, now hartvisor's to drive. */
	if (bit_test(p->owned, src)) {
		bit_assign(p->owned, src, false);
		arch_plic_set_priority(src, 0);
	}
	bit_assign(p->emulated, src, true);
}

void vplic_set_level(struct vplic *p, unsigned int src, bool high)
{
	if (src == 0 || src > p->ndev || !bit_test(p->emulated, src))
		return;
	spin_lock(&p->lock);
	bit_assign(p->level, src, high);
	if (high && !bit_test(p->claimed, src))
		bit_assign(p->pending, src, true);
	vplic_update(p);
	spin_unlock(&p->lock);
}

void vplic_trigger(struct vplic *p, unsigned int src)
{
	if (src == 0 || src > p->ndev || !bit_test(p->emulated, src))
		return;
	spin_lock(&p->lock);
	if (bit_test(p->claimed, src))
		bit_assign(p->edge, src, true);
	else
		bit_assign(p->pending, src, true);
	vplic_update(p);
	spin_unlock(&p->lock);
}

bool vplic_contains(const struct vplic *p, gpa_t gpa)
{
	return p->size && gpa >= p->base && gpa - p->base < p->size;
}

bool vplic_line(const struct vplic *p, unsigned int vcpu)
{
	return vcpu < p->nr_vcpus &&
	       __atomic_load_n(&p->line[vcpu], __ATOMIC_ACQUIRE);
}

/* A reserved offset or a bad width: read 0 / ignored; said once. */
static uint32_t vplic_bad_access(struct vplic *p, unsigned int vcpu,
				 uint64_t off, unsigned int width, bool store)
{
	if (!p->warned_access) {
		p->warned_access = true;
		pr_debug(
			"vcpu%u: vPLIC %s of %u bytes at offset 0x%lx ignored (said once)",
			vcpu, store ? "store" : "load", width,
			(unsigned long)off);
	}
	return 0;
}

/* Which register @off names. */
enum vplic_reg {
	REG_BAD,
	REG_PRIORITY,
	REG_PENDING,
	REG_ENABLE,
	REG_THRESHOLD,
	REG_CLAIM,
};

struct vplic_reg_ref {
	enum vplic_reg reg;
	unsigned int index; /* source, or bitmap word */
	unsigned int ctx;
};

static struct vplic_reg_ref vplic_decode(const struct vplic *p, uint64_t off)
{
	struct vplic_reg_ref r = { REG_BAD, 0, 0 };

	if (off < PLIC_PENDING_BASE) {
		r.index = off / 4;
		if (r.index >= 1 && r.index <= p->ndev)
			r.reg = REG_PRIORITY;
	} else if (off < PLIC_ENABLE_BASE) {
		r.index = (off - PLIC_PENDING_BASE) / 4;
		if (r.index < vplic_words(p))
			r.reg = REG_PENDING;
	} else if (off < PLIC_CONTEXT_BASE) {
		r.ctx = (off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
		r.index = (off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
		if (r.ctx < vplic_contexts(p) && r.index < vplic_words(p))
			r.reg = REG_ENABLE;
	} else {
		uint64_t ctx = (off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
		uint64_t reg = (off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;

		r.ctx = ctx < vplic_contexts(p) ? (unsigned int)ctx : 0;
		if (ctx < vplic_contexts(p) && reg == PLIC_CONTEXT_THRESHOLD)
			r.reg = REG_THRESHOLD;
		else if (ctx < vplic_contexts(p) && reg == PLIC_CONTEXT_CLAIM)
			r.reg = REG_CLAIM;
	}
	return r;
}

/* Bits of bitmap word @w that name sources 1..ndev. */
static uint32_t vplic_word_mask(const struct vplic *p, unsigned int w)
{
	uint32_t mask = ~0U;
	unsigned int last = p->ndev - w * 32; /* highest bit in this word */

	if (last < 31)
		mask = (2U << last) - 1;
	if (w == 0)
		mask &= ~1U; /* source 0 does not exist */
	return mask;
}

static uint32_t vplic_claim(struct vplic *p, unsigned int ctx)
{
	unsigned int src = vplic_best(p, ctx);

	if (src) {
		bit_assign(p->pending, src, false);
		bit_assign(p->claimed, src, true);
		vplic_update(p);
	}
	return src;
}

static void vplic_complete(struct vplic *p, uint32_t src)
{
	/*
	 * Accepted from any context: Linux completes where it claimed,
	 * but a completion lost to an affinity change would mask the
	 * source for good.
	 */
	if (src == 0 || src > p->ndev || !bit_test(p->claimed, src))
		return;
	bit_assign(p->claimed, src, false);
	/*
	 * An emulated source still high, or one whose edge came while it
	 * was claimed, asks again, as a gateway would.
	 */
	if (bit_test(p->emulated, src) &&
	    (bit_test(p->level, src) || bit_test(p->edge, src)))
		bit_assign(p->pending, src, true);
	bit_assign(p->edge, src, false);
	if (p->hw_held[src] >= 0) {
		arch_plic_complete(p->hw_held[src], src);
		p->hw_held[src] = -1;
		vplic_route(p, src); /* a route change may have waited */
	}
	vplic_update(p);
}

uint32_t vplic_read(struct vplic *p, unsigned int vcpu, uint64_t off,
		    unsigned int width)
{
	struct vplic_reg_ref r = vplic_decode(p, off);
	uint32_t val = 0;

	if (width != 4 || off % 4 || r.reg == REG_BAD)
		return vplic_bad_access(p, vcpu, off, width, false);
	spin_lock(&p->lock);
	switch (r.reg) {
	case REG_PRIORITY:
		val = p->priority[r.index];
		break;
	case REG_PENDING:
		val = p->pending[r.index];
		break;
	case REG_ENABLE:
		val = p->enable[r.ctx][r.index];
		break;
	case REG_THRESHOLD:
		val = p->threshold[r.ctx];
		break;
	case REG_CLAIM:
		val = vplic_claim(p, r.ctx);
		break;
	case REG_BAD:
		break;
	}
	spin_unlock(&p->lock);
	return val;
}

void vplic_write(struct vplic *p, unsigned int vcpu, uint64_t off,
		 unsigned int width, uint32_t val)
{
	struct vplic_reg_ref r = vplic_decode(p, off);

	if (width != 4 || off % 4 || r.reg == REG_BAD || r.reg == REG_PENDING) {
		vplic_bad_access(p, vcpu, off, width, true);
		return;
	}
	spin_lock(&p->lock);
	switch (r.reg) {
	case REG_PRIORITY:
		p->priority[r.index] = val & VPLIC_PRIORITY_MASK;
		break;
	case REG_ENABLE:
		p->enable[r.ctx][r.index] = val & vplic_word_mask(p, r.index);
		for (unsigned int b = 0; b < 32; b++)
			vplic_route(p, r.index * 32 + b);
		break;
	case REG_THRESHOLD:
		p->threshold[r.ctx] = val & VPLIC_PRIORITY_MASK;
		break;
	case REG_CLAIM:
		vplic_complete(p, val);
		break;
	case REG_PENDING:
	case REG_BAD:
		break;
	}
	vplic_update(p);
	spin_unlock(&p->lock);
}

unsigned int vplic_hw_claim(struct vplic *p, int hw_ctx)
{
	unsigned int n = 0;

	/* Bounded: a source that keeps firing cannot keep us here. */
	while (n <= p->ndev) {
		unsigned int src = arch_plic_claim(hw_ctx);

		if (!src)
			break;
		n++;
		/* hartvisor's own (the UART's input, with several VMs). */
		if (uart_rx_plic_claimed(src)) {
			arch_plic_complete(hw_ctx, src);
			continue;
		}
		spin_lock(&p->lock);
		if (src > p->ndev || !bit_test(p->owned, src)) {
			/*
			 * Not the VM's: it should never have been enabled.
			 * Completed first: a PLIC ignores the completion of a
			 * source not enabled on the context, which would leave
			 * it claimed for good.
			 */
			pr_warn("PLIC source %u fired on context %d but no VM owns it: disabled",
				src, hw_ctx);
			arch_plic_complete(hw_ctx, src);
			arch_plic_enable(hw_ctx, src, false);
		} else {
			p->hw_held[src] = (int16_t)hw_ctx;
			bit_assign(p->pending, src, true);
			vplic_update(p);
		}
		spin_unlock(&p->lock);
	}
	return n;
}

void vplic_reset(struct vplic *p)
{
	spin_lock(&p->lock);
	for (unsigned int src = 1; src <= p->ndev; src++)
		if (p->hw_held[src] >= 0) {
			arch_plic_complete(p->hw_held[src], src);
			p->hw_held[src] = -1;
		}
	memset(p->priority, 0, sizeof(p->priority));
	memset(p->pending, 0, sizeof(p->pending));
	memset(p->claimed, 0, sizeof(p->claimed));
	memset(p->enable, 0, sizeof(p->enable));
	memset(p->threshold, 0, sizeof(p->threshold));
	/* The devices behind emulated sources are reset by their owner. */
	memset(p->level, 0, sizeof(p->level));
	memset(p->edge, 0, sizeof(p->edge));
	for (unsigned int src = 1; src <= p->ndev; src++)
		vplic_route(p, src);
	vplic_update(p);
	spin_unlock(&p->lock);
}
