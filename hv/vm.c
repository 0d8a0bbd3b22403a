// SPDX-License-Identifier: BSD-2-Clause
/*
 * The static VMs at run time: firmware identity and the timer choice, the
 * pristine image copies, each VM's G-stage map, its guest DTB in memory,
 * and its boot. Its life after (reboot, shutdown, crash, the monitor's
 * requests) is vm_life.c. The plan — which harts, RAM and devices, where everything goes —
 * is vm_plan.c.
 */
#include <libfdt.h>
#include <string.h>

#include "arch.h"
#include "boot_steps.h"
#include "crc32.h"
#include "hart.h"
#include "log.h"
#include "printf.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"

struct vm vms[HV_MAX_VMS];
unsigned int nr_vms;
unsigned int vms_running;

static int vm_map(struct vm *vm, char *err, size_t errlen)
{
	unsigned int leaves[3];
	int ret;

	for (unsigned int i = 0; i < vm->nr_ram; i++) {
		ret = arch_gstage_map(vm->gstage, vm->ram[i].base,
				      vm->ram[i].base, vm->ram[i].size,
				      GSTAGE_R | GSTAGE_W | GSTAGE_X);
		if (ret)
			return errorf(err, errlen, ret,
				      "cannot map guest RAM 0x%lx+0x%lx: %s",
				      vm->ram[i].base, vm->ram[i].size,
				      sbi_strerror(ret));
	}
	ret = vm_pristine_protect(vm);
	if (ret)
		return errorf(err, errlen, ret,
			      "cannot make the guest images read-only: %s",
			      sbi_strerror(ret));
	/* Every guest TLB miss walks these: fewer levels, faster walks. */
	arch_gstage_leaves(vm->gstage, leaves);
	pr_info("%sG-stage: guest RAM in %u x 1 GiB, %u x 2 MiB and %u x 4 KiB leaves",
		vm->tag, leaves[2], leaves[1], leaves[0]);
	for (unsigned int i = 0; i < vm->nr_mmio; i++) {
		ret = arch_gstage_map(vm->gstage, vm->mmio[i].base,
				      vm->mmio[i].base, vm->mmio[i].size,
				      GSTAGE_R | GSTAGE_W);
		if (ret)
			return errorf(err, errlen, ret,
				      "cannot map device page 0x%lx: %s",
				      vm->mmio[i].base, sbi_strerror(ret));
	}
	vm->dma_mapped = true;
	ret = vm_pristine_hold_devices(vm);
	if (ret)
		return errorf(
			err, errlen, ret,
			"cannot hold back the devices that write guest RAM: %s",
			sbi_strerror(ret));
	ret = vm_chan_map(vm, err, errlen);
	if (ret)
		return ret;
	return irqchip_map(vm, err, errlen);
}

/*
 * QEMU puts its version in marchid and mimpid ((major << 16) | (minor <<
 * 8) | micro, mvendorid 0). Up to 7.2, QEMU can drop a VS timer interrupt
 * raised by vstimecmp: riscv_cpu_update_mip() samples env->vstime_irq
 * before it takes the global lock, so a vCPU thread re-entering V=1 can
 * undo the timer callback's cpu_interrupt(). The guest then waits forever
 * (measured: a few runs in ten at SMP >= 3; never with the forwarded timer).
 */
/* QEMU's version as (major << 16 | minor << 8 | micro), or 0 if unknown. */
static unsigned long qemu_version(const struct vm *vm)
{
	return vm->mvendorid == 0 && vm->marchid == vm->mimpid &&
			       vm->marchid >= 0x010000 &&
			       vm->marchid <= 0x630000 ?
		       vm->marchid :
		       0;
}

static __attribute__((unused)) bool firmware_loses_vs_timer(const struct vm *vm)
{
	return qemu_version(vm) >= 0x070000 && qemu_version(vm) <= 0x0702ff;
}

/* Does the guest get vstimecmp (Sstc), or the forwarded timer? */
static void vm_choose_timer(struct vm *vm, bool host_sstc, bool host_smstateen)
{
	const char *why;

#if HV_VSTIMECMP == 0
	vm->sstc = false;
	why = "VSTIMECMP=off";
#elif HV_VSTIMECMP == 1
	vm->sstc = host_sstc;
	why = host_sstc ? "VSTIMECMP=on" : "no Sstc on this machine";
#else
	vm->sstc = host_sstc && !firmware_loses_vs_timer(vm);
	why = !host_sstc ?
		      "no Sstc on this machine" :
	      vm->sstc ?
		      "Sstc on every hart" :
		      "QEMU <= 7.2 loses vstimecmp interrupts; VSTIMECMP=on to use them anyway";
#endif
	arch_virt_choose(vm->sstc, host_sstc, host_smstateen,
			 vm->irqchip.kind == IRQCHIP_AIA);
	pr_info("guest timer: %s (%s)",
		vm->sstc  ? "vstimecmp, the guest writes stimecmp itself" :
		host_sstc ? "SBI set_timer -> stimecmp -> hvip.VSTIP" :
			    "SBI set_timer -> OpenSBI -> hvip.VSTIP",
		why);
}

/*
 * What the ISA table may give the guest (isa_ext.c): hardware A/D
 * updating only where this hart could turn it on (the others are alike
 * on every machine hartvisor knows). One line says what the guest of
 * the boot hart does not get, and so never sees in its device tree.
 */
static void vm_choose_isa(struct vm *vm, const struct platform *p)
{
	const struct platform_hart *h = &p->harts[0];
	unsigned int hw_ad = arch_fwft_probe(h->has_svadu) &
			     (1U << SBI_FWFT_PTE_AD_HW_UPDATING);
	char left[LOG_LINE_MAX - 64] = "";
	size_t pos = 0;
	unsigned int n = 0, kept = 0;
	bool lcofi = h->has_sscofpmf &&
		     arch_pmu_lcofi_possible(vm->irqchip.kind == IRQCHIP_AIA);

	vm->isa_offers = vm_plan_isa_offers(vm, p, hw_ad, lcofi);
	for (int i = 0; h->exts && i < h->exts_len;) {
		size_t k = strnlen(h->exts + i, (size_t)(h->exts_len - i));

		n++;
		if (isa_guest_gets(h->exts + i, k, vm->isa_offers))
			kept++;
		else if (pos + k + 6 < sizeof(left))
			pos += (size_t)snprintf(left + pos, sizeof(left) - pos,
						"%s%.*s", pos ? " " : "",
						(int)k, h->exts + i);
		else if (!strstr(left, " ..."))
			pos += (size_t)snprintf(left + pos, sizeof(left) - pos,
						" ...");
		i += (int)k + 1;
	}
	if (n)
		pr_info("guest ISA: %u of hart %lu's %u extensions; left out: %s",
			kept, h->hartid, n, pos ? left : "none");
}

/*
 * The guest DTB, written straight into its slot in guest RAM: the slot is
 * the only limit on its size. There is no copy to restore on a reboot;
 * the rewrite runs again on the same inputs and must give the same bytes.
 */
static int vm_build_dtb(struct vm *vm, char *err, size_t errlen)
{
	void *slot = (void *)(uintptr_t)vm->dtb;
	int ret;

	ret = vm_plan_guest_dtb(vm, vm->platform, vm->host_dtb,
				fdt_totalsize(vm->host_dtb), slot,
				GUEST_DTB_SLOT, err, errlen);
	if (ret)
		return ret;
	vm->dtb_size = fdt_totalsize(slot);
	vm->dtb_crc = crc32(slot, vm->dtb_size);
	return 0;
}

/* Create planned VM @vm: its G-stage, controller, map and guest DTB. */
static int vm_create(struct vm *vm, const struct platform *p,
		     const void *host_dtb, bool host_sstc, bool host_smstateen,
		     char *err, size_t errlen)
{
	int ret;

	if (nr_vms > 1)
		pr_info("%sVM %u (VMID %lu): %u vCPUs on harts %lu-%lu",
			vm->tag, vm->index, vm->vmid, vm->nr_vcpus,
			p->harts[vm->hart_slot[0]].hartid,
			p->harts[vm->hart_slot[vm->nr_vcpus - 1]].hartid);
	if (vm->vuart_on)
		vuart_reset(&vm->vuart);
	vm->gstage = arch_gstage_create(vm->vmid);
	if (!vm->gstage)
		return errorf(err, errlen, SBI_ERR_NO_SHMEM,
			      "%s: no G-stage table left", vm->what);
	vm->mvendorid = arch_firmware_base(SBI_EXT_BASE_GET_MVENDORID);
	vm->marchid = arch_firmware_base(SBI_EXT_BASE_GET_MARCHID);
	vm->mimpid = arch_firmware_base(SBI_EXT_BASE_GET_MIMPID);
	if (!vm->index)
		pr_info("firmware ids: mvendorid 0x%lx marchid 0x%lx mimpid 0x%lx",
			vm->mvendorid, vm->marchid, vm->mimpid);
	vm_choose_timer(vm, host_sstc, host_smstateen);
	vm_choose_isa(vm, p);
	/*
	 * Before QEMU 9.0 (bf31cf06eb and its neighbours), the APLIC in MSI
	 * mode mishandles setipnum on level sources: Linux's re-trigger on
	 * EOI storms or is lost. The guest file path itself is fine.
	 */
	if (vm->irqchip.kind == IRQCHIP_AIA && qemu_version(vm) &&
	    qemu_version(vm) < 0x090000 && !vm->index)
		pr_warn("QEMU %lu.%lu's APLIC re-triggers level interrupts wrongly in MSI mode (fixed in 9.0): IRQCHIP=plic for devices",
			qemu_version(vm) >> 16, qemu_version(vm) >> 8 & 0xff);
	irqchip_create(vm, p);

	boot_step(BOOT_STEP_REST);
	vm->platform = p;
	vm->host_dtb = host_dtb;
	ret = vm_map(vm, err, errlen);
	boot_step(BOOT_STEP_MAP);
	if (!ret)
		ret = vm_build_dtb(vm, err, errlen);
	boot_step(BOOT_STEP_REWRITE);
	if (ret)
		return ret;

	for (unsigned int i = 0; i < vm->nr_ram; i++)
		pr_info("%sguest RAM 0x%lx-0x%lx (%lu MiB)", vm->tag,
			vm->ram[i].base, vm->ram[i].base + vm->ram[i].size,
			(unsigned long)(vm->ram[i].size / MiB));
	pr_info("%sguest DTB at 0x%lx (%u bytes, crc32 0x%08x), entry 0x%lx, %u vCPUs on %u harts",
		vm->tag, vm->dtb, vm->dtb_size, vm->dtb_crc, vm->entry,
		vm->nr_vcpus, p->nr_harts);
	/* Which guest-loader image went where: its address decided. */
	for (unsigned int i = 0; nr_vms > 1 && i < vm->nr_images; i++)
		pr_info("%sguest %s at 0x%lx-0x%lx goes to VM '%s'", vm->tag,
			platform_module_kind_name(vm->images[i].kind),
			vm->images[i].base,
			vm->images[i].base + vm->images[i].size, vm->name);
	return 0;
}

int vm_create_all(const struct platform *p, const struct vm_config *cfg,
		  struct mem_range hv, const void *host_dtb, char *err,
		  size_t errlen)
{
	bool host_sstc = true, host_smstateen = true;
	int ret;

	boot_step(BOOT_STEP_REST);
	ret = vm_plan_all(vms, p, cfg, hv, err, errlen);
	boot_step(BOOT_STEP_PLAN);
	if (ret)
		return ret;
	nr_vms = cfg->nr_vms;
	pr_info("VM config '%s': %s", cfg->name, cfg->description);
	for (unsigned int i = 0; i < p->nr_harts; i++) {
		host_sstc &= p->harts[i].has_sstc;
		host_smstateen &= p->harts[i].has_smstateen;
	}
	for (unsigned int i = 0; i < nr_vms; i++) {
		if (nr_vms > 1)
			snprintf(vms[i].tag, sizeof(vms[i].tag), "[%s] ",
				 vms[i].name);
		ret = vm_create(&vms[i], p, host_dtb, host_sstc, host_smstateen,
				err, errlen);
		if (ret)
			return ret;
	}
	ret = vm_chan_create_all(err, errlen);
	if (ret)
		return ret;
	__atomic_store_n(&vms_running, nr_vms, __ATOMIC_RELEASE);
	return 0;
}

void vm_register_vcpu(struct vm *vm, struct vcpu *v)
{
	vm->vcpus[v->id] = v;
	/* Release: the vCPU is complete before it is counted. */
	__atomic_fetch_add(&vm->registered, 1, __ATOMIC_RELEASE);
}

struct vcpu *vm_vcpu(const struct vm *vm, unsigned long id)
{
	return id < vm->nr_vcpus ? vm->vcpus[id] : NULL;
}

bool vm_has_vcpu_to_boot(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (!vm->vcpus[i]->absent)
			return true;
	return !vm->nr_vcpus;
}

void vm_boot_first(struct vm *vm)
{
	const struct hart *h = vm->vcpus[0]->hart;
	const struct vcpu *self = arch_this_hart()->vcpu;

	/*
	 * The boot hart's own VM boots now, as it always did (waiting for
	 * vCPU 0's hart if that is another). Another VM must not hold the
	 * boot hart out of its guest: the first of that VM's harts to check
	 * in boots it (vm_boot_pending). Both sides store, then load the
	 * other's word, with full fences: one of them sees the other's.
	 */
	if (self && self->vm == vm) {
		vm_boot(vm);
		return;
	}
	__atomic_store_n(&vm->boot_pending, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->online, __ATOMIC_SEQ_CST))
		vm_boot_pending(vm);
}

void vm_boot_pending(struct vm *vm)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm->boot_pending, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&vm->boot_pending, 0, __ATOMIC_SEQ_CST))
		vm_boot(vm);
}

void vm_boot(struct vm *vm)
{
	/*
	 * After a reboot: the guest may have written over its images (the
	 * pages it wrote were saved first: vm_pristine.c), and
	 * its interrupt controller starts from reset (PLIC: held sources
	 * completed).
	 */
	if (vm->boots) {
		char err[LOG_LINE_MAX];
		uint32_t crc = vm->dtb_crc;

		irqchip_reset(vm);
		vm_uart_reset(vm);
		vm_pristine_restore(vm);
		if (vm_build_dtb(vm, err, sizeof(err)) || vm->dtb_crc != crc)
			panic("reboot: the guest DTB came out different (crc32 0x%08x, was 0x%08x): %s",
			      vm->dtb_crc, crc, err);
	}
	vm->boots++;
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE);
	vm_chan_state(vm);
	/*
	 * vCPU 0 boots the guest, unless its hart never came out of the
	 * firmware: then the first vCPU that exists does, as a hart other
	 * than 0 can win the boot natively. Each vCPU executes fence.i on its
	 * reset: the one flush needed.
	 */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct hart *h = vm->vcpus[i]->hart;

		/*
		 * Only when the firmware's boot hart is not vCPU 0's: wait for
		 * that hart (or its 20 s) to know which vCPU can boot.
		 */
		while (!__atomic_load_n(&h->online, __ATOMIC_ACQUIRE) &&
		       !hart_missing(h)) {
			hart_do_fences(arch_this_hart());
			arch_cpu_relax();
		}
		if (vm->vcpus[i]->absent)
			continue;
		if (i)
			pr_warn("vCPU 0 never came up: the guest boots on vCPU %u",
				i);
		vcpu_start(vm->vcpus[i], vm->entry, vm->dtb);
		return;
	}
	panic("no vCPU to boot the guest on");
}

void vm_print_stats(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];

		if (!v)
			continue;
		pr_info("%svcpu%u exits %lu: ecall %lu, virtual-inst %lu, guest-page-fault %lu, ipi %lu, timer %lu, external %lu; waits: wfi %lu, wrs.nto %lu (slept %lu)",
			vm->tag, i, vcpu_exits_total(v), vcpu_sbi_calls(v),
			v->exits_by_cause[EXC_VIRTUAL_INST],
			v->exits_by_cause[EXC_INST_GUEST_PAGE_FAULT] +
				v->exits_by_cause[EXC_LOAD_GUEST_PAGE_FAULT] +
				v->exits_by_cause[EXC_STORE_GUEST_PAGE_FAULT],
			v->exits_by_irq[IRQ_S_SOFT],
			v->exits_by_irq[IRQ_S_TIMER],
			v->exits_by_irq[IRQ_S_EXT], v->waits[VCPU_WAIT_WFI],
			v->waits[VCPU_WAIT_WRS], v->waits[VCPU_WAIT_WRS_SLEPT]);
		pr_info("%svcpu%u sbi calls: base %lu, time %lu, ipi %lu, rfence %lu, hsm %lu, srst %lu, dbcn %lu, susp %lu, fwft %lu, pmu %lu, hartvisor %lu, legacy %lu, unknown %lu",
			vm->tag, i, v->sbi_calls[VCPU_SBI_BASE],
			v->sbi_calls[VCPU_SBI_TIME], v->sbi_calls[VCPU_SBI_IPI],
			v->sbi_calls[VCPU_SBI_RFENCE],
			v->sbi_calls[VCPU_SBI_HSM], v->sbi_calls[VCPU_SBI_SRST],
			v->sbi_calls[VCPU_SBI_DBCN],
			v->sbi_calls[VCPU_SBI_SUSP],
			v->sbi_calls[VCPU_SBI_FWFT], v->sbi_calls[VCPU_SBI_PMU],
			v->sbi_calls[VCPU_SBI_HARTVISOR],
			v->sbi_calls[VCPU_SBI_LEGACY],
			v->sbi_calls[VCPU_SBI_UNKNOWN]);
	}
	vm_chan_print_stats(vm);
}
