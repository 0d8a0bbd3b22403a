// SPDX-License-Identifier: BSD-2-Clause
/*
 * Decoder of the guest's integer loads and stores, for MMIO emulation.
 * Only what a trap handler needs: length, width, direction, extension and
 * the data register. The address comes from stval/htval, so immediates
 * and rs1 are never decoded. Encodings: the unprivileged spec's opcode map
 * and RVC chapter; htinst: the privileged spec, "Transformed Instruction
 * or Pseudoinstruction for mtinst or htinst".
 */
#include "mmio.h"
#include "sbi.h"

/* Major opcodes, bits 6:0 (all have bits 4:2 != 111, so 32-bit only). */
#define OPCODE_LOAD 0x03
#define OPCODE_LOAD_FP 0x07
#define OPCODE_STORE 0x23
#define OPCODE_STORE_FP 0x27
#define OPCODE_AMO 0x2f

/* RVC: quadrant (bits 1:0) and funct3 (bits 15:13) of the forms we take. */
#define C_OP(quadrant, funct3) ((funct3) << 2 | (quadrant))
#define C_LW C_OP(0, 2)
#define C_LD C_OP(0, 3)
#define C_SW C_OP(0, 6)
#define C_SD C_OP(0, 7)
#define C_LWSP C_OP(2, 2)
#define C_LDSP C_OP(2, 3)
#define C_SWSP C_OP(2, 6)
#define C_SDSP C_OP(2, 7)

static int found(struct mmio_access *a, unsigned int insn_len,
		 unsigned int width, bool store, bool sign_extend,
		 unsigned int reg)
{
	a->insn_len = insn_len;
	a->width = width;
	a->store = store;
	a->sign_extend = sign_extend;
	a->reg = reg;
	return 0;
}

static int decode_16(uint16_t insn, struct mmio_access *a)
{
	unsigned int rd = (insn >> 7) & 0x1f; /* C.LWSP, C.LDSP */
	unsigned int rs2 = (insn >> 2) & 0x1f; /* C.SWSP, C.SDSP */
	unsigned int reg_prime = 8 + ((insn >> 2) & 7); /* rd' or rs2' */

	switch (C_OP(insn & 3, insn >> 13)) {
	case C_LW:
		return found(a, 2, 4, false, true, reg_prime);
	case C_LD:
		return found(a, 2, 8, false, false, reg_prime);
	case C_SW:
		return found(a, 2, 4, true, false, reg_prime);
	case C_SD:
		return found(a, 2, 8, true, false, reg_prime);
	case C_LWSP:
		if (!rd) /* reserved */
			return SBI_ERR_NOT_SUPPORTED;
		return found(a, 2, 4, false, true, rd);
	case C_LDSP:
		if (!rd) /* reserved */
			return SBI_ERR_NOT_SUPPORTED;
		return found(a, 2, 8, false, false, rd);
	case C_SWSP:
		return found(a, 2, 4, true, false, rs2);
	case C_SDSP:
		return found(a, 2, 8, true, false, rs2);
	default:
		return SBI_ERR_NOT_SUPPORTED;
	}
}

/* A 32-bit load or store; @insn_len is 2 for an htinst from an RVC one. */
static int decode_32(uint32_t insn, unsigned int insn_len,
		     struct mmio_access *a)
{
	unsigned int funct3 = (insn >> 12) & 7;
	unsigned int width = 1U << (funct3 & 3);

	switch (insn & 0x7f) {
	case OPCODE_LOAD:
		/* LB LH LW LD LBU LHU LWU; 7 would be RV128's LDU */
		if (funct3 == 7)
			return SBI_ERR_NOT_SUPPORTED;
		return found(a, insn_len, width, false, funct3 < 3,
			     (insn >> 7) & 0x1f);
	case OPCODE_STORE:
		/* SB SH SW SD; 4 would be RV128's SQ */
		if (funct3 > 3)
			return SBI_ERR_NOT_SUPPORTED;
		return found(a, insn_len, width, true, false,
			     (insn >> 20) & 0x1f);
	default:
		return SBI_ERR_NOT_SUPPORTED;
	}
}

int mmio_decode(uint32_t insn, struct mmio_access *a)
{
	*a = (struct mmio_access){ 0 };
	if ((insn & 3) != 3)
		return decode_16(insn & 0xffff, a);
	return decode_32(insn, 4, a);
}

int mmio_decode_htinst(unsigned long htinst, struct mmio_access *a)
{
	uint64_t v = htinst;
	int ret;

	*a = (struct mmio_access){ 0 };
	if (v == HTINST_PSEUDO_RV32_READ || v == HTINST_PSEUDO_RV32_WRITE ||
	    v == HTINST_PSEUDO_RV64_READ || v == HTINST_PSEUDO_RV64_WRITE)
		return MMIO_ERR_PT_WALK;
	/*
	 * Zero, bits 63:32 set, bits 1:0 = 00 or 10: no information, or a
	 * value no standard defines yet, which the spec says to treat as zero.
	 */
	if (v >> 32 || !(v & 1))
		return MMIO_ERR_FETCH;

	/*
	 * A transformed instruction: rs1 holds the address offset, the
	 * immediate is zero (QEMU 7.2 leaves it: ignored), and bit 1 is
	 * clear when the trapping instruction was compressed.
	 */
	ret = decode_32((uint32_t)v | 2, (v & 2) ? 4 : 2, a);
	if (!ret) {
		a->addr_offset = (v >> 15) & 0x1f;
		return 0;
	}
	switch ((v | 2) & 0x7f) {
	case OPCODE_LOAD_FP:
	case OPCODE_STORE_FP:
	case OPCODE_AMO:
		/* The trapping instruction is of this kind: nothing to fetch. */
		return SBI_ERR_NOT_SUPPORTED;
	default:
		/* Not a transformation the spec defines: treat it as zero. */
		return MMIO_ERR_FETCH;
	}
}

unsigned long mmio_load_value(const struct mmio_access *a, unsigned long raw)
{
	unsigned int bits = a->width * 8;
	unsigned long sign;

	if (bits >= sizeof(raw) * 8)
		return raw;
	raw &= (1UL << bits) - 1;
	if (!a->sign_extend || !bits)
		return raw;
	sign = 1UL << (bits - 1);
	return (raw ^ sign) - sign;
}
