// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the vSBI code calls outside hv/vsbi*.c and hv/vm.c, faked for the
 * vSBI fuzzer: the vCPU state machine (as hv/vcpu.c does it, by its
 * header's contract), the harts and their mailboxes (hv/hart.c), the arch
 * hooks, the console and the irqchip. Each records in fv.fx what the
 * call did and fails on what the hypervisor must never do: an own-hart
 * hook with no call running, an IPI mailed to the caller, a fence of a
 * hart that is not online, an exception the guest cannot take, a spin
 * that would not end.
 *
 * A new extension that calls something new (a vcpu_* or arch_* hook)
 * gets its fake here, recording into fv.fx; one that ends the call
 * elsewhere (the vCPU no longer returns) sets fv.fx.moved. The PMU's
 * arch hooks, a fake firmware PMU, are in fuzz_vsbi_pmu.c.
 */
#include <libfdt.h>
#include <string.h>

#include "arch.h"
#include "boot_steps.h"
#include "crc32.h"
#include "fuzz_vsbi.h"
#include "irqchip.h"
#include "log.h"
#include "sbi.h"

struct hart harts[HV_MAX_HARTS];
unsigned int nr_harts;

static struct vcpu *caller(const char *what)
{
	fuzz_check(fv.current, "%s with no SBI call running", what);
	return fv.current;
}

/* ---- hv/vcpu.c ---- */

int vcpu_get_state(const struct vcpu *v)
{
	return v->state;
}

bool vcpu_set_state(struct vcpu *v, int from, int to)
{
	if (v->state != from)
		return false;
	v->state = to;
	return true;
}

int vcpu_start(struct vcpu *v, unsigned long pc, unsigned long arg)
{
	int ret = 0;

	fuzz_check(v >= fv.vcpus && v < fv.vcpus + fv.vm->nr_vcpus,
		   "vcpu_start of no vCPU of the VM");
	if (v->absent || hart_missing(v->hart))
		ret = SBI_ERR_FAILED;
	else if (!vcpu_set_state(v, SBI_HSM_STATE_STOPPED,
				 SBI_HSM_STATE_START_PENDING))
		ret = SBI_ERR_ALREADY_AVAILABLE;
	if (!ret) {
		v->start_pc = pc;
		v->start_arg = arg;
		v->resume_non_retentive = false;
		hart_post(v->hart, HART_MSG_VCPU_START);
	}
	fv.fx.what |= FX_START;
	fv.fx.starts++;
	fv.fx.start_target = v;
	fv.fx.start_pc = pc;
	fv.fx.start_arg = arg;
	fv.fx.start_ret = ret;
	return ret;
}

void vcpu_stop_self(struct vcpu *v)
{
	fuzz_check(v == caller("vcpu_stop_self"), "vcpu_stop_self of vCPU %u",
		   v->id);
	v->state = SBI_HSM_STATE_STOPPED;
	fv.vssip[v->id] = false;
	fv_pmu_reset(v, false);
	fv.fx.what |= FX_STOP;
	fv.fx.moved = true;
}

void vcpu_suspend_self(struct vcpu *v, bool non_retentive, unsigned long pc,
		       unsigned long arg)
{
	fuzz_check(v == caller("vcpu_suspend_self"),
		   "vcpu_suspend_self of vCPU %u", v->id);
	v->resume_non_retentive = non_retentive;
	v->start_pc = pc;
	v->start_arg = arg;
	vcpu_set_state(v, SBI_HSM_STATE_STARTED, SBI_HSM_STATE_SUSPENDED);
	fv.fx.what |= FX_SUSPEND;
	fv.fx.moved |= non_retentive;
}

void vcpu_system_suspend(struct vcpu *v, unsigned long pc, unsigned long arg)
{
	fuzz_check(v == caller("vcpu_system_suspend"),
		   "vcpu_system_suspend of vCPU %u", v->id);
	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++)
		fuzz_check(&fv.vcpus[i] == v ||
				   fv.vcpus[i].state == SBI_HSM_STATE_STOPPED,
			   "system suspend with vCPU %u in state %d", i,
			   fv.vcpus[i].state);
	v->system_suspended = true;
	vcpu_suspend_self(v, true, pc, arg);
}

void fv_reset_ctx(struct vcpu *v, unsigned long pc, unsigned long a1)
{
	memset(&v->ctx, 0, sizeof(v->ctx));
	for (unsigned int r = 1; r < 32; r++)
		v->ctx.x[r] = 0x0101010101010101UL * r ^ v->id;
	v->ctx.x[REG_A0] = v->id;
	v->ctx.x[REG_A1] = a1;
	v->ctx.sepc = pc;
}

void fv_take_mail(struct vcpu *v)
{
	unsigned long msg;

	if (v->absent || !v->hart->online)
		return;
	msg = v->hart->mailbox;
	v->hart->mailbox = 0;
	if (msg & HART_MSG_VCPU_RESET) {
		v->state = SBI_HSM_STATE_STOPPED;
		fv.vssip[v->id] = false;
		fv_pmu_reset(v, false);
		fv.vm->reset_acks++;
	}
	if ((msg & HART_MSG_VCPU_START) &&
	    vcpu_set_state(v, SBI_HSM_STATE_START_PENDING,
			   SBI_HSM_STATE_STARTED)) {
		fv_reset_ctx(v, v->start_pc, v->start_arg);
		fv.vssip[v->id] = false;
		/* FWFT values do not survive a hart reset (vcpu_fwft_reset). */
		memcpy(v->fwft.value, v->fwft.reset, sizeof(v->fwft.value));
		v->fwft.locked = 0;
		fv_pmu_reset(v, true);
	}
	if ((msg & HART_MSG_VCPU_IPI) &&
	    (v->state == SBI_HSM_STATE_STARTED ||
	     v->state == SBI_HSM_STATE_SUSPENDED)) {
		fv.vssip[v->id] = true;
		/* vcpu.c counts it for the guest's PMU, and so does the model. */
		vsbi_pmu_event(v, SBI_PMU_FW_IPI_RECEIVED);
		fv_pmu_event(v, SBI_PMU_FW_IPI_RECEIVED);
	}
	/* An interrupt is pending for a suspended vCPU: it resumes. */
	if (fv.vssip[v->id] &&
	    vcpu_set_state(v, SBI_HSM_STATE_SUSPENDED, SBI_HSM_STATE_STARTED)) {
		if (v->resume_non_retentive)
			fv_reset_ctx(v, v->start_pc, v->start_arg);
		v->system_suspended = false;
	}
}

void fv_check_in(struct vcpu *v)
{
	if (v->absent || v->hart->online || fv.lost[v->id])
		return;
	v->hart->online = true;
	v->hart->checkin = HART_CHECKIN_CLAIMED;
	fv.late[v->id] = 0;
	fv_take_mail(v);
}

/* ---- hv/hart.c ---- */

/* Power-off's report of late harts: log lines only, nothing to model. */
void harts_report_missing(void)
{
}

bool hart_missing(struct hart *h)
{
	struct vcpu *v = h->vcpu;

	if (h->online || !v)
		return false;
	if (h->checkin == HART_CHECKIN_GIVEN_UP)
		return true;
	if (!fv.lost[v->id])
		return false; /* late: it checks in once fv.late[] spins passed */
	/* Its 20 s are over: given up, as hart_give_up() does. */
	h->checkin = HART_CHECKIN_GIVEN_UP;
	v->absent = true;
	v->state = SBI_HSM_STATE_STOPPED;
	return true;
}

void hart_post(struct hart *h, unsigned long msg)
{
	struct vcpu *v = h->vcpu;

	fuzz_check(h >= harts && h < harts + nr_harts && v,
		   "mail to a hart with no vCPU");
	switch (msg) {
	case HART_MSG_VCPU_IPI:
		fuzz_check(v != fv.current, "IPI mailed to the caller");
		fuzz_check(!v->absent, "IPI mailed to absent vCPU %u", v->id);
		fv.fx.what |= FX_IPI;
		fv.fx.ipis |= 1ULL << v->id;
		break;
	case HART_MSG_VCPU_START:
		fuzz_check(v->state == SBI_HSM_STATE_START_PENDING,
			   "start mailed to vCPU %u in state %d", v->id,
			   v->state);
		break;
	case HART_MSG_VCPU_RESET:
		fuzz_check(v != fv.current && !v->absent,
			   "reset mailed to vCPU %u", v->id);
		break;
	default:
		fuzz_fail("mail 0x%lx to vCPU %u", msg, v->id);
	}
	h->mailbox |= msg;
}

void harts_fence(uint64_t slots)
{
	caller("harts_fence");
	for (unsigned int i = 0; i < 64; i++) {
		if (!(slots >> i & 1))
			continue;
		fuzz_check(i < nr_harts && harts[i].online && harts[i].vcpu &&
				   !harts[i].vcpu->absent,
			   "fence of slot %u: no online vCPU there", i);
	}
	fv.fx.what |= FX_REMOTE_FENCE;
	fv.fx.remote_fences++;
	fv.fx.fence_slots |= slots;
}

void hart_do_fences(struct hart *self)
{
	fuzz_check(self == arch_this_hart(), "fences of another hart");
}

/* ---- arch/riscv ---- */

struct hart *arch_this_hart(void)
{
	return fv.current ? fv.current->hart : fv.boot;
}

/* Time passes: late harts check in, the others take their mail. */
void arch_cpu_relax(void)
{
	fuzz_check(++fv.fx.relax < FV_MAX_RELAX, "spun %d times: a hang",
		   FV_MAX_RELAX);
	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++) {
		struct vcpu *v = &fv.vcpus[i];

		if (v->hart == arch_this_hart())
			continue;
		if (fv.late[i] && !--fv.late[i])
			fv_check_in(v);
		fv_take_mail(v);
	}
}

void arch_vcpu_raise_ipi(void)
{
	struct vcpu *v = caller("arch_vcpu_raise_ipi");

	fv.vssip[v->id] = true;
	fv.fx.what |= FX_IPI;
	fv.fx.ipis |= 1ULL << v->id;
}

bool arch_vcpu_clear_ipi(void)
{
	struct vcpu *v = caller("arch_vcpu_clear_ipi");
	bool was = fv.vssip[v->id];

	fv.vssip[v->id] = false;
	fv.fx.what |= FX_CLEAR_IPI;
	return was;
}

void arch_vcpu_timer_set(uint64_t when)
{
	caller("arch_vcpu_timer_set");
	fv.fx.what |= FX_TIMER;
	fv.fx.timer = when;
}

void arch_fence_i(void)
{
	caller("arch_fence_i");
	fv.fx.what |= FX_FENCE;
	fv.fx.fence_i = true;
}

void arch_hfence_vvma_all(void)
{
	caller("arch_hfence_vvma_all");
	fv.fx.what |= FX_FENCE;
	fv.fx.flush_all = true;
}

void arch_hfence_vvma_page(unsigned long gva, long asid)
{
	caller("arch_hfence_vvma_page");
	fuzz_check(fv.fx.nr_pages < FV_MAX_PAGES, "more than %d page flushes",
		   FV_MAX_PAGES);
	fv.fx.what |= FX_FENCE;
	fv.fx.asids[fv.fx.nr_pages] = asid;
	fv.fx.pages[fv.fx.nr_pages++] = gva;
}

/* Features in fv.fwft_fails cannot be set on this hart. */
long arch_fwft_set(unsigned int feature, unsigned long value)
{
	struct vcpu *v = caller("arch_fwft_set");

	fuzz_check(feature < VCPU_FWFT_FEATURES &&
			   (v->fwft.supported >> feature & 1) && value <= 1,
		   "arch_fwft_set(%u, %lu): supported 0x%x", feature, value,
		   v->fwft.supported);
	fv.fx.what |= FX_FWFT;
	fv.fx.fwft_feature = feature;
	fv.fx.fwft_value = value;
	return fv.fwft_fails >> feature & 1 ? SBI_ERR_FAILED : 0;
}

/*
 * The guest's own translation is the identity (satp = 0): its usable RAM
 * reads; firmware memory is an access fault (PMP); anything else a page
 * fault for a kernel address, else a guest-page fault (G-stage).
 */
int arch_guest_load_ulong(unsigned long gva, unsigned long *val)
{
	struct hart *h = caller("arch_guest_load_ulong")->hart;

	if (fv_usable(gva, sizeof(*val))) {
		memcpy(val, (const void *)(uintptr_t)gva, sizeof(*val));
		return 0;
	}
	h->fault_cause = vm_ram_contains(fv.vm, gva, 1) ? EXC_LOAD_ACCESS :
			 gva >> 63			? EXC_LOAD_PAGE_FAULT :
				     EXC_LOAD_GUEST_PAGE_FAULT;
	h->fault_tval = gva;
	return SBI_ERR_INVALID_ADDRESS;
}

void arch_vcpu_inject_exception(struct vcpu_context *ctx, unsigned long cause,
				unsigned long tval)
{
	struct vcpu *v = caller("arch_vcpu_inject_exception");

	fuzz_check(ctx == &v->ctx, "exception injected into another vCPU");
	/* VS-mode has no guest-page faults, no VS ecalls, nothing past 15. */
	fuzz_check(cause < 16 && cause != EXC_ECALL_VS,
		   "exception %lu injected: the guest cannot take it", cause);
	fv.fx.what |= FX_INJECT;
	fv.fx.moved = true;
	fv.fx.cause = cause;
	fv.fx.tval = tval;
	ctx->sepc = FV_STVEC;
}

int arch_console_getc(void)
{
	caller("arch_console_getc");
	fv.fx.what |= FX_CONSOLE_IN;
	fuzz_check(++fv.fx.getcs <= FV_RAM0_SIZE + FV_RAM1_SIZE + 1,
		   "arch_console_getc called %u times", fv.fx.getcs);
	if (fv.console_pos >= fv.console_len)
		return -1;
	return fv.console[fv.console_pos++];
}

void log_console_write(const char *buf, size_t n)
{
	unsigned int sum = 0;

	caller("log_console_write");
	/* Touch every byte: a buffer outside guest RAM faults here. */
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)buf[i];
	fv.fx.write_sum = sum;
	fv.fx.what |= FX_CONSOLE_OUT;
	fv.fx.writes++;
	fv.fx.write_buf = buf;
	fv.fx.write_len = n;
	fv.fx.write_byte = n ? buf[0] : 0;
}

/* One VM: the shared console, its monitor and emulated UARTs never run. */
void log_console_stream(const void *owner, const char *tag, const char *buf,
			size_t n)
{
	(void)owner;
	(void)tag;
	(void)buf;
	(void)n;
	fuzz_check(false, "log_console_stream with one VM");
}

bool monitor_active(void)
{
	fuzz_check(false, "monitor_active with one VM");
	return false;
}

void monitor_toggle(void)
{
	fuzz_check(false, "monitor_toggle with one VM");
}

void monitor_input(char ch)
{
	(void)ch;
	fuzz_check(false, "monitor_input with one VM");
}

void vm_uart_feed(struct vm *vm)
{
	(void)vm;
	fuzz_check(false, "vm_uart_feed with one VM");
}

int vm_uart_getc(struct vm *vm)
{
	(void)vm;
	fuzz_check(false, "vm_uart_getc with one VM");
	return -1;
}

void vm_uart_reset(struct vm *vm)
{
	fuzz_check(!vm->vuart_on, "an emulated UART with one VM");
}

/* The fuzzer's one VM is no channel's peer. */
void vm_chan_state(struct vm *vm)
{
	fuzz_check(!vm->nr_chans, "a channel with one VM");
}

void vm_chan_print_stats(const struct vm *vm)
{
	fuzz_check(!vm->nr_chans, "a channel with one VM");
}

int vm_chan_map(struct vm *vm, char *err, size_t errlen)
{
	(void)vm;
	(void)err;
	(void)errlen;
	fuzz_fail("vm_chan_map from a guest");
}

int vm_chan_create_all(char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	fuzz_fail("vm_chan_create_all from a guest");
}

void arch_poweroff(bool failure)
{
	caller("arch_poweroff");
	fv.fx.what |= FX_POWEROFF;
	fv.fx.failure = failure;
	longjmp(fv.poweroff, 1);
}

/* ---- hv/irqchip.c and the rest of vm_create(): never from a guest. ---- */

void irqchip_reset(struct vm *vm)
{
	caller("irqchip_reset");
	fuzz_check(vm == fv.vm, "irqchip_reset of another VM");
	fv.fx.what |= FX_REBOOT;
}

void irqchip_create(struct vm *vm, const struct platform *p)
{
	(void)vm;
	(void)p;
	fuzz_fail("irqchip_create from a guest");
}

int irqchip_map(struct vm *vm, char *err, size_t errlen)
{
	(void)vm;
	(void)err;
	(void)errlen;
	fuzz_fail("irqchip_map from a guest");
}

/*
 * The fuzzer's VM has no G-stage: its pristine copy is whole from the
 * start (fuzz_vsbi.c), so saving a page is nothing and a reboot copies all
 * of it back, which is what the pages saved on first write add up to.
 */
bool vm_pristine_save(struct vm *vm, gpa_t gpa, uint64_t size)
{
	const struct vm_image *img = &vm->images[0];

	caller("vm_pristine_save");
	fuzz_check(vm == fv.vm, "vm_pristine_save of another VM");
	return vm->nr_images && ranges_overlap(gpa, size, img->base, img->size);
}

int vm_pristine_protect(struct vm *vm)
{
	(void)vm;
	fuzz_fail("vm_pristine_protect from a guest");
}

int vm_pristine_hold_devices(struct vm *vm)
{
	(void)vm;
	fuzz_fail("vm_pristine_hold_devices from a guest");
}

void vm_pristine_restore(struct vm *vm)
{
	caller("vm_pristine_restore");
	fuzz_check(vm == fv.vm, "vm_pristine_restore of another VM");
	for (unsigned int i = 0; i < vm->nr_images; i++)
		memcpy((void *)(uintptr_t)vm->images[i].base,
		       (const void *)(uintptr_t)vm->images[i].pristine,
		       vm->images[i].size);
}

void boot_step(enum boot_step step)
{
	fuzz_fail("boot_step(%d) from a guest", (int)step);
}

long arch_firmware_base(unsigned long fid)
{
	fuzz_fail("arch_firmware_base(%lu) from a guest", fid);
}

void arch_virt_choose(bool vstimecmp, bool host_sstc, bool smstateen, bool aia)
{
	(void)vstimecmp;
	(void)host_sstc;
	(void)smstateen;
	(void)aia;
	fuzz_fail("arch_virt_choose from a guest");
}

unsigned int arch_fwft_probe(bool svadu)
{
	(void)svadu;
	fuzz_fail("arch_fwft_probe from a guest");
}

bool arch_pmu_lcofi_possible(bool aia)
{
	(void)aia;
	fuzz_fail("arch_pmu_lcofi_possible from a guest");
}

struct gstage *arch_gstage_create(unsigned long vmid)
{
	fuzz_fail("arch_gstage_create(%lu) from a guest", vmid);
}

int arch_gstage_map(struct gstage *g, gpa_t gpa, paddr_t hpa, uint64_t size,
		    unsigned int prot)
{
	(void)g;
	(void)hpa;
	(void)size;
	(void)prot;
	fuzz_fail("arch_gstage_map(0x%lx) from a guest", gpa);
}

void arch_gstage_leaves(const struct gstage *g, unsigned int leaves[3])
{
	(void)g;
	(void)leaves;
	fuzz_fail("arch_gstage_leaves from a guest");
}

/* ---- The guest DTB: vm_build_dtb() of every reboot writes this. ---- */

const uint8_t *fv_dtb(void)
{
	static uint8_t dtb[FV_DTB_SIZE];

	if (!fdt_magic(dtb))
		fuzz_check(!fdt_create_empty_tree(dtb, sizeof(dtb)),
			   "fdt_create_empty_tree");
	return dtb;
}

/* The link wraps vm.c's call (-Wl,--wrap): the real rewrite has its own. */
int __wrap_vm_plan_guest_dtb(const struct vm *vm, const struct platform *p,
			     const void *host_dtb, size_t host_size, void *out,
			     size_t size, char *err, size_t errlen);
int __wrap_vm_plan_guest_dtb(const struct vm *vm, const struct platform *p,
			     const void *host_dtb, size_t host_size, void *out,
			     size_t size, char *err, size_t errlen)
{
	(void)p;
	(void)err;
	(void)errlen;
	fuzz_check(vm == fv.vm && out == (void *)(uintptr_t)vm->dtb &&
			   size == GUEST_DTB_SLOT && host_dtb == fv_dtb() &&
			   host_size == FV_DTB_SIZE,
		   "guest DTB built from %p (%zu bytes) into %p (%zu bytes)",
		   host_dtb, host_size, out, size);
	memcpy(out, fv_dtb(), FV_DTB_SIZE);
	return 0;
}
