/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Everything arch/riscv/ offers to hv/. hv/ code uses nothing else from the
 * architecture: no inline assembly, no CSR access. The host unit tests
 * supply their own versions of whatever they need from here.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include "arch_traps.h"
#include "types.h"
#include "vcpu_context.h"

struct hart;

/* The struct hart of the calling hart (NULL before the boot hart set it). */
struct hart *arch_this_hart(void);
/* Make @h the calling hart's struct hart (it lives in tp from now on). */
void arch_set_this_hart(struct hart *h);

/*
 * Where the hypervisor image (code, data, stacks, tables) lies in RAM,
 * page-aligned at both ends; vm_hv_place() says where it moves to.
 */
struct mem_range arch_hv_image(void);

/*
 * Copy the image to @to (page-aligned) with a clear BSS; head.S then fixes
 * the copy's pointers and jumps into it. Runs before the BSS exists.
 */
void arch_hv_move(paddr_t to);

/* Write one character to the hypervisor's console (SBI legacy putchar). */
void arch_console_putc(char c);
/* Write @n bytes of @s to it: one SBI DBCN write, else byte by byte. */
void arch_console_write(const char *s, size_t n);

/*
 * Start physical hart @h->hartid at the hypervisor's entry through SBI
 * HSM. Returns 0 or an SBI error code. Boot hart only.
 */
int arch_hart_start(struct hart *h);

/* Send a physical IPI (supervisor software interrupt) to @hartid. */
int arch_send_ipi(unsigned long hartid);

/*
 * Sleep in wfi until an interrupt is pending for this hart (SIE stays 0,
 * so nothing is taken), then acknowledge a pending IPI. Any context.
 */
void arch_wait_for_interrupt(void);

/*
 * Sleep in wfi until an IPI arrives or the time CSR reaches @deadline
 * (this hart's own timer is used). Before any guest runs on this hart.
 */
void arch_wait_until(uint64_t deadline);

/* Acknowledge an IPI (clear sip.SSIP) that ended a guest run. */
void arch_ack_ipi(void);

/* A hint for spin-wait loops. */
void arch_cpu_relax(void);

/* Current value of the time CSR, in timebase ticks. */
uint64_t arch_time(void);

/* Print the trap CSRs of this hart (for panic). */
void arch_dump_csrs(void);

/*
 * Power the machine off through SBI SRST (legacy shutdown if SRST is
 * absent); @failure selects the SYSTEM_FAILURE reason. Never returns.
 */
__noreturn void arch_poweroff(bool failure);

/* SBI SRST through the firmware; returns only if the firmware refused. */
void arch_system_reset(unsigned long type, unsigned long reason);

/* Park this hart for good: interrupts masked, wfi forever. */
__noreturn void arch_park(void);

/* ---- Virtualization. Unless said otherwise: on the vCPU's own hart. ---- */

/*
 * Choose, once and before any hart enters a guest, the guest timer: the
 * guest's own vstimecmp (@vstimecmp), or this hart's timer forwarded as
 * hvip.VSTIP — programmed through stimecmp when @host_sstc, else through
 * OpenSBI; and whether the harts have hstateen0 (@smstateen), which must
 * then open the guest's senvcfg and sstateen0 to it; and whether each
 * vCPU gets its hart's guest interrupt file 1 (@aia: hstatus.VGEIN = 1,
 * hstateen0 opens the AIA CSRs).
 */
void arch_virt_choose(bool vstimecmp, bool host_sstc, bool smstateen, bool aia);

/*
 * Per-hart H-extension setup: delegation, counters, timer, the VM's
 * G-stage table @g, and the CSRs that give the guest its extensions: @needs, the union of the
 * ISA table's needs (isa.h) of every extension its device tree names.
 */
struct gstage; /* a VM's G-stage table (arch/riscv/gstage.c) */
void arch_hart_virt_init(const struct gstage *g, unsigned int needs);

/* Page permissions for arch_gstage_map. */
#define GSTAGE_R 1U
#define GSTAGE_W 2U
#define GSTAGE_X 4U

/*
 * A new, empty G-stage table whose hgatp carries @vmid; NULL when
 * HV_MAX_VMS are taken. Boot hart.
 */
struct gstage *arch_gstage_create(unsigned long vmid);
/*
 * Map guest-physical [gpa, gpa + size) to host-physical @hpa in @g, with
 * the largest pages that fit. Boot hart, before any hart enables the
 * table; or a range arch_gstage_unmap() left, any hart under the caller's
 * lock. Returns 0 or a negative SBI error.
 */
int arch_gstage_map(struct gstage *g, gpa_t gpa, paddr_t hpa, uint64_t size,
		    unsigned int prot);
/* Install @g (hgatp, its VMID) on this hart. */
void arch_gstage_enable(const struct gstage *g);
/* Pages of G-stage tables in use, every VM's, for the boot log. */
unsigned int arch_gstage_tables_used(void);
/* Leaves of @g mapped so far: [0] 4 KiB, [1] 2 MiB, [2] 1 GiB. */
void arch_gstage_leaves(const struct gstage *g, unsigned int leaves[3]);
/*
 * The permissions (GSTAGE_*) of the leaf of @g that maps @gpa, and its
 * size in @leaf_size; 0 if nothing maps it. Any hart.
 */
unsigned int arch_gstage_prot(struct gstage *g, gpa_t gpa, uint64_t *leaf_size);
/*
 * Give guest-physical [@gpa, +@size) of @g (mapped, page-aligned) the
 * permissions @prot, splitting the leaves it covers only in part (1 GiB
 * into 2 MiB, 2 MiB into 4 KiB) with tables from the pool. Then flush
 * this hart's G-stage TLB (other harts' may keep the old permissions until
 * they flush). Returns 0, SBI_ERR_INVALID_ADDRESS (not mapped) or
 * SBI_ERR_NO_SHMEM (no table left: what was done stays). Any hart, under
 * the caller's lock.
 */
int arch_gstage_protect(struct gstage *g, gpa_t gpa, uint64_t size,
			unsigned int prot);
/*
 * Unmap guest-physical [@gpa, +@size) of @g, made of whole leaves; the
 * tables above them stay, so arch_gstage_map() of the same range needs
 * none. Then flush this hart's G-stage TLB. Returns 0,
 * SBI_ERR_INVALID_PARAM (not page-aligned) or SBI_ERR_INVALID_ADDRESS (a
 * page not mapped, or a leaf reaching out of the range: nothing after it
 * changed). Any hart, under the caller's lock.
 */
int arch_gstage_unmap(struct gstage *g, gpa_t gpa, uint64_t size);
/*
 * Put back the largest leaves of @g over [@gpa, +@size): a table whose
 * entries all map the next frames with the same permissions becomes one
 * leaf, and goes back to the pool. The mappings do not change, so other
 * harts need no flush. Any hart, under the caller's lock.
 */
void arch_gstage_coalesce(struct gstage *g, gpa_t gpa, uint64_t size);
/* Flush this hart's G-stage TLB entries (hfence.gvma, every VMID). */
void arch_gstage_flush(void);

/*
 * Enter the guest in @ctx. Never returns: each guest exit calls
 * vcpu_exit(ctx) on the hart's stack (ctx->host_sp, ctx->host_tp), and
 * the context it returns is entered next.
 */
__noreturn void arch_vcpu_enter(struct vcpu_context *ctx);

/*
 * Reset the vCPU to its SBI HSM start state: pc, a0, a1 as given, VS-mode,
 * satp 0, SIE 0, no interrupt pending, timer parked, TLB flushed.
 */
void arch_vcpu_reset(struct vcpu_context *ctx, unsigned long pc,
		     unsigned long a0, unsigned long a1);

/*
 * Resume the vCPU from a non-retentive suspend (HSM or SUSP) at @pc with
 * a0, a1 as given, satp 0 and SIE 0: not a reset. Its interrupt enables,
 * pending interrupts and timer stay.
 */
void arch_vcpu_resume_at(struct vcpu_context *ctx, unsigned long pc,
			 unsigned long a0, unsigned long a1);

/* Deliver exception @cause to the guest's own trap handler (vstvec). */
void arch_vcpu_inject_exception(struct vcpu_context *ctx, unsigned long cause,
				unsigned long tval);
/* Where the guest's traps go: vstvec's base (its mode bits clear). */
unsigned long arch_vcpu_trap_vector(void);

/* Raise / clear the guest's supervisor software interrupt (VSSIP); clear
 * says whether one was pending. */
void arch_vcpu_raise_ipi(void);
bool arch_vcpu_clear_ipi(void);

/* Raise or lower the guest's external interrupt (hvip.VSEIP). */
void arch_vcpu_set_external(bool level);

/* True when the physical PLIC signals this hart (sip.SEIP). */
bool arch_external_pending(void);

/* True when a VS interrupt is pending and enabled by the guest (vsie). */
bool arch_vcpu_irq_pending(void);
/*
 * Sleep in wfi for a suspended vCPU: as arch_wait_for_interrupt(), and an
 * MSI into its guest interrupt file (AIA) wakes the hart too.
 */
void arch_vcpu_wait_for_interrupt(void);

/*
 * Sleep in wfi until an IPI or the time CSR reaches @deadline; the
 * guest's interrupts do not end it. Only where arch_vcpu_wait_exits().
 */
void arch_vcpu_wait_until(uint64_t deadline);

/* True when @ctx's last exit came from VS-mode (not VU-mode). */
bool arch_vcpu_from_vs(const struct vcpu_context *ctx);

/* True when the guest's wfi and wrs.nto exit (hstatus.VTW). */
bool arch_vcpu_wait_exits(void);

/* Program the guest's timer (SBI set_timer); clears a pending one. */
void arch_vcpu_timer_set(uint64_t when);
/* Stop the guest's timer (stopped vCPU) and clear its interrupt. */
void arch_vcpu_timer_park(void);
/* Without Sstc: if our timer fired, raise VSTIP and return true. */
bool arch_vcpu_timer_poll(void);

void arch_fence_i(void);
/* Flush this hart's guest TLB entries of the VM: all, or one page. */
void arch_hfence_vvma_all(void);
void arch_hfence_vvma_page(unsigned long gva, long asid);

/*
 * Read guest memory at guest-virtual @gva through the guest's own
 * translation (hlv.d). Returns 0, or SBI_ERR_INVALID_ADDRESS if the
 * access faults; the fault's cause and stval are then in this hart's
 * fault_cause / fault_tval.
 */
int arch_guest_load_ulong(unsigned long gva, unsigned long *val);

/*
 * Fetch the instruction at guest-virtual @gva through the guest's own
 * translation (hlvx.hu, 16 or 32 bits). Returns 0, or
 * SBI_ERR_INVALID_ADDRESS if the fetch faults.
 */
int arch_guest_fetch_insn(unsigned long gva, uint32_t *insn);

/*
 * The trap CSRs of the guest exit being handled, beyond what the world
 * switch saved: htval (guest-physical address >> 2) and htinst.
 */
void arch_vcpu_trap_info(unsigned long *htval, unsigned long *htinst);

/* Mask every interrupt of the stopped vCPU (vsie = 0): its wfi stays asleep. */
void arch_vcpu_mask_irqs(void);

/* ---- AIA: the real S-level APLIC domain, the guest interrupt files. ---- */
void arch_aplic_init(paddr_t base);
uint32_t arch_aplic_read(uint64_t off);
void arch_aplic_write(uint64_t off, uint32_t val);
/* An MSI: EIID @eiid stored into the interrupt file at @file. */
void arch_imsic_send(paddr_t file, uint32_t eiid);
/*
 * Clear this hart's guest interrupt file (the one hstatus.VGEIN selects),
 * which has IDs 1..@nr_ids: delivery off, threshold 0, nothing pending or
 * enabled. On the vCPU's hart, before it runs from reset.
 */
void arch_imsic_guest_clear(unsigned int nr_ids);
/*
 * This hart's own S-level interrupt file: ID @eiid enabled, delivery on
 * (sip.SEIP follows it). Own hart.
 */
void arch_imsic_s_enable(uint32_t eiid);
/* Claim the top pending ID of this hart's S-level file; 0 when none. */
uint32_t arch_imsic_s_claim(void);

/* ---- The physical PLIC's S-mode contexts. Callers serialize. ---- */
void arch_plic_init(paddr_t base);
void arch_plic_set_priority(unsigned int src, uint32_t prio);
void arch_plic_enable(int ctx, unsigned int src, bool on);
void arch_plic_set_threshold(int ctx, uint32_t threshold);
/* Claim the highest pending source of context @ctx (0: none). */
unsigned int arch_plic_claim(int ctx);
void arch_plic_complete(int ctx, unsigned int src);

/*
 * SBI FWFT for the vCPU of this hart (arch/riscv/fwft.c). Probe: the
 * features (bit n: feature ID n) the hart can give its guest, each left at
 * its reset value 0; @svadu: the hart has Svadu. Set: feature @feature to
 * @value (0 or 1), 0 or SBI_ERR_FAILED. Own hart.
 */
unsigned int arch_fwft_probe(bool svadu);
long arch_fwft_set(unsigned int feature, unsigned long value);

/*
 * ---- The PMU: this hart's counters, through the firmware's SBI PMU
 * (arch/riscv/pmu.c). Own hart. hv/vsbi_pmu.c checks every request of
 * the guest before it comes here. ----
 */

/* What the firmware's SBI PMU has on this hart. */
struct arch_pmu {
	unsigned long nr_counters; /* num_counters; 0: no SBI PMU */
	uint64_t hw_mask, fw_mask; /* the counters by index, by type */
	unsigned long fw_info; /* counter_get_info of a firmware counter */
	bool lcofi; /* overflow interrupts (Sscofpmf) go to the guest */
};

/*
 * Can counter-overflow interrupts reach a guest on this hart: the
 * firmware has SBI PMU, and LCOFI can be delegated (hideleg) or, with
 * @aia, raised through hvien? Changes nothing. For the ISA table's offer.
 */
bool arch_pmu_lcofi_possible(bool aia);

/* Fill @pmu from the firmware (after arch_hart_virt_init). */
void arch_pmu_probe(struct arch_pmu *pmu);
/* counter_get_info of hardware counter @idx, as the firmware says it. */
long arch_pmu_counter_info(unsigned long idx, unsigned long *info);
/*
 * The firmware's counter_config_matching, counter_start, counter_stop on
 * the hardware counters in @counters (bit n: counter n); flags, event
 * and value as the SBI spec has them. 0 or the firmware's SBI error;
 * config_matching's counter in *@idx.
 */
long arch_pmu_cfg_match(uint64_t counters, unsigned long flags,
			unsigned long event_idx, uint64_t data,
			unsigned long *idx);
long arch_pmu_start(uint64_t counters, unsigned long flags, uint64_t value);
long arch_pmu_stop(uint64_t counters, unsigned long flags);
/*
 * How many traps of firmware event @code the firmware itself took on this
 * hart so far: misaligned accesses it emulated, access faults and illegal
 * instructions it saw (SBI_PMU_FW_MISALIGNED_LOAD to _ILLEGAL_INSN); 0
 * for other codes, or when it cannot say.
 */
uint64_t arch_pmu_fw_trap_count(unsigned int code);
/*
 * An overflow interrupt taken in HS-mode (where it cannot be delegated):
 * raise it for the guest (hvip) and clear it here.
 */
void arch_pmu_overflow(void);
/* scountovf as VS-mode may see it: the bits hcounteren lets it read. */
unsigned long arch_pmu_overflows(void);
/*
 * Stop and release every hardware counter in @counters (no event left
 * configured) and clear a pending overflow interrupt; with @fixed_on,
 * cycle and instret (counters 0 and 2) run again, as a hart starts.
 */
void arch_pmu_reset(uint64_t counters, bool fixed_on);

/* An SBI BASE value of the firmware (mvendorid, marchid, mimpid...). */
long arch_firmware_base(unsigned long fid);

/* One character from the console, or -1 when none is waiting. */
int arch_console_getc(void);

/*
 * Ticket spinlock. Every trap runs to completion and HS-mode never takes
 * interrupts, so there are no irq-save variants. In DEBUG builds the lock
 * records its owner and panics on recursion or a foreign unlock.
 */
struct spinlock {
	uint32_t next;
	uint32_t owner;
#ifdef HV_DEBUG
	struct hart *holder;
#endif
};

#define SPINLOCK_INIT \
	{             \
		0     \
	}

void spin_lock(struct spinlock *lock);
/* Take @lock if it is free, without waiting; true if taken. */
bool spin_trylock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);

#endif
