// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every ISA extension the guest's device tree names works. For each name
 * in its cpu node's riscv,isa-extensions (riscv,isa where there is none)
 * the guest runs an instruction or CSR access that needs the extension,
 * in VS-mode and, where the extension reaches user mode, in VU-mode, and
 * expects no trap and the architected result. A name this guest has no
 * probe for fails: the tree may name nothing that is not tried here.
 * Names that describe the memory system rather than add instructions
 * (Ziccamoa, Ztso, ...) are listed as such.
 */
#include <libfdt.h>
#include <string.h>

#include "guest.h"

#define VS 1U
#define VU 2U

struct probe {
	const char *name;
	bool (*fn)(void); /* true when the result is right; NULL: a property */
	unsigned int modes;
};

/* Memory the probes touch: a cache block or more, 64-byte aligned. */
unsigned char isa_scratch[256] __attribute__((aligned(64)));

#define ASM(arch, body)                                                \
	__asm__ volatile(".option push\n.option arch, " arch "\n" body \
			 "\n.option pop" ::                            \
				 : "t0", "t1", "t2", "a0", "memory")
#define PROBE(id, arch, body)    \
	static bool p_##id(void) \
	{                        \
		ASM(arch, body); \
		return true;     \
	}
/* An OP-V instruction, unmasked, for what binutils 2.40 cannot name. */
#define OPV_(f6, vs2, vs1, f3, vd)                                        \
	".4byte ((" #f6 " << 26) | (1 << 25) | (" #vs2 " << 20) | (" #vs1 \
	" << 15) | (" #f3 " << 12) | (" #vd " << 7) | 0x57)"
#define OPV(...) OPV_(__VA_ARGS__)
/* The same in OP-VE, the vector crypto instructions' major opcode. */
#define OPVE_(f6, vs2, vs1, f3, vd)                                       \
	".4byte ((" #f6 " << 26) | (1 << 25) | (" #vs2 " << 20) | (" #vs1 \
	" << 15) | (" #f3 " << 12) | (" #vd " << 7) | 0x77)"
#define OPVE(...) OPVE_(__VA_ARGS__)
#define OPMVV 2
#define OPFVV 1
#define OPIVV 0

PROBE(i, "+zicsr", "add t0, t1, t2")
PROBE(m, "+m", "mul t0, t1, t2")
PROBE(a, "+a", "la a0, isa_scratch\namoadd.w t0, t1, (a0)")
PROBE(f, "+f", "fadd.s ft0, ft1, ft2")
PROBE(d, "+d", "fadd.d ft0, ft1, ft2")
PROBE(c, "+c", "c.nop")
PROBE(b, "+zba,+zbb,+zbs",
      "sh1add t0, t1, t2\nandn t0, t1, t2\nbset t0, t1, t2")
PROBE(v, "+v", "vsetivli t0, 4, e32, m1, ta, ma\nvadd.vv v1, v2, v3")
PROBE(zaamo, "+a", "la a0, isa_scratch\namoswap.w t0, t1, (a0)")
PROBE(zalrsc, "+a", "la a0, isa_scratch\nlr.w t0, (a0)\nsc.w t0, t1, (a0)")
/* amoadd.b and amocas.w, encoded: binutils 2.40 has neither. */
PROBE(zabha, "+a", "la a0, isa_scratch\n.insn r 0x2f, 0, 0x00, t0, a0, t1")
PROBE(zacas, "+a", "la a0, isa_scratch\n.insn r 0x2f, 2, 0x14, t0, a0, t1")
PROBE(zawrs, "+zawrs", "wrs.nto")
PROBE(zba, "+zba", "sh1add t0, t1, t2")
PROBE(zbb, "+zbb", "andn t0, t1, t2\nclz t0, t1")
PROBE(zbc, "+zbc", "clmul t0, t1, t2")
PROBE(zbkb, "+zbkb", "pack t0, t1, t2")
PROBE(zbkc, "+zbkc", "clmul t0, t1, t2")
PROBE(zbkx, "+zbkx", "xperm8 t0, t1, t2")
PROBE(zbs, "+zbs", "bset t0, t1, t2")
PROBE(zca, "+c", "c.nop")
PROBE(zcb, "+c", ".2byte 0x9d61") /* c.zext.b a0 */
PROBE(zcd, "+c,+d", "c.fldsp ft0, 0(sp)")
PROBE(zcmop, "+c", ".2byte 0x6081") /* c.mop.1 */
PROBE(zfa, "+f", ".4byte 0xf0180053") /* fli.s ft0, 1.0 */
PROBE(zfbfmin, "+f", ".4byte 0x4480f053") /* fcvt.bf16.s ft0, ft1 */
PROBE(zfh, "+zfh", "fadd.h ft0, ft1, ft2")
PROBE(zfhmin, "+zfh", "fcvt.s.h ft0, ft1")
PROBE(zicbom, "+zicbom",
      "la a0, isa_scratch\ncbo.clean (a0)\ncbo.flush (a0)\ncbo.inval (a0)")
PROBE(zicbop, "+zicsr", "la a0, isa_scratch\n.insn i 0x13, 6, x0, a0, 1")
PROBE(zicntr, "+zicsr", "rdcycle t0\nrdtime t0\nrdinstret t0")
PROBE(zicond, "+zicsr", ".insn r 0x33, 5, 0x07, t0, t1, t2") /* czero.eqz */
PROBE(zicsr, "+f", "frcsr t0")
PROBE(zifencei, "+zifencei", "fence.i")
PROBE(zihintntl, "+zicsr", ".insn r 0x33, 0, 0, x0, x0, x2") /* ntl.p1 */
PROBE(zihintpause, "+zihintpause", "pause")
PROBE(zihpm, "+zicsr", "csrr t0, 0xc03") /* hpmcounter3 */
PROBE(zimop, "+zicsr", ".insn i 0x73, 4, t0, t1, -2020") /* mop.r.0 */
PROBE(zkne, "+zkne", "aes64es t0, t1, t2")
PROBE(zknd, "+zknd", "aes64ds t0, t1, t2")
PROBE(zknh, "+zknh", "sha256sig0 t0, t1")
PROBE(zksed, "+zksed", "sm4ed t0, t1, t2, 0")
PROBE(zksh, "+zksh", "sm3p0 t0, t1")
PROBE(zve32x, "+v", "vsetivli t0, 4, e32, m1, ta, ma\nvadd.vv v1, v2, v3")
PROBE(zve32f, "+v", "vsetivli t0, 4, e32, m1, ta, ma\nvfadd.vv v1, v2, v3")
PROBE(zve64x, "+v", "vsetivli t0, 2, e64, m1, ta, ma\nvadd.vv v1, v2, v3")
PROBE(zve64d, "+v", "vsetivli t0, 2, e64, m1, ta, ma\nvfadd.vv v1, v2, v3")
PROBE(zvfh, "+v", "vsetivli t0, 8, e16, m1, ta, ma\n" OPV(0x00, 2, 3, OPFVV, 1))
PROBE(zvfhmin, "+v",
      "vsetivli t0, 4, e16, mf2, ta, ma\n" OPV(0x12, 4, 0x0c, OPFVV, 2))
PROBE(zvfbfmin, "+v",
      "vsetivli t0, 4, e16, mf2, ta, ma\n" OPV(0x12, 2, 0x1d, OPFVV, 1))
PROBE(zvfbfwma, "+v",
      "vsetivli t0, 4, e16, mf2, ta, ma\n" OPV(0x3b, 5, 4, OPFVV, 2))
PROBE(zvbb, "+v",
      "vsetivli t0, 4, e32, m1, ta, ma\n" OPV(0x12, 2, 0x0a, OPMVV, 1))
PROBE(zvkb, "+v", "vsetivli t0, 4, e32, m1, ta, ma\n" OPV(0x01, 2, 3, OPIVV, 1))
PROBE(zvbc, "+v", "vsetivli t0, 2, e64, m1, ta, ma\n" OPV(0x0c, 2, 3, OPMVV, 1))
PROBE(zvkg, "+v",
      "vsetivli t0, 4, e32, m1, ta, ma\n" OPVE(0x2c, 2, 3, OPMVV, 1))
PROBE(zvkned, "+v",
      "vsetivli t0, 4, e32, m1, ta, ma\n" OPVE(0x28, 2, 0x03, OPMVV, 1))
PROBE(zvknha, "+v",
      "vsetivli t0, 4, e32, m1, ta, ma\n" OPVE(0x2d, 2, 3, OPMVV, 1))
PROBE(zvknhb, "+v",
      "vsetivli t0, 4, e64, m2, ta, ma\n" OPVE(0x2d, 8, 12, OPMVV, 4))
PROBE(zvksed, "+v",
      "vsetivli t0, 4, e32, m1, ta, ma\n" OPVE(0x21, 2, 0, OPMVV, 1))
PROBE(zvksh, "+v",
      "vsetivli t0, 8, e32, m2, ta, ma\n" OPVE(0x20, 8, 12, OPMVV, 4))
/* Supervisor-level: VS-mode only. */
PROBE(ssaia, "+zicsr", "csrr t0, 0x15c\ncsrr t0, 0xdb0") /* stopei, stopi */
PROBE(sscofpmf, "+zicsr", "csrr t0, 0xda0") /* scountovf */
PROBE(sscsrind, "+zicsr", "li t0, 0x70\ncsrw 0x150, t0\ncsrr t0, 0x151")
PROBE(ssstateen, "+zicsr", "csrr t0, 0x10c") /* sstateen0 */
PROBE(sstc, "+zicsr", "csrr t0, 0x14d\ncsrw 0x14d, t0") /* stimecmp */
PROBE(svinval, "+svinval",
      "sfence.w.inval\nsinval.vma zero, zero\nsfence.inval.ir")

/* cbo.zero clears a whole cache block. */
static bool p_zicboz(void)
{
	memset(isa_scratch, 0xa5, sizeof(isa_scratch));
	ASM("+zicboz", "la a0, isa_scratch\ncbo.zero (a0)");
	return isa_scratch[0] == 0 && isa_scratch[63] == 0;
}

/* The guest's senvcfg.PMM (pointer masking for VU) takes PMLEN = 7. */
static bool p_ssnpm(void)
{
	unsigned long pmm = 2UL << 32, got;

	csr_set(senvcfg, pmm);
	got = csr_read(senvcfg);
	csr_clear(senvcfg, pmm);
	return (got & (3UL << 32)) == pmm;
}

/*
 * scounteren's bits can be written for VU: the fixed counters' and those
 * of the counters that exist, at least hpmcounter3 (QEMU has 3-18; the
 * bits of counters that do not exist are read-only zero).
 */
static bool p_sscounterenw(void)
{
	unsigned long old = csr_read(scounteren), got;

	csr_write(scounteren, 0xffffffffUL);
	got = csr_read(scounteren);
	csr_write(scounteren, old);
	return (got & 0xfUL) == 0xfUL;
}

/* ---- Page tables: Svpbmt, Svadu, Svnapot (VS-mode). ---- */
#define PTE_PBMT_NC (1UL << 61)
#define PTE_N (1UL << 63)

static unsigned long root[512] __attribute__((aligned(4096)));
static unsigned long l1[512] __attribute__((aligned(4096)));
static unsigned long l0[512] __attribute__((aligned(4096)));
static unsigned char napot[64 * 1024] __attribute__((aligned(64 * 1024)));

static unsigned long pte_of(unsigned long pa)
{
	return (pa >> 12) << 10;
}

/* Run @load at @va with the tables in root[]: no trap, the word there. */
static bool paged_load(unsigned long va, unsigned long *val)
{
	long cause;

	root[2] = pte_of(2 * GIB) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A |
		  PTE_D;
	csr_write(satp, SATP_SV39 | ((unsigned long)root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	expect_trap();
	*val = *(volatile unsigned long *)va;
	cause = trapped_cause();
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	return cause == -1;
}

/* The same GiB seen non-cacheable at 4 GiB (PBMT = NC). */
static bool p_svpbmt(void)
{
	unsigned long got;

	isa_scratch[8] = 0x5a;
	root[4] = pte_of(2 * GIB) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D |
		  PTE_PBMT_NC;
	return paged_load(4 * GIB + (unsigned long)&isa_scratch[8] - 2 * GIB,
			  &got) &&
	       (got & 0xff) == 0x5a;
}

/* A gigapage with A and D clear: the hart sets them, no fault. */
static bool p_svadu(void)
{
	unsigned long got;
	volatile unsigned long *p;
	bool ok;

	root[5] = pte_of(2 * GIB) | PTE_V | PTE_R | PTE_W;
	ok = paged_load(5 * GIB + (unsigned long)isa_scratch - 2 * GIB, &got);
	ok &= (root[5] & PTE_A) != 0;
	/* A store through it too: D gets set. */
	csr_write(satp, SATP_SV39 | ((unsigned long)root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	p = (volatile unsigned long *)(5 * GIB + (unsigned long)isa_scratch -
				       2 * GIB);
	expect_trap();
	*p = 1;
	ok &= trapped_cause() == -1;
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	return ok && (root[5] & PTE_D);
}

/* A 64 KiB NAPOT leaf at 6 GiB: each of its 16 pages maps its own. */
static bool p_svnapot(void)
{
	unsigned long pa = (unsigned long)napot, got;

	for (unsigned int i = 0; i < 16; i++) {
		napot[i * 4096] = (unsigned char)(0x30 + i);
		l0[i] = pte_of(pa & ~0xffffUL) | (0x8UL << 10) | PTE_N | PTE_V |
			PTE_R | PTE_W | PTE_A | PTE_D;
	}
	l1[0] = pte_of((unsigned long)l0) | PTE_V;
	root[6] = pte_of((unsigned long)l1) | PTE_V;
	return paged_load(6 * GIB + 7 * 4096, &got) && (got & 0xff) == 0x37;
}

/* Descriptions of the memory system, or timing: nothing to execute. */
#define PROPERTY(n)        \
	{                  \
		n, NULL, 0 \
	}

static const struct probe probes[] = {
	{ "i", p_i, VS | VU },
	{ "m", p_m, VS | VU },
	{ "a", p_a, VS | VU },
	{ "f", p_f, VS | VU },
	{ "d", p_d, VS | VU },
	{ "c", p_c, VS | VU },
	{ "b", p_b, VS | VU },
	{ "v", p_v, VS | VU },
	{ "g", p_d, VS | VU },
	PROPERTY("za128rs"),
	PROPERTY("za64rs"),
	{ "zaamo", p_zaamo, VS | VU },
	{ "zabha", p_zabha, VS | VU },
	{ "zacas", p_zacas, VS | VU },
	{ "zalrsc", p_zalrsc, VS | VU },
	PROPERTY("zama16b"),
	{ "zawrs", p_zawrs, VS | VU },
	{ "zba", p_zba, VS | VU },
	{ "zbb", p_zbb, VS | VU },
	{ "zbc", p_zbc, VS | VU },
	{ "zbkb", p_zbkb, VS | VU },
	{ "zbkc", p_zbkc, VS | VU },
	{ "zbkx", p_zbkx, VS | VU },
	{ "zbs", p_zbs, VS | VU },
	{ "zca", p_zca, VS | VU },
	{ "zcb", p_zcb, VS | VU },
	{ "zcd", p_zcd, VS | VU },
	{ "zcmop", p_zcmop, VS | VU },
	{ "zfa", p_zfa, VS | VU },
	{ "zfbfmin", p_zfbfmin, VS | VU },
	{ "zfh", p_zfh, VS | VU },
	{ "zfhmin", p_zfhmin, VS | VU },
	PROPERTY("zic64b"),
	{ "zicbom", p_zicbom, VS | VU },
	{ "zicbop", p_zicbop, VS | VU },
	{ "zicboz", p_zicboz, VS | VU },
	PROPERTY("ziccamoa"),
	PROPERTY("ziccif"),
	PROPERTY("zicclsm"),
	PROPERTY("ziccrse"),
	{ "zicntr", p_zicntr, VS | VU },
	{ "zicond", p_zicond, VS | VU },
	{ "zicsr", p_zicsr, VS | VU },
	{ "zifencei", p_zifencei, VS | VU },
	{ "zihintntl", p_zihintntl, VS | VU },
	{ "zihintpause", p_zihintpause, VS | VU },
	{ "zihpm", p_zihpm, VS | VU },
	{ "zimop", p_zimop, VS | VU },
	{ "zkn", p_zkne, VS | VU },
	{ "zknd", p_zknd, VS | VU },
	{ "zkne", p_zkne, VS | VU },
	{ "zknh", p_zknh, VS | VU },
	{ "zks", p_zksed, VS | VU },
	{ "zksed", p_zksed, VS | VU },
	{ "zksh", p_zksh, VS | VU },
	PROPERTY("zkt"),
	{ "zmmul", p_m, VS | VU },
	PROPERTY("ztso"),
	{ "zvbb", p_zvbb, VS | VU },
	{ "zvbc", p_zvbc, VS | VU },
	{ "zve32f", p_zve32f, VS | VU },
	{ "zve32x", p_zve32x, VS | VU },
	{ "zve64d", p_zve64d, VS | VU },
	{ "zve64f", p_zve32f, VS | VU },
	{ "zve64x", p_zve64x, VS | VU },
	{ "zvfbfmin", p_zvfbfmin, VS | VU },
	{ "zvfbfwma", p_zvfbfwma, VS | VU },
	{ "zvfh", p_zvfh, VS | VU },
	{ "zvfhmin", p_zvfhmin, VS | VU },
	{ "zvkb", p_zvkb, VS | VU },
	{ "zvkg", p_zvkg, VS | VU },
	{ "zvkn", p_zvkned, VS | VU },
	{ "zvknc", p_zvbc, VS | VU },
	{ "zvkned", p_zvkned, VS | VU },
	{ "zvkng", p_zvkg, VS | VU },
	{ "zvknha", p_zvknha, VS | VU },
	{ "zvknhb", p_zvknhb, VS | VU },
	{ "zvks", p_zvksed, VS | VU },
	{ "zvksc", p_zvbc, VS | VU },
	{ "zvksed", p_zvksed, VS | VU },
	{ "zvksg", p_zvkg, VS | VU },
	{ "zvksh", p_zvksh, VS | VU },
	PROPERTY("zvkt"),
	{ "ssaia", p_ssaia, VS },
	PROPERTY("ssccptr"),
	{ "sscofpmf", p_sscofpmf, VS },
	{ "sscounterenw", p_sscounterenw, VS },
	{ "sscsrind", p_sscsrind, VS },
	{ "ssnpm", p_ssnpm, VS },
	{ "ssstateen", p_ssstateen, VS },
	{ "sstc", p_sstc, VS },
	PROPERTY("sstvala"),
	PROPERTY("sstvecd"),
	PROPERTY("ssu64xl"),
	PROPERTY("supm"), /* what Ssnpm's senvcfg.PMM gives VU */
	PROPERTY("svade"), /* the fwft guest checks the faults */
	{ "svadu", p_svadu, VS },
	PROPERTY("svbare"),
	{ "svinval", p_svinval, VS },
	{ "svnapot", p_svnapot, VS },
	{ "svpbmt", p_svpbmt, VS },
	PROPERTY("svvptc"),
};

/* ---- VU-mode: run a probe in user mode, back by its ecall. ---- */
unsigned long isa_user_save[14]; /* ra, sp, s0-s11 of the S side */
unsigned long isa_user_result;
static unsigned long user_stack[1024] __attribute__((aligned(16)));

void isa_run_user(bool (*fn)(void), unsigned long sp);
__asm__(".pushsection .text\n"
	".globl isa_run_user\n"
	"isa_run_user:\n"
	"	la	t0, isa_user_save\n"
	"	sd	ra, 0(t0)\n	sd	sp, 8(t0)\n"
	"	sd	s0, 16(t0)\n	sd	s1, 24(t0)\n"
	"	sd	s2, 32(t0)\n	sd	s3, 40(t0)\n"
	"	sd	s4, 48(t0)\n	sd	s5, 56(t0)\n"
	"	sd	s6, 64(t0)\n	sd	s7, 72(t0)\n"
	"	sd	s8, 80(t0)\n	sd	s9, 88(t0)\n"
	"	sd	s10, 96(t0)\n	sd	s11, 104(t0)\n"
	"	la	t0, isa_user_entry\n"
	"	csrw	sepc, t0\n"
	"	li	t0, 0x100\n" /* sstatus.SPP = 0: sret to U */
	"	csrc	sstatus, t0\n"
	"	mv	sp, a1\n"
	"	sret\n"
	"isa_user_entry:\n"
	"	jalr	a0\n"
	"	la	t0, isa_user_result\n"
	"	sd	a0, 0(t0)\n"
	"	ecall\n"
	".globl isa_user_return\n"
	"isa_user_return:\n" /* back in VS-mode, from the trap handler */
	"	la	t0, isa_user_save\n"
	"	ld	ra, 0(t0)\n	ld	sp, 8(t0)\n"
	"	ld	s0, 16(t0)\n	ld	s1, 24(t0)\n"
	"	ld	s2, 32(t0)\n	ld	s3, 40(t0)\n"
	"	ld	s4, 48(t0)\n	ld	s5, 56(t0)\n"
	"	ld	s6, 64(t0)\n	ld	s7, 72(t0)\n"
	"	ld	s8, 80(t0)\n	ld	s9, 88(t0)\n"
	"	ld	s10, 96(t0)\n	ld	s11, 104(t0)\n"
	"	ret\n"
	".popsection");

extern char isa_user_return[];

static void user_done(struct frame *f)
{
	f->sepc = (unsigned long)isa_user_return;
	csr_set(sstatus, 1UL << 8); /* sret to VS-mode */
}

/* Run @p in @mode: no trap, and the probe's own result. */
static void run(const struct probe *p, unsigned int mode)
{
	const char *where = mode == VS ? "VS-mode" : "VU-mode";
	bool ok;
	long cause;

	expect_trap();
	if (mode == VS) {
		ok = p->fn();
	} else {
		isa_user_result = 0;
		isa_run_user(p->fn, (unsigned long)&user_stack[1024]);
		ok = isa_user_result;
	}
	cause = trapped_cause();
	if (cause != -1)
		check(false, "isa: %s in %s traps (cause %ld, tval 0x%lx)",
		      p->name, where, cause, trapped_tval());
	else
		check(ok, "isa: %s in %s", p->name, where);
}

static const struct probe *find(const char *name, size_t n)
{
	for (unsigned int i = 0; i < sizeof(probes) / sizeof(*probes); i++)
		if (strlen(probes[i].name) == n &&
		    !strncmp(probes[i].name, name, n))
			return &probes[i];
	return NULL;
}

static unsigned int nr_tried, nr_properties;

static void try_extension(const char *name, size_t n)
{
	const struct probe *p = find(name, n);

	if (!p) {
		check(false, "isa: %.*s is in the device tree, with no probe",
		      (int)n, name);
		return;
	}
	if (!p->fn) {
		gprintf("isa: %s: a property, nothing to execute", p->name);
		nr_properties++;
		return;
	}
	nr_tried++;
	if (p->modes & VS)
		run(p, VS);
	if (p->modes & VU)
		run(p, VU);
}

/* The names of riscv,isa: single letters, then '_'-separated words. */
static void try_isa_string(const char *isa)
{
	const char *p = isa + 4;

	while (*p && *p != '_') {
		const char *end = p + 1;

		while ((*end >= '0' && *end <= '9') || *end == 'p')
			end++;
		try_extension(p, 1);
		p = end;
	}
	while (*p == '_') {
		const char *tok = ++p;
		size_t n;

		while (*p && *p != '_')
			p++;
		n = (size_t)(p - tok);
		/* A version such as "1p0" is not part of the name. */
		while (n > 1 && tok[n - 1] >= '0' && tok[n - 1] <= '9')
			n--;
		if (n > 2 && tok[n - 1] == 'p' && tok[n - 2] >= '0' &&
		    tok[n - 2] <= '9')
			for (n--;
			     n > 1 && tok[n - 1] >= '0' && tok[n - 1] <= '9';)
				n--;
		try_extension(tok, n);
	}
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	const void *fdt = (const void *)dtb;
	int cpu = fdt_path_offset(fdt, "/cpus/cpu@0"), len;
	const char *exts, *isa;

	(void)hartid;
	if (!check(cpu >= 0, "isa: the device tree has /cpus/cpu@0"))
		return;
	/* What a kernel does first: FP, vector, cache blocks, counters. */
	csr_set(sstatus, (1UL << 13) | (1UL << 9));
	csr_set(senvcfg, (3UL << 4) | (1UL << 6) | (1UL << 7));
	csr_write(scounteren, 0xffffffffUL);
	on_user_ecall = user_done;

#ifdef ISA_PROBE_ALL
	/* By hand, on a CPU without them: each probe must trap. */
	for (unsigned int i = 0; i < sizeof(probes) / sizeof(*probes); i++)
		try_extension(probes[i].name, strlen(probes[i].name));
	return;
#endif
	exts = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	isa = fdt_getprop(fdt, cpu, "riscv,isa", NULL);
	gprintf("isa: riscv,isa = %s", isa ? isa : "(none)");
	if (exts) {
		for (int i = 0; i < len;) {
			size_t k = strnlen(exts + i, (size_t)(len - i));

			try_extension(exts + i, k);
			i += (int)k + 1;
		}
	} else if (isa && strlen(isa) > 4) {
		try_isa_string(isa);
	}
	gprintf("isa: %u extensions tried in VS-mode and VU-mode, %u properties",
		nr_tried, nr_properties);
}
