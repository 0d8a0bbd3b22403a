// SPDX-License-Identifier: BSD-2-Clause
/*
 * The vPLIC's register model and its physical side, on the host: a fake
 * physical PLIC stands behind arch_plic_*, and the test plays the guest
 * through vplic_read() / vplic_write().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "fakes.h"
#include "log.h"
#include "vplic.h"

#define NDEV 95
#define NR_VCPUS 4
#define BASE 0xc000000UL
#define SIZE 0x600000UL
#define MAX_HW_CTX 16

/* ---- The fake physical PLIC and the rest of the hypervisor. ---- */

static struct {
	bool enable[MAX_HW_CTX][VPLIC_MAX_SOURCES];
	uint32_t priority[VPLIC_MAX_SOURCES];
	uint32_t threshold[MAX_HW_CTX];
	unsigned int fired[MAX_HW_CTX][8]; /* what claim returns, in order */
	unsigned int nr_fired[MAX_HW_CTX];
	unsigned int stuck; /* claim returns this forever (0: off) */
	unsigned int completed[32][2]; /* (ctx, src) */
	unsigned int nr_completed;
} hw;

static unsigned int line_changes[NR_VCPUS];

void arch_plic_set_priority(unsigned int src, uint32_t prio)
{
	hw.priority[src] = prio;
}

void arch_plic_enable(int ctx, unsigned int src, bool on)
{
	assert_true(ctx >= 0 && ctx < MAX_HW_CTX);
	hw.enable[ctx][src] = on;
}

void arch_plic_set_threshold(int ctx, uint32_t threshold)
{
	hw.threshold[ctx] = threshold;
}

unsigned int arch_plic_claim(int ctx)
{
	if (hw.stuck)
		return hw.stuck;
	if (!hw.nr_fired[ctx])
		return 0;
	hw.nr_fired[ctx]--;
	return hw.fired[ctx][hw.nr_fired[ctx]];
}

void arch_plic_complete(int ctx, unsigned int src)
{
	assert_true(hw.nr_completed < 32);
	hw.completed[hw.nr_completed][0] = (unsigned int)ctx;
	hw.completed[hw.nr_completed][1] = src;
	hw.nr_completed++;
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
	/* Always from inside the vPLIC, with its lock held. */
	assert_int_equal(fake_lock_depth, 1);
	assert_true(vcpu < NR_VCPUS);
	line_changes[vcpu]++;
}

/* ---- Helpers: the guest's view. ---- */

static struct vplic plic;
/* vCPU i's physical S context, as QEMU virt numbers them. */
static const int hw_context[NR_VCPUS] = { 1, 3, 5, 7 };

static int setup(void **state)
{
	static const uint32_t owned[] = { 1, 2, 3, 4, 5, 6, 7, 8, 10 };

	(void)state;
	memset(&hw, 0, sizeof(hw));
	memset(line_changes, 0, sizeof(line_changes));
	fake_debug_logs = fake_warn_logs = 0;
	for (int c = 0; c < MAX_HW_CTX; c++)
		for (int s = 0; s < VPLIC_MAX_SOURCES; s++)
			hw.enable[c][s] = true; /* vplic_hart_init clears */
	vplic_init(&plic, BASE, SIZE, NDEV, NR_VCPUS, hw_context, owned,
		   ARRAY_SIZE(owned));
	for (unsigned int v = 0; v < NR_VCPUS; v++) {
		hw.threshold[hw_context[v]] = 7; /* as OpenSBI leaves it */
		vplic_hart_init(&plic, v);
	}
	return 0;
}

static uint32_t rd(unsigned int vcpu, uint64_t off)
{
	return vplic_read(&plic, vcpu, off, 4);
}

static void wr(unsigned int vcpu, uint64_t off, uint32_t val)
{
	vplic_write(&plic, vcpu, off, 4, val);
}

static uint64_t prio_reg(unsigned int src)
{
	return PLIC_PRIORITY_BASE + 4 * src;
}

static uint64_t enable_reg(unsigned int ctx, unsigned int src)
{
	return PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * ctx + 4 * (src / 32);
}

static uint64_t ctx_reg(unsigned int ctx, unsigned int reg)
{
	return PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx + reg;
}

/* S context of vCPU @v in the guest's numbering. */
static unsigned int s_ctx(unsigned int v)
{
	return 2 * v + 1;
}

/* Enable @src (alone in its word) in context @ctx. */
static void enable_only(unsigned int ctx, unsigned int src)
{
	wr(0, enable_reg(ctx, src), 1U << (src % 32));
}

/* The device behind @src fires on physical context @ctx; we claim it. */
static void fire(int ctx, unsigned int src)
{
	hw.fired[ctx][hw.nr_fired[ctx]++] = src;
	assert_int_equal(vplic_hw_claim(&plic, ctx), 1);
}

static uint32_t claim(unsigned int ctx)
{
	return rd(0, ctx_reg(ctx, PLIC_CONTEXT_CLAIM));
}

static void complete(unsigned int ctx, uint32_t src)
{
	wr(0, ctx_reg(ctx, PLIC_CONTEXT_CLAIM), src);
}

/* ---- Tests. ---- */

static void test_init_programs_the_real_plic(void **state)
{
	(void)state;
	for (unsigned int v = 0; v < NR_VCPUS; v++) {
		assert_int_equal(hw.threshold[hw_context[v]], 0);
		for (unsigned int s = 1; s <= NDEV; s++)
			assert_false(hw.enable[hw_context[v]][s]);
	}
	assert_int_equal(hw.priority[10], 1);
	assert_int_equal(hw.priority[1], 1);
	assert_int_equal(hw.priority[9], 0); /* not owned */
	assert_true(vplic_contains(&plic, BASE));
	assert_true(vplic_contains(&plic, BASE + SIZE - 1));
	assert_false(vplic_contains(&plic, BASE + SIZE));
	assert_false(vplic_contains(&plic, BASE - 4));
}

static void test_claim_highest_priority_ties_lowest_id(void **state)
{
	(void)state;
	wr(0, prio_reg(3), 1);
	wr(0, prio_reg(5), 2);
	wr(0, prio_reg(7), 2);
	wr(0, enable_reg(s_ctx(0), 0), (1U << 3) | (1U << 5) | (1U << 7));
	/* Routed to vCPU 0's hart: physical context 1. */
	assert_true(hw.enable[1][3] && hw.enable[1][5] && hw.enable[1][7]);
	fire(1, 7);
	fire(1, 3);
	fire(1, 5);
	assert_int_equal(rd(0, PLIC_PENDING_BASE),
			 (1U << 3) | (1U << 5) | (1U << 7));
	assert_true(vplic_line(&plic, 0));
	assert_int_equal(claim(s_ctx(0)), 5);
	assert_int_equal(claim(s_ctx(0)), 7);
	assert_int_equal(claim(s_ctx(0)), 3);
	assert_int_equal(claim(s_ctx(0)), 0);
	assert_false(vplic_line(&plic, 0));
	assert_int_equal(rd(0, PLIC_PENDING_BASE), 0);
	/* One rise, one fall. */
	assert_int_equal(line_changes[0], 2);
}

static void test_threshold_masks(void **state)
{
	(void)state;
	wr(0, prio_reg(2), 2);
	enable_only(s_ctx(0), 2);
	wr(0, ctx_reg(s_ctx(0), PLIC_CONTEXT_THRESHOLD), 2);
	fire(1, 2);
	/* Priority must be above the threshold, not equal. */
	assert_false(vplic_line(&plic, 0));
	assert_int_equal(claim(s_ctx(0)), 0);
	wr(0, ctx_reg(s_ctx(0), PLIC_CONTEXT_THRESHOLD), 1);
	assert_true(vplic_line(&plic, 0));
	assert_int_equal(rd(0, ctx_reg(s_ctx(0), PLIC_CONTEXT_THRESHOLD)), 1);
	assert_int_equal(claim(s_ctx(0)), 2);
	/* Priority 0 never interrupts. */
	wr(0, ctx_reg(s_ctx(0), PLIC_CONTEXT_THRESHOLD), 0);
	wr(0, prio_reg(2), 0);
	complete(s_ctx(0), 2);
	fire(1, 2);
	assert_false(vplic_line(&plic, 0));
}

static void test_complete_rearms_and_completes_the_real_source(void **state)
{
	(void)state;
	wr(0, prio_reg(10), 1);
	enable_only(s_ctx(0), 10);
	fire(1, 10);
	assert_int_equal(claim(s_ctx(0)), 10);
	/* Held: the real source is not completed while the guest works. */
	assert_int_equal(hw.nr_completed, 0);
	/* A completion of something not claimed changes nothing. */
	complete(s_ctx(0), 9);
	complete(s_ctx(0), 0);
	complete(s_ctx(0), 1000);
	assert_int_equal(hw.nr_completed, 0);
	complete(s_ctx(0), 10);
	assert_int_equal(hw.nr_completed, 1);
	assert_int_equal(hw.completed[0][0], 1);
	assert_int_equal(hw.completed[0][1], 10);
	/* Completing twice does not complete the real source twice. */
	complete(s_ctx(0), 10);
	assert_int_equal(hw.nr_completed, 1);
	/* Re-armed: it fires and is claimed again. */
	fire(1, 10);
	assert_int_equal(claim(s_ctx(0)), 10);
}

static void test_contexts_are_isolated(void **state)
{
	(void)state;
	wr(0, prio_reg(4), 1);
	enable_only(s_ctx(1), 4);
	/* Routed to vCPU 1's physical context (3) only. */
	assert_true(hw.enable[3][4]);
	assert_false(hw.enable[1][4] || hw.enable[5][4] || hw.enable[7][4]);
	fire(3, 4);
	assert_false(vplic_line(&plic, 0));
	assert_true(vplic_line(&plic, 1));
	assert_int_equal(line_changes[0], 0);
	assert_int_equal(line_changes[1], 1);
	assert_int_equal(line_changes[2] + line_changes[3], 0);
	/* vCPU 0's context, and vCPU 1's M context, see nothing. */
	assert_int_equal(claim(s_ctx(0)), 0);
	assert_int_equal(claim(2 * 1), 0);
	assert_int_equal(rd(1, enable_reg(s_ctx(0), 4)), 0);
	assert_int_equal(claim(s_ctx(1)), 4);
}

static void test_affinity_moves_the_real_route(void **state)
{
	(void)state;
	wr(0, prio_reg(10), 1);
	enable_only(s_ctx(0), 10);
	assert_true(hw.enable[1][10]);
	/* The guest moves source 10 to CPU 3. */
	wr(0, enable_reg(s_ctx(0), 10), 0);
	enable_only(s_ctx(3), 10);
	assert_false(hw.enable[1][10]);
	assert_true(hw.enable[7][10]);
	fire(7, 10);
	assert_true(vplic_line(&plic, 3));
	assert_int_equal(claim(s_ctx(3)), 10);
	/* Moved while held: the route waits for the completion... */
	wr(0, enable_reg(s_ctx(3), 10), 0);
	enable_only(s_ctx(2), 10);
	assert_true(hw.enable[7][10]);
	assert_false(hw.enable[5][10]);
	/* ...which reaches the context that claimed it, then it moves. */
	complete(s_ctx(3), 10);
	assert_int_equal(hw.completed[0][0], 7);
	assert_false(hw.enable[7][10]);
	assert_true(hw.enable[5][10]);
	/* No context enables it: enabled nowhere. */
	wr(0, enable_reg(s_ctx(2), 10), 0);
	for (unsigned int v = 0; v < NR_VCPUS; v++)
		assert_false(hw.enable[hw_context[v]][10]);
}

static void test_bad_offsets_and_widths(void **state)
{
	const uint64_t bad[] = {
		prio_reg(0), /* source 0 */
		prio_reg(NDEV + 1),
		PLIC_PENDING_BASE + 4 * 3, /* beyond ndev's words */
		enable_reg(2 * NR_VCPUS, 1), /* a context we do not have */
		PLIC_ENABLE_BASE + 4 * 3, /* context 0, word 3 */
		ctx_reg(2 * NR_VCPUS, PLIC_CONTEXT_THRESHOLD),
		ctx_reg(1, 8), /* reserved within a context */
		SIZE - 4,
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		wr(0, bad[i], ~0U);
		assert_int_equal(rd(0, bad[i]), 0);
	}
	/* Widths other than 4, and misaligned words. */
	wr(0, prio_reg(1), 3);
	vplic_write(&plic, 0, prio_reg(1), 1, 5);
	vplic_write(&plic, 0, prio_reg(1), 8, 5);
	vplic_write(&plic, 0, prio_reg(1) + 2, 4, 5);
	assert_int_equal(rd(0, prio_reg(1)), 3);
	assert_int_equal(vplic_read(&plic, 0, prio_reg(1), 2), 0);
	assert_int_equal(vplic_read(&plic, 0, prio_reg(1), 8), 0);
	assert_int_equal(vplic_read(&plic, 0, prio_reg(1) + 1, 4), 0);
	/* Pending is read-only. */
	fire(1, 1); /* not enabled anywhere, but pending once claimed */
	wr(0, PLIC_PENDING_BASE, 0);
	assert_int_equal(rd(0, PLIC_PENDING_BASE), 1U << 1);
	/* WARL: priorities and thresholds keep 3 bits, enables real sources. */
	wr(0, prio_reg(2), 0xff);
	assert_int_equal(rd(0, prio_reg(2)), 7);
	wr(0, ctx_reg(1, PLIC_CONTEXT_THRESHOLD), 0x10);
	assert_int_equal(rd(0, ctx_reg(1, PLIC_CONTEXT_THRESHOLD)), 0);
	wr(0, enable_reg(1, 0), ~0U);
	assert_int_equal(rd(0, enable_reg(1, 0)), ~1U); /* no source 0 */
	wr(0, enable_reg(1, 64), ~0U);
	assert_int_equal(rd(0, enable_reg(1, 64)), ~0U); /* 64..95 */
	/* All of that was said once, at debug level. */
	assert_int_equal(fake_debug_logs, 1);
	assert_int_equal(fake_lock_depth, 0);
	/* With 40 sources, word 1 holds 32..40 only. */
	vplic_init(&plic, BASE, SIZE, 40, NR_VCPUS, hw_context, NULL, 0);
	wr(0, enable_reg(1, 32), ~0U);
	assert_int_equal(rd(0, enable_reg(1, 32)), 0x1ffU);
}

static void test_foreign_source_is_disabled(void **state)
{
	(void)state;
	hw.enable[1][9] = true; /* source 9: no VM device */
	fire(1, 9);
	assert_false(hw.enable[1][9]);
	assert_int_equal(hw.nr_completed, 1);
	assert_int_equal(fake_warn_logs, 1);
	assert_int_equal(rd(0, PLIC_PENDING_BASE), 0);
}

static void test_a_stuck_source_cannot_hold_the_hart(void **state)
{
	(void)state;
	hw.stuck = 3;
	assert_true(vplic_hw_claim(&plic, 1) <= NDEV + 1);
}

static void test_reset_completes_held_sources(void **state)
{
	(void)state;
	wr(0, prio_reg(8), 1);
	enable_only(s_ctx(2), 8);
	fire(5, 8);
	assert_int_equal(claim(s_ctx(2)), 8);
	wr(0, prio_reg(1), 1);
	enable_only(s_ctx(2), 1);
	fire(5, 1);
	assert_true(vplic_line(&plic, 2));
	vplic_reset(&plic);
	assert_int_equal(hw.nr_completed, 2);
	assert_false(vplic_line(&plic, 2));
	assert_int_equal(rd(2, prio_reg(8)), 0);
	assert_int_equal(rd(2, enable_reg(s_ctx(2), 8)), 0);
	assert_int_equal(rd(2, PLIC_PENDING_BASE), 0);
	assert_false(hw.enable[5][8] || hw.enable[5][1]);
}

/*
 * An emulated source (a vUART's, 9 here: not owned) is a level hartvisor
 * sets: pending while high until claimed, pending again at completion if
 * still high, and never touches the real PLIC. An owned one (10) leaves
 * the real PLIC when emulated.
 */
static void test_emulated_source_follows_its_level(void **state)
{
	(void)state;
	vplic_emulate(&plic, 9);
	wr(0, prio_reg(9), 2);
	enable_only(s_ctx(1), 9);
	assert_false(vplic_line(&plic, 1));
	vplic_set_level(&plic, 9, true);
	assert_true(vplic_line(&plic, 1));
	assert_int_equal(claim(s_ctx(1)), 9);
	assert_false(vplic_line(&plic, 1));
	/* Completed while still high: it asks again. */
	complete(s_ctx(1), 9);
	assert_true(vplic_line(&plic, 1));
	assert_int_equal(claim(s_ctx(1)), 9);
	vplic_set_level(&plic, 9, false);
	complete(s_ctx(1), 9);
	assert_false(vplic_line(&plic, 1));
	assert_int_equal(claim(s_ctx(1)), 0);
	/* Raised and lowered before a claim: the gateway keeps it. */
	vplic_set_level(&plic, 9, true);
	vplic_set_level(&plic, 9, false);
	assert_int_equal(claim(s_ctx(1)), 9);
	complete(s_ctx(1), 9);
	assert_int_equal(claim(s_ctx(1)), 0);
	/* Nothing of it reached the real PLIC. */
	for (unsigned int v = 0; v < NR_VCPUS; v++)
		assert_false(hw.enable[hw_context[v]][9]);
	assert_int_equal(hw.priority[9], 0);
	/* Source 10, real until now: not yet emulated, no level taken. */
	vplic_set_level(&plic, 10, true);
	assert_int_equal(claim(s_ctx(1)), 0);
	assert_int_equal(hw.priority[10], 1);
	vplic_emulate(&plic, 10);
	assert_int_equal(hw.priority[10], 0);
	wr(0, prio_reg(10), 1);
	enable_only(s_ctx(1), 10);
	vplic_set_level(&plic, 10, true);
	assert_int_equal(claim(s_ctx(1)), 10);
	for (unsigned int v = 0; v < NR_VCPUS; v++)
		assert_false(hw.enable[hw_context[v]][10]);
}

/*
 * A doorbell's edge: pending once; one that comes while the source is
 * claimed is kept and asks again at the completion, once.
 */
static void test_an_edge_while_claimed_is_kept(void **state)
{
	(void)state;
	vplic_emulate(&plic, 9);
	wr(0, prio_reg(9), 1);
	enable_only(s_ctx(0), 9);
	vplic_trigger(&plic, 9);
	vplic_trigger(&plic, 9);
	assert_int_equal(claim(s_ctx(0)), 9);
	complete(s_ctx(0), 9);
	assert_int_equal(claim(s_ctx(0)), 0); /* two edges before: one */
	vplic_trigger(&plic, 9);
	assert_int_equal(claim(s_ctx(0)), 9);
	vplic_trigger(&plic, 9); /* while claimed */
	assert_false(vplic_line(&plic, 0));
	complete(s_ctx(0), 9);
	assert_true(vplic_line(&plic, 0));
	assert_int_equal(claim(s_ctx(0)), 9);
	complete(s_ctx(0), 9);
	assert_int_equal(claim(s_ctx(0)), 0);
	/* Not an emulated source: nothing. */
	vplic_trigger(&plic, 10);
	assert_int_equal(claim(s_ctx(0)), 0);
	/* A reset forgets a kept edge. */
	vplic_trigger(&plic, 9);
	assert_int_equal(claim(s_ctx(0)), 9);
	vplic_trigger(&plic, 9);
	vplic_reset(&plic);
	vplic_emulate(&plic, 9);
	wr(0, prio_reg(9), 1);
	enable_only(s_ctx(0), 9);
	complete(s_ctx(0), 9);
	assert_int_equal(claim(s_ctx(0)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_programs_the_real_plic, setup),
		cmocka_unit_test_setup(
			test_claim_highest_priority_ties_lowest_id, setup),
		cmocka_unit_test_setup(test_threshold_masks, setup),
		cmocka_unit_test_setup(
			test_complete_rearms_and_completes_the_real_source,
			setup),
		cmocka_unit_test_setup(test_contexts_are_isolated, setup),
		cmocka_unit_test_setup(test_affinity_moves_the_real_route,
				       setup),
		cmocka_unit_test_setup(test_bad_offsets_and_widths, setup),
		cmocka_unit_test_setup(test_foreign_source_is_disabled, setup),
		cmocka_unit_test_setup(test_a_stuck_source_cannot_hold_the_hart,
				       setup),
		cmocka_unit_test_setup(test_an_edge_while_claimed_is_kept,
				       setup),
		cmocka_unit_test_setup(test_emulated_source_follows_its_level,
				       setup),
		cmocka_unit_test_setup(test_reset_completes_held_sources,
				       setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
