/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest's device tree, derived with libfdt from the host's. The same
 * code runs in the hypervisor at boot and in the host tool behind
 * `make guest-dtb`, so both produce the same bytes for the same inputs.
 */
#ifndef HV_GUEST_DTB_H
#define HV_GUEST_DTB_H

#include "irqchip.h"
#include "types.h"
#include "vm_config.h"

/* A channel of the VM, as its device tree shows it. */
struct guest_dtb_chan {
	const char *name;
	gpa_t gpa; /* its memory */
	uint64_t size;
	gpa_t doorbell; /* its doorbell window */
	uint64_t doorbell_size;
	uint32_t irq; /* the VM's doorbell source */
	unsigned int peer; /* the VM's number among the peers */
	bool trusted; /* CHAN_DOORBELL_TRUSTED */
};

struct guest_dtb_params {
	unsigned int nr_vcpus;
	/* Host hart ID of each vCPU, by vCPU ID. */
	const unsigned long *vcpu_hartids;
	unsigned int nr_ram;
	const struct mem_range *ram; /* guest RAM, sorted */
	const char *bootargs; /* NULL: no bootargs */
	bool has_initrd;
	paddr_t initrd_start, initrd_end;
	unsigned int isa_offers; /* isa_offers(): what the guest may get */
	unsigned int nr_mmio;
	const struct mem_range *mmio; /* device pages passed through */
	enum irqchip_kind irqchip; /* what the guest sees, if anything */
	gpa_t imsic_base; /* AIA: the guest's IMSIC, a page per vCPU */
	unsigned int aplic_nsrc; /* AIA: sources of the guest's APLIC */
	paddr_t aplic_base; /* AIA: the host's S-level APLIC node's base */
	paddr_t imsic_host_base; /* AIA: the host's S-level IMSIC's base */
	unsigned int nr_chans; /* the VM's channels (then irqchip != NONE) */
	const struct guest_dtb_chan *chans;
};

/*
 * Build the guest DTB for @params from the host DTB @host (in a buffer of
 * @host_size bytes) into @out (@size bytes). The
 * result has:
 * - one cpu@N per vCPU, reg = N, riscv,isa(-extensions) with only the
 *   extensions the ISA table gives the guest under params->isa_offers
 *   (isa.h: never "h", "sstc" only with vstimecmp, "ssaia" only with a
 *   guest interrupt file), #address-cells = <0> on its
 *   riscv,cpu-intc (dtc warns without); other cpus and their cpu-map
 *   entries removed;
 * - no CLINT / ACLINT nodes, and no other device the guest cannot touch:
 *   a node with "reg" stays only if it is in guest RAM, passed through
 *   (@mmio), the PLIC (irqchip PLIC), the S-level IMSIC or APLIC
 *   (irqchip AIA), or part of /cpus, /memory or
 *   /reserved-memory; syscon power-off/reboot (the guest uses SRST) and QEMU's
 *   platform-bus go;
 * - the PLIC's interrupts-extended listing, per vCPU in order, an M-mode
 *   slot <intc 0xffffffff> and the S-mode external interrupt <intc 9>,
 *   so the guest's context of vCPU i is 2i + 1; or (AIA) the IMSIC at
 *   imsic_base with a 4 KiB page and an <intc 9> per vCPU, no guest
 *   index bits, and the APLIC with riscv,num-sources = aplic_nsrc;
 * - one memory node with exactly the guest RAM, reserved memory outside
 *   it removed;
 * - /chosen with bootargs, linux,initrd-start/-end and no module@* nodes;
 * - a node NAME@GPA at the root's end for each channel, compatible
 *   "hartvisor,channel": reg its memory and doorbell window, its doorbell
 *   source on the guest's PLIC or APLIC (edge), hartvisor,peer the VM's
 *   number, hartvisor,doorbell "checked" or "trusted";
 * - GUEST_DTB_FREE zeroed bytes of free space at its end, inside its
 *   totalsize, for a bootloader that edits the tree in place.
 * Returns 0 or a negative SBI error with a sentence in @err that names
 * the failing step.
 */
#define GUEST_DTB_FREE 4096

int guest_dtb_build(const void *host, size_t host_size, void *out, size_t size,
		    const struct guest_dtb_params *params, char *err,
		    size_t errlen);

#endif
