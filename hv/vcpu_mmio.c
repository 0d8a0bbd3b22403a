// SPDX-License-Identifier: BSD-2-Clause
/*
 * Guest loads and stores that fault in the G-stage: the emulated devices
 * (the vPLIC or the vAPLIC, hv/irqchip.h; the UART; the channels' checked
 * doorbells) get them, decoded from htinst
 * or from the instruction itself; any other address is not the guest's,
 * and it gets the access fault real hardware would raise.
 */
#include "arch.h"
#include "log.h"
#include "mmio.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"

static void vcpu_access_fault(struct vcpu *v, bool store)
{
	pr_debug("vcpu%u: %s at 0x%lx faults (pc 0x%lx): access fault", v->id,
		 store ? "store" : "load", v->ctx.stval, v->ctx.sepc);
	/* Natively a trap through the firmware, which counts it. */
	vsbi_pmu_event(v, store ? SBI_PMU_FW_ACCESS_STORE :
				  SBI_PMU_FW_ACCESS_LOAD);
	arch_vcpu_inject_exception(&v->ctx,
				   store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS,
				   v->ctx.stval);
}

/* What the faulting instruction does: from htinst, else fetched. */
static int vcpu_mmio_decode(struct vcpu *v, unsigned long htinst,
			    struct mmio_access *a)
{
	uint32_t insn;
	int ret = mmio_decode_htinst(htinst, a);

	if (ret != MMIO_ERR_FETCH)
		return ret;
	ret = arch_guest_fetch_insn(v->ctx.sepc, &insn);
	if (ret)
		return ret;
	return mmio_decode(insn, a);
}

void vcpu_mmio_fault(struct vcpu *v, bool store)
{
	struct mmio_access a;
	unsigned long htval, htinst;
	gpa_t gpa;
	bool uart, chan;
	int ret;

	arch_vcpu_trap_info(&htval, &htinst);
	gpa = (htval << 2) | (v->ctx.stval & 3);
	uart = vm_uart_contains(v->vm, gpa);
	chan = !uart && vm_chan_contains(v->vm, gpa);
	if (!uart && !chan && !irqchip_contains(v->vm, gpa)) {
		vcpu_access_fault(v, store);
		return;
	}
	ret = vcpu_mmio_decode(v, htinst, &a);
	if (ret == SBI_ERR_INVALID_ADDRESS)
		return; /* the code page went away: let the guest fetch again */
	if (ret || a.store != store) {
		/* A page-table walk, an AMO or FP access: not a register. */
		vcpu_access_fault(v, store);
		return;
	}
	gpa -= a.addr_offset;
	if (uart || chan) {
		uint32_t in = (uint32_t)mmio_load_value(&a, v->ctx.x[a.reg]);
		uint32_t val =
			uart ? vm_uart_access(v->vm, gpa, a.width, store, in) :
			       vm_chan_access(v->vm, gpa, a.width, store, in);

		if (!store && a.reg)
			v->ctx.x[a.reg] = mmio_load_value(&a, val);
	} else if (store) {
		irqchip_write(v->vm, v->id, gpa, a.width,
			      (uint32_t)mmio_load_value(&a, v->ctx.x[a.reg]));
	} else {
		uint32_t val = irqchip_read(v->vm, v->id, gpa, a.width);

		if (a.reg)
			v->ctx.x[a.reg] = mmio_load_value(&a, val);
	}
	v->ctx.sepc += a.insn_len;
}
