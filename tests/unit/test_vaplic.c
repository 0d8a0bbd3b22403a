// SPDX-License-Identifier: BSD-2-Clause
/*
 * The vAPLIC's register model on the host: a fake APLIC domain stands
 * behind arch_aplic_*, a fake IMSIC behind arch_imsic_send, and the test
 * plays the guest through vaplic_read() / vaplic_write(). Every refusal
 * the header promises is checked by what reached the fake: nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "fakes.h"
#include "vaplic.h"

#define PHYS_NSRC 96
#define NR_VCPUS 4
#define BASE 0xd000000UL
#define SIZE 0x8000UL
#define UART 10

/* vCPU v runs on the hart with IMSIC index 7 - v (not the identity). */
static const uint32_t hart_index[NR_VCPUS] = { 7, 6, 5, 4 };
static const paddr_t guest_file[NR_VCPUS] = { 0x28001000, 0x28003000,
					      0x28005000, 0x28007000 };
static const uint32_t owned_srcs[] = { UART, 1, 2, 8 };

/* ---- The fake APLIC domain, the fake IMSICs, the rest. ---- */

struct hw_write {
	uint64_t off;
	uint32_t val;
};

static struct {
	uint32_t regs[SIZE / 4]; /* what was last written, by offset */
	uint32_t pending[VAPLIC_WORDS], enabled[VAPLIC_WORDS];
	struct hw_write log[64];
	unsigned int nr_log;
	paddr_t msi_file[8];
	uint32_t msi_eiid[8];
	unsigned int nr_msi;
} hw;

static struct vaplic va;
static void set_bits(uint32_t *map, uint32_t src, bool on)
{
	if (on)
		map[src / 32] |= 1U << (src % 32);
	else
		map[src / 32] &= ~(1U << (src % 32));
}

uint32_t arch_aplic_read(uint64_t off)
{
	assert_true(off < SIZE && off % 4 == 0);
	if (off >= APLIC_SETIP && off < APLIC_SETIP + 128)
		return hw.pending[(off - APLIC_SETIP) / 4];
	if (off >= APLIC_SETIE && off < APLIC_SETIE + 128)
		return hw.enabled[(off - APLIC_SETIE) / 4];
	return hw.regs[off / 4];
}

void arch_aplic_write(uint64_t off, uint32_t val)
{
	assert_true(off < SIZE && off % 4 == 0);
	assert_true(hw.nr_log < ARRAY_SIZE(hw.log));
	hw.log[hw.nr_log++] = (struct hw_write){ off, val };
	hw.regs[off / 4] = val;
	if (off == APLIC_SETIPNUM)
		set_bits(hw.pending, val, true);
	if (off == APLIC_SETIENUM)
		set_bits(hw.enabled, val, true);
	if (off == APLIC_CLRIENUM)
		set_bits(hw.enabled, val, false);
	if (off >= APLIC_SETIE && off < APLIC_SETIE + 128)
		hw.enabled[(off - APLIC_SETIE) / 4] |= val;
	if (off >= APLIC_CLRIE && off < APLIC_CLRIE + 128)
		hw.enabled[(off - APLIC_CLRIE) / 4] &= ~val;
}

void arch_imsic_send(paddr_t file, uint32_t eiid)
{
	assert_true(hw.nr_msi < ARRAY_SIZE(hw.msi_file));
	hw.msi_file[hw.nr_msi] = file;
	hw.msi_eiid[hw.nr_msi++] = eiid;
}

static int setup(void **state)
{
	(void)state;
	memset(&hw, 0, sizeof(hw));
	vaplic_init(&va, BASE, SIZE, PHYS_NSRC, NR_VCPUS, hart_index,
		    guest_file, owned_srcs, ARRAY_SIZE(owned_srcs));
	hw.nr_log = 0;
	return 0;
}

static uint32_t rd(uint64_t off)
{
	return vaplic_read(&va, 1, off, 4);
}

static void wr(uint64_t off, uint32_t val)
{
	vaplic_write(&va, 1, off, 4, val);
}

static uint64_t sourcecfg(uint32_t src)
{
	return APLIC_SOURCECFG + 4 * (src - 1);
}

static uint64_t target(uint32_t src)
{
	return APLIC_TARGET + 4 * (src - 1);
}

static uint32_t guest_target(uint32_t vcpu, uint32_t guest, uint32_t eiid)
{
	return vcpu << 18 | guest << 12 | eiid;
}

/* The guest's store reached the fake as exactly (@off, @val). */
static void assert_one_write(uint64_t off, uint32_t val)
{
	assert_int_equal(hw.nr_log, 1);
	assert_int_equal(hw.log[0].off, off);
	assert_int_equal(hw.log[0].val, val);
	hw.nr_log = 0;
}

/* ---- Tests. ---- */

static void test_init_takes_owned_sources_to_reset(void **state)
{
	(void)state;
	memset(&hw, 0, sizeof(hw));
	hw.regs[sourcecfg(11) / 4] = 6; /* someone else's: left alone */
	vaplic_init(&va, BASE, SIZE, PHYS_NSRC, NR_VCPUS, hart_index,
		    guest_file, owned_srcs, ARRAY_SIZE(owned_srcs));
	/* Sources 1..10: the highest one owned. */
	assert_int_equal(va.nsrc, UART);
	assert_int_equal(hw.regs[APLIC_DOMAINCFG / 4], APLIC_DOMAINCFG_DM);
	for (unsigned int i = 0; i < ARRAY_SIZE(owned_srcs); i++) {
		uint32_t src = owned_srcs[i];

		assert_int_equal(hw.regs[sourcecfg(src) / 4], 0);
		/* vCPU 0's hart, guest file 1, EIID 0 (no interrupt). */
		assert_int_equal(hw.regs[target(src) / 4],
				 7 << 18 | VAPLIC_GUEST_INDEX << 12);
	}
	assert_int_equal(hw.regs[sourcecfg(11) / 4], 6);
	assert_int_equal(vaplic_guest_sources(NULL, 0, PHYS_NSRC), 1);
	assert_true(vaplic_contains(&va, BASE));
	assert_true(vaplic_contains(&va, BASE + SIZE - 4));
	assert_false(vaplic_contains(&va, BASE + SIZE));
	assert_false(vaplic_contains(&va, BASE - 4));
}

static void test_domaincfg(void **state)
{
	(void)state;
	/* Reads 0x80 in the top byte, DM (MSI mode) set, IE as written. */
	assert_int_equal(rd(APLIC_DOMAINCFG), 0x80000004);
	wr(APLIC_DOMAINCFG, 0xffffffff);
	assert_one_write(APLIC_DOMAINCFG,
			 APLIC_DOMAINCFG_IE | APLIC_DOMAINCFG_DM);
	assert_int_equal(rd(APLIC_DOMAINCFG), 0x80000104);
	wr(APLIC_DOMAINCFG, 0);
	assert_one_write(APLIC_DOMAINCFG, APLIC_DOMAINCFG_DM);
	assert_int_equal(rd(APLIC_DOMAINCFG), 0x80000004);
}

static void test_sourcecfg(void **state)
{
	(void)state;
	wr(sourcecfg(UART), 6);
	assert_one_write(sourcecfg(UART), 6);
	assert_int_equal(rd(sourcecfg(UART)), 6);
	/* No child domains: a delegation is inactive. */
	wr(sourcecfg(UART), APLIC_SOURCECFG_D | 5);
	assert_one_write(sourcecfg(UART), 0);
	/* Reserved modes 2 and 3: inactive. */
	wr(sourcecfg(1), 2);
	assert_one_write(sourcecfg(1), 0);
	wr(sourcecfg(1), 4 | 0x3f0);
	assert_one_write(sourcecfg(1), 4);
	/* Not the VM's (9, 3), or past its sources (11, 96): nothing. */
	hw.regs[sourcecfg(9) / 4] = 6;
	wr(sourcecfg(9), 4);
	wr(sourcecfg(3), 4);
	wr(sourcecfg(11), 4);
	wr(sourcecfg(96), 4);
	assert_int_equal(hw.nr_log, 0);
	assert_int_equal(rd(sourcecfg(9)), 0);
	assert_int_equal(rd(sourcecfg(11)), 0);
}

static void test_target_is_rewritten_to_the_guest_file(void **state)
{
	(void)state;
	/* vCPU 2, EIID 5 -> vCPU 2's hart (index 5), guest file 1. */
	wr(target(UART), guest_target(2, 0, 5));
	assert_one_write(target(UART), 5 << 18 | 1 << 12 | 5);
	/* The guest reads back what it wrote, not the real hart. */
	assert_int_equal(rd(target(UART)), guest_target(2, 0, 5));
	/* Bits 11 and 17..12 reserved or guest index: dropped on reads. */
	wr(target(UART), guest_target(3, 0, 0x7ff) | 1 << 11);
	assert_one_write(target(UART), 4 << 18 | 1 << 12 | 0x7ff);
	assert_int_equal(rd(target(UART)), guest_target(3, 0, 0x7ff));
}

static void test_target_refusals(void **state)
{
	(void)state;
	wr(target(UART), guest_target(1, 0, 9));
	assert_one_write(target(UART), 6 << 18 | 1 << 12 | 9);
	/* A vCPU that does not exist; the hart of any index at all. */
	wr(target(UART), guest_target(NR_VCPUS, 0, 9));
	wr(target(UART), guest_target(0x3fff, 0, 9));
	/* Guest index 1 (the guest has no guest files; it would be ours). */
	wr(target(UART), guest_target(0, 1, 9));
	wr(target(UART), guest_target(0, 0x3f, 9));
	/* A source the VM does not own, or past its sources. */
	wr(target(9), guest_target(0, 0, 9));
	wr(target(11), guest_target(0, 0, 9));
	assert_int_equal(hw.nr_log, 0);
	assert_int_equal(rd(target(UART)), guest_target(1, 0, 9));
	assert_int_equal(rd(target(9)), 0);
}

static void test_enable_and_pending_words_are_masked(void **state)
{
	uint32_t mine = 1U << 1 | 1U << 2 | 1U << 8 | 1U << UART;

	(void)state;
	wr(APLIC_SETIE, 0xffffffff);
	assert_one_write(APLIC_SETIE, mine);
	hw.enabled[0] |= 1U << 9; /* someone else's source, enabled */
	assert_int_equal(rd(APLIC_SETIE), mine);
	wr(APLIC_CLRIE, 0xffffffff);
	assert_one_write(APLIC_CLRIE, mine);
	assert_int_equal(rd(APLIC_CLRIE), 0);
	wr(APLIC_SETIP, 1U << 9 | 1U << 2);
	assert_one_write(APLIC_SETIP, 1U << 2);
	wr(APLIC_IN_CLRIP, 1U << 2);
	assert_one_write(APLIC_IN_CLRIP, 1U << 2);
	/* Words past the VM's sources, and bits of nobody's: nothing. */
	wr(APLIC_SETIE + 4, 0xffffffff);
	wr(APLIC_SETIP, 1U << 9 | 1U << 0);
	assert_int_equal(hw.nr_log, 0);
	assert_int_equal(rd(APLIC_SETIE + 4), 0);
}

static void test_by_number_registers(void **state)
{
	(void)state;
	wr(APLIC_SETIENUM, UART);
	assert_one_write(APLIC_SETIENUM, UART);
	wr(APLIC_CLRIENUM, UART);
	assert_one_write(APLIC_CLRIENUM, UART);
	wr(APLIC_SETIPNUM, 2);
	assert_one_write(APLIC_SETIPNUM, 2);
	wr(APLIC_CLRIPNUM, 2);
	assert_one_write(APLIC_CLRIPNUM, 2);
	wr(APLIC_SETIENUM, 9);
	wr(APLIC_SETIPNUM, 0);
	wr(APLIC_CLRIPNUM, 11);
	wr(APLIC_SETIPNUM, 0xffffffff);
	assert_int_equal(hw.nr_log, 0);
	assert_int_equal(rd(APLIC_SETIPNUM), 0);
}

static void test_level_retrigger_on_eoi_is_never_dropped(void **state)
{
	(void)state;
	/* Linux's EOI of a level source: setipnum_le, every time. */
	for (int i = 0; i < 3; i++) {
		wr(APLIC_SETIPNUM_LE, UART);
		assert_one_write(APLIC_SETIPNUM, UART);
	}
	/* The big-endian form carries the number byte-swapped. */
	wr(APLIC_SETIPNUM_BE, __builtin_bswap32(8));
	assert_one_write(APLIC_SETIPNUM, 8);
	wr(APLIC_SETIPNUM_LE, 9);
	wr(APLIC_SETIPNUM_BE, 8);
	assert_int_equal(hw.nr_log, 0);
}

static void test_genmsi_lands_in_the_vcpu_file(void **state)
{
	(void)state;
	wr(APLIC_GENMSI, guest_target(3, 0, 42));
	assert_int_equal(hw.nr_msi, 1);
	assert_int_equal(hw.msi_file[0], guest_file[3]);
	assert_int_equal(hw.msi_eiid[0], 42);
	/* Never busy; the guest index bits read 0. */
	assert_int_equal(rd(APLIC_GENMSI), guest_target(3, 0, 42));
	wr(APLIC_GENMSI, guest_target(NR_VCPUS, 0, 42));
	wr(APLIC_GENMSI, guest_target(0x3fff, 0, 1));
	assert_int_equal(hw.nr_msi, 1);
	assert_int_equal(hw.nr_log, 0);
	assert_int_equal(rd(APLIC_GENMSI), guest_target(3, 0, 42));
}

static void test_bad_offsets_and_widths(void **state)
{
	static const uint64_t raz[] = { 0x1bc0, 0x1bc8, 0x4000, 0x4018,
					0x7ffc };
	static const uint64_t bad[] = { 0x1000, 0x1bd0, 0x2008, 0x2ffc };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(raz); i++) {
		wr(raz[i], 0xffffffff);
		assert_int_equal(rd(raz[i]), 0);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		wr(bad[i], 0xffffffff);
		assert_int_equal(rd(bad[i]), 0);
	}
	/* Widths other than 4 and misaligned words: no effect at all. */
	vaplic_write(&va, 0, sourcecfg(UART), 1, 6);
	vaplic_write(&va, 0, sourcecfg(UART), 2, 6);
	vaplic_write(&va, 0, sourcecfg(UART), 8, 6);
	vaplic_write(&va, 0, sourcecfg(UART) + 1, 4, 6);
	vaplic_write(&va, 0, APLIC_GENMSI, 8, guest_target(0, 0, 1));
	assert_int_equal(vaplic_read(&va, 0, APLIC_DOMAINCFG, 8), 0);
	assert_int_equal(vaplic_read(&va, 0, APLIC_DOMAINCFG + 2, 4), 0);
	assert_int_equal(hw.nr_log, 0);
	assert_int_equal(hw.nr_msi, 0);
	assert_int_equal(fake_lock_depth, 0);
}

static void test_reset(void **state)
{
	(void)state;
	wr(APLIC_DOMAINCFG, APLIC_DOMAINCFG_IE);
	wr(sourcecfg(UART), 6);
	wr(target(UART), guest_target(2, 0, 5));
	wr(APLIC_GENMSI, guest_target(1, 0, 3));
	hw.nr_log = 0;
	vaplic_reset(&va);
	assert_int_equal(rd(APLIC_DOMAINCFG), 0x80000004);
	assert_int_equal(hw.regs[sourcecfg(UART) / 4], 0);
	assert_int_equal(hw.regs[target(UART) / 4], 7 << 18 | 1 << 12);
	assert_int_equal(rd(target(UART)), 0);
	assert_int_equal(rd(APLIC_GENMSI), 0);
}

/*
 * The UART's source emulated (a vUART): its registers answer from the
 * vAPLIC, nothing reaches the real domain, and its input becomes MSIs as
 * the real domain would send them in MSI mode: on a rising level, again
 * on Linux's setipnum_le re-trigger while the level is high, held while
 * not enabled or while the IE is 0.
 */
static void test_emulated_source(void **state)
{
	(void)state;
	vaplic_emulate(&va, UART);
	hw.nr_log = 0;
	wr(sourcecfg(UART), APLIC_SM_LEVEL1);
	wr(target(UART), guest_target(2, 0, 33));
	assert_int_equal(rd(sourcecfg(UART)), APLIC_SM_LEVEL1);
	assert_int_equal(rd(target(UART)), guest_target(2, 0, 33));
	wr(APLIC_SETIENUM, UART);
	assert_int_equal(rd(APLIC_SETIE) & (1U << UART), 1U << UART);
	/* Raised while the IE is 0: pending, held, shown. */
	vaplic_set_level(&va, UART, true);
	assert_int_equal(hw.nr_msi, 0);
	assert_int_equal(rd(APLIC_SETIP) & (1U << UART), 1U << UART);
	assert_int_equal(rd(APLIC_IN_CLRIP) & (1U << UART), 1U << UART);
	/* The IE on: it goes to vCPU 2's file, and is no longer pending. */
	wr(APLIC_DOMAINCFG, APLIC_DOMAINCFG_IE);
	assert_int_equal(hw.nr_msi, 1);
	assert_int_equal(hw.msi_file[0], guest_file[2]);
	assert_int_equal(hw.msi_eiid[0], 33);
	assert_int_equal(rd(APLIC_SETIP) & (1U << UART), 0);
	/* Still high: Linux's re-trigger sends it again; low, it does not. */
	wr(APLIC_SETIPNUM_LE, UART);
	assert_int_equal(hw.nr_msi, 2);
	vaplic_set_level(&va, UART, false);
	wr(APLIC_SETIPNUM_LE, UART);
	assert_int_equal(hw.nr_msi, 2);
	/* Disabled: a rising level waits; enabled, it goes. */
	wr(APLIC_CLRIENUM, UART);
	vaplic_set_level(&va, UART, true);
	assert_int_equal(hw.nr_msi, 2);
	wr(APLIC_SETIE, 1U << UART);
	assert_int_equal(hw.nr_msi, 3);
	/* Only the domain's IE reached the real APLIC. */
	for (unsigned int i = 0; i < hw.nr_log; i++)
		assert_int_equal(hw.log[i].off, APLIC_DOMAINCFG);
	/* Inactive: nothing pending or enabled, nothing sent. */
	wr(sourcecfg(UART), 0);
	vaplic_set_level(&va, UART, false);
	vaplic_set_level(&va, UART, true);
	assert_int_equal(rd(APLIC_SETIE) & (1U << UART), 0);
	assert_int_equal(rd(APLIC_SETIP) & (1U << UART), 0);
	assert_int_equal(hw.nr_msi, 3);
	/* A reset leaves it inactive, its target 0. */
	wr(sourcecfg(UART), APLIC_SM_EDGE1);
	vaplic_reset(&va);
	assert_int_equal(rd(sourcecfg(UART)), 0);
	assert_int_equal(rd(target(UART)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_takes_owned_sources_to_reset),
		cmocka_unit_test_setup(test_domaincfg, setup),
		cmocka_unit_test_setup(test_emulated_source, setup),
		cmocka_unit_test_setup(test_sourcecfg, setup),
		cmocka_unit_test_setup(
			test_target_is_rewritten_to_the_guest_file, setup),
		cmocka_unit_test_setup(test_target_refusals, setup),
		cmocka_unit_test_setup(test_enable_and_pending_words_are_masked,
				       setup),
		cmocka_unit_test_setup(test_by_number_registers, setup),
		cmocka_unit_test_setup(
			test_level_retrigger_on_eoi_is_never_dropped, setup),
		cmocka_unit_test_setup(test_genmsi_lands_in_the_vcpu_file,
				       setup),
		cmocka_unit_test_setup(test_bad_offsets_and_widths, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
