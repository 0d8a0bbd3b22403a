/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VM configs: one file per scenario in configs/, each a struct the
 * compiler checks. Every config is built into the hypervisor; the
 * hypervisor's command line (QEMU -append, /chosen/bootargs of the host
 * DTB) picks one with "config=NAME", else "default" runs.
 */
#ifndef HV_VM_CONFIG_H
#define HV_VM_CONFIG_H

#include "channel_abi.h"
#include "types.h"

/* Devices a VM can own (passed through, listed in its DTB). */
#define VM_DEV_UART (1U << 0) /* the console UART */
#define VM_DEV_VIRTIO (1U << 1) /* every virtio-mmio slot */
#define VM_DEV_IRQCHIP (1U << 2) /* the interrupt controller: vPLIC or vAPLIC */
#define VM_DEV_RTC (1U << 3) /* the real-time clock, where there is one */
#define VM_DEV_ALL (VM_DEV_UART | VM_DEV_VIRTIO | VM_DEV_IRQCHIP | VM_DEV_RTC)

/* Guest RAM is placed and sized in units of this (one G-stage page). */
#define VM_RAM_ALIGN (2 * MiB)

/*
 * Harts by index (bit i: the i-th hart by hart ID, as the host DTB lists
 * them): HARTS(2, 2) is the third and fourth.
 */
#define HARTS(first, count) \
	((((count) >= 64 ? 0 : 1ULL << (count)) - 1) << (first))

/* One VM of a config. */
struct vm_spec {
	const char *name; /* in its log and console lines; NULL: the config's */
	uint64_t harts; /* HARTS(): one vCPU on each; 0: every hart */
	paddr_t ram_base; /* 0: the lowest free RAM (after the VM before) */
	uint64_t ram_size; /* 0: all the RAM that is left (one VM only) */
	const char *bootargs; /* when the kernel module brings none */
	unsigned int devices; /* VM_DEV_* */
	/* With VM_DEV_VIRTIO: bit n, the n-th virtio-mmio slot by address; 0: every slot. */
	uint32_t virtio;
};

/* Channels a config can name. */
#define VM_MAX_CHANNELS 4

/* One peer of a channel. */
struct vm_channel_peer {
	unsigned int vm; /* its index in the config's vms */
	gpa_t gpa; /* where the channel's memory appears in it; the doorbell follows */
	uint32_t irq; /* its doorbell: a source of its own vAPLIC or vPLIC */
};

/*
 * A channel: memory that 2..CHAN_MAX_PEERS VMs share, with a doorbell to
 * each (channel_abi.h has the layout the peers see).
 */
struct vm_channel {
	const char *name; /* its device-tree node's, [a-z0-9-], 1-24 bytes */
	uint64_t size; /* 4 KiB of header + one output section per peer */
	/*
	 * CHAN_DOORBELL_CHECKED (a trapped page, one exit a ring) or, on AIA
	 * only, CHAN_DOORBELL_TRUSTED: each peer's interrupt files mapped into
	 * the others, rings with no exit, for peers that trust each other.
	 */
	unsigned int doorbell;
	unsigned int nr_peers;
	struct vm_channel_peer peers[CHAN_MAX_PEERS];
};

/*
 * A config: one VM, or several that partition the machine. Each hart,
 * RAM range, device page and interrupt source belongs to at most one VM
 * (vm_plan_all refuses a config that double-books one). A guest image
 * (QEMU's guest-loader) belongs to the VM whose RAM holds it.
 */
struct vm_config {
	const char *name; /* the file's name, the "config=" word */
	const char *description; /* one line, for the boot log */
	unsigned int nr_vms; /* 1..HV_MAX_VMS */
	struct vm_spec vms[HV_MAX_VMS];
	unsigned int nr_channels; /* 0..VM_MAX_CHANNELS */
	struct vm_channel channels[VM_MAX_CHANNELS];
};

/*
 * Define the config of configs/NAME.c. The build lists every config in
 * a table (its generated vm_configs.c), so NAME must be the file's name.
 */
#define VM_CONFIG(id) const struct vm_config vm_config_##id

/* Every config in the build, sorted by name. */
extern const struct vm_config *const vm_configs[];
extern const unsigned int nr_vm_configs;

/* The config called @name, or NULL. */
const struct vm_config *vm_config_find(const char *name);

/*
 * Pick the config named by the hypervisor command line @cmdline (NULL:
 * none) and check what can be checked without a machine: 1..HV_MAX_VMS
 * VMs, harts and RAM sizes where there are several, RAM placement in
 * VM_RAM_ALIGN units, known device bits, virtio slots only with
 * VM_DEV_VIRTIO, no two VMs of one name, channels whose peers, sizes,
 * names and doorbells make sense. Returns 0 and sets *@cfg, or a negative SBI error with a sentence
 * in @err.
 */
int vm_config_select(const char *cmdline, const struct vm_config **cfg,
		     char *err, size_t errlen);

/* Check @cfg on its own, as vm_config_select() does. */
int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen);

/* The name of VM @i of @cfg: its own, or the config's. */
const char *vm_spec_name(const struct vm_config *cfg, unsigned int i);
/*
 * How errors name VM @i of @cfg: "config 'c'" when it is the only one,
 * else "config 'c': VM 'v'".
 */
void vm_spec_what(const struct vm_config *cfg, unsigned int i, char *buf,
		  size_t size);

#endif
