/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtual PLIC. The guest's PLIC window is never mapped: every guest
 * access traps and lands in vplic_read() / vplic_write(). The guest sees
 * two contexts per vCPU, as its DTB's interrupts-extended says: context
 * 2i is vCPU i's M-mode context (wired to -1: inert) and 2i + 1 its
 * S-mode context.
 *
 * Physical side: hartvisor owns the real PLIC's S-mode contexts. A source
 * the VM owns is enabled on exactly one physical context, that of the
 * hart of the lowest vCPU whose virtual context enables it. When it fires,
 * that hart claims it (vplic_hw_claim) and it becomes pending here. The
 * physical claim is held, and completed only when the guest completes the
 * virtual interrupt: the real source stays masked while the guest handles
 * it, so a level-triggered device (UART, virtio) cannot storm, and a new
 * edge or level raised meanwhile waits in the real PLIC's gateway and
 * fires again after the completion — nothing is lost.
 *
 * Each vCPU's external interrupt line (claimable work in its S context)
 * is recomputed after every change and handed to vcpu_external_changed()
 * when it flips. All state is under one lock; every entry point may be
 * called from any hart.
 */
#ifndef HV_VPLIC_H
#define HV_VPLIC_H

#include "arch.h"
#include "types.h"

/* Register layout of a PLIC (SiFive / riscv,plic0). */
#define PLIC_PRIORITY_BASE 0x0
#define PLIC_PENDING_BASE 0x1000
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_CONTEXT_THRESHOLD 0x0
#define PLIC_CONTEXT_CLAIM 0x4

/* Sources 1..1023 at most (source 0 does not exist). */
#define VPLIC_MAX_SOURCES 1024
#define VPLIC_WORDS (VPLIC_MAX_SOURCES / 32)
#define VPLIC_MAX_CONTEXTS (2 * HV_MAX_HARTS)
/* Priorities and thresholds hold 0..7, as on QEMU's PLIC (WARL). */
#define VPLIC_PRIORITY_MASK 7U

struct vplic {
	struct spinlock lock;
	paddr_t base; /* the guest's window, GPA */
	uint64_t size;
	unsigned int ndev; /* sources 1..ndev */
	unsigned int nr_vcpus; /* contexts 0 .. 2 * nr_vcpus - 1 */

	uint32_t priority[VPLIC_MAX_SOURCES];
	uint32_t pending[VPLIC_WORDS];
	uint32_t claimed[VPLIC_WORDS]; /* claimed, not yet completed */
	uint32_t enable[VPLIC_MAX_CONTEXTS][VPLIC_WORDS];
	uint32_t threshold[VPLIC_MAX_CONTEXTS];

	/* Passthrough sources and their physical PLIC state. */
	uint32_t owned[VPLIC_WORDS];
	int hw_context[HV_MAX_HARTS]; /* vCPU -> physical S context */
	int16_t hw_route[VPLIC_MAX_SOURCES]; /* enabled on: vCPU, or -1 */
	int16_t hw_held[VPLIC_MAX_SOURCES]; /* claimed by: phys ctx, or -1 */

	/*
	 * Emulated sources (a VM's vUART, its doorbells): their level, set
	 * by hartvisor, and an edge that came while the source was claimed.
	 */
	uint32_t emulated[VPLIC_WORDS];
	uint32_t level[VPLIC_WORDS];
	uint32_t edge[VPLIC_WORDS];

	bool line[HV_MAX_HARTS]; /* vCPU's external line (atomic reads) */
	bool warned_access; /* a bad offset or width was logged */
};

/*
 * Set up @p for @nr_vcpus vCPUs and sources 1..@ndev, its guest window at
 * [@base, @base + @size). @hw_context[i] is the physical S-mode context
 * of vCPU i's hart; @owned (count @nr_owned) lists the sources of the
 * VM's devices, which get priority 1 in the real PLIC. Boot hart, before
 * the other harts start.
 */
void vplic_init(struct vplic *p, paddr_t base, uint64_t size, unsigned int ndev,
		unsigned int nr_vcpus, const int *hw_context,
		const uint32_t *owned, unsigned int nr_owned);

/*
 * Take the physical S context of vCPU @vcpu's hart: threshold 0, every
 * source disabled. On that hart, once it runs hartvisor — after OpenSBI's
 * warm boot, which sets the threshold to 7 when it starts a hart — and
 * before the guest runs.
 */
void vplic_hart_init(struct vplic *p, unsigned int vcpu);

/* True when guest-physical @gpa lies in the vPLIC's window. */
bool vplic_contains(const struct vplic *p, gpa_t gpa);

/*
 * A guest load of @width bytes at window offset @off, by vCPU @vcpu.
 * Claim reads change state. Bad offsets and widths read 0.
 */
uint32_t vplic_read(struct vplic *p, unsigned int vcpu, uint64_t off,
		    unsigned int width);

/* A guest store of @val; bad offsets and widths are ignored. */
void vplic_write(struct vplic *p, unsigned int vcpu, uint64_t off,
		 unsigned int width, uint32_t val);

/*
 * The physical PLIC raised an external interrupt on the calling hart,
 * whose S-mode context is @hw_ctx: claim everything there and make it
 * pending. Returns how many sources were claimed.
 */
unsigned int vplic_hw_claim(struct vplic *p, int hw_ctx);

/*
 * Make @src (1..ndev; if the VM's devices brought it, it leaves the real
 * PLIC: priority 0 there) a source hartvisor emulates (vplic_set_level
 * drives it). Boot hart, after vplic_init.
 */
void vplic_emulate(struct vplic *p, unsigned int src);

/*
 * The level of emulated source @src: high makes it pending (a PLIC
 * gateway: pending until claimed), and pending again at its completion
 * while it stays high. Any hart.
 */
void vplic_set_level(struct vplic *p, unsigned int src, bool high);

/*
 * An edge on emulated source @src (a doorbell): pending now, or at its
 * completion if it is claimed (one edge kept, as an edge gateway). Any
 * hart.
 */
void vplic_trigger(struct vplic *p, unsigned int src);

/* vCPU @vcpu's external interrupt line (acquire). Any hart. */
bool vplic_line(const struct vplic *p, unsigned int vcpu);

/*
 * Back to the reset state (SRST reboot): every register 0, physical
 * claims completed, owned sources disabled. All vCPUs are stopped.
 */
void vplic_reset(struct vplic *p);

/*
 * Provided by the vCPU layer (hv/vcpu.c; the unit test has its own):
 * vCPU @vcpu of the VM whose vPLIC is @p: its external line changed.
 * Called with the vPLIC lock held.
 */
void vcpu_external_changed(const struct vplic *p, unsigned int vcpu);

/*
 * Provided by hartvisor's console (hv/uart_rx.c; the tests have their
 * own): @src, claimed on this hart's context, was hartvisor's own source
 * (the UART's input), now served; the caller completes it. Without the
 * vPLIC lock.
 */
bool uart_rx_plic_claimed(unsigned int src);

#endif
