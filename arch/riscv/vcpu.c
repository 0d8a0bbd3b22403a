// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hart-local half of a vCPU: H-extension setup, reset, exception
 * injection, virtual interrupts, the timer, fences. A vCPU is pinned to
 * its hart, so its VS-level CSRs live in the hart between exits and every
 * function here runs on the vCPU's own hart.
 */
#include <string.h>

#include "arch.h"
#include "arch/csr.h"
#include "arch/pmu.h"
#include "arch/sbi_call.h"
#include "isa.h"
#include "sbi.h"

/*
 * Chosen once at boot. use_vstimecmp: the guest's timer is vstimecmp (it
 * may write stimecmp itself, no exits). Otherwise SBI set_timer programs
 * this hart's own timer — its stimecmp when hs_sstc, else OpenSBI's — and
 * the interrupt is forwarded as hvip.VSTIP.
 *
 * use_aia: the vCPU owns its hart's guest interrupt file 1.
 */
static bool use_vstimecmp, hs_sstc, hs_smstateen, use_aia;

/*
 * hstatus.VTW: the guest's wfi and wrs.nto exit (hv/vcpu_wait.c). Only
 * with a timer of our own to end a wrs.nto's sleep: stimecmp, which is
 * free while the guest has vstimecmp.
 */
static bool wait_exits;

/* Exceptions the guest handles itself, without an exit. */
#define HEDELEG_GUEST                                                  \
	((1UL << EXC_INST_MISALIGNED) | (1UL << EXC_ILLEGAL_INST) |    \
	 (1UL << EXC_BREAKPOINT) | (1UL << EXC_ECALL_U) |              \
	 (1UL << EXC_INST_PAGE_FAULT) | (1UL << EXC_LOAD_PAGE_FAULT) | \
	 (1UL << EXC_STORE_PAGE_FAULT))

void arch_virt_choose(bool vstimecmp, bool host_sstc, bool smstateen, bool aia)
{
	use_vstimecmp = vstimecmp;
	hs_sstc = host_sstc;
	hs_smstateen = smstateen;
	use_aia = aia;
}

/* The guest interrupt file each vCPU owns (hv's VAPLIC_GUEST_INDEX). */
#define AIA_GUEST_FILE 1UL

/*
 * The guest interrupt file: VGEIN = 1 makes it the guest's (its vstopei,
 * its vsireg, its pending IDs as VSEIP). hgeie stays 0: an MSI to a
 * running vCPU is the guest's business, never an exit. One that lands
 * while the hart is in HS-mode waits in the file and is taken when the
 * guest runs again (QEMU re-evaluates VSEIP on each switch to V=1).
 * hvictl 0: no injected interrupt overrides the file.
 */
static void aia_hart_init(void)
{
	csr_clear(CSR_HSTATUS, HSTATUS_VGEIN);
	csr_set(CSR_HSTATUS, AIA_GUEST_FILE << HSTATUS_VGEIN_SHIFT);
	csr_write(CSR_HGEIE, 0);
	csr_write(CSR_HVICTL, 0);
}

/* henvcfg: what the guest's extensions enable in VS-mode. */
static unsigned long henvcfg_for(unsigned int needs)
{
	unsigned long v = 0;

	if (needs & ISA_NEED_CBO_MGMT)
		v |= HENVCFG_CBIE_INVAL | HENVCFG_CBCFE;
	if (needs & ISA_NEED_CBO_ZERO)
		v |= HENVCFG_CBZE;
	if (needs & ISA_NEED_PBMT)
		v |= HENVCFG_PBMTE;
	if (needs & ISA_NEED_HW_AD)
		v |= HENVCFG_ADUE;
	if (needs & ISA_NEED_VSTIMECMP)
		v |= HENVCFG_STCE;
	return v;
}

/* hcounteren: the counters VS-mode may read (scounteren then VU's). */
static unsigned long hcounteren_for(unsigned int needs)
{
	unsigned long v = 0;

	if (needs & ISA_NEED_COUNTERS)
		v |= HCOUNTEREN_CY | HCOUNTEREN_TM | HCOUNTEREN_IR;
	if (needs & ISA_NEED_HPM)
		v |= HCOUNTEREN_HPM_MASK;
	if (needs & ISA_NEED_VSTIMECMP)
		v |= HCOUNTEREN_TM;
	return v;
}

/*
 * hstateen0 (where the hart has Smstateen): the guest's senvcfg always
 * (base S-mode since privileged spec 1.12), the rest as the extensions
 * need.
 */
static unsigned long hstateen0_for(unsigned int needs)
{
	unsigned long v = HSTATEEN0_SENVCFG;

	if (needs & ISA_NEED_SSTATEEN)
		v |= HSTATEEN0_SE0;
	if (needs & ISA_NEED_IMSIC)
		v |= HSTATEEN0_IMSIC | HSTATEEN0_AIA | HSTATEEN0_CSRIND;
	if (needs & ISA_NEED_CSRIND)
		v |= HSTATEEN0_CSRIND;
	return v;
}

void arch_hart_virt_init(const struct gstage *g, unsigned int needs)
{
	extern char guest_exit[];

#ifdef HV_ISA_WITHHOLD
	/* make ISA_WITHHOLD=: a test build, the tree still names them. */
	needs &= ~(unsigned int)HV_ISA_WITHHOLD;
#endif
	/* From now on every trap comes through the world switch. */
	csr_write(CSR_STVEC, (unsigned long)guest_exit);
	csr_write(CSR_HEDELEG, HEDELEG_GUEST);
	csr_write(CSR_HIDELEG, HIDELEG_VS);
	csr_write(CSR_HCOUNTEREN, hcounteren_for(needs));
	wait_exits = (needs & ISA_NEED_WAIT_EXITS) && use_vstimecmp && hs_sstc;
	arch_pmu_hart_init(use_aia, needs & ISA_NEED_LCOFI);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HTIMEDELTA, 0);
	/* Without STCE the guest's stimecmp traps (virtual instruction). */
	csr_write(CSR_HENVCFG, henvcfg_for(needs));
	/*
	 * Where the hart has Sstc, vstimecmp exists whether the guest gets it
	 * or not, and QEMU shows its comparison in the guest's sip.STIP even
	 * with henvcfg.STCE clear: from reset (0) it would read as a timer
	 * pending for ever.
	 */
	if (use_vstimecmp || hs_sstc)
		csr_write(CSR_VSTIMECMP, -1UL);
	/* With Smstateen, every guest CSR it gates faults unless opened. */
	if (hs_smstateen)
		csr_write(CSR_HSTATEEN0, hstateen0_for(needs));
	if (use_aia)
		aia_hart_init();
	/*
	 * The guest's FPU and vector unit need sstatus.FS / VS on as well as
	 * its own vsstatus bits; hartvisor itself uses neither, so their
	 * registers stay the guest's between exits.
	 */
	if ((needs & ISA_NEED_FP) && !(csr_read(CSR_SSTATUS) & SSTATUS_FS))
		csr_set(CSR_SSTATUS, SSTATUS_FS_INITIAL);
	if ((needs & ISA_NEED_VECTOR) && !(csr_read(CSR_SSTATUS) & SSTATUS_VS))
		csr_set(CSR_SSTATUS, SSTATUS_VS_INITIAL);
	/*
	 * IPIs and the PLIC's interrupts end a guest run (or a wfi); they
	 * are never taken in HS-mode.
	 */
	csr_set(CSR_SIE, SIE_SSIE | SIE_SEIE);
	arch_gstage_enable(g);
}

/* The next entry goes to VS-mode at @pc with a0, a1 and no other GPRs. */
static void vcpu_enter_at(struct vcpu_context *ctx, unsigned long pc,
			  unsigned long a0, unsigned long a1)
{
	memset(ctx->x, 0, sizeof(ctx->x));
	ctx->full_reload = 1; /* all of x[], hstatus: a new context */
	ctx->x[REG_A0] = a0;
	ctx->x[REG_A1] = a1;
	ctx->sepc = pc;
	/* sret goes to VS-mode (SPV, SPP) with HS interrupts still masked. */
	ctx->sstatus = (csr_read(CSR_SSTATUS) & ~(SSTATUS_SIE | SSTATUS_SPIE)) |
		       SSTATUS_SPP;
	ctx->hstatus = (csr_read(CSR_HSTATUS) &
			~(HSTATUS_VTW | HSTATUS_VTSR | HSTATUS_VTVM |
			  HSTATUS_HU | HSTATUS_GVA | HSTATUS_VSXL)) |
		       HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VSXL_64 |
		       (wait_exits ? HSTATUS_VTW : 0);
}

void arch_vcpu_reset(struct vcpu_context *ctx, unsigned long pc,
		     unsigned long a0, unsigned long a1)
{
	vcpu_enter_at(ctx, pc, a0, a1);
	/* The SBI HSM start state: satp 0, SIE 0, nothing pending. */
	csr_write(CSR_VSSTATUS, 0);
	csr_write(CSR_VSIE, 0);
	csr_write(CSR_VSTVEC, 0);
	csr_write(CSR_VSSCRATCH, 0);
	csr_write(CSR_VSEPC, 0);
	csr_write(CSR_VSCAUSE, 0);
	csr_write(CSR_VSTVAL, 0);
	csr_write(CSR_VSATP, 0);
	csr_write(CSR_HVIP, 0);
	arch_vcpu_timer_park();
	arch_hfence_vvma_all();
	/* An SRST reboot made the images' pages read-only again. */
	arch_gstage_flush();
	arch_fence_i();
}

void arch_vcpu_resume_at(struct vcpu_context *ctx, unsigned long pc,
			 unsigned long a0, unsigned long a1)
{
	vcpu_enter_at(ctx, pc, a0, a1);
	/*
	 * What the SBI spec sets: satp 0 and SIE 0. The rest stays as it
	 * was: the interrupt that woke the hart is still pending (hvip,
	 * vstimecmp, the guest file), its enables and its timer still armed,
	 * as natively, where the hart only slept.
	 */
	csr_clear(CSR_VSSTATUS, SSTATUS_SIE);
	csr_write(CSR_VSATP, 0);
	arch_hfence_vvma_all();
	arch_fence_i();
}

void arch_vcpu_inject_exception(struct vcpu_context *ctx, unsigned long cause,
				unsigned long tval)
{
	unsigned long vsstatus = csr_read(CSR_VSSTATUS);

	/* What a trap into VS-mode does in hardware, done by hand. */
	vsstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (ctx->sstatus & SSTATUS_SPP)
		vsstatus |= SSTATUS_SPP;
	if (vsstatus & SSTATUS_SIE)
		vsstatus |= SSTATUS_SPIE;
	vsstatus &= ~SSTATUS_SIE;
	csr_write(CSR_VSSTATUS, vsstatus);
	csr_write(CSR_VSEPC, ctx->sepc);
	csr_write(CSR_VSCAUSE, cause);
	csr_write(CSR_VSTVAL, tval);
	ctx->sepc = csr_read(CSR_VSTVEC) & ~3UL;
	ctx->sstatus |= SSTATUS_SPP;
}

unsigned long arch_vcpu_trap_vector(void)
{
	return csr_read(CSR_VSTVEC) & ~3UL;
}

void arch_vcpu_raise_ipi(void)
{
	csr_set(CSR_HVIP, HVIP_VSSIP);
}

bool arch_vcpu_clear_ipi(void)
{
	unsigned long old;

	__asm__ volatile("csrrc %0, " CSR_STR(CSR_HVIP) ", %1"
			 : "=r"(old)
			 : "r"(HVIP_VSSIP)
			 : "memory");
	return old & HVIP_VSSIP;
}

void arch_vcpu_mask_irqs(void)
{
	csr_write(CSR_VSIE, 0);
}

void arch_vcpu_set_external(bool level)
{
	if (level)
		csr_set(CSR_HVIP, HVIP_VSEIP);
	else
		csr_clear(CSR_HVIP, HVIP_VSEIP);
}

bool arch_external_pending(void)
{
	return csr_read(CSR_SIP) & SIP_SEIP;
}

void arch_vcpu_trap_info(unsigned long *htval, unsigned long *htinst)
{
	*htval = csr_read(CSR_HTVAL);
	*htinst = csr_read(CSR_HTINST);
}

void arch_vcpu_wait_for_interrupt(void)
{
	/*
	 * An MSI into the file does not wake a hart asleep in HS-mode on
	 * QEMU (it counts the file's VSEIP only at V=1): so while the vCPU
	 * is blocked, the file also raises the HS-level guest external
	 * interrupt, never taken (sstatus.SIE is 0), which ends the wfi.
	 * Only here: while the guest runs it would be an exit.
	 */
	if (use_aia) {
		csr_write(CSR_HGEIE, 1UL << AIA_GUEST_FILE);
		csr_set(CSR_SIE, SIE_SGEIE);
	}
	/*
	 * A counter overflow that came in HS-mode (where LCOFI goes through
	 * hvip) is the guest's: handed over, or the wfi would not sleep.
	 */
	if ((csr_read(CSR_SIE) & SIE_LCOFIE) &&
	    (csr_read(CSR_SIP) & SIP_LCOFIP))
		arch_pmu_overflow();
	arch_wait_for_interrupt();
	if (use_aia) {
		csr_clear(CSR_SIE, SIE_SGEIE);
		csr_write(CSR_HGEIE, 0);
	}
}

void arch_vcpu_wait_until(uint64_t deadline)
{
	/*
	 * Only our timer, our IPIs and our external interrupts end this
	 * sleep: the guest's own (hie is its vsie) wait until @deadline.
	 */
	unsigned long hie = csr_read(CSR_HIE) & HIDELEG_VS;

	csr_clear(CSR_HIE, hie);
	csr_write(CSR_STIMECMP, deadline);
	csr_set(CSR_SIE, SIE_STIE);
	__asm__ volatile("wfi" ::: "memory");
	csr_clear(CSR_SIE, SIE_STIE);
	csr_write(CSR_STIMECMP, -1UL);
	csr_set(CSR_HIE, hie);
}

bool arch_vcpu_from_vs(const struct vcpu_context *ctx)
{
	return ctx->sstatus & SSTATUS_SPP;
}

bool arch_vcpu_wait_exits(void)
{
	return wait_exits;
}

bool arch_vcpu_irq_pending(void)
{
	/*
	 * hie holds the guest's vsie bits: this is wfi's own wake rule; an
	 * overflow raised in hvip (hvien) and enabled in its vsie, too.
	 */
	return (csr_read(CSR_HIP) & csr_read(CSR_HIE) & HIDELEG_VS) ||
	       (csr_read(CSR_HVIP) & HVIP_LCOFI & csr_read(CSR_VSIE));
}

/* This hart's own (HS) timer. */
static void hs_timer_set(uint64_t when)
{
	if (hs_sstc)
		csr_write(CSR_STIMECMP, when);
	else
		sbi_set_timer(when);
}

void arch_wait_until(uint64_t deadline)
{
	/* Our own timer bounds the sleep; no guest timer is armed yet. */
	hs_timer_set(deadline);
	csr_set(CSR_SIE, SIE_STIE | SIE_SSIE);
	__asm__ volatile("wfi" ::: "memory");
	csr_clear(CSR_SIE, SIE_STIE);
	hs_timer_set(-1UL);
	csr_clear(CSR_SIP, SIP_SSIP);
}

void arch_vcpu_timer_set(uint64_t when)
{
	if (use_vstimecmp) {
		csr_write(CSR_VSTIMECMP, when);
		return;
	}
	csr_clear(CSR_HVIP, HVIP_VSTIP);
	/*
	 * A deadline already passed is pending now, as a comparator would
	 * make it: no round trip through our own timer. Our timer may stay
	 * armed from before; with SIE.STIE clear it is never taken.
	 */
	if (when <= csr_read(CSR_TIME)) {
		csr_clear(CSR_SIE, SIE_STIE);
		csr_set(CSR_HVIP, HVIP_VSTIP);
		return;
	}
	hs_timer_set(when);
	csr_set(CSR_SIE, SIE_STIE);
}

void arch_vcpu_timer_park(void)
{
	if (use_vstimecmp) {
		csr_write(CSR_VSTIMECMP, -1UL);
	} else {
		csr_clear(CSR_SIE, SIE_STIE);
		hs_timer_set(-1UL);
	}
	csr_clear(CSR_HVIP, HVIP_VSTIP);
}

bool arch_vcpu_timer_poll(void)
{
	/* Our own timer fired for the guest: hand it over as VSTIP. */
	if (use_vstimecmp || !(csr_read(CSR_SIE) & SIE_STIE) ||
	    !(csr_read(CSR_SIP) & SIP_STIP))
		return false;
	csr_clear(CSR_SIE, SIE_STIE);
	csr_set(CSR_HVIP, HVIP_VSTIP);
	return true;
}

void arch_fence_i(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

void arch_hfence_vvma_all(void)
{
	__asm__ volatile(".option push\n.option arch, +h\n"
			 "hfence.vvma zero, zero\n.option pop" ::
				 : "memory");
}

void arch_hfence_vvma_page(unsigned long gva, long asid)
{
	if (asid < 0)
		__asm__ volatile(".option push\n.option arch, +h\n"
				 "hfence.vvma %0, zero\n.option pop"
				 :
				 : "r"(gva)
				 : "memory");
	else
		__asm__ volatile(".option push\n.option arch, +h\n"
				 "hfence.vvma %0, %1\n.option pop"
				 :
				 : "r"(gva), "r"(asid)
				 : "memory");
}

long arch_firmware_base(unsigned long fid)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, fid, 0, 0, 0, 0, 0, 0);

	return r.error ? 0 : r.value;
}

int arch_console_getc(void)
{
	return (int)sbi_ecall(SBI_EXT_0_1_CONSOLE_GETCHAR, 0, 0, 0, 0, 0, 0, 0)
		.error;
}
