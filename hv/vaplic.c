// SPDX-License-Identifier: BSD-2-Clause
/*
 * The virtual APLIC: the guest's MSI-mode domain, checked register by
 * register and written through to the real S-level domain. See vaplic.h
 * for what it lets through and what it refuses.
 */
#include <string.h>

#include "log.h"
#include "vaplic.h"

static bool owned(const struct vaplic *a, uint32_t src)
{
	return src >= 1 && src <= a->nsrc &&
	       (a->owned[src / 32] & (1U << (src % 32)));
}

static bool bit(const uint32_t *map, uint32_t n)
{
	return map[n / 32] & (1U << (n % 32));
}

static void set_bit(uint32_t *map, uint32_t n, bool on)
{
	if (on)
		map[n / 32] |= 1U << (n % 32);
	else
		map[n / 32] &= ~(1U << (n % 32));
}

static bool emulated(const struct vaplic *a, uint32_t src)
{
	return src >= 1 && src <= a->nsrc && bit(a->emulated, src);
}

/* Words of a source bitmap that hold sources 0..nsrc. */
static unsigned int vaplic_words(const struct vaplic *a)
{
	return a->nsrc / 32 + 1;
}

/* The real target that sends source MSIs with @eiid to vCPU @vcpu. */
static uint32_t hw_target(const struct vaplic *a, unsigned int vcpu,
			  uint32_t eiid)
{
	return a->hart_index[vcpu] << APLIC_TARGET_HART_SHIFT |
	       VAPLIC_GUEST_INDEX << APLIC_TARGET_GUEST_SHIFT |
	       (eiid & APLIC_TARGET_EIID_MASK);
}

/* An owned source to its reset state: inactive (which clears its pending
 * and enable bits), its MSIs aimed at vCPU 0 with EIID 0 (none). */
static void vaplic_reset_source(struct vaplic *a, uint32_t src)
{
	arch_aplic_write(APLIC_SOURCECFG + 4 * (src - 1), 0);
	arch_aplic_write(APLIC_TARGET + 4 * (src - 1), hw_target(a, 0, 0));
	a->target[src] = 0;
}

/* An emulated source's mode: inactive, detached, edge or level. */
static bool e_level_mode(const struct vaplic *a, uint32_t src)
{
	return a->e_sm[src] == APLIC_SM_LEVEL1 ||
	       a->e_sm[src] == APLIC_SM_LEVEL0;
}

/* Its input as the mode sees it: inverted for Level0 and Edge0. */
static bool e_rectified(const struct vaplic *a, uint32_t src)
{
	bool in = bit(a->e_level, src);

	return a->e_sm[src] == APLIC_SM_LEVEL0 ||
			       a->e_sm[src] == APLIC_SM_EDGE0 ?
		       !in :
		       in;
}

static bool e_active(const struct vaplic *a, uint32_t src)
{
	return a->e_sm[src] >= APLIC_SM_EDGE1;
}

/* Send emulated @src's MSI if it is pending, enabled and the IE is on. */
static void e_deliver(struct vaplic *a, uint32_t src)
{
	uint32_t hart = a->target[src] >> APLIC_TARGET_HART_SHIFT &
			APLIC_TARGET_HART_MASK;
	uint32_t eiid = a->target[src] & APLIC_TARGET_EIID_MASK;

	if (!bit(a->e_ip, src) || !bit(a->e_ie, src) || !e_active(a, src) ||
	    !__atomic_load_n(&a->domaincfg, __ATOMIC_RELAXED))
		return;
	/* Forwarded, pending cleared: EIID 0 sends nothing, as real ones. */
	set_bit(a->e_ip, src, false);
	if (eiid && hart < a->nr_vcpus && a->guest_file[hart])
		arch_imsic_send(a->guest_file[hart], eiid);
}

static void e_deliver_all(struct vaplic *a)
{
	for (uint32_t src = 1; src <= a->nsrc; src++)
		if (emulated(a, src))
			e_deliver(a, src);
}

/* A guest's setip/setipnum on emulated @src: a level one only while high. */
static void e_set_pending(struct vaplic *a, uint32_t src, bool on)
{
	if (on && (!e_active(a, src) ||
		   (e_level_mode(a, src) && !e_rectified(a, src))))
		return;
	set_bit(a->e_ip, src, on);
	e_deliver(a, src);
}

bool vaplic_source_route(struct vaplic *a, uint32_t src, uint32_t *vcpu,
			 uint32_t *eiid)
{
	bool on;

	spin_lock(&a->lock);
	on = emulated(a, src) && e_active(a, src) && bit(a->e_ie, src) &&
	     __atomic_load_n(&a->domaincfg, __ATOMIC_RELAXED);
	*vcpu = a->target[src] >> APLIC_TARGET_HART_SHIFT &
		APLIC_TARGET_HART_MASK;
	*eiid = a->target[src] & APLIC_TARGET_EIID_MASK;
	spin_unlock(&a->lock);
	return on && *eiid && *vcpu < a->nr_vcpus;
}

void vaplic_emulate(struct vaplic *a, uint32_t src)
{
	if (src < 1 || src > a->nsrc || src >= VAPLIC_MAX_SOURCES)
		return;
	set_bit(a->owned, src, false);
	set_bit(a->emulated, src, true);
	a->e_sm[src] = 0;
}

void vaplic_set_level(struct vaplic *a, uint32_t src, bool high)
{
	bool before;

	spin_lock(&a->lock);
	if (!emulated(a, src)) {
		spin_unlock(&a->lock);
		return;
	}
	before = e_rectified(a, src);
	set_bit(a->e_level, src, high);
	if (e_active(a, src) && !before && e_rectified(a, src))
		set_bit(a->e_ip, src, true);
	else if (e_active(a, src) && before && !e_rectified(a, src) &&
		 e_level_mode(a, src))
		set_bit(a->e_ip, src, false);
	e_deliver(a, src);
	spin_unlock(&a->lock);
}

/*
 * The real domain serves every VM: its IE is on while any VM's is, so one
 * VM's IE cannot stop another's interrupts (vaplic.h says what that costs
 * a VM whose own IE is 0).
 */
static struct vaplic *domain_users[HV_MAX_VMS];
static struct spinlock domain_lock;
/* hartvisor's own source (vaplic_hv_source) keeps the domain on. */
static uint32_t domain_hv_ie;

/* One per VM: there are never more than HV_MAX_VMS (vm_config_check). */
static void domain_register(struct vaplic *a)
{
	for (unsigned int i = 0; i < HV_MAX_VMS; i++) {
		if (domain_users[i] == a)
			return;
		if (!domain_users[i]) {
			domain_users[i] = a;
			return;
		}
	}
}

void vaplic_hv_source(uint32_t src, uint32_t hart_index, uint32_t eiid)
{
	spin_lock(&domain_lock);
	domain_hv_ie = APLIC_DOMAINCFG_IE;
	arch_aplic_write(APLIC_SOURCECFG + 4 * (src - 1), APLIC_SM_LEVEL1);
	arch_aplic_write(APLIC_TARGET + 4 * (src - 1),
			 (hart_index << APLIC_TARGET_HART_SHIFT) |
				 (eiid & APLIC_TARGET_EIID_MASK));
	arch_aplic_write(APLIC_SETIENUM, src);
	arch_aplic_write(APLIC_DOMAINCFG, arch_aplic_read(APLIC_DOMAINCFG) |
						  APLIC_DOMAINCFG_IE |
						  APLIC_DOMAINCFG_DM);
	spin_unlock(&domain_lock);
}

void vaplic_hv_retrigger(uint32_t src)
{
	/* MSI mode: a level still high after its MSI asks again only so. */
	arch_aplic_write(APLIC_SETIPNUM, src);
}

void vaplic_init(struct vaplic *a, paddr_t base, uint64_t size,
		 unsigned int phys_nsrc, unsigned int nr_vcpus,
		 const uint32_t *hart_index, const paddr_t *guest_file,
		 const uint32_t *own, unsigned int nr_owned)
{
	memset(a, 0, sizeof(*a));
	a->base = base;
	a->size = size;
	a->nr_vcpus = MIN(nr_vcpus, HV_MAX_HARTS);
	a->nsrc = vaplic_guest_sources(own, nr_owned,
				       MIN(phys_nsrc, VAPLIC_MAX_SOURCES - 1));
	for (unsigned int v = 0; v < a->nr_vcpus; v++) {
		a->hart_index[v] = hart_index[v];
		a->guest_file[v] = guest_file[v];
	}
	for (unsigned int i = 0; i < nr_owned; i++)
		if (own[i] >= 1 && own[i] <= a->nsrc)
			a->owned[own[i] / 32] |= 1U << (own[i] % 32);
	spin_lock(&domain_lock);
	domain_register(a);
	spin_unlock(&domain_lock);
	vaplic_reset(a);
}

bool vaplic_contains(const struct vaplic *a, gpa_t gpa)
{
	return a->size && gpa >= a->base && gpa - a->base < a->size;
}

/* Said once per kind: a guest that keeps trying must not flood the log. */
static void vaplic_refuse(bool *warned, unsigned int vcpu, const char *what,
			  uint64_t off, uint32_t val)
{
	if (*warned)
		return;
	*warned = true;
	pr_debug(
		"vcpu%u: vAPLIC %s at offset 0x%lx (value 0x%x) ignored (said once)",
		vcpu, what, (unsigned long)off, val);
}

/* Which register @off names. */
enum vaplic_reg {
	REG_BAD,
	REG_DOMAINCFG,
	REG_SOURCECFG,
	REG_SETIP,
	REG_IN_CLRIP,
	REG_SETIE,
	REG_CLRIE,
	REG_NUM, /* setipnum, clripnum, setienum, clrienum, setipnum_le/be */
	REG_GENMSI,
	REG_TARGET,
	REG_RAZ, /* exists, reads 0, ignores writes (msiaddrcfg, IDCs) */
};

static enum vaplic_reg vaplic_decode(const struct vaplic *a, uint64_t off,
				     uint32_t *index)
{
	static const struct {
		uint64_t base;
		enum vaplic_reg reg;
	} words[] = {
		{ APLIC_SETIP, REG_SETIP },
		{ APLIC_IN_CLRIP, REG_IN_CLRIP },
		{ APLIC_SETIE, REG_SETIE },
		{ APLIC_CLRIE, REG_CLRIE },
	};

	*index = 0;
	if (off == APLIC_DOMAINCFG)
		return REG_DOMAINCFG;
	if (off == APLIC_GENMSI)
		return REG_GENMSI;
	if (off == APLIC_SETIPNUM || off == APLIC_CLRIPNUM ||
	    off == APLIC_SETIENUM || off == APLIC_CLRIENUM ||
	    off == APLIC_SETIPNUM_LE || off == APLIC_SETIPNUM_BE)
		return REG_NUM;
	if (off >= APLIC_SOURCECFG && off < APLIC_SOURCECFG + 4 * 1023) {
		*index = (uint32_t)(off - APLIC_SOURCECFG) / 4 + 1;
		return REG_SOURCECFG;
	}
	if (off >= APLIC_TARGET && off < APLIC_TARGET + 4 * 1023) {
		*index = (uint32_t)(off - APLIC_TARGET) / 4 + 1;
		return REG_TARGET;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(words); i++) {
		if (off >= words[i].base && off < words[i].base + 4 * 32) {
			*index = (uint32_t)(off - words[i].base) / 4;
			return *index < vaplic_words(a) ? words[i].reg :
							  REG_RAZ;
		}
	}
	/* msiaddrcfg (M-level only) and the IDCs (direct mode only). */
	if ((off >= 0x1bc0 && off < 0x1bd0) || off >= 0x4000)
		return REG_RAZ;
	return REG_BAD;
}

/* Bits of bitmap word @w that name sources the VM owns. */
static uint32_t owned_mask(const struct vaplic *a, uint32_t w)
{
	return w < VAPLIC_WORDS ? a->owned[w] : 0;
}

/* ... and sources hartvisor emulates for it. */
static uint32_t emulated_mask(const struct vaplic *a, uint32_t w)
{
	return w < VAPLIC_WORDS ? a->emulated[w] : 0;
}

/* Word @w of setip, in_clrip (the rectified inputs) or setie, emulated. */
static uint32_t e_word(const struct vaplic *a, enum vaplic_reg reg, uint32_t w)
{
	uint32_t v = 0;

	if (w >= VAPLIC_WORDS || !a->emulated[w])
		return 0;
	if (reg == REG_SETIP)
		return a->e_ip[w];
	if (reg == REG_SETIE)
		return a->e_ie[w];
	for (uint32_t b = 0; b < 32; b++)
		if (emulated(a, w * 32 + b) && e_active(a, w * 32 + b) &&
		    e_rectified(a, w * 32 + b))
			v |= 1U << b;
	return v;
}

uint32_t vaplic_read(struct vaplic *a, unsigned int vcpu, uint64_t off,
		     unsigned int width)
{
	uint32_t index, val = 0;
	enum vaplic_reg reg = vaplic_decode(a, off, &index);

	if (width != 4 || off % 4 || reg == REG_BAD) {
		vaplic_refuse(&a->warned_access, vcpu, "bad load", off, width);
		return 0;
	}
	spin_lock(&a->lock);
	switch (reg) {
	case REG_DOMAINCFG:
		val = APLIC_DOMAINCFG_RDONLY |
		      __atomic_load_n(&a->domaincfg, __ATOMIC_RELAXED) |
		      APLIC_DOMAINCFG_DM;
		break;
	case REG_SOURCECFG:
		if (owned(a, index))
			val = arch_aplic_read(off);
		else if (emulated(a, index))
			val = a->e_sm[index];
		break;
	case REG_SETIP:
	case REG_IN_CLRIP:
	case REG_SETIE:
		val = (owned_mask(a, index) ?
			       arch_aplic_read(off) & owned_mask(a, index) :
			       0) |
		      (e_word(a, reg, index) & emulated_mask(a, index));
		break;
	case REG_TARGET:
		/* Ours, not the real one's: that holds the real hart. */
		if (owned(a, index) || emulated(a, index))
			val = a->target[index];
		break;
	case REG_GENMSI:
		val = a->genmsi; /* never busy: sent before the store returns */
		break;
	case REG_CLRIE:
	case REG_NUM:
	case REG_RAZ:
	case REG_BAD:
		break;
	}
	spin_unlock(&a->lock);
	return val;
}

/*
 * The guest's IE, or 0 until it sets it: the real domain's is any VM's.
 * Under domain_lock alone (not a->lock: one lock at a time).
 */
static void write_domaincfg(struct vaplic *a, uint32_t val)
{
	uint32_t ie;

	spin_lock(&domain_lock);
	__atomic_store_n(&a->domaincfg, val & APLIC_DOMAINCFG_IE,
			 __ATOMIC_RELAXED);
	ie = domain_hv_ie;
	for (unsigned int i = 0; i < HV_MAX_VMS && domain_users[i]; i++)
		ie |= domain_users[i]->domaincfg;
	arch_aplic_write(APLIC_DOMAINCFG, ie | APLIC_DOMAINCFG_DM);
	spin_unlock(&domain_lock);
}

static void write_sourcecfg(uint32_t src, uint32_t val)
{
	uint32_t sm = val & APLIC_SOURCECFG_SM;

	/* No child domains: D reads 0. SM 2 and 3 are reserved. */
	if ((val & APLIC_SOURCECFG_D) || sm == 2 || sm == 3)
		sm = 0;
	arch_aplic_write(APLIC_SOURCECFG + 4 * (src - 1), sm);
}

/* A set/clear-by-number register: only for a source the VM owns. */
static void write_num(struct vaplic *a, uint64_t off, uint32_t val)
{
	uint32_t src = off == APLIC_SETIPNUM_BE ? __builtin_bswap32(val) : val;

	if (emulated(a, src)) {
		if (off == APLIC_SETIENUM || off == APLIC_CLRIENUM) {
			set_bit(a->e_ie, src,
				off == APLIC_SETIENUM && e_active(a, src));
			e_deliver(a, src);
		} else {
			e_set_pending(a, src, off != APLIC_CLRIPNUM);
		}
		return;
	}
	if (!owned(a, src))
		return;
	/*
	 * setipnum_le is Linux's re-trigger of a level source on EOI: it
	 * goes to the real domain as setipnum, which sets the pending bit
	 * again only while the line is still asserted. Never dropped.
	 */
	if (off == APLIC_SETIPNUM_LE || off == APLIC_SETIPNUM_BE)
		off = APLIC_SETIPNUM;
	arch_aplic_write(off, src);
}

/* sourcecfg of emulated @src: inactive clears its enable and pending. */
static void e_write_sourcecfg(struct vaplic *a, uint32_t src, uint32_t val)
{
	uint32_t sm = val & APLIC_SOURCECFG_SM;

	if ((val & APLIC_SOURCECFG_D) || sm == 2 || sm == 3)
		sm = APLIC_SM_INACTIVE;
	a->e_sm[src] = (uint8_t)sm;
	if (!e_active(a, src)) {
		set_bit(a->e_ie, src, false);
		set_bit(a->e_ip, src, false);
	}
	e_deliver(a, src);
}

/* A set bit of a setip, in_clrip, setie or clrie word, emulated @src. */
static void e_write_bit(struct vaplic *a, enum vaplic_reg reg, uint32_t src)
{
	if (reg == REG_SETIP || reg == REG_IN_CLRIP) {
		e_set_pending(a, src, reg == REG_SETIP);
		return;
	}
	set_bit(a->e_ie, src, reg == REG_SETIE && e_active(a, src));
	e_deliver(a, src);
}

/* A vCPU of this VM (not absent) that an MSI may be aimed at. */
static bool valid_vcpu(const struct vaplic *a, uint32_t v)
{
	return v < a->nr_vcpus && a->guest_file[v];
}

static void write_target(struct vaplic *a, unsigned int vcpu, uint32_t src,
			 uint32_t val)
{
	uint32_t hart = val >> APLIC_TARGET_HART_SHIFT & APLIC_TARGET_HART_MASK;
	uint32_t guest = val >> APLIC_TARGET_GUEST_SHIFT &
			 APLIC_TARGET_GUEST_MASK;

	if (!owned(a, src) && !emulated(a, src))
		return;
	if (!valid_vcpu(a, hart) || guest) {
		vaplic_refuse(&a->warned_target, vcpu,
			      "target naming no vCPU's file",
			      APLIC_TARGET + 4 * (src - 1), val);
		return;
	}
	a->target[src] = val &
			 (APLIC_TARGET_HART_MASK << APLIC_TARGET_HART_SHIFT |
			  APLIC_TARGET_EIID_MASK);
	if (emulated(a, src))
		return;
	arch_aplic_write(APLIC_TARGET + 4 * (src - 1),
			 hw_target(a, hart, val & APLIC_TARGET_EIID_MASK));
}

/* genmsi: the MSI a device would send, stored into the vCPU's file. */
static void write_genmsi(struct vaplic *a, unsigned int vcpu, uint32_t val)
{
	uint32_t hart = val >> APLIC_TARGET_HART_SHIFT & APLIC_TARGET_HART_MASK;
	uint32_t eiid = val & APLIC_TARGET_EIID_MASK;

	if (!valid_vcpu(a, hart)) {
		vaplic_refuse(&a->warned_target, vcpu, "genmsi naming no vCPU",
			      APLIC_GENMSI, val);
		return;
	}
	a->genmsi = hart << APLIC_TARGET_HART_SHIFT | eiid;
	arch_imsic_send(a->guest_file[hart], eiid);
}

void vaplic_write(struct vaplic *a, unsigned int vcpu, uint64_t off,
		  unsigned int width, uint32_t val)
{
	uint32_t index;
	enum vaplic_reg reg = vaplic_decode(a, off, &index);

	if (width != 4 || off % 4 || reg == REG_BAD) {
		vaplic_refuse(&a->warned_access, vcpu, "bad store", off, val);
		return;
	}
	if (reg == REG_DOMAINCFG) {
		write_domaincfg(a, val);
		/* What waited for the IE goes now. */
		spin_lock(&a->lock);
		e_deliver_all(a);
		spin_unlock(&a->lock);
		return;
	}
	spin_lock(&a->lock);
	switch (reg) {
	case REG_SOURCECFG:
		if (owned(a, index))
			write_sourcecfg(index, val);
		else if (emulated(a, index))
			e_write_sourcecfg(a, index, val);
		break;
	case REG_SETIP:
	case REG_IN_CLRIP:
	case REG_SETIE:
	case REG_CLRIE:
		if (val & owned_mask(a, index))
			arch_aplic_write(off, val & owned_mask(a, index));
		for (uint32_t b = 0; b < 32; b++)
			if (val & emulated_mask(a, index) & (1U << b))
				e_write_bit(a, reg, index * 32 + b);
		break;
	case REG_NUM:
		write_num(a, off, val);
		break;
	case REG_GENMSI:
		write_genmsi(a, vcpu, val);
		break;
	case REG_TARGET:
		write_target(a, vcpu, index, val);
		break;
	case REG_DOMAINCFG:
	case REG_RAZ:
	case REG_BAD:
		break;
	}
	spin_unlock(&a->lock);
}

void vaplic_reset(struct vaplic *a)
{
	write_domaincfg(a, 0);
	spin_lock(&a->lock);
	for (uint32_t src = 1; src <= a->nsrc; src++)
		if (owned(a, src))
			vaplic_reset_source(a, src);
	/* Emulated sources: inactive; their device keeps its own level. */
	memset(a->e_ie, 0, sizeof(a->e_ie));
	memset(a->e_ip, 0, sizeof(a->e_ip));
	memset(a->e_sm, 0, sizeof(a->e_sm));
	for (uint32_t src = 1; src <= a->nsrc; src++)
		if (emulated(a, src))
			a->target[src] = 0;
	a->genmsi = 0;
	spin_unlock(&a->lock);
}
