/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM's interrupt controller, whichever the machine has: the vPLIC
 * (emulated PLIC, the real one's claims held for the guest) or, on an AIA
 * machine, a guest interrupt file per vCPU and the vAPLIC. vcpu.c, vm.c
 * and the MMIO path call only this; which one is in use is decided once,
 * in vm_plan(), from the machine and the config.
 */
#ifndef HV_IRQCHIP_H
#define HV_IRQCHIP_H

#include "types.h"
#include "vaplic.h"
#include "vplic.h"

struct vm;
struct platform;

enum irqchip_kind {
	IRQCHIP_NONE, /* the config owns no interrupt controller */
	IRQCHIP_PLIC,
	IRQCHIP_AIA,
};

struct irqchip {
	enum irqchip_kind kind;
	/* AIA: where the guest sees its IMSIC (vCPU i's page at + i * 4 KiB). */
	gpa_t imsic_base;
	unsigned int nsrc; /* AIA: the vAPLIC's sources 1..nsrc */
	unsigned int nr_ids; /* AIA: IDs 1..nr_ids in each interrupt file */
	union {
		struct vplic vplic;
		struct vaplic vaplic;
	};
};

/* "PLIC", "AIA" or "none". */
const char *irqchip_name(enum irqchip_kind kind);

/*
 * Which controller a VM with config devices @devices gets on @p: AIA when
 * the machine has guest interrupt files, else the PLIC, else none. Pure
 * (vm_plan and the host tool). Sets @ic->kind, ->imsic_base and ->nsrc
 * (AIA) for @nr_irqs owned sources @irqs.
 */
void irqchip_plan(struct irqchip *ic, const struct platform *p,
		  unsigned int devices, const uint32_t *irqs,
		  unsigned int nr_irqs);

/*
 * The physical address of guest interrupt file @g of the hart whose
 * IMSIC index is @index.
 */
paddr_t irqchip_guest_file(const struct platform *p, int index, unsigned int g);

/* Set up the planned controller of @vm on @p. Boot hart, once. */
void irqchip_create(struct vm *vm, const struct platform *p);

/* Map what the guest reaches without exits (AIA: its IMSIC pages). */
int irqchip_map(struct vm *vm, char *err, size_t errlen);

/* On vCPU @vcpu's own hart, before the guest first runs there. */
void irqchip_hart_init(struct vm *vm, unsigned int vcpu);

/*
 * vCPU reset (HSM start, reboot), on its hart: nothing pending for it in
 * the controller (AIA: its interrupt file cleared).
 */
void irqchip_vcpu_reset(struct vm *vm, unsigned int vcpu);

/*
 * The level of source @src, which hartvisor emulates for the VM (its
 * vUART's, its channels' doorbells), into the VM's controller. Any hart.
 */
void irqchip_set_level(struct vm *vm, uint32_t src, bool high);

/*
 * A rising edge of emulated source @src (a channel's doorbell): pending
 * once, even while the guest has it claimed (PLIC). Any hart.
 */
void irqchip_trigger(struct vm *vm, uint32_t src);

/* True when guest-physical @gpa is an emulated register of the controller. */
bool irqchip_contains(const struct vm *vm, gpa_t gpa);
uint32_t irqchip_read(struct vm *vm, unsigned int vcpu, gpa_t gpa,
		      unsigned int width);
void irqchip_write(struct vm *vm, unsigned int vcpu, gpa_t gpa,
		   unsigned int width, uint32_t val);

/*
 * The calling hart's physical external interrupt fired (sip.SEIP): take
 * it for the VM (PLIC: claim). On vCPU @vcpu's hart.
 */
void irqchip_take_external(struct vm *vm, unsigned int vcpu);

/*
 * Should hartvisor raise vCPU @vcpu's external interrupt (hvip.VSEIP)?
 * PLIC: its vPLIC line. AIA: never, the guest file raises it in hardware.
 */
bool irqchip_line(const struct vm *vm, unsigned int vcpu);

/* SRST reboot: the controller back to reset. Every vCPU stopped. */
void irqchip_reset(struct vm *vm);

#endif
