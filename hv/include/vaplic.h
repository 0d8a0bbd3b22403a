/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtual APLIC of an AIA machine: an MSI-mode interrupt domain the
 * guest programs as it would the real one, written through to the
 * S-level domain OpenSBI hands to hartvisor. The guest's window is never
 * mapped; every access traps and lands in vaplic_read() / vaplic_write().
 *
 * What makes it exit-less: each vCPU owns the guest interrupt file 1 of
 * its hart, mapped into its IMSIC page. A guest target[i] = (vCPU v, guest
 * index 0, EIID e) is written to the real APLIC as (hart index of v's
 * hart, guest index 1, e), so the device's MSI lands in v's file and the
 * guest takes it without an exit. Only the level re-trigger Linux writes
 * on every EOI (setipnum_le) and set-up writes exit.
 *
 * What the guest can never do: touch a source the VM does not own (reads
 * 0, writes ignored), aim an MSI at a hart outside the VM, at another
 * guest index or at the hypervisor's S-file (target and genmsi name vCPUs;
 * a vCPU that does not exist or a guest index other than 0 leaves the
 * register as it was), or delegate a source (sourcecfg.D reads 0). Bad
 * offsets and widths read 0 and are ignored.
 *
 * Sources 1..nsrc: nsrc is the highest source the VM owns, so Linux's
 * set-up loops (one sourcecfg write per source) cost a few exits, not 96.
 * All state is under one lock, but domaincfg, under the lock of the real
 * domain every VM shares; every entry point may run on any hart.
 */
#ifndef HV_VAPLIC_H
#define HV_VAPLIC_H

#include "arch.h"
#include "types.h"

/* Register layout of an APLIC domain (AIA specification, chapter 4). */
#define APLIC_DOMAINCFG 0x0000
#define APLIC_SOURCECFG 0x0004 /* + 4 * (i - 1) */
#define APLIC_SETIP 0x1c00
#define APLIC_SETIPNUM 0x1cdc
#define APLIC_IN_CLRIP 0x1d00
#define APLIC_CLRIPNUM 0x1ddc
#define APLIC_SETIE 0x1e00
#define APLIC_SETIENUM 0x1edc
#define APLIC_CLRIE 0x1f00
#define APLIC_CLRIENUM 0x1fdc
#define APLIC_SETIPNUM_LE 0x2000
#define APLIC_SETIPNUM_BE 0x2004
#define APLIC_GENMSI 0x3000
#define APLIC_TARGET 0x3004 /* + 4 * (i - 1) */

#define APLIC_DOMAINCFG_RDONLY 0x80000000U
#define APLIC_DOMAINCFG_IE (1U << 8)
#define APLIC_DOMAINCFG_DM (1U << 2)
#define APLIC_SOURCECFG_D (1U << 10)
#define APLIC_SOURCECFG_SM 7U
#define APLIC_SM_INACTIVE 0U
#define APLIC_SM_DETACHED 1U
#define APLIC_SM_EDGE1 4U
#define APLIC_SM_EDGE0 5U
#define APLIC_SM_LEVEL1 6U
#define APLIC_SM_LEVEL0 7U
#define APLIC_TARGET_HART_SHIFT 18
#define APLIC_TARGET_HART_MASK 0x3fffU
#define APLIC_TARGET_GUEST_SHIFT 12
#define APLIC_TARGET_GUEST_MASK 0x3fU
#define APLIC_TARGET_EIID_MASK 0x7ffU

#define VAPLIC_MAX_SOURCES 1024
#define VAPLIC_WORDS (VAPLIC_MAX_SOURCES / 32)
/* The guest interrupt file every vCPU gets (QEMU aia-guests >= 1). */
#define VAPLIC_GUEST_INDEX 1

struct vaplic {
	struct spinlock lock;
	paddr_t base; /* the guest's window (GPA), the real domain's (HPA) */
	uint64_t size;
	unsigned int nsrc; /* sources 1..nsrc */
	unsigned int nr_vcpus;
	uint32_t owned[VAPLIC_WORDS];
	uint32_t hart_index[HV_MAX_HARTS]; /* vCPU -> its hart's IMSIC index */
	paddr_t guest_file[HV_MAX_HARTS]; /* vCPU -> its interrupt file, HPA */

	/*
	 * The guest's IE bit. The real domain is every VM's: its IE is on
	 * while any VM's is. A guest that enables sources with its own IE 0
	 * gets their MSIs anyway while another VM's IE is 1.
	 */
	uint32_t domaincfg;
	uint32_t target[VAPLIC_MAX_SOURCES]; /* as the guest wrote them */

	/*
	 * Emulated sources (a VM's vUART): never in the real domain; their
	 * source mode, enable and pending bits and input level live here.
	 */
	uint32_t emulated[VAPLIC_WORDS];
	uint32_t e_ie[VAPLIC_WORDS], e_ip[VAPLIC_WORDS], e_level[VAPLIC_WORDS];
	uint8_t e_sm[VAPLIC_MAX_SOURCES];
	uint32_t genmsi;
	bool warned_access; /* a bad access was logged */
	bool warned_target; /* a refused target or genmsi was logged */
};

/*
 * Set up @a: the real domain at @base (@size bytes) with @phys_nsrc
 * sources, @nr_vcpus vCPUs whose harts have IMSIC indexes @hart_index and
 * interrupt files @guest_file; the VM owns the @nr_owned sources @owned.
 * Takes the owned sources to their reset state on the real APLIC. Boot
 * hart, before the other harts start.
 */
void vaplic_init(struct vaplic *a, paddr_t base, uint64_t size,
		 unsigned int phys_nsrc, unsigned int nr_vcpus,
		 const uint32_t *hart_index, const paddr_t *guest_file,
		 const uint32_t *owned, unsigned int nr_owned);

/* The sources 1..N the guest sees for @owned: the highest one (>= 1). */
unsigned int vaplic_guest_sources(const uint32_t *owned, unsigned int nr_owned,
				  unsigned int phys_nsrc);

/* True when guest-physical @gpa lies in the vAPLIC's window. */
bool vaplic_contains(const struct vaplic *a, gpa_t gpa);

/* A guest load of @width bytes at window offset @off, by vCPU @vcpu. */
uint32_t vaplic_read(struct vaplic *a, unsigned int vcpu, uint64_t off,
		     unsigned int width);

/* A guest store of @val; refused and bad accesses change nothing. */
void vaplic_write(struct vaplic *a, unsigned int vcpu, uint64_t off,
		  unsigned int width, uint32_t val);

/*
 * Make @src, one the VM's devices bring (listed to vaplic_init), a source
 * hartvisor emulates instead of the real domain's: its registers answer
 * from here, and vaplic_set_level() is its input. Boot hart, after
 * vaplic_init.
 */
void vaplic_emulate(struct vaplic *a, uint32_t src);

/*
 * Real source @src is hartvisor's own (the UART's receive interrupt, with
 * several VMs): level high, an MSI with @eiid to the S-level interrupt
 * file of hart index @hart_index (hartvisor's, not a guest's), enabled;
 * the real domain's IE stays on from now. Boot hart, after every VM's
 * vaplic_init and vaplic_emulate of @src.
 */
void vaplic_hv_source(uint32_t src, uint32_t hart_index, uint32_t eiid);
/* A level still high after its MSI: pending again (setipnum). */
void vaplic_hv_retrigger(uint32_t src);

/*
 * The input of emulated source @src: pending as the real domain would make
 * it in MSI mode (a rising edge of the rectified input; for a level mode,
 * pending follows a falling one too), and sent as an MSI to its target's
 * interrupt file once enabled with the domain's IE. Any hart.
 */
void vaplic_set_level(struct vaplic *a, uint32_t src, bool high);

/*
 * Where emulated @src's MSIs go now: its target vCPU and identity, if it
 * is active and enabled with the domain's IE (true); else false. Any hart.
 */
bool vaplic_source_route(struct vaplic *a, uint32_t src, uint32_t *vcpu,
			 uint32_t *eiid);

/* Back to reset (SRST reboot): owned sources inactive, IE 0, targets 0. */
void vaplic_reset(struct vaplic *a);

#endif
