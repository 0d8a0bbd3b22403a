/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The static VMs of the config (one, or several partitioning the harts).
 * The boot hart creates each — guest RAM, G-stage table, guest images and
 * guest DTB — before any other hart exists; every hart of a VM then
 * registers its vCPU, and each VM's vCPU 0 starts its guest.
 */
#ifndef HV_VM_H
#define HV_VM_H

#include "arch.h"
#include "platform.h"
#include "types.h"
#include "vm_config.h"
#include "irqchip.h"
#include "vuart.h"

struct vcpu;
struct hart;

/* Where a VM is in its life, for the monitor. */
enum vm_state {
	VM_RUNNING,
	VM_REBOOTING,
	VM_OFF, /* shut down, or stopped from the monitor */
	VM_CRASHED,
};

/* What the monitor asks of a VM (vm_request). */
enum vm_request {
	VM_REQUEST_NONE,
	VM_REQUEST_REBOOT,
	VM_REQUEST_STOP,
};

/* The key that opens and closes the monitor: Ctrl-] (Ctrl-A is QEMU's). */
#define CONSOLE_ESCAPE 0x1d

#define VM_MAX_RAM 8
#define VM_MAX_MMIO (2 + PLATFORM_MAX_VIRTIO)
#define VM_MAX_IMAGES PLATFORM_MAX_MODULES
/* The guest DTB's slot at the top of guest RAM: its largest size. */
#define GUEST_DTB_SLOT (2 * MiB)

/*
 * A guest image: where the guest sees it, and our pristine copy (each
 * page saved there on the guest's first write to it: vm_pristine.c).
 */
struct vm_image {
	enum module_kind kind;
	paddr_t base;
	uint64_t size;
	paddr_t pristine; /* outside guest RAM, for SRST reboot */
};

/*
 * This VM's end of a channel (planned in vm_plan_chan.c, run in
 * channel.c; channel_abi.h has what the guest sees).
 */
struct vm_chan_end {
	const struct vm_channel *ch;
	unsigned int chan; /* its index in the config */
	unsigned int peer; /* this VM's number in it */
	gpa_t gpa; /* the channel's memory, here */
	gpa_t doorbell; /* its doorbell window, right after the memory */
	uint64_t doorbell_size;
	uint32_t irq; /* this VM's doorbell: a source of its controller */
	paddr_t hpa; /* the memory itself, outside every VM's RAM */
	unsigned long rings; /* rings this VM sent (checked doorbell) */
	unsigned long refused; /* doorbell stores that named no other peer */
};

struct vm {
	const struct vm_config *config;
	const struct vm_spec *spec; /* this VM in the config */
	const char *name;
	char what[80]; /* "config 'c'" or "config 'c': VM 'v'", for errors */
	char tag[40]; /* "[v] " before its log lines when there are several */
	unsigned int index; /* in vms[] and the config */
	unsigned long vmid; /* index + 1, in hgatp */
	struct gstage *gstage;
	unsigned int nr_vcpus;
	struct vcpu *vcpus[HV_MAX_HARTS]; /* by vCPU ID */
	unsigned int hart_slot[HV_MAX_HARTS]; /* vCPU i runs on harts[this] */
	unsigned int registered; /* vCPUs created so far (atomic) */

	unsigned int nr_ram; /* guest RAM, GPA == HPA, sorted */
	struct mem_range ram[VM_MAX_RAM];
	unsigned int nr_reserved; /* firmware memory inside guest RAM */
	struct mem_range reserved[PLATFORM_MAX_RESERVED];
	unsigned int nr_mmio; /* device pages passed through */
	struct mem_range mmio[VM_MAX_MMIO];
	/*
	 * mmio[dma_mmio..nr_mmio): devices that write guest RAM themselves
	 * (virtio), mapped only once every image page is saved (dma_mapped).
	 */
	unsigned int dma_mmio;
	bool dma_mapped;
	/* Their sources (with VM_DEV_IRQCHIP), then the channels' doorbells. */
	unsigned int nr_irqs;
	uint32_t irqs[VM_MAX_MMIO + VM_MAX_CHANNELS];
	unsigned int nr_chans; /* the channels this VM is a peer of */
	struct vm_chan_end chans[VM_MAX_CHANNELS];
	struct irqchip irqchip; /* the kind planned, the state created */

	unsigned int nr_images;
	struct vm_image images[VM_MAX_IMAGES];
	gpa_t entry; /* the kernel image's first byte */
	gpa_t dtb; /* where the guest DTB goes, in guest RAM */
	uint32_t dtb_size, dtb_crc;
	const struct platform *platform; /* what the guest DTB is made from */
	const void *host_dtb;
	const char *bootargs;
	bool sstc; /* the guest gets Sstc (vstimecmp) */
	unsigned int isa_offers; /* vm_plan_isa_offers(): the guest's ISA */

	/* Firmware identity, reported by SBI BASE. */
	unsigned long mvendorid, marchid, mimpid;

	struct spinlock pristine_lock; /* saving image pages (vm_pristine.c) */
	unsigned long pristine_pages; /* image pages saved on first write */
	unsigned long pristine_background; /* ... and by the background */
	unsigned int pristine_leaves; /* leaves saved whole (no table left) */
	uint64_t pristine_cursor; /* the background's place in the images */
	bool pristine_done; /* every page saved, leaves put back (atomic) */
	int pristine_busy; /* a hart runs the background (atomic) */

	/*
	 * With several VMs hartvisor keeps the UART: a VM with VM_DEV_UART
	 * gets an emulated ns16550a at its address (vm_uart.c), never mapped.
	 */
	bool vuart_on;
	struct mem_range vuart_page;
	uint32_t vuart_irq; /* its source in the VM's controller, or 0 */
	struct spinlock vuart_lock;
	struct vuart vuart;

	/*
	 * With several VMs (vm_console.c): its console line so far, and the
	 * console input its SBI reads take, under console_lock.
	 */
	struct spinlock console_lock;
	size_t console_len;
	char console[160];
	char input[256];
	unsigned int input_head, input_len;

	int state; /* enum vm_state (atomic) */
	int request; /* enum vm_request, to its harts (atomic) */
	int resetting; /* an SRST reboot is in progress (atomic) */
	unsigned int reset_acks; /* harts that stopped for it (atomic) */
	unsigned int boots; /* 1 after the first boot */
	int boot_pending; /* its first boot waits for one of its harts (atomic) */
};

/* The config's VMs, in its order. */
extern struct vm vms[HV_MAX_VMS];
extern unsigned int nr_vms;
/* VMs not shut down (atomic): the last one's shutdown powers off. */
extern unsigned int vms_running;

/*
 * Where the hypervisor moves at boot: the top of the highest RAM range,
 * 2 MiB-aligned, room for its image (@image_size bytes, BSS included) and
 * then the host DTB's copy (@dtb_size). Every GiB below it can then be one
 * G-stage leaf. Fails if that is reserved memory or RAM is too small; the
 * guest images are checked by platform_check_memory(). Pure, and safe
 * before the image moved.
 */
int vm_hv_place(const struct platform *p, uint64_t image_size,
		uint64_t dtb_size, struct mem_range *hv, char *err,
		size_t errlen);

/*
 * Plan the VMs of config @cfg on @p into @plan[0..cfg->nr_vms), clear of
 * the hypervisor at @hv: each VM's vCPUs and their harts, owned devices,
 * guest RAM, images (each where its RAM holds it) and their pristine
 * copies, DTB slot, entry. Checks that the config fits the machine
 * (harts present, RAM free and big enough, devices present, a kernel in
 * each VM) and that no hart, RAM range or device page is in two VMs. No
 * side effects (the host tool runs it too). Returns 0,
 * SBI_ERR_NOT_SUPPORTED when there is no guest kernel at all, or another
 * error; @err says why in one line.
 */
int vm_plan_all(struct vm *plan, const struct platform *p,
		const struct vm_config *cfg, struct mem_range hv, char *err,
		size_t errlen);

/* The channels' memory, in hartvisor's RAM: the bytes @cfg needs. */
uint64_t vm_plan_chan_bytes(const struct vm_config *cfg);
/*
 * The channel ends of the planned @vm (its harts known): where each
 * appears, and its doorbell source added to vm->irqs. Pure.
 */
void vm_plan_chan_ends(struct vm *vm);
/*
 * Once every VM of @plan[0..@nr) is planned: each channel's memory from
 * @hpa up, each end's doorbell window, and the refusals (a window over
 * RAM, a device or another channel; a doorbell source out of range, a
 * device's or rung twice; a trusted doorbell off AIA). Pure.
 */
int vm_plan_channels(struct vm *plan, unsigned int nr, const struct platform *p,
		     paddr_t hpa, char *err, size_t errlen);

/*
 * What the ISA table may give the guest of the planned @vm (vm->sstc
 * decided) on @p: vstimecmp if vm->sstc, hardware A/D updating if every
 * hart has Svadu and @hw_ad (the boot hart could turn henvcfg.ADUE on),
 * guest interrupt files on AIA, and counter-overflow interrupts if @pmu.
 */
unsigned int vm_plan_isa_offers(const struct vm *vm, const struct platform *p,
				bool hw_ad, bool pmu);

/*
 * Build the guest DTB of the planned @vm (vm->isa_offers decided) from
 * @host_dtb (@host_size bytes) into @out.
 */
int vm_plan_guest_dtb(const struct vm *vm, const struct platform *p,
		      const void *host_dtb, size_t host_size, void *out,
		      size_t size, char *err, size_t errlen);

/*
 * Create the VMs of config @cfg (vms[], nr_vms) from @p and the host DTB
 * @host_dtb, keeping clear of the hypervisor at @hv. Boot hart, before
 * other harts start. Returns 0, SBI_ERR_NOT_SUPPORTED when there is no
 * guest kernel to run, or another negative error; @err says why.
 */
int vm_create_all(const struct platform *p, const struct vm_config *cfg,
		  struct mem_range hv, const void *host_dtb, char *err,
		  size_t errlen);

/* Record @v as the VM's vCPU v->id. Each hart, once. */
void vm_register_vcpu(struct vm *vm, struct vcpu *v);

/*
 * Copy the images and DTB into guest RAM and start vCPU 0 (the first vCPU
 * that is not absent, if vCPU 0 is). Boot hart, or the rebooting vCPU.
 */
void vm_boot(struct vm *vm);

/*
 * The boot hart's first boot of @vm: now if the boot hart is one of its
 * harts or vCPU 0's hart is in; else the first of the VM's harts to check
 * in does it (vm_boot_pending), and the boot hart goes on to its guest.
 */
void vm_boot_first(struct vm *vm);
/* At a hart's check-in: boot its VM if vm_boot_first left that to it. */
void vm_boot_pending(struct vm *vm);

/* Has @vm a vCPU that is not absent (or no vCPUs at all)? Boot hart. */
bool vm_has_vcpu_to_boot(const struct vm *vm);

/* The vCPU with guest hart ID @id, or NULL. */
struct vcpu *vm_vcpu(const struct vm *vm, unsigned long id);

/* True when [gpa, gpa + size) lies entirely in guest RAM. */
bool vm_ram_contains(const struct vm *vm, gpa_t gpa, uint64_t size);
/*
 * Is [@gpa, +@size) guest RAM the guest may use: not firmware memory, which
 * lies in guest RAM, reserved in its DTB and closed by the firmware's PMP,
 * as natively (an HSM start or a DBCN buffer there is INVALID_*).
 */
bool vm_ram_usable(const struct vm *vm, gpa_t gpa, uint64_t size);

/*
 * SBI SRST shutdown from vCPU @self: stop every vCPU of @vm for good;
 * power the machine off if it was the last VM running. Returns (to stop
 * @self's hart) only when other VMs still run.
 */
void vm_shutdown(struct vm *vm, struct vcpu *self, bool failure);
/*
 * vCPU @self of @vm can never run on (@why says so, "cannot ..."): stop
 * the VM alone, as a shutdown for system failure does, with a warning
 * that names it. Returns (to stop @self's hart) when other VMs run on.
 */
void vm_crash(struct vm *vm, struct vcpu *self, const char *why);

/*
 * SBI SRST reboot, from vCPU @self: stop every vCPU, restore the guest
 * images from their pristine copies and boot vCPU 0 again.
 */
void vm_reboot(struct vm *vm, struct vcpu *self);

/*
 * Make every page an image touches read-only (and executable) in the
 * G-stage, so that its first write saves it, and unmap the devices that
 * write guest RAM if they are mapped (vm_pristine_hold_devices). Boot
 * hart, guest RAM mapped, before any hart enables the table; and at a
 * reboot. Returns 0 or a
 * negative SBI error.
 */
int vm_pristine_protect(struct vm *vm);
/*
 * Unmap the devices that write guest RAM if they are mapped and an image
 * page is not saved yet: at boot, once they are mapped (their tables
 * stay). Returns 0 or a negative SBI error.
 */
int vm_pristine_hold_devices(struct vm *vm);
/*
 * Before the guest, or hartvisor for it, writes [@gpa, +@size): save the
 * image pages there not saved yet, and make them writable. Returns true if
 * any page of the range belongs to an image (a store guest-page fault
 * there is then handled: retry the store). Any hart.
 */
bool vm_pristine_save(struct vm *vm, gpa_t gpa, uint64_t size);
/*
 * Save up to @pages more image pages the guest has not written, from where
 * the last call stopped; once every page is saved, put the G-stage's
 * largest leaves back over the images. Returns at once if another hart is
 * at it. Any hart, at a guest exit.
 */
void vm_pristine_background(struct vm *vm, unsigned int pages);
/*
 * A guest-page fault at @gpa: if it lies in a device that writes guest RAM
 * (unmapped until every image page is saved), save the rest now, map the
 * devices and return true (retry the access). Any hart.
 */
bool vm_pristine_device(struct vm *vm, gpa_t gpa);
/*
 * SRST reboot, every other vCPU stopped: reset the devices that write
 * guest RAM (virtio), copy each saved page back from the pristine copy
 * and make it read-only again. Each hart flushes its G-stage TLB when its
 * vCPU is reset.
 */
void vm_pristine_restore(struct vm *vm);

/*
 * The guest's console output (SBI DBCN, legacy putchar): as it is with one
 * VM; with several, a line at a time, each with "[name] " before it.
 */
void vm_console_write(struct vm *vm, const char *buf, size_t n);
/*
 * A byte of console input for @vm (SBI DBCN read, legacy getchar), or -1:
 * from the UART with one VM; with several, what the console gave it.
 */
int vm_console_getc(struct vm *vm);
/*
 * With several VMs: choose the VM with the input (the UART's owner, else
 * the first) and say so. Boot hart, before any guest runs.
 */
void vm_console_start(void);
/* A byte from the UART (uart_rx.c): the focus VM's, or the monitor's. */
void vm_console_input(char ch);
/* The next byte of @vm's console input, or -1 (emulated UART's feed). */
int vm_console_pop(struct vm *vm);
/* The VM with the input; give it to @vm. */
struct vm *vm_console_focus(void);
void vm_console_set_focus(struct vm *vm);
/* Write @vm's output as it comes (NULL: every VM a line at a time). */
void vm_console_stream(struct vm *vm);

/* The monitor (monitor.c), on the hart that takes the UART's input. */
bool monitor_active(void);
void monitor_toggle(void);
void monitor_input(char ch);

/*
 * The real UART's receive side, hartvisor's with several VMs (uart_rx.c).
 * Set its interrupt up for the first hart of VM 0: the machine-wide part
 * from the boot hart after every VM exists, the hart's own part on it
 * after its controller's (uart_rx_hart_init). Then take it: from the
 * hart's PLIC claims (uart_rx_plic_claimed: true if @src was the UART's,
 * drained; the caller completes it), or uart_rx_take (the S-level file;
 * the PLIC when the hart's VM has no vPLIC).
 */
void uart_rx_setup(const struct platform *p);
void uart_rx_hart_init(const struct hart *self);
bool uart_rx_plic_claimed(unsigned int src);
void uart_rx_take(void);

/* "running", "rebooting", "off" or "crashed". */
const char *vm_state_name(const struct vm *vm);
/*
 * Ask @vm to reboot (start again, if it is off) or to stop, from outside
 * (the monitor): its first vCPU's hart does it at its next mail. Any hart.
 */
void vm_request(struct vm *vm, enum vm_request req);
/* Do what was asked of @v's VM (HART_MSG_VM_REQUEST). @v's hart. */
void vm_serve_request(struct vcpu *v);

/* Is guest-physical @gpa in @vm's emulated UART? */
bool vm_uart_contains(const struct vm *vm, gpa_t gpa);
/*
 * A guest access of @width bytes to @vm's emulated UART at @gpa: a store
 * of @val, or a load whose value is returned. Any hart.
 */
uint32_t vm_uart_access(struct vm *vm, gpa_t gpa, unsigned int width,
			bool store, uint32_t val);
/* Its console input, as far as its receive FIFO has room. Any hart. */
void vm_uart_feed(struct vm *vm);
/* The next byte @vm's emulated UART received, or -1 (SBI reads it). */
int vm_uart_getc(struct vm *vm);
/* The emulated UART back to reset (the VM's reboot). */
void vm_uart_reset(struct vm *vm);

/*
 * Channels at run time (channel.c). Map @vm's ends of its channels into
 * its G-stage: the header read-only, its own output section writable,
 * the others' read-only. Boot hart, at its creation.
 */
int vm_chan_map(struct vm *vm, char *err, size_t errlen);
/*
 * Once every VM exists: each channel's header, and the trusted doorbell
 * windows (the other peers' interrupt files). Boot hart.
 */
int vm_chan_create_all(char *err, size_t errlen);
/*
 * @vm booted, is rebooting or stopped (vm->state, vm->boots): its state
 * word in each of its channels, and a ring to every other peer. Any hart.
 */
void vm_chan_state(struct vm *vm);
/* After a write to @vm's vAPLIC: where its trusted doorbells go now. */
void vm_chan_routes(struct vm *vm);
/* Is guest-physical @gpa one of @vm's checked doorbell pages? */
bool vm_chan_contains(const struct vm *vm, gpa_t gpa);
/*
 * A guest access of @width bytes to @vm's checked doorbell at @gpa: a
 * store of @val rings peer @val; a load returns the VM's own number. Any
 * hart.
 */
uint32_t vm_chan_access(struct vm *vm, gpa_t gpa, unsigned int width,
			bool store, uint32_t val);
/* Its channels' doorbell counters. */
void vm_chan_print_stats(const struct vm *vm);

/* Print every vCPU's exit counters. */
void vm_print_stats(const struct vm *vm);

#endif
