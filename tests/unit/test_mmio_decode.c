// SPDX-License-Identifier: BSD-2-Clause
/*
 * hv/mmio_decode.c: every integer load and store the decoder takes, from
 * the instruction and from htinst, and what it refuses. Encodings come
 * from riscv64-unknown-elf-as 2.40 (-march=rv64gc) and objdump; the
 * assembly is next to each one. Reserved ones, which the assembler
 * refuses, say how they were made.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "mmio.h"
#include "sbi.h"

#define LOAD(l, w, sx, r)                                                     \
	{                                                                     \
		.insn_len = l, .width = w, .store = false, .sign_extend = sx, \
		.reg = r, .addr_offset = 0                                    \
	}
#define STORE(l, w, r)                                           \
	{                                                        \
		.insn_len = l, .width = w, .store = true,        \
		.sign_extend = false, .reg = r, .addr_offset = 0 \
	}

struct decode_case {
	uint32_t insn;
	struct mmio_access want;
};

static void same_access(unsigned long insn, const struct mmio_access *got,
			const struct mmio_access *want)
{
	if (got->insn_len != want->insn_len || got->width != want->width ||
	    got->store != want->store ||
	    got->sign_extend != want->sign_extend || got->reg != want->reg ||
	    got->addr_offset != want->addr_offset)
		fail_msg("0x%08lx: got len %u width %u store %d sext %d x%u "
			 "offset %u, want len %u width %u store %d sext %d "
			 "x%u offset %u",
			 insn, got->insn_len, got->width, got->store,
			 got->sign_extend, got->reg, got->addr_offset,
			 want->insn_len, want->width, want->store,
			 want->sign_extend, want->reg, want->addr_offset);
}

static void decode_all(const struct decode_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mmio_access a;

		memset(&a, 0xa5, sizeof(a));
		if (mmio_decode(cases[i].insn, &a))
			fail_msg("0x%08x refused", cases[i].insn);
		same_access(cases[i].insn, &a, &cases[i].want);
	}
}

/* @ret from a decode that failed: the code, and nothing left in @a. */
static void refused(unsigned long insn, int ret, int want,
		    const struct mmio_access *a)
{
	static const struct mmio_access zero;

	if (ret != want)
		fail_msg("0x%08lx: returned %d, want %d", insn, ret, want);
	same_access(insn, a, &zero);
}

static void integer_loads(void **state)
{
	static const struct decode_case cases[] = {
		{ 0xfff48783, LOAD(4, 1, true, 15) }, /* lb a5, -1(s1) */
		{ 0x00251e03, LOAD(4, 2, true, 28) }, /* lh t3, 2(a0) */
		{ 0x06412d83, LOAD(4, 4, true, 27) }, /* lw s11, 100(sp) */
		{ 0xff8fb083, LOAD(4, 8, false, 1) }, /* ld ra, -8(t6) */
		{ 0x00764583, LOAD(4, 1, false, 11) }, /* lbu a1, 7(a2) */
		{ 0x00025183, LOAD(4, 2, false, 3) }, /* lhu gp, 0(tp) */
		{ 0x00c96283, LOAD(4, 4, false, 5) }, /* lwu t0, 12(s2) */
		/* The read happens (MMIO reads can have side effects). */
		{ 0x00452003, LOAD(4, 4, true, 0) }, /* lw zero, 4(a0) */
	};

	(void)state;
	decode_all(cases, sizeof(cases) / sizeof(cases[0]));
}

static void integer_stores(void **state)
{
	static const struct decode_case cases[] = {
		{ 0x013500a3, STORE(4, 1, 19) }, /* sb s3, 1(a0) */
		{ 0xffd59f23, STORE(4, 2, 29) }, /* sh t4, -2(a1) */
		{ 0x7f142e23, STORE(4, 4, 17) }, /* sw a7, 2044(s0) */
		{ 0x81a33023, STORE(4, 8, 26) }, /* sd s10, -2048(t1) */
	};

	(void)state;
	decode_all(cases, sizeof(cases) / sizeof(cases[0]));
}

static void compressed_loads_and_stores(void **state)
{
	static const struct decode_case cases[] = {
		{ 0x40dc, LOAD(2, 4, true, 15) }, /* c.lw a5, 4(s1) */
		{ 0x7fe0, LOAD(2, 8, false, 8) }, /* c.ld s0, 248(a5) */
		{ 0xdce8, STORE(2, 4, 10) }, /* c.sw a0, 124(s1) */
		{ 0xe698, STORE(2, 8, 14) }, /* c.sd a4, 8(a3) */
		{ 0x5f7e, LOAD(2, 4, true, 30) }, /* c.lwsp t5, 252(sp) */
		{ 0x7bfe, LOAD(2, 8, false, 23) }, /* c.ldsp s7, 504(sp) */
		{ 0xc642, STORE(2, 4, 16) }, /* c.swsp a6, 12(sp) */
		{ 0xe006, STORE(2, 8, 1) }, /* c.sdsp ra, 0(sp) */
		{ 0xc202, STORE(2, 4, 0) }, /* c.swsp zero, 4(sp) */
		/* Bits 31:16 are the next instruction: ignored. */
		{ 0xdead40dc, LOAD(2, 4, true, 15) }, /* c.lw a5, 4(s1) */
		{ 0x0003e698, STORE(2, 8, 14) }, /* c.sd a4, 8(a3) */
	};

	(void)state;
	decode_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* rd' and rs2' (bits 4:2) name x8..x15; rs1' (bits 9:7) is not ours. */
static void compressed_registers_are_x8_to_x15(void **state)
{
	(void)state;
	for (unsigned int r = 0; r < 8; r++) {
		for (unsigned int rs1 = 0; rs1 < 8; rs1 += 7) {
			/* c.lw s0, 0(s0) is 0x4000, c.sd s0, 0(s0) 0xe000 */
			struct decode_case c[] = {
				{ 0x4000 | rs1 << 7 | r << 2,
				  LOAD(2, 4, true, 8 + r) },
				{ 0xe000 | rs1 << 7 | r << 2,
				  STORE(2, 8, 8 + r) },
			};

			decode_all(c, 2);
		}
	}
	/* And by name: c.lw s0, 0(s0) and c.sw a0, 124(s1) */
	decode_all((struct decode_case[]){ { 0x4000, LOAD(2, 4, true, 8) },
					   { 0xdce8, STORE(2, 4, 10) } },
		   2);
}

static void refusals(void **state)
{
	static const uint32_t insns[] = {
		0x00052507, /* flw fa0, 0(a0) */
		0x00813487, /* fld fs1, 8(sp) */
		0x0025a227, /* fsw ft2, 4(a1) */
		0x00f43827, /* fsd fa5, 16(s0) */
		0x2588, /* c.fld fa0, 8(a1) */
		0xaa00, /* c.fsd fs0, 16(a2) */
		0x25e2, /* c.fldsp fa1, 24(sp) */
		0xb032, /* c.fsdsp fa2, 32(sp) */
		0x00b6252f, /* amoadd.w a0, a1, (a2) */
		0x0866b2af, /* amoswap.d t0, t1, (a3) */
		0x1005a52f, /* lr.w a0, (a1) */
		0x18d7362f, /* sc.d a2, a3, (a4) */
		0x507e, /* c.lwsp t5 (0x5f7e) with rd = 0: reserved */
		0x707e, /* c.ldsp s7 (0x7bfe) with rd = 0: reserved */
		0x00007003, /* LOAD funct3 7 (RV128's LDU) */
		0x00004023, /* STORE funct3 4 (RV128's SQ) */
		0x8000, /* quadrant 0 funct3 100: reserved in RV64C */
		0x0000301f, /* low half of a 48-bit instruction */
		0x0000303f, /* low half of a 64-bit instruction */
		0x00558513, /* addi a0, a1, 5 */
		0x10002573, /* csrrs a0, sstatus, zero */
		0x0808, /* c.addi4spn a0, sp, 16 */
		0x0001, /* c.nop */
		0x450d, /* c.li a0, 3 */
		0x852e, /* c.mv a0, a1 */
		0x0000, /* c.unimp (all zero: defined illegal) */
		0xffffffff,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		struct mmio_access a;
		int ret;

		memset(&a, 0xa5, sizeof(a));
		ret = mmio_decode(insns[i], &a);
		refused(insns[i], ret, SBI_ERR_NOT_SUPPORTED, &a);
	}
}

static unsigned long value_of(uint32_t insn, unsigned long raw)
{
	struct mmio_access a;

	assert_int_equal(mmio_decode(insn, &a), 0);
	return mmio_load_value(&a, raw);
}

static void load_values_are_extended(void **state)
{
	(void)state;
	/* lb a5, -1(s1) and lbu a1, 7(a2) */
	assert_int_equal(value_of(0xfff48783, 0x80), 0xffffffffffffff80UL);
	assert_int_equal(value_of(0xfff48783, 0xabcd7f), 0x7f);
	assert_int_equal(value_of(0x00764583, 0x80), 0x80);
	assert_int_equal(value_of(0x00764583, 0xffffffffffffffffUL), 0xff);
	/* lh t3, 2(a0) and lhu gp, 0(tp) */
	assert_int_equal(value_of(0x00251e03, 0x8001), 0xffffffffffff8001UL);
	assert_int_equal(value_of(0x00251e03, 0x12347fff), 0x7fff);
	assert_int_equal(value_of(0x00025183, 0xffff8001), 0x8001);
	/* lw s11, 100(sp), lwu t0, 12(s2) and c.lw a5, 4(s1) */
	assert_int_equal(value_of(0x06412d83, 0x80000000),
			 0xffffffff80000000UL);
	assert_int_equal(value_of(0x06412d83, 0xdeadbeef7fffffffUL),
			 0x7fffffff);
	assert_int_equal(value_of(0x00c96283, 0xdeadbeef80000000UL),
			 0x80000000);
	assert_int_equal(value_of(0x40dc, 0xfffffffe), 0xfffffffffffffffeUL);
	/* ld ra, -8(t6) and c.ldsp s7, 504(sp): all 64 bits as they are */
	assert_int_equal(value_of(0xff8fb083, 0x8000000000000001UL),
			 0x8000000000000001UL);
	assert_int_equal(value_of(0x7bfe, 0x0123456789abcdefUL),
			 0x0123456789abcdefUL);
	/* Stores: the bytes written. sb s3, 1(a0) and sh t4, -2(a1) */
	assert_int_equal(value_of(0x013500a3, 0xfffffffffffff080UL), 0x80);
	assert_int_equal(value_of(0xffd59f23, 0x12348765), 0x8765);
}

struct htinst_case {
	unsigned long htinst;
	struct mmio_access want;
};

static void decode_htinst_all(const struct htinst_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mmio_access a;
		int ret;

		memset(&a, 0xa5, sizeof(a));
		ret = mmio_decode_htinst(cases[i].htinst, &a);
		if (ret)
			fail_msg("htinst 0x%08lx returned %d", cases[i].htinst,
				 ret);
		same_access(cases[i].htinst, &a, &cases[i].want);
	}
}

/* Transformed: imm and rs1 (the address offset) zero, bits 1:0 = 11. */
static void htinst_transformed(void **state)
{
	static const struct htinst_case cases[] = {
		{ 0x00000783, LOAD(4, 1, true, 15) }, /* lb a5, 0(zero) */
		{ 0x00001e03, LOAD(4, 2, true, 28) }, /* lh t3, 0(zero) */
		{ 0x00002d83, LOAD(4, 4, true, 27) }, /* lw s11, 0(zero) */
		{ 0x00003083, LOAD(4, 8, false, 1) }, /* ld ra, 0(zero) */
		{ 0x00004583, LOAD(4, 1, false, 11) }, /* lbu a1, 0(zero) */
		{ 0x00005183, LOAD(4, 2, false, 3) }, /* lhu gp, 0(zero) */
		{ 0x00006283, LOAD(4, 4, false, 5) }, /* lwu t0, 0(zero) */
		{ 0x01300023, STORE(4, 1, 19) }, /* sb s3, 0(zero) */
		{ 0x01d01023, STORE(4, 2, 29) }, /* sh t4, 0(zero) */
		{ 0x01102023, STORE(4, 4, 17) }, /* sw a7, 0(zero) */
		{ 0x01a03023, STORE(4, 8, 26) }, /* sd s10, 0(zero) */
		/* QEMU 7.2 keeps the immediate */
		{ 0x7f102e23, STORE(4, 4, 17) }, /* sw a7, 2044(zero) */
	};

	(void)state;
	decode_htinst_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* From a compressed instruction: its 32-bit form with bit 1 cleared. */
static void htinst_transformed_compressed(void **state)
{
	static const struct htinst_case cases[] = {
		/* c.lw a5, 4(s1): lw a5, 0(zero) = 0x00002783 */
		{ 0x00002781, LOAD(2, 4, true, 15) },
		/* c.ld s0, 248(a5): ld s0, 0(zero) = 0x00003403 */
		{ 0x00003401, LOAD(2, 8, false, 8) },
		/* c.sw a0, 124(s1): sw a0, 0(zero) = 0x00a02023 */
		{ 0x00a02021, STORE(2, 4, 10) },
		/* c.sd a4, 8(a3): sd a4, 0(zero) = 0x00e03023 */
		{ 0x00e03021, STORE(2, 8, 14) },
		/* c.lwsp t5, 252(sp): lw t5, 0(zero) = 0x00002f03 */
		{ 0x00002f01, LOAD(2, 4, true, 30) },
		/* c.ldsp s7, 504(sp): ld s7, 0(zero) = 0x00003b83 */
		{ 0x00003b81, LOAD(2, 8, false, 23) },
		/* c.swsp a6, 12(sp): sw a6, 0(zero) = 0x01002023 */
		{ 0x01002021, STORE(2, 4, 16) },
		/* c.sdsp ra, 0(sp): sd ra, 0(zero) = 0x00103023 */
		{ 0x00103021, STORE(2, 8, 1) },
	};

	(void)state;
	decode_htinst_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Bits 19:15 (rs1's place): how far into a misaligned access it faulted. */
static void htinst_addr_offset(void **state)
{
	struct htinst_case cases[] = {
		/* sw a7, 2044(zero) = 0x7f102e23; objdump: sw a7, 2044(gp) */
		{ 0x7f11ae23, STORE(4, 4, 17) },
		/* lhu gp, 0(zero) = 0x00005183; objdump: lhu gp, 0(ra) */
		{ 0x0000d183, LOAD(4, 2, false, 3) },
		/* c.ld s0 (0x00003401 above); objdump of ...03: ld s0, 0(t2) */
		{ 0x0003b401, LOAD(2, 8, false, 8) },
	};

	(void)state;
	cases[0].want.addr_offset = 3;
	cases[1].want.addr_offset = 1;
	cases[2].want.addr_offset = 7;
	decode_htinst_all(cases, sizeof(cases) / sizeof(cases[0]));
}

static void htinst_refused(unsigned long htinst, int want)
{
	struct mmio_access a;
	int ret;

	memset(&a, 0xa5, sizeof(a));
	ret = mmio_decode_htinst(htinst, &a);
	refused(htinst, ret, want, &a);
}

/* lw/sw/ld/sd x0, 0(x0) with bits 1:0 = 00: the VS-stage walk's accesses */
static void htinst_pseudoinstructions(void **state)
{
	/* Their standard twins are real accesses. */
	static const struct htinst_case twins[] = {
		{ 0x00002003, LOAD(4, 4, true, 0) }, /* lw zero, 0(zero) */
		{ 0x00003023, STORE(4, 8, 0) }, /* sd zero, 0(zero) */
	};

	(void)state;
	htinst_refused(0x00002000, MMIO_ERR_PT_WALK);
	htinst_refused(0x00002020, MMIO_ERR_PT_WALK);
	htinst_refused(0x00003000, MMIO_ERR_PT_WALK);
	htinst_refused(0x00003020, MMIO_ERR_PT_WALK);
	assert_int_equal(HTINST_PSEUDO_RV64_READ, 0x00003000);
	assert_int_equal(HTINST_PSEUDO_RV64_WRITE, 0x00003020);
	decode_htinst_all(twins, sizeof(twins) / sizeof(twins[0]));
}

/* Zero and whatever the spec defines no meaning for: fetch instead. */
static void htinst_without_information(void **state)
{
	(void)state;
	htinst_refused(0, MMIO_ERR_FETCH);
	htinst_refused(0x00003010, MMIO_ERR_FETCH); /* 00, no pseudo */
	htinst_refused(0x00002002, MMIO_ERR_FETCH); /* bits 1:0 = 10 */
	htinst_refused(0x00002782, MMIO_ERR_FETCH); /* c.lw's, bit 0 clear */
	/* lw s11, 0(zero) above bits 63:32: a future standard's value */
	htinst_refused(0x100002d83UL, MMIO_ERR_FETCH);
	htinst_refused(0x00007003, MMIO_ERR_FETCH); /* LOAD funct3 7 */
	htinst_refused(0x00004023, MMIO_ERR_FETCH); /* STORE funct3 4 */
	htinst_refused(0x00558513, MMIO_ERR_FETCH); /* addi a0, a1, 5 */
	htinst_refused(0x0000000b, MMIO_ERR_FETCH); /* custom-0 */
	htinst_refused(0x0000301f, MMIO_ERR_FETCH); /* 48-bit's low half */
}

/* A transformed FP or atomic access: the trapping one is the same kind. */
static void htinst_fp_and_atomics_refused(void **state)
{
	(void)state;
	htinst_refused(0x00002507, SBI_ERR_NOT_SUPPORTED); /* flw fa0 */
	htinst_refused(0x00003507, SBI_ERR_NOT_SUPPORTED); /* fld fa0 */
	htinst_refused(0x00202027, SBI_ERR_NOT_SUPPORTED); /* fsw ft2 */
	htinst_refused(0x00803027, SBI_ERR_NOT_SUPPORTED); /* fsd fs0 */
	/* c.fld fa0, 8(a1): fld fa0, 0(zero) = 0x00003507, bit 1 cleared */
	htinst_refused(0x00003505, SBI_ERR_NOT_SUPPORTED);
	/* c.fsdsp fa2, 32(sp): fsd fa2, 0(zero) = 0x00c03027 */
	htinst_refused(0x00c03025, SBI_ERR_NOT_SUPPORTED);
	/* amoadd.w a0, a1, (zero); amoswap.d t0, t1, (zero) */
	htinst_refused(0x00b0252f, SBI_ERR_NOT_SUPPORTED);
	htinst_refused(0x086032af, SBI_ERR_NOT_SUPPORTED);
	/* lr.w a0, (zero); sc.d a2, a3, (zero) */
	htinst_refused(0x1000252f, SBI_ERR_NOT_SUPPORTED);
	htinst_refused(0x18d0362f, SBI_ERR_NOT_SUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integer_loads),
		cmocka_unit_test(integer_stores),
		cmocka_unit_test(compressed_loads_and_stores),
		cmocka_unit_test(compressed_registers_are_x8_to_x15),
		cmocka_unit_test(refusals),
		cmocka_unit_test(load_values_are_extended),
		cmocka_unit_test(htinst_transformed),
		cmocka_unit_test(htinst_transformed_compressed),
		cmocka_unit_test(htinst_addr_offset),
		cmocka_unit_test(htinst_pseudoinstructions),
		cmocka_unit_test(htinst_without_information),
		cmocka_unit_test(htinst_fp_and_atomics_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
