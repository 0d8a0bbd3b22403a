// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the vPLIC (hv/vplic.c). The input picks a VM (sources,
 * vCPUs, which harts exist, the owned sources) and then a list of events:
 * guest loads and stores of any offset and width from any vCPU, device
 * lines going up and down, the physical interrupt on a vCPU's hart
 * (vplic_hw_claim), a stray or stuck source in the real PLIC, and reset.
 * A fake physical PLIC stands behind arch_plic_*, as the spec says one
 * behaves. After every event:
 *
 * - a load of a bad offset or width reads 0, and a bad store (or one to
 *   the read-only pending bits) changes nothing;
 * - a claim returns the source a reference claim gives (pending, enabled,
 *   not claimed, priority above the threshold; highest priority, then
 *   lowest ID) and moves it from pending to claimed; a completion of a
 *   claimed source completes it in the real PLIC where it was claimed;
 * - priorities and thresholds hold 0..7, enables no source above ndev and
 *   not source 0, pending and claimed only owned sources, never both;
 * - each vCPU's line is "its S context has a claimable source", and every
 *   flip was reported, with the lock held;
 * - in the real PLIC an owned source is enabled on exactly the context of
 *   the lowest vCPU that enables it, or, while held, where it was claimed;
 *   nothing the VM does not own is ever enabled; a completion is only
 *   written where the source is claimed and enabled (else a real PLIC
 *   drops it and the source stays masked for good);
 * - vplic_hw_claim() is bounded by ndev + 1 claims even when the real
 *   PLIC keeps returning a source.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "vplic.h"

const char *const fuzz_target = "vplic";

#define BASE 0x0c000000UL
#define SIZE 0x600000UL
/* vCPU v's hart has the physical S context 2v + 1, as on QEMU virt. */
#define HW_CTXS (2 * HV_MAX_HARTS + 2)
#define MAX_OWNED 12

static struct vplic p, snap;
static int hw_context[HV_MAX_HARTS];
static unsigned int ndev_given;
/* The sources the VM owns, ascending. */
static unsigned int owned_list[VPLIC_MAX_SOURCES], nr_owned;

/* ---- The fake physical PLIC. ---- */

static struct {
	uint32_t enable[HW_CTXS][VPLIC_WORDS];
	uint32_t priority[VPLIC_MAX_SOURCES];
	uint32_t threshold[HW_CTXS];
	bool level[VPLIC_MAX_SOURCES]; /* the device's line */
	int held_by[VPLIC_MAX_SOURCES]; /* its gateway: claimed there, or -1 */
	unsigned int stray; /* enabled by no one we know: claimable */
	bool stuck; /* ... and returned by every claim, even disabled */
	unsigned int claims, completions;
	int last_ctx;
	unsigned int last_src;
} hw;

static bool reported[HV_MAX_HARTS];

static bool bit(const uint32_t *map, unsigned int n)
{
	return map[n / 32] >> (n % 32) & 1;
}

static bool owned(unsigned int src)
{
	return src >= 1 && src <= p.ndev && bit(p.owned, src);
}

/* A physical context of one of the VM's harts (set up by setup()). */
static bool hw_ctx_valid[HW_CTXS];

static bool valid_hw_ctx(int ctx)
{
	return ctx >= 0 && ctx < HW_CTXS && hw_ctx_valid[ctx];
}

void arch_plic_set_priority(unsigned int src, uint32_t prio)
{
	fuzz_check(owned(src) && prio == 1,
		   "real priority %u of source %u (owned %d)", prio, src,
		   owned(src));
	hw.priority[src] = prio;
}

void arch_plic_enable(int ctx, unsigned int src, bool on)
{
	fuzz_check(valid_hw_ctx(ctx), "enable on context %d, no vCPU's", ctx);
	fuzz_check(src >= 1 && src < VPLIC_MAX_SOURCES, "enable of source %u",
		   src);
	fuzz_check(!on || owned(src), "source %u, not the VM's, enabled", src);
	if (on)
		hw.enable[ctx][src / 32] |= 1U << (src % 32);
	else
		hw.enable[ctx][src / 32] &= ~(1U << (src % 32));
	if (!on && src == hw.stray && !hw.stuck)
		hw.stray = 0;
}

void arch_plic_set_threshold(int ctx, uint32_t threshold)
{
	fuzz_check(valid_hw_ctx(ctx) && threshold == 0,
		   "threshold %u on context %d", threshold, ctx);
	hw.threshold[ctx] = threshold;
}

unsigned int arch_plic_claim(int ctx)
{
	unsigned int best = 0;
	uint32_t best_prio = hw.threshold[ctx];

	fuzz_check(valid_hw_ctx(ctx), "claim on context %d", ctx);
	if (hw.stray) {
		hw.claims++;
		return hw.stray;
	}
	for (unsigned int src = 1; src < VPLIC_MAX_SOURCES; src++)
		if (hw.level[src] && hw.held_by[src] < 0 &&
		    bit(hw.enable[ctx], src) && hw.priority[src] > best_prio) {
			best = src;
			best_prio = hw.priority[src];
		}
	if (best) {
		hw.held_by[best] = ctx;
		hw.claims++;
	}
	return best;
}

void arch_plic_complete(int ctx, unsigned int src)
{
	fuzz_check(valid_hw_ctx(ctx), "completion on context %d", ctx);
	hw.completions++;
	hw.last_ctx = ctx;
	hw.last_src = src;
	if (!owned(src))
		return; /* a stray: disabled first, which is all that matters */
	fuzz_check(hw.held_by[src] == ctx,
		   "completion of source %u on context %d, claimed on %d", src,
		   ctx, hw.held_by[src]);
	fuzz_check(
		bit(hw.enable[ctx], src),
		"completion of source %u on context %d where it is not enabled: a real PLIC ignores it",
		src, ctx);
	hw.held_by[src] = -1;
}

/* No source of hartvisor's own here: every claimed one is a VM's. */
bool uart_rx_plic_claimed(unsigned int src)
{
	(void)src;
	return false;
}

void vcpu_external_changed(const struct vplic *vp, unsigned int vcpu)
{
	(void)vp;
	fuzz_check(fuzz_lock_depth == 1, "line change without the lock");
	fuzz_check(vcpu < p.nr_vcpus, "line change of vCPU %u", vcpu);
	fuzz_check(p.line[vcpu] != reported[vcpu],
		   "vCPU %u's line reported changed, still %d", vcpu,
		   p.line[vcpu]);
	reported[vcpu] = p.line[vcpu];
}

/* ---- The reference model. ---- */

static unsigned int words(void)
{
	return p.ndev / 32 + 1;
}

/* Bits of word @w naming sources 1..ndev (set up by setup()). */
static uint32_t word_masks[VPLIC_WORDS];

static uint32_t word_mask(unsigned int w)
{
	return word_masks[w];
}

/*
 * What a claim of context @ctx returns now, by the PLIC spec. Only owned
 * sources can be pending (check_state() holds that), so only they are
 * looked at, in ascending order: the first of the highest priority wins.
 */
static unsigned int ref_best(const struct vplic *s, unsigned int ctx)
{
	unsigned int best = 0;
	uint32_t best_prio = s->threshold[ctx];

	for (unsigned int i = 0; i < nr_owned; i++) {
		unsigned int src = owned_list[i];

		if (bit(s->pending, src) && bit(s->enable[ctx], src) &&
		    !bit(s->claimed, src) && s->priority[src] > best_prio) {
			best = src;
			best_prio = s->priority[src];
		}
	}
	return best;
}

enum reg { BAD, PRIORITY, PENDING, ENABLE, THRESHOLD, CLAIM };

/* The register at @off, from the PLIC's memory map. */
static enum reg ref_decode(uint64_t off, unsigned int width, unsigned int *idx,
			   unsigned int *ctx)
{
	unsigned int contexts = 2 * p.nr_vcpus;

	*idx = *ctx = 0;
	if (width != 4 || off % 4)
		return BAD;
	if (off < 0x1000) {
		*idx = off / 4;
		return *idx >= 1 && *idx <= p.ndev ? PRIORITY : BAD;
	}
	if (off < 0x2000) {
		*idx = (off - 0x1000) / 4;
		return *idx < words() ? PENDING : BAD;
	}
	if (off < 0x200000) {
		*ctx = (off - 0x2000) / 0x80;
		*idx = (off - 0x2000) % 0x80 / 4;
		return *ctx < contexts && *idx < words() ? ENABLE : BAD;
	}
	if ((off - 0x200000) / 0x1000 >= contexts)
		return BAD;
	*ctx = (off - 0x200000) / 0x1000;
	switch ((off - 0x200000) % 0x1000) {
	case 0:
		return THRESHOLD;
	case 4:
		return CLAIM;
	default:
		return BAD;
	}
}

/* The lowest vCPU whose S context enables @src and whose hart exists. */
static int want_route(unsigned int src)
{
	for (unsigned int v = 0; v < p.nr_vcpus; v++)
		if (bit(p.enable[2 * v + 1], src) && hw_context[v] >= 0)
			return hw_context[v];
	return -1;
}

static void check_state(void)
{
	static const uint32_t zero[VPLIC_MAX_CONTEXTS * VPLIC_WORDS];
	unsigned int ctxs = 2 * p.nr_vcpus;

	fuzz_check(!fuzz_lock_depth, "a lock left held");
	for (unsigned int v = 0; v < HV_MAX_HARTS; v++) {
		bool level = v < p.nr_vcpus && ref_best(&p, 2 * v + 1);

		fuzz_check(p.line[v] == level && reported[v] == level,
			   "vCPU %u: line %d, reported %d, should be %d", v,
			   p.line[v], reported[v], level);
	}
	/* Contexts past the vCPUs' stay 0: nothing decodes to them. */
	for (unsigned int ctx = 0; ctx < ctxs; ctx++) {
		fuzz_check(p.threshold[ctx] <= 7, "threshold %u in context %u",
			   p.threshold[ctx], ctx);
		for (unsigned int w = 0; w < VPLIC_WORDS; w++)
			fuzz_check(!(p.enable[ctx][w] & ~word_mask(w)),
				   "enable word %u of context %u: 0x%x", w, ctx,
				   p.enable[ctx][w]);
	}
	fuzz_check(
		!memcmp(p.threshold + ctxs, zero,
			(VPLIC_MAX_CONTEXTS - ctxs) * sizeof(p.threshold[0])) &&
			!memcmp(p.enable[ctxs], zero,
				(VPLIC_MAX_CONTEXTS - ctxs) *
					sizeof(p.enable[0])),
		"a context past the vCPUs' written");
	for (unsigned int w = 0; w < VPLIC_WORDS; w++)
		fuzz_check(!((p.pending[w] | p.claimed[w]) & ~p.owned[w]) &&
				   !(p.pending[w] & p.claimed[w]) &&
				   !(p.owned[w] & ~word_mask(w)),
			   "word %u: pending 0x%x claimed 0x%x owned 0x%x", w,
			   p.pending[w], p.claimed[w], p.owned[w]);
	for (unsigned int src = 0; src < VPLIC_MAX_SOURCES; src++) {
		fuzz_check(p.priority[src] <= 7 &&
				   ((src >= 1 && src <= p.ndev) ||
				    !p.priority[src]),
			   "priority %u of source %u", p.priority[src], src);
		fuzz_check(owned(src) ||
				   (p.hw_held[src] < 0 && p.hw_route[src] < 0),
			   "source %u, not the VM's: held by %d, routed to %d",
			   src, p.hw_held[src], p.hw_route[src]);
	}
	for (unsigned int i = 0; i < nr_owned; i++) {
		unsigned int src = owned_list[i];
		bool pend = bit(p.pending, src), claimed = bit(p.claimed, src);
		int held = p.hw_held[src];

		fuzz_check((held >= 0) == (pend || claimed),
			   "source %u: pending %d, claimed %d, held by %d", src,
			   pend, claimed, held);
		fuzz_check(hw.held_by[src] == held,
			   "source %u held by %d in the real PLIC, %d here",
			   src, hw.held_by[src], held);
		for (unsigned int v = 0; v < p.nr_vcpus; v++) {
			int ctx = hw_context[v];
			bool want = held >= 0 ? ctx == held :
						ctx == want_route(src);

			if (ctx >= 0)
				fuzz_check(
					bit(hw.enable[ctx], src) == want,
					"source %u on context %d: enabled %d, should be %d (held by %d)",
					src, ctx, bit(hw.enable[ctx], src),
					want, held);
		}
	}
}

/* @p now must equal @snap, but for what is checked elsewhere. */
static void same_as_snap(const char *what, uint64_t off)
{
	snap.lock = p.lock;
	snap.warned_access = p.warned_access;
	memcpy(snap.line, p.line, sizeof(snap.line));
	memcpy(snap.hw_route, p.hw_route, sizeof(snap.hw_route));
	fuzz_check(!memcmp(&p, &snap, sizeof(p)),
		   "%s at 0x%lx changed what it must not", what,
		   (unsigned long)off);
}

/* ---- Events. ---- */

static unsigned int pick_ctx(struct fuzz_in *in)
{
	return fuzz_below(in, 2 * p.nr_vcpus + 2);
}

/* Each fuzz_*() in its own statement: the order they read in is fixed. */
static uint64_t pick_offset(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	uint64_t ctx;

	switch (sel % 9) {
	case 0:
		return 4 * fuzz_below(in, p.ndev + 2);
	case 1:
		return 0x1000 + 4 * fuzz_below(in, VPLIC_WORDS + 2);
	case 2:
		ctx = pick_ctx(in);
		return 0x2000 + 0x80 * ctx +
		       4 * fuzz_below(in, VPLIC_WORDS + 2);
	case 3:
		return 0x200000 + 0x1000 * pick_ctx(in);
	case 4:
		return 0x200004 + 0x1000 * pick_ctx(in);
	case 5:
		return fuzz_u32(in) % SIZE;
	case 6:
		return fuzz_u64(in);
	case 7:
		ctx = pick_ctx(in);
		return 0x200000 + 0x1000 * ctx + fuzz_u16(in) % 0x1000;
	default:
		return pick_offset(in) + 1 + sel / 9 % 3;
	}
}

static unsigned int pick_width(struct fuzz_in *in)
{
	static const unsigned int widths[8] = { 4, 4, 4, 4, 4, 1, 2, 8 };

	return widths[fuzz_u8(in) % 8];
}

static uint32_t pick_value(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	unsigned int k;

	switch (sel % 6) {
	case 0:
		return fuzz_u8(in);
	case 1:
		return fuzz_u32(in);
	case 2: /* the k-th claimed source, for a completion */
		k = fuzz_u8(in);
		for (unsigned int src = 1; src <= p.ndev; src++)
			if (bit(p.claimed, src) && !k--)
				return src;
		return 0;
	case 3:
		return 1U << (sel / 6 % 32);
	case 4:
		return ~0U;
	default:
		return fuzz_below(in, p.ndev + 2);
	}
}

static void guest_read(struct fuzz_in *in)
{
	unsigned int vcpu = fuzz_below(in, p.nr_vcpus);
	uint64_t off = pick_offset(in);
	unsigned int width = pick_width(in), idx, ctx, best = 0;
	enum reg reg = ref_decode(off, width, &idx, &ctx);
	uint32_t val, want = 0;

	snap = p;
	if (reg == CLAIM)
		best = ref_best(&snap, ctx);
	val = vplic_read(&p, vcpu, off, width);
	switch (reg) {
	case PRIORITY:
		want = snap.priority[idx];
		break;
	case PENDING:
		want = snap.pending[idx];
		break;
	case ENABLE:
		want = snap.enable[ctx][idx];
		break;
	case THRESHOLD:
		want = snap.threshold[ctx];
		break;
	case CLAIM:
		want = best;
		if (best) {
			snap.pending[best / 32] &= ~(1U << (best % 32));
			snap.claimed[best / 32] |= 1U << (best % 32);
		}
		break;
	case BAD:
		break;
	}
	if (fuzz_verbose())
		fprintf(stderr, "vcpu%u: load of %u bytes at 0x%lx: 0x%x\n",
			vcpu, width, (unsigned long)off, val);
	fuzz_check(val == want, "load of %u bytes at 0x%lx: 0x%x, want 0x%x",
		   width, (unsigned long)off, val, want);
	same_as_snap("a load", off);
}

static void guest_write(struct fuzz_in *in)
{
	unsigned int vcpu = fuzz_below(in, p.nr_vcpus);
	uint64_t off = pick_offset(in);
	unsigned int width = pick_width(in), idx, ctx;
	uint32_t val = pick_value(in);
	enum reg reg = ref_decode(off, width, &idx, &ctx);
	unsigned int completions = hw.completions;
	bool complete = reg == CLAIM && val >= 1 && val <= p.ndev &&
			bit(p.claimed, val);
	int held = complete ? p.hw_held[val] : -1;

	if (fuzz_verbose())
		fprintf(stderr, "vcpu%u: store of %u bytes at 0x%lx: 0x%x\n",
			vcpu, width, (unsigned long)off, val);
	snap = p;
	vplic_write(&p, vcpu, off, width, val);
	switch (reg) {
	case PRIORITY:
		snap.priority[idx] = val & 7;
		break;
	case ENABLE:
		snap.enable[ctx][idx] = val & word_mask(idx);
		break;
	case THRESHOLD:
		snap.threshold[ctx] = val & 7;
		break;
	case CLAIM:
		if (!complete)
			break;
		snap.claimed[val / 32] &= ~(1U << (val % 32));
		snap.hw_held[val] = -1;
		break;
	case PENDING:
	case BAD:
		break;
	}
	same_as_snap("a store", off);
	fuzz_check(hw.completions - completions == (held >= 0),
		   "completion of %u (held by %d): %u real completions", val,
		   held, hw.completions - completions);
	fuzz_check(held < 0 || (hw.last_ctx == held && hw.last_src == val),
		   "source %u completed on context %d, claimed on %d", val,
		   hw.last_ctx, held);
}

static void hart_interrupt(struct fuzz_in *in)
{
	int ctx = hw_context[fuzz_below(in, p.nr_vcpus)];
	unsigned int claims = hw.claims, n;

	if (ctx < 0)
		return;
	n = vplic_hw_claim(&p, ctx);
	fuzz_check(n == hw.claims - claims && n <= p.ndev + 1,
		   "vplic_hw_claim: %u claims, the real PLIC saw %u", n,
		   hw.claims - claims);
}

static void stray_source(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	unsigned int src = 1 + fuzz_below(in, p.ndev + 40);

	if (owned(src) || src >= VPLIC_MAX_SOURCES)
		return;
	hw.stray = src;
	hw.stuck = sel & 1;
	hart_interrupt(in);
	hw.stray = 0;
}

static void reset(void)
{
	vplic_reset(&p);
	for (unsigned int src = 1; src < VPLIC_MAX_SOURCES; src++)
		fuzz_check(p.hw_held[src] < 0 && hw.held_by[src] < 0 &&
				   !p.priority[src] && !bit(p.pending, src) &&
				   !bit(p.claimed, src),
			   "source %u after reset", src);
}

static void setup(struct fuzz_in *in)
{
	uint32_t own[MAX_OWNED];
	unsigned int nr_own, nr_vcpus;
	uint8_t sel = fuzz_u8(in), absent = fuzz_u8(in);

	memset(&hw, 0, sizeof(hw));
	memset(reported, 0, sizeof(reported));
	for (unsigned int src = 0; src < VPLIC_MAX_SOURCES; src++)
		hw.held_by[src] = -1;
	ndev_given = 1 + fuzz_below(in, 1100);
	nr_vcpus = 1 + (sel < 224 ? sel % 8 : sel % HV_MAX_HARTS);
	for (unsigned int v = 0; v < HV_MAX_HARTS; v++) {
		hw_context[v] = absent >> (v % 8) & 1 ? -1 : (int)(2 * v + 1);
		/* OpenSBI leaves the threshold at 7; hart init clears all. */
		hw.threshold[2 * v + 1] = 7;
		memset(hw.enable[2 * v + 1], 0xff, sizeof(hw.enable[0]));
	}
	nr_own = fuzz_below(in, MAX_OWNED + 1);
	for (unsigned int i = 0; i < nr_own; i++)
		own[i] = fuzz_below(in, ndev_given + 3);
	memset(hw_ctx_valid, 0, sizeof(hw_ctx_valid));
	for (unsigned int v = 0; v < MIN(nr_vcpus, HV_MAX_HARTS); v++)
		if (hw_context[v] >= 0)
			hw_ctx_valid[hw_context[v]] = true;
	vplic_init(&p, BASE, SIZE, ndev_given, nr_vcpus, hw_context, own,
		   nr_own);
	fuzz_check(p.ndev == MIN(ndev_given, VPLIC_MAX_SOURCES - 1),
		   "ndev %u from %u", p.ndev, ndev_given);
	memset(word_masks, 0, sizeof(word_masks));
	nr_owned = 0;
	for (unsigned int src = 1; src <= p.ndev; src++) {
		word_masks[src / 32] |= 1U << (src % 32);
		if (owned(src))
			owned_list[nr_owned++] = src;
	}
	for (unsigned int v = 0; v <= p.nr_vcpus; v++)
		vplic_hart_init(&p, v);
	for (unsigned int v = 0; v < p.nr_vcpus; v++)
		if (hw_context[v] >= 0)
			fuzz_check(!hw.threshold[hw_context[v]],
				   "hart init left threshold %u",
				   hw.threshold[hw_context[v]]);
	fuzz_check(vplic_contains(&p, BASE) &&
			   vplic_contains(&p, BASE + SIZE - 1) &&
			   !vplic_contains(&p, BASE + SIZE) &&
			   !vplic_contains(&p, BASE - 1),
		   "vplic_contains at the window's edges");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	setup(&in);
	check_state();
	while (fuzz_more(&in)) {
		uint8_t op = fuzz_u8(&in);
		unsigned int src;

		switch (op % 16) {
		case 0 ... 5:
			guest_read(&in);
			break;
		case 6 ... 11:
			guest_write(&in);
			break;
		case 12:
		case 13:
			src = 1 + fuzz_below(&in, p.ndev);
			hw.level[src] = op & 0x80;
			break;
		case 14:
			if (op & 0x10)
				stray_source(&in);
			else
				hart_interrupt(&in);
			break;
		default:
			if (op == 0xff)
				reset();
			else
				hart_interrupt(&in);
			break;
		}
		check_state();
	}
	return 0;
}
