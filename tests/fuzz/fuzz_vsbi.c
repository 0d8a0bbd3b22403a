// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the vSBI, every call a guest can make. The real
 * dispatcher (hv/vsbi.c vsbi_handle()), every real extension and the
 * real hv/vm.c (vm_vcpu, vm_ram_usable, shutdown, reboot, boot) run on
 * the fake vCPUs, harts and arch hooks of fake_vsbi.c.
 *
 * The input picks a VM: 1-64 vCPUs, some of them absent (their hart was
 * given up), late (their hart checks in later) or lost (it never does),
 * a few idle harts, the firmware IDs, what the console will type, and
 * the guest RAM's contents. The boot starts one vCPU as vm_boot() does.
 * Then a list of events: an SBI call (a7, a6, a0-a5 from the input,
 * mostly real EIDs and FIDs, addresses in and around guest RAM, hart
 * masks and IDs around the vCPU count) from a running vCPU, a hart taking
 * its mail, a late hart checking in, an interrupt for a vCPU, a trap the
 * firmware takes for a vCPU's guest (its PMU counts them).
 *
 * After each call fuzz_vsbi_check.c checks what the spec says the call
 * must do (each extension's model: fuzz_vsbi_ext.c, fuzz_vsbi_legacy.c);
 * after the last one guest RAM must hold exactly what the calls wrote
 * into it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "crc32.h"
#include "fuzz_vsbi.h"
#include "sbi.h"
#include "vsbi.h"

const char *const fuzz_target = "vsbi";
struct fv_world fv;

/* The last calls, printed when a check fails (every one: FUZZ_VERBOSE). */
#define TRACE_LEN 16
static struct trace {
	unsigned int vcpu;
	unsigned long a[8], ret0, ret1;
} trace[TRACE_LEN];
static unsigned long nr_calls;

static void print_call(const struct trace *t)
{
	fprintf(stderr,
		"  vcpu%u a7 0x%lx a6 0x%lx a0-a5 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx -> 0x%lx 0x%lx\n",
		t->vcpu, t->a[7], t->a[6], t->a[0], t->a[1], t->a[2], t->a[3],
		t->a[4], t->a[5], t->ret0, t->ret1);
}

static void print_trace(void)
{
	unsigned long first = nr_calls > TRACE_LEN ? nr_calls - TRACE_LEN : 0;

	fprintf(stderr,
		"fuzz_vsbi: guest RAM 0x%lx+0x%lx, 0x%lx+0x%lx; %u vCPUs; the last calls:\n",
		(unsigned long)(uintptr_t)fv.ram0, FV_RAM0_SIZE,
		(unsigned long)(uintptr_t)fv.ram1, FV_RAM1_SIZE,
		fv.vm->nr_vcpus);
	for (unsigned long i = first; i < nr_calls; i++)
		print_call(&trace[i % TRACE_LEN]);
}

/* Guest RAM, with a page nobody may touch before, between and after. */
static void map_ram(void)
{
	size_t size = FV_RAM0_SIZE + FV_RAM1_SIZE + 3 * FV_PAGE;
	uint8_t *map =
		mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fuzz_check(map != MAP_FAILED, "mmap of guest RAM");
	fv.ram0 = map + FV_PAGE;
	fv.ram1 = fv.ram0 + FV_RAM0_SIZE + FV_PAGE;
	fuzz_check(!mprotect(fv.ram0, FV_RAM0_SIZE, PROT_READ | PROT_WRITE) &&
			   !mprotect(fv.ram1, FV_RAM1_SIZE,
				     PROT_READ | PROT_WRITE),
		   "mprotect of guest RAM");
}

/* ---- The VM. ---- */

static void setup_vcpu(struct vcpu *v, unsigned int id)
{
	struct hart *h = &harts[id];

	v->vm = fv.vm;
	v->hart = h;
	v->id = id;
	v->state = SBI_HSM_STATE_STOPPED;
	h->vcpu = v;
	fv.vm->vcpus[id] = v;
	/* Exit counters for the hartvisor extension to report. */
	for (unsigned int c = 0; c < VCPU_EXIT_KINDS; c++)
		v->exits_by_cause[c] = 3 * c + id;
	for (unsigned int c = 0; c < ARRAY_SIZE(v->exits_by_irq); c++)
		v->exits_by_irq[c] = 5 * c + id;
}

/*
 * FWFT: what arch_fwft_probe() can give (MISALIGNED_EXC_DELEG, and
 * PTE_AD_HW_UPDATING with Svadu), per vCPU from @bits.
 */
static unsigned int fwft_supported(uint8_t bits, unsigned int id)
{
	bits = (uint8_t)(bits >> (id % 4));
	return (bits & 1U << SBI_FWFT_MISALIGNED_EXC_DELEG) |
	       (bits & 1U << SBI_FWFT_PTE_AD_HW_UPDATING);
}

static void setup_ram(struct vm *vm, uint8_t fill)
{
	uint64_t *words = (uint64_t *)fv.ram1;

	vm->nr_ram = 2;
	vm->ram[0] = (struct mem_range){ (uintptr_t)fv.ram0, FV_RAM0_SIZE };
	vm->ram[1] = (struct mem_range){ (uintptr_t)fv.ram1, FV_RAM1_SIZE };
	vm->nr_reserved = 1;
	vm->reserved[0] =
		(struct mem_range){ (uintptr_t)fv.ram0, FV_FIRMWARE_SIZE };
	memset(fv.ram0, fill, FV_RAM0_SIZE);
	/* Small words, for legacy hart masks to point at. */
	for (unsigned int i = 0; i < FV_RAM1_SIZE / 8; i++)
		words[i] = i % 16;

	for (unsigned int i = 0; i < FV_IMAGE_SIZE; i++)
		fv.pristine[i] = (uint8_t)(i * 7 + fill);
	vm->nr_images = 1;
	vm->images[0] = (struct vm_image){ MODULE_KERNEL,
					   (uintptr_t)fv.ram0 + FV_IMAGE_OFFSET,
					   FV_IMAGE_SIZE,
					   (uintptr_t)fv.pristine };
	memcpy(fv.ram0 + FV_IMAGE_OFFSET, fv.pristine, FV_IMAGE_SIZE);
	vm->entry = vm->images[0].base;
	vm->dtb = (uintptr_t)fv.ram1 + FV_DTB_OFFSET;
	vm->host_dtb = fv_dtb();
	memcpy(fv.ram1 + FV_DTB_OFFSET, fv_dtb(), FV_DTB_SIZE);
	vm->dtb_size = FV_DTB_SIZE;
	vm->dtb_crc = crc32(fv_dtb(), FV_DTB_SIZE);
}

static void setup(struct fuzz_in *in)
{
	struct vm *vm = &vms[0];
	uint8_t sel = fuzz_u8(in), absent = fuzz_u8(in), late = fuzz_u8(in);
	uint8_t lost = fuzz_u8(in), idle = fuzz_u8(in), fill = fuzz_u8(in);
	uint8_t fwft = fuzz_u8(in);
	unsigned int nr = 1 + (sel < 224 ? sel % 8 : sel % HV_MAX_HARTS);
	unsigned int boot = nr;
	size_t typed;
	uint8_t *ram0 = fv.ram0, *ram1 = fv.ram1;

	memset(&fv, 0, sizeof(fv));
	fv.ram0 = ram0;
	fv.ram1 = ram1;
	memset(vm, 0, sizeof(*vm));
	nr_vms = 1;
	vms_running = 1;
	memset(harts, 0, sizeof(harts));
	fv.vm = vm;
	fv.fwft_fails = (uint8_t)(fwft >> 6 & 1 ? 1U << (fwft % 8) : 0);
	vm->nr_vcpus = nr;
	vm->registered = nr;
	nr_harts = MIN(nr + idle % 3, HV_MAX_HARTS);
	for (unsigned int i = 0; i < nr_harts; i++) {
		harts[i].hartid = 0x100 + 7 * i; /* not the slot */
		harts[i].slot = i;
		harts[i].online = true;
		harts[i].checkin = HART_CHECKIN_CLAIMED;
		harts[i].imsic_index = -1;
	}
	for (unsigned int i = 0; i < nr; i++) {
		struct vcpu *v = &fv.vcpus[i];

		setup_vcpu(v, i);
		v->fwft.supported = fwft_supported(fwft, i);
		if (absent >> (i % 8) & 1) {
			v->absent = true;
			v->hart->online = false;
			v->hart->checkin = HART_CHECKIN_GIVEN_UP;
		} else if (late >> (i % 8) & 1) {
			v->hart->online = false;
			v->hart->checkin = HART_CHECKIN_WAITING;
			fv.lost[i] = lost >> (i % 8) & 1;
			fv.late[i] = fv.lost[i] ? 0 : 1 + (lost + i) % 7;
		} else if (boot == nr) {
			boot = i;
		}
	}
	/* The firmware's boot hart is always in. */
	if (boot == nr) {
		boot = nr - 1;
		fv.vcpus[boot].absent = false;
		fv.lost[boot] = false;
		fv.late[boot] = 0;
		harts[boot].online = true;
		harts[boot].checkin = HART_CHECKIN_CLAIMED;
	}
	fv.boot = &harts[boot];
	vm->mvendorid = fuzz_u8(in);
	vm->marchid = vm->mimpid = fuzz_u32(in);
	setup_ram(vm, fill);

	typed = fuzz_u8(in) % 65;
	fv.console_len = MIN(typed, in->n);
	fv.console = in->p;
	in->p += fv.console_len;
	in->n -= fv.console_len;

	/* The PMU of each hart: from bytes read already, not new ones. */
	fv_pmu_setup((uint32_t)fill << 8 | fwft);
	vm_boot(vm);
	for (unsigned int i = 0; i < nr; i++)
		fv_take_mail(&fv.vcpus[i]);
	memcpy(fv.shadow0, fv.ram0, FV_RAM0_SIZE);
	memcpy(fv.shadow1, fv.ram1, FV_RAM1_SIZE);
}

/* ---- Calls. ---- */

static unsigned long pick_eid(struct fuzz_in *in)
{
	static const unsigned long eids[] = {
		SBI_EXT_BASE,
		SBI_EXT_TIME,
		SBI_EXT_IPI,
		SBI_EXT_RFENCE,
		SBI_EXT_HSM,
		SBI_EXT_SRST,
		SBI_EXT_DBCN,
		SBI_EXT_HARTVISOR,
		SBI_EXT_SUSP,
		SBI_EXT_FWFT,
		SBI_EXT_0_1_SET_TIMER,
		SBI_EXT_0_1_CONSOLE_PUTCHAR,
		SBI_EXT_0_1_CONSOLE_GETCHAR,
		SBI_EXT_0_1_CLEAR_IPI,
		SBI_EXT_0_1_SEND_IPI,
		SBI_EXT_0_1_REMOTE_FENCE_I,
		SBI_EXT_0_1_REMOTE_SFENCE_VMA,
		SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID,
		SBI_EXT_0_1_SHUTDOWN,
		SBI_EXT_PMU,
	};
	uint8_t sel = fuzz_u8(in);

	if (sel < 208)
		return eids[sel % ARRAY_SIZE(eids)];
	if (sel < 240) /* one bit off a real one */
		return eids[fuzz_below(in, ARRAY_SIZE(eids))] ^
		       1UL << (sel % 64);
	return sel & 1 ? fuzz_u32(in) : fuzz_u64(in);
}

static unsigned long pick_fid(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	return sel < 224 ? sel % 10 : fuzz_u64(in);
}

/* An argument: addresses in and around RAM, IDs and masks, any value. */
static unsigned long pick_arg(struct fuzz_in *in)
{
	unsigned int nr = fv.vm->nr_vcpus;
	uint8_t sel = fuzz_u8(in);
	unsigned long low;

	switch (sel % 12) {
	case 0:
		return 0;
	case 1:
		return fuzz_u8(in);
	case 2: /* a vCPU ID, or one past */
		return fuzz_below(in, nr + 2);
	case 3: /* a mask of a few vCPUs, or all */
		if (sel & 0x80)
			return ~0UL;
		low = fuzz_u8(in); /* read first, then the bit */
		return low | 1UL << fuzz_below(in, 64);
	case 4:
		return (uintptr_t)fv.ram0 - 32 +
		       fuzz_u16(in) % (FV_RAM0_SIZE + 64);
	case 5:
		return (uintptr_t)fv.ram1 - 32 +
		       fuzz_u16(in) % (FV_RAM1_SIZE + 64);
	case 6:
		return -1UL;
	case 7:
		return fuzz_u64(in);
	case 8:
		return fuzz_u32(in);
	case 9: /* a size: a few bytes, or pages */
		return sel & 0x80 ? fuzz_u8(in) * FV_PAGE : fuzz_u16(in);
	case 10: /* HSM suspend types, SRST types and reasons */
		return (fuzz_u8(in) & 3) | (sel & 0x80 ? 0x80000000UL : 0) |
		       (sel & 0x40 ? 1UL << 32 : 0);
	default: /* a pointer to a word of RAM (a legacy hart mask) */
		return (uintptr_t)fv.ram1 +
		       8 * fuzz_below(in, FV_RAM1_SIZE / 8);
	}
}

/* A running vCPU; if none runs, mail and interrupts wake one. */
static struct vcpu *pick_caller(struct fuzz_in *in)
{
	unsigned int nr = fv.vm->nr_vcpus, running = 0, k;

	for (int round = 0; round < 3 && !running; round++) {
		for (unsigned int i = 0; i < nr; i++) {
			if (round == 1)
				fv_take_mail(&fv.vcpus[i]);
			if (round == 2 &&
			    fv.vcpus[i].state == SBI_HSM_STATE_SUSPENDED) {
				fv.vssip[i] = true;
				fv_take_mail(&fv.vcpus[i]);
			}
		}
		for (unsigned int i = 0; i < nr; i++)
			running += fv.vcpus[i].state == SBI_HSM_STATE_STARTED;
	}
	if (!running)
		return NULL; /* every vCPU stopped: the VM idles for good */
	k = fuzz_below(in, running);
	for (unsigned int i = 0; i < nr; i++)
		if (fv.vcpus[i].state == SBI_HSM_STATE_STARTED && !k--)
			return &fv.vcpus[i];
	return NULL;
}

static void snapshot(struct vcpu *v, struct fv_before *b)
{
	for (unsigned int i = 0; i < fv.vm->nr_vcpus; i++) {
		b->ctx[i] = fv.vcpus[i].ctx;
		b->state[i] = fv.vcpus[i].state;
		b->vssip[i] = fv.vssip[i];
		b->absent[i] = fv.vcpus[i].absent;
		b->calls[i] = vcpu_sbi_calls(&fv.vcpus[i]);
	}
	memcpy(b->kinds, v->sbi_calls, sizeof(b->kinds));
	b->fwft_locked = v->fwft.locked;
	memcpy(b->fwft_value, v->fwft.value, sizeof(b->fwft_value));
	b->console_pos = fv.console_pos;
	b->boots = fv.vm->boots;
	b->pmu_configured = fv.pmu[v->id].configured;
	b->pmu_started = fv.pmu[v->id].started;
}

/* One SBI call; false once the machine is off or no vCPU can run. */
static bool sbi_call(struct fuzz_in *in)
{
	static struct fv_before before;
	struct vcpu *v = pick_caller(in);
	struct trace *t;

	if (!v)
		return false;
	v->ctx.x[REG_A7] = pick_eid(in);
	v->ctx.x[REG_A6] = pick_fid(in);
	for (unsigned int r = REG_A0; r <= REG_A5; r++)
		v->ctx.x[r] = pick_arg(in);
	v->ctx.scause = EXC_ECALL_VS;
	snapshot(v, &before);
	t = &trace[nr_calls++ % TRACE_LEN];
	t->vcpu = v->id;
	memcpy(t->a, &v->ctx.x[REG_A0], sizeof(t->a));

	memset(&fv.fx, 0, sizeof(fv.fx));
	fv.current = v;
	if (!setjmp(fv.poweroff))
		vsbi_handle(v);
	fv.current = NULL;
	t->ret0 = v->ctx.x[REG_A0];
	t->ret1 = v->ctx.x[REG_A1];
	if (fuzz_verbose())
		print_call(t);
	fv_check_call(v, &before);
	return !(fv.fx.what & FX_POWEROFF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	bool on = true;

	if (!fv.ram0)
		map_ram();
	fuzz_on_fail = print_trace;
	nr_calls = 0;
	setup(&in);
	while (on && fuzz_more(&in)) {
		uint8_t op = fuzz_u8(&in);
		struct vcpu *v = &fv.vcpus[op / 16 % fv.vm->nr_vcpus];

		switch (op % 16) {
		case 0:
			fv_take_mail(v);
			break;
		case 1:
			fv_check_in(v);
			break;
		case 2: /* an interrupt: VSSIP, and it wakes a suspended vCPU */
			if (!v->absent && v->state != SBI_HSM_STATE_STOPPED)
				fv.vssip[v->id] = true;
			fv_take_mail(v);
			break;
		case 4: /* the firmware took a trap for the vCPU's guest */
			fv_pmu_trap(v, fuzz_u8(&in) %
					       (SBI_PMU_FW_ILLEGAL_INSN + 1));
			break;
		default:
			on = sbi_call(&in);
			break;
		}
	}
	fv_check_ram();
	return 0;
}
