// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the guest's loads and stores that fault on emulated
 * MMIO. Each input is a list of cases; each case is an instruction word,
 * an htinst value and a fault (htval, stval, load or store, the guest's
 * registers), and goes through
 *
 * 1. the decoder alone (hv/mmio_decode.c): mmio_decode() and
 *    mmio_decode_htinst() agree with a reference decoder written from the
 *    spec's tables, fill nothing on failure, ignore bits 31:16 of a 16-bit
 *    instruction, and mmio_load_value() extends as the width says;
 * 2. the whole fault (hv/vcpu_mmio.c) against a fake interrupt controller
 *    window: outside it, an access fault; a fetch that faults, nothing at
 *    all (the guest retries); anything the decoder refuses or a direction
 *    that disagrees with the fault, an access fault; else exactly one
 *    access of the decoded width, the loaded value in rd (never x0), the
 *    stored one from rs2, and sepc past the instruction. No other
 *    register changes.
 */
#include <string.h>

#include "arch.h"
#include "fuzz.h"
#include "mmio.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"

const char *const fuzz_target = "mmio";

/* The fake controller's window, where QEMU virt has its PLIC. */
#define WIN_BASE 0x0c000000UL
#define WIN_SIZE 0x600000UL

/* ---- A reference decoder, from the opcode map and the RVC chapter. ---- */

struct ref_access {
	bool ok;
	unsigned int len, width, reg;
	bool store, sign_extend;
};

static struct ref_access ref_load(unsigned int len, unsigned int width, bool sx,
				  unsigned int reg)
{
	return (struct ref_access){ true, len, width, reg, false, sx };
}

static struct ref_access ref_store(unsigned int len, unsigned int width,
				   unsigned int reg)
{
	return (struct ref_access){ true, len, width, reg, true, false };
}

static struct ref_access ref_decode_32(uint32_t insn, unsigned int len)
{
	/* LB LH LW LD LBU LHU LWU, funct3 0-6; SB SH SW SD, funct3 0-3. */
	static const unsigned int load_width[8] = { 1, 2, 4, 8, 1, 2, 4, 0 };
	unsigned int funct3 = insn >> 12 & 7;

	if ((insn & 0x7f) == 0x03 && load_width[funct3])
		return ref_load(len, load_width[funct3], funct3 < 3,
				insn >> 7 & 31);
	if ((insn & 0x7f) == 0x23 && funct3 < 4)
		return ref_store(len, 1U << funct3, insn >> 20 & 31);
	return (struct ref_access){ 0 };
}

static struct ref_access ref_decode_16(uint16_t c)
{
	unsigned int rd = c >> 7 & 31, rs2 = c >> 2 & 31;
	unsigned int prime = 8 + (c >> 2 & 7);

	switch ((c & 3) << 3 | c >> 13) {
	case 0 << 3 | 2: /* C.LW */
		return ref_load(2, 4, true, prime);
	case 0 << 3 | 3: /* C.LD */
		return ref_load(2, 8, false, prime);
	case 0 << 3 | 6: /* C.SW */
		return ref_store(2, 4, prime);
	case 0 << 3 | 7: /* C.SD */
		return ref_store(2, 8, prime);
	case 2 << 3 | 2: /* C.LWSP, rd = 0 reserved */
		return rd ? ref_load(2, 4, true, rd) : (struct ref_access){ 0 };
	case 2 << 3 | 3: /* C.LDSP, rd = 0 reserved */
		return rd ? ref_load(2, 8, false, rd) :
			    (struct ref_access){ 0 };
	case 2 << 3 | 6: /* C.SWSP */
		return ref_store(2, 4, rs2);
	case 2 << 3 | 7: /* C.SDSP */
		return ref_store(2, 8, rs2);
	default:
		return (struct ref_access){ 0 };
	}
}

static bool all_zero(const struct mmio_access *a)
{
	static const struct mmio_access zero;

	return !memcmp(a, &zero, sizeof(zero));
}

static void same_as_ref(const char *what, unsigned long word,
			const struct mmio_access *a,
			const struct ref_access *want)
{
	fuzz_check(
		a->insn_len == want->len && a->width == want->width &&
			a->store == want->store &&
			a->sign_extend == want->sign_extend &&
			a->reg == want->reg,
		"%s 0x%lx: got len %u width %u store %d sext %d x%u, want len %u width %u store %d sext %d x%u",
		what, word, a->insn_len, a->width, a->store, a->sign_extend,
		a->reg, want->len, want->width, want->store, want->sign_extend,
		want->reg);
}

static void check_load_value(const struct mmio_access *a, unsigned long raw)
{
	unsigned long got = mmio_load_value(a, raw);
	unsigned int bits = a->width * 8;
	unsigned long low = bits >= 64 ? ~0UL : (1UL << bits) - 1;
	bool negative = bits && bits < 64 && (raw >> (bits - 1) & 1);
	unsigned long high = a->sign_extend && negative ? ~low : 0;

	fuzz_check(got == ((raw & low) | high),
		   "mmio_load_value(width %u, sext %d, 0x%lx) = 0x%lx",
		   a->width, a->sign_extend, raw, got);
}

static void check_decode(uint32_t insn, uint16_t noise)
{
	struct mmio_access a, b;
	struct ref_access want;
	int ret;

	memset(&a, 0xa5, sizeof(a));
	ret = mmio_decode(insn, &a);
	want = (insn & 3) == 3 ? ref_decode_32(insn, 4) :
				 ref_decode_16(insn & 0xffff);
	fuzz_check(ret == 0 || ret == SBI_ERR_NOT_SUPPORTED,
		   "mmio_decode(0x%08x) returned %d", insn, ret);
	fuzz_check(!ret == want.ok, "mmio_decode(0x%08x) returned %d", insn,
		   ret);
	if (ret) {
		fuzz_check(all_zero(&a), "mmio_decode(0x%08x) failed, filled",
			   insn);
		return;
	}
	same_as_ref("mmio_decode", insn, &a, &want);
	fuzz_check(!a.addr_offset, "mmio_decode(0x%08x) gave an offset", insn);
	fuzz_check(!a.sign_extend || a.width < 8,
		   "mmio_decode(0x%08x): a sign-extended 8-byte load", insn);
	/* The next instruction's half must not matter to a 16-bit one. */
	if ((insn & 3) != 3) {
		ret = mmio_decode((insn & 0xffff) | (uint32_t)noise << 16, &b);
		fuzz_check(!ret && !memcmp(&a, &b, sizeof(a)),
			   "mmio_decode(0x%08x) depends on bits 31:16", insn);
	}
}

static bool htinst_pseudo(uint64_t v)
{
	return v == HTINST_PSEUDO_RV32_READ || v == HTINST_PSEUDO_RV32_WRITE ||
	       v == HTINST_PSEUDO_RV64_READ || v == HTINST_PSEUDO_RV64_WRITE;
}

/* What mmio_decode_htinst() must say about @v, by the privileged spec. */
static int ref_htinst(uint64_t v, struct ref_access *want)
{
	unsigned int op = (v | 2) & 0x7f;

	*want = (struct ref_access){ 0 };
	if (htinst_pseudo(v))
		return MMIO_ERR_PT_WALK;
	if (v >> 32 || !(v & 1))
		return MMIO_ERR_FETCH;
	*want = ref_decode_32((uint32_t)v | 2, v & 2 ? 4 : 2);
	if (want->ok)
		return 0;
	/* FP loads and stores, AMOs, LR, SC: no register to emulate into. */
	if (op == 0x07 || op == 0x27 || op == 0x2f)
		return SBI_ERR_NOT_SUPPORTED;
	return MMIO_ERR_FETCH;
}

static void check_decode_htinst(uint64_t v)
{
	struct ref_access want;
	struct mmio_access a;
	int ret, exp = ref_htinst(v, &want);

	memset(&a, 0x5a, sizeof(a));
	ret = mmio_decode_htinst(v, &a);
	fuzz_check(ret == exp, "mmio_decode_htinst(0x%lx) = %d, want %d",
		   (unsigned long)v, ret, exp);
	if (ret) {
		fuzz_check(all_zero(&a),
			   "mmio_decode_htinst(0x%lx) failed, filled",
			   (unsigned long)v);
		return;
	}
	same_as_ref("mmio_decode_htinst", v, &a, &want);
	fuzz_check(a.addr_offset == (v >> 15 & 31),
		   "mmio_decode_htinst(0x%lx): offset %u", (unsigned long)v,
		   a.addr_offset);
}

/* ---- The whole fault, against fakes of the controller and the hart. ---- */

static struct {
	/* The case. */
	unsigned long htval, htinst;
	uint32_t insn;
	bool fetch_faults;
	uint32_t device_value;
	/* What happened. */
	unsigned int fetches, reads, writes, injects;
	gpa_t access_gpa;
	unsigned int access_width;
	uint32_t stored;
	unsigned long cause, tval;
} fx;

static struct vm vm;
static struct vcpu vcpu;

void arch_vcpu_trap_info(unsigned long *htval, unsigned long *htinst)
{
	*htval = fx.htval;
	*htinst = fx.htinst;
}

int arch_guest_fetch_insn(unsigned long gva, uint32_t *insn)
{
	fuzz_check(gva == vcpu.ctx.sepc, "fetch at 0x%lx, not sepc", gva);
	fx.fetches++;
	if (fx.fetch_faults)
		return SBI_ERR_INVALID_ADDRESS;
	*insn = fx.insn;
	return 0;
}

void arch_vcpu_inject_exception(struct vcpu_context *ctx, unsigned long cause,
				unsigned long tval)
{
	fuzz_check(ctx == &vcpu.ctx, "exception injected into another vCPU");
	fx.injects++;
	fx.cause = cause;
	fx.tval = tval;
}

bool irqchip_contains(const struct vm *v, gpa_t gpa)
{
	fuzz_check(v == &vm, "irqchip_contains of another VM");
	return gpa >= WIN_BASE && gpa - WIN_BASE < WIN_SIZE;
}

/* The fuzzed VM has no emulated UART: its one window is the controller. */
bool vm_uart_contains(const struct vm *v, gpa_t gpa)
{
	(void)v;
	(void)gpa;
	return false;
}

uint32_t vm_uart_access(struct vm *v, gpa_t gpa, unsigned int width, bool store,
			uint32_t val)
{
	(void)v;
	(void)gpa;
	(void)width;
	(void)store;
	(void)val;
	fuzz_check(false, "vm_uart_access without an emulated UART");
	return 0;
}

/* ... and no channel. */
bool vm_chan_contains(const struct vm *v, gpa_t gpa)
{
	(void)v;
	(void)gpa;
	return false;
}

uint32_t vm_chan_access(struct vm *v, gpa_t gpa, unsigned int width, bool store,
			uint32_t val)
{
	(void)v;
	(void)gpa;
	(void)width;
	(void)store;
	(void)val;
	fuzz_check(false, "vm_chan_access without a channel");
	return 0;
}

uint32_t irqchip_read(struct vm *v, unsigned int id, gpa_t gpa,
		      unsigned int width)
{
	fuzz_check(v == &vm && id == vcpu.id, "irqchip_read for another vCPU");
	fx.reads++;
	fx.access_gpa = gpa;
	fx.access_width = width;
	return fx.device_value;
}

void irqchip_write(struct vm *v, unsigned int id, gpa_t gpa, unsigned int width,
		   uint32_t val)
{
	fuzz_check(v == &vm && id == vcpu.id, "irqchip_write for another vCPU");
	fx.writes++;
	fx.access_gpa = gpa;
	fx.access_width = width;
	fx.stored = val;
}

static unsigned long extend(const struct ref_access *r, unsigned long raw)
{
	struct mmio_access a = { .width = r->width,
				 .sign_extend = r->sign_extend };

	/* check_load_value() holds mmio_load_value() to the spec. */
	return mmio_load_value(&a, raw);
}

static void check_fault(bool store, unsigned long stval)
{
	struct vcpu_context before = vcpu.ctx;
	gpa_t gpa = (fx.htval << 2) | (stval & 3);
	struct ref_access want;
	unsigned long *x = vcpu.ctx.x;
	unsigned int offset = 0;
	int ret;

	vcpu_mmio_fault(&vcpu, store);
	fuzz_check(x[0] == 0, "x0 written");
	if (!irqchip_contains(&vm, gpa)) {
		fuzz_check(!fx.fetches && !fx.reads && !fx.writes,
			   "an access outside the window reached the device");
		goto access_fault;
	}
	ret = ref_htinst(fx.htinst, &want);
	if (ret == MMIO_ERR_FETCH) {
		fuzz_check(fx.fetches == 1, "%u fetches for htinst 0x%lx",
			   fx.fetches, fx.htinst);
		if (fx.fetch_faults) {
			fuzz_check(!fx.injects && !fx.reads && !fx.writes &&
					   !memcmp(&before, &vcpu.ctx,
						   sizeof(before)),
				   "a fetch that faulted did something");
			return;
		}
		want = (fx.insn & 3) == 3 ? ref_decode_32(fx.insn, 4) :
					    ref_decode_16(fx.insn & 0xffff);
	} else {
		fuzz_check(!fx.fetches, "fetched with htinst 0x%lx", fx.htinst);
		offset = ret ? 0 : fx.htinst >> 15 & 31;
	}
	if (!want.ok || want.store != store)
		goto access_fault;

	fuzz_check(!fx.injects, "an emulated access also faulted");
	fuzz_check(fx.reads + fx.writes == 1 && fx.writes == store,
		   "%u reads and %u writes for one %s", fx.reads, fx.writes,
		   store ? "store" : "load");
	fuzz_check(fx.access_gpa == gpa - offset &&
			   fx.access_width == want.width,
		   "access at 0x%lx width %u, want 0x%lx width %u",
		   fx.access_gpa, fx.access_width, gpa - offset, want.width);
	fuzz_check(vcpu.ctx.sepc == before.sepc + want.len,
		   "sepc moved by %ld for a %u-byte instruction",
		   (long)(vcpu.ctx.sepc - before.sepc), want.len);
	if (store) {
		unsigned long bytes =
			want.width == 8 ?
				before.x[want.reg] :
				before.x[want.reg] &
					((1UL << (8 * want.width)) - 1);

		fuzz_check(fx.stored == (uint32_t)bytes,
			   "stored 0x%x from x%u = 0x%lx", fx.stored, want.reg,
			   before.x[want.reg]);
	} else if (want.reg) {
		fuzz_check(x[want.reg] == extend(&want, fx.device_value),
			   "x%u = 0x%lx after loading 0x%x", want.reg,
			   x[want.reg], fx.device_value);
		before.x[want.reg] = x[want.reg];
	}
	before.sepc = vcpu.ctx.sepc;
	fuzz_check(!memcmp(&before, &vcpu.ctx, sizeof(before)),
		   "a register other than rd and sepc changed");
	return;

access_fault:
	fuzz_check(!fx.reads && !fx.writes,
		   "a refused access reached the device");
	fuzz_check(fx.injects == 1 &&
			   fx.cause == (store ? EXC_STORE_ACCESS :
						EXC_LOAD_ACCESS) &&
			   fx.tval == stval,
		   "refused %s: %u injections, cause %lu, tval 0x%lx",
		   store ? "store" : "load", fx.injects, fx.cause, fx.tval);
	fuzz_check(!memcmp(&before, &vcpu.ctx, sizeof(before)),
		   "a refused access changed the registers");
}

/* ---- Input. ---- */

/* An htinst: zero, a pseudoinstruction, @insn transformed, or any. */
static unsigned long pick_htinst(struct fuzz_in *in, uint32_t insn)
{
	static const unsigned long pseudo[] = { HTINST_PSEUDO_RV32_READ,
						HTINST_PSEUDO_RV32_WRITE,
						HTINST_PSEUDO_RV64_READ,
						HTINST_PSEUDO_RV64_WRITE };
	uint8_t sel = fuzz_u8(in);

	switch (sel % 6) {
	case 0:
		return 0;
	case 1:
		return pseudo[sel / 6 % 4];
	case 2: /* rs1 = the offset, imm = 0, bit 1 clear when compressed */
		return ((insn & 0x01f07fff) | (uint32_t)(sel & 31) << 15) &
		       ~(sel & 0x80 ? 2U : 0U);
	case 3:
		return fuzz_u32(in);
	case 4:
		return fuzz_u64(in);
	default:
		return insn;
	}
}

/* htval: inside the window (edges often), just outside it, or any. */
static unsigned long pick_htval(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	switch (sel % 5) {
	case 0:
		return (WIN_BASE + fuzz_u32(in) % WIN_SIZE) >> 2;
	case 1:
		return (WIN_BASE + (sel & 0x80 ? WIN_SIZE - 4 : 0)) >> 2;
	case 2:
		return (WIN_BASE + (sel & 0x80 ? WIN_SIZE : -4UL)) >> 2;
	case 3:
		return fuzz_u64(in) >> 2;
	default:
		return (WIN_BASE >> 2) + fuzz_u16(in);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	vm.nr_vcpus = 1;
	vcpu.vm = &vm;
	vcpu.id = 0;
	while (fuzz_more(&in)) {
		uint8_t flags = fuzz_u8(&in);
		uint32_t insn = fuzz_u32(&in);
		unsigned long stval;
		uint64_t seed;

		check_decode(insn, fuzz_u16(&in));
		memset(&fx, 0, sizeof(fx));
		fx.insn = insn;
		fx.htinst = pick_htinst(&in, insn);
		fx.htval = pick_htval(&in);
		fx.fetch_faults = (flags & 0x0f) == 0;
		fx.device_value = fuzz_u32(&in);
		check_decode_htinst(fx.htinst);
		for (unsigned int w = 1; w <= 8; w *= 2) {
			struct mmio_access a = { .width = w,
						 .sign_extend = flags & 0x40 };

			check_load_value(&a, fx.device_value | (uint64_t)insn
								       << 32);
		}

		/* The guest's registers: x0 is 0, the rest any pattern. */
		seed = fuzz_u64(&in);
		memset(&vcpu.ctx, 0, sizeof(vcpu.ctx));
		for (unsigned int r = 1; r < 32; r++) {
			seed = seed * 6364136223846793005ULL +
			       1442695040888963407ULL;
			vcpu.ctx.x[r] = seed ^ (seed >> 29);
		}
		vcpu.ctx.sepc = 0x80200000UL + 2 * fuzz_u16(&in);
		stval = (fx.htval << 2) | (flags >> 4 & 3);
		vcpu.ctx.stval = stval;
		check_fault(flags & 0x80, stval);
	}
	return 0;
}
