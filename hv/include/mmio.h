/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoding the guest loads and stores that trap on emulated MMIO: from
 * htinst when the hart provides a transformed instruction, else from the
 * instruction the caller fetched at sepc. RV64 guests only (VSXLEN = 64).
 * Pure C and host-safe: the caller reads the CSRs and guest memory.
 */
#ifndef HV_MMIO_H
#define HV_MMIO_H

#include "types.h"

/*
 * mmio_decode_htinst(): htinst holds no information (zero, or a value the
 * privileged spec says to treat as zero). Fetch the instruction at sepc
 * and call mmio_decode().
 */
#define MMIO_ERR_FETCH -100
/*
 * mmio_decode_htinst(): htinst holds a pseudoinstruction, so the fault was
 * an implicit access of the guest's own VS-stage page-table walk, not an
 * instruction's access: there is nothing to emulate; inject an access
 * fault.
 */
#define MMIO_ERR_PT_WALK -101

/* The htinst pseudoinstructions (privileged spec, "H" extension). */
#define HTINST_PSEUDO_RV32_READ 0x00002000UL
#define HTINST_PSEUDO_RV32_WRITE 0x00002020UL
#define HTINST_PSEUDO_RV64_READ 0x00003000UL
#define HTINST_PSEUDO_RV64_WRITE 0x00003020UL

/* One decoded integer load or store. */
struct mmio_access {
	unsigned int insn_len; /* 2 or 4: how far sepc advances */
	unsigned int width; /* bytes accessed: 1, 2, 4 or 8 */
	bool store;
	bool sign_extend; /* LB, LH, LW; false for LD and the unsigned loads */
	unsigned int reg; /* rd of a load (may be x0), rs2 of a store */
	/*
	 * Bytes between the access's first byte and the faulting address
	 * (stval, htval): nonzero only for a misaligned access that faulted
	 * part-way, and known only from htinst; 0 from mmio_decode().
	 */
	unsigned int addr_offset;
};

/*
 * Decode @insn, the instruction at the guest's sepc, as an integer load or
 * store (RV64I and the RV64C forms). Bits 1:0 tell its length: other than
 * 11 means a 16-bit instruction, and then bits 31:16 are ignored (they are
 * the next instruction when the caller fetched 32 bits). Returns 0, or
 * SBI_ERR_NOT_SUPPORTED for anything else: FP loads and stores, AMOs,
 * LR/SC, other opcodes, 48-bit and longer encodings, reserved encodings.
 * @a is all zero on failure. Any context.
 */
int mmio_decode(uint32_t insn, struct mmio_access *a);

/*
 * Decode @htinst as written on a load or store guest-page fault. A
 * transformed integer load or store (bit 0 set; bit 1 clear when the
 * trapping instruction was compressed, so insn_len is 2) returns 0 and
 * gives addr_offset too; a transformed FP load or store, AMO, LR or SC
 * returns SBI_ERR_NOT_SUPPORTED; a pseudoinstruction MMIO_ERR_PT_WALK;
 * zero and every value the spec defines no meaning for MMIO_ERR_FETCH.
 * @a is all zero on failure. Any context.
 */
int mmio_decode_htinst(unsigned long htinst, struct mmio_access *a);

/*
 * The value @a puts in its register when the device returned @raw: the
 * low @a->width bytes, sign- or zero-extended. For a store it gives the
 * bytes the store writes (the low @a->width bytes of rs2). Any context.
 */
unsigned long mmio_load_value(const struct mmio_access *a, unsigned long raw);

#endif
