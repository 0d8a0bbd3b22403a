// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's ISA extensions: one table, sorted by name, of every
 * extension a guest may see and what it needs from the hypervisor
 * (isa.h). The guest device tree (guest_dtb_cpus.c) and each hart's CSR
 * set-up (vcpu.c, arch/riscv/vcpu.c) both read it, so the tree never
 * names an extension whose instructions or CSRs would trap in the guest.
 */
#include <string.h>

#include "isa.h"

#define NONE 0U
#define FP ISA_NEED_FP
#define VEC (ISA_NEED_VECTOR | ISA_NEED_FP)

/*
 * Left out, and why (ISA_NEED_NEVER): h and the Sh* names (no nested
 * virtualization); Zk and Zkr (the seed CSR faults in VS-mode); Zicfilp,
 * Zicfiss, Ssdbltrp and Sspm (their VS-mode enables come only through
 * FWFT features hartvisor does not offer). Not listed at all, so left
 * out too: the M-level Sm* names, the firmware's business, and anything
 * newer than this table.
 */
static const struct isa_ext table[] = {
	{ "a", NONE },
	{ "b", NONE },
	{ "c", NONE },
	{ "d", FP },
	{ "f", FP },
	/* Before Zicntr was split out, the counters came with the base. */
	{ "g", FP | ISA_NEED_COUNTERS },
	{ "h", ISA_NEED_NEVER },
	{ "i", ISA_NEED_COUNTERS },
	{ "m", NONE },
	{ "q", FP },
	{ "sha", ISA_NEED_NEVER },
	{ "shcounterenw", ISA_NEED_NEVER },
	{ "shgatpa", ISA_NEED_NEVER },
	{ "shtvala", ISA_NEED_NEVER },
	{ "shvsatpa", ISA_NEED_NEVER },
	{ "shvstvala", ISA_NEED_NEVER },
	{ "shvstvecd", ISA_NEED_NEVER },
	{ "ssaia", ISA_NEED_IMSIC },
	{ "ssccptr", NONE },
	{ "sscofpmf", ISA_NEED_LCOFI | ISA_NEED_HPM },
	{ "sscounterenw", NONE },
	/* Its only registers behind vsiselect here are the guest file's. */
	{ "sscsrind", ISA_NEED_CSRIND | ISA_NEED_IMSIC },
	{ "ssdbltrp", ISA_NEED_NEVER },
	{ "ssnpm", NONE }, /* the guest's senvcfg.PMM, for VU */
	{ "sspm", ISA_NEED_NEVER },
	{ "ssstateen", ISA_NEED_SSTATEEN },
	{ "sstc", ISA_NEED_VSTIMECMP },
	{ "sstvala", NONE },
	{ "sstvecd", NONE },
	{ "ssu64xl", NONE },
	{ "supm", NONE },
	{ "svade", NONE },
	{ "svadu", ISA_NEED_HW_AD },
	{ "svbare", NONE },
	{ "svinval", NONE },
	{ "svnapot", NONE },
	{ "svpbmt", ISA_NEED_PBMT },
	{ "svvptc", NONE },
	{ "v", VEC },
	{ "za128rs", NONE },
	{ "za64rs", NONE },
	{ "zaamo", NONE },
	{ "zabha", NONE },
	{ "zacas", NONE },
	{ "zalrsc", NONE },
	{ "zama16b", NONE },
	{ "zawrs", ISA_NEED_WAIT_EXITS },
	{ "zba", NONE },
	{ "zbb", NONE },
	{ "zbc", NONE },
	{ "zbkb", NONE },
	{ "zbkc", NONE },
	{ "zbkx", NONE },
	{ "zbs", NONE },
	{ "zca", NONE },
	{ "zcb", NONE },
	{ "zcd", FP },
	{ "zcf", FP },
	{ "zcmop", NONE },
	{ "zfa", FP },
	{ "zfbfmin", FP },
	{ "zfh", FP },
	{ "zfhmin", FP },
	{ "zic64b", NONE },
	{ "zicbom", ISA_NEED_CBO_MGMT },
	{ "zicbop", NONE },
	{ "zicboz", ISA_NEED_CBO_ZERO },
	{ "ziccamoa", NONE },
	{ "ziccif", NONE },
	{ "zicclsm", NONE },
	{ "ziccrse", NONE },
	{ "zicfilp", ISA_NEED_NEVER },
	{ "zicfiss", ISA_NEED_NEVER },
	{ "zicntr", ISA_NEED_COUNTERS },
	{ "zicond", NONE },
	{ "zicsr", NONE },
	{ "zifencei", NONE },
	{ "zihintntl", NONE },
	{ "zihintpause", NONE },
	{ "zihpm", ISA_NEED_HPM },
	{ "zimop", NONE },
	{ "zk", ISA_NEED_NEVER },
	{ "zkn", NONE },
	{ "zknd", NONE },
	{ "zkne", NONE },
	{ "zknh", NONE },
	{ "zkr", ISA_NEED_NEVER },
	{ "zks", NONE },
	{ "zksed", NONE },
	{ "zksh", NONE },
	{ "zkt", NONE },
	{ "zmmul", NONE },
	{ "ztso", NONE },
	{ "zvbb", VEC },
	{ "zvbc", VEC },
	{ "zve32f", VEC },
	{ "zve32x", VEC },
	{ "zve64d", VEC },
	{ "zve64f", VEC },
	{ "zve64x", VEC },
	{ "zvfbfmin", VEC },
	{ "zvfbfwma", VEC },
	{ "zvfh", VEC },
	{ "zvfhmin", VEC },
	{ "zvkb", VEC },
	{ "zvkg", VEC },
	{ "zvkn", VEC },
	{ "zvknc", VEC },
	{ "zvkned", VEC },
	{ "zvkng", VEC },
	{ "zvknha", VEC },
	{ "zvknhb", VEC },
	{ "zvks", VEC },
	{ "zvksc", VEC },
	{ "zvksed", VEC },
	{ "zvksg", VEC },
	{ "zvksh", VEC },
	{ "zvkt", VEC },
};

unsigned int isa_offers(bool vstimecmp, bool hw_ad, bool imsic, bool lcofi)
{
	return ISA_OFFERS_ALWAYS | (vstimecmp ? ISA_NEED_VSTIMECMP : 0) |
	       (hw_ad ? ISA_NEED_HW_AD : 0) | (imsic ? ISA_NEED_IMSIC : 0) |
	       (lcofi ? ISA_NEED_LCOFI : 0);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* strcmp of @name (@n chars, any case) against the table's @key. */
static int name_cmp(const char *name, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n && key[i]; i++)
		if (lower(name[i]) != key[i])
			return (unsigned char)lower(name[i]) -
			       (unsigned char)key[i];
	if (i < n)
		return 1;
	return key[i] ? -1 : 0;
}

const struct isa_ext *isa_ext_find(const char *name, size_t n)
{
	size_t lo = 0, hi = ARRAY_SIZE(table);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(name, n, table[mid].name);

		if (!c)
			return &table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

bool isa_guest_gets(const char *name, size_t n, unsigned int offers)
{
	const struct isa_ext *e = isa_ext_find(name, n);

	return e && !(e->needs & ~offers);
}
