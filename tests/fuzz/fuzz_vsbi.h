/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The world of the vSBI fuzzer (fuzz_vsbi.c): the real dispatcher, every
 * real extension and the real hv/vm.c run on fake vCPUs, harts and arch
 * hooks (fake_vsbi.c) that record what one SBI call did, and the checks
 * (fuzz_vsbi_check.c) compare that with what the spec says.
 *
 * Guest RAM is host memory (two ranges with unmapped pages around them),
 * so the hypervisor reads and writes guest buffers in place at their
 * guest-physical address, as it does on the machine: GPA == HPA.
 */
#ifndef TESTS_FUZZ_FUZZ_VSBI_H
#define TESTS_FUZZ_FUZZ_VSBI_H

#include <setjmp.h>

#include "fuzz.h"
#include "hart.h"
#include "vcpu.h"
#include "vm.h"

#define FV_PAGE 4096UL
/* Guest RAM: the firmware's reserved page at the start of range 0. */
#define FV_RAM0_SIZE (32 * KiB)
#define FV_RAM1_SIZE (8 * KiB)
#define FV_FIRMWARE_SIZE (4 * KiB)
#define FV_IMAGE_OFFSET (8 * KiB) /* the kernel, in range 0 */
#define FV_IMAGE_SIZE 512
#define FV_DTB_OFFSET (4 * KiB) /* the guest DTB, in range 1 */
#define FV_DTB_SIZE 256
/* Where an exception injected into the guest lands (its stvec). */
#define FV_STVEC 0xffffffff80001000UL
/* More page flushes than this in one call is a loop gone wrong. */
#define FV_MAX_PAGES 80
/* Spins (arch_cpu_relax) in one call: past this, it would hang. */
#define FV_MAX_RELAX 100000

/* What one SBI call did through the fakes (FX_* bits in @what). */
enum {
	FX_TIMER = 1 << 0,
	FX_IPI = 1 << 1, /* raised for the caller or posted to another */
	FX_FENCE = 1 << 2, /* a local fence or flush */
	FX_REMOTE_FENCE = 1 << 3, /* harts_fence() */
	FX_CONSOLE_OUT = 1 << 4,
	FX_CONSOLE_IN = 1 << 5,
	FX_START = 1 << 6, /* vcpu_start() */
	FX_STOP = 1 << 7, /* vcpu_stop_self() */
	FX_SUSPEND = 1 << 8, /* vcpu_suspend_self() */
	FX_INJECT = 1 << 9, /* an exception injected into the caller */
	FX_REBOOT = 1 << 10, /* the images restored, the DTB rebuilt */
	FX_POWEROFF = 1 << 11,
	FX_CLEAR_IPI = 1 << 12,
	FX_FWFT = 1 << 13, /* arch_fwft_set() */
	FX_PMU = 1 << 14, /* a PMU request to the firmware (arch_pmu_*) */
	FX_PMU_RESET = 1 << 15, /* arch_pmu_reset(): a vCPU stopped or reset */
};

/* The firmware's PMU on a vCPU's hart, faked (fuzz_vsbi_pmu.c). */
struct fv_pmu_hart {
	struct arch_pmu layout; /* what it has: the vCPU's host */
	uint64_t configured, started; /* hardware counters; 0 and 2 fixed */
	unsigned long event[64];
	uint64_t traps[SBI_PMU_FW_ILLEGAL_INSN + 1]; /* arch_pmu_fw_trap_count */
	unsigned int resets; /* arch_pmu_reset() calls */
};

/* The model of a vCPU's SBI PMU: events served, firmware counters. */
struct fv_pmu_ref {
	uint64_t events[SBI_PMU_FW_MAX];
	uint64_t configured, started;
	uint64_t value[64], since[64];
	unsigned int event[64];
};

/* The firmware PMU requests one SBI call made (the last of each kind). */
struct fv_pmu_calls {
	unsigned int cfg, start, stop, info, reset;
	uint64_t cfg_counters, start_counters, stop_counters;
	unsigned long cfg_flags, cfg_event, start_flags, stop_flags;
	uint64_t cfg_data, start_value;
	long cfg_ret, start_ret, stop_ret;
	unsigned long cfg_idx;
};

struct fv_effects {
	unsigned int what;
	bool moved; /* the caller does not return from the call */
	uint64_t timer;
	uint64_t ipis; /* vCPUs that got an IPI */
	bool fence_i, flush_all;
	unsigned int nr_pages;
	unsigned long pages[FV_MAX_PAGES];
	long asids[FV_MAX_PAGES];
	unsigned int remote_fences;
	uint64_t fence_slots;
	unsigned int writes; /* log_console_write() */
	const char *write_buf;
	size_t write_len;
	char write_byte;
	unsigned int write_sum; /* of every byte written: each one is read */
	unsigned int getcs;
	unsigned int starts;
	struct vcpu *start_target;
	unsigned long start_pc, start_arg;
	int start_ret;
	unsigned long cause, tval;
	unsigned int fwft_feature;
	unsigned long fwft_value;
	bool failure; /* of the power-off */
	unsigned long relax;
	struct fv_pmu_calls pmu;
};

struct fv_world {
	struct vm *vm;
	struct vcpu vcpus[HV_MAX_HARTS];
	struct vcpu *current; /* the caller, while a call runs */
	struct hart *boot; /* the hart that boots the guest */
	uint8_t *ram0, *ram1;
	uint8_t shadow0[FV_RAM0_SIZE], shadow1[FV_RAM1_SIZE];
	uint8_t pristine[FV_IMAGE_SIZE];
	const uint8_t *console;
	size_t console_len, console_pos;
	bool vssip[HV_MAX_HARTS]; /* the guest's software interrupt */
	unsigned int late[HV_MAX_HARTS]; /* spins before its hart checks in */
	bool lost[HV_MAX_HARTS]; /* its hart never checks in */
	uint8_t fwft_fails; /* FWFT features whose arch_fwft_set() fails */
	struct fv_pmu_hart pmu[HV_MAX_HARTS]; /* by vCPU ID */
	struct fv_pmu_ref pmu_ref[HV_MAX_HARTS];
	bool pmu_bogus; /* the firmware answers config_matching wrongly */
	struct vcpu *self; /* whose hart runs fv_take_mail() now */
	jmp_buf poweroff; /* arch_poweroff() lands here */
	struct fv_effects fx;
};

extern struct fv_world fv;

/* What the checks need of the state before a call. */
struct fv_before {
	struct vcpu_context ctx[HV_MAX_HARTS];
	int state[HV_MAX_HARTS];
	bool vssip[HV_MAX_HARTS];
	bool absent[HV_MAX_HARTS];
	unsigned long calls[HV_MAX_HARTS]; /* SBI calls of each vCPU */
	unsigned int fwft_locked; /* the caller's FWFT state */
	unsigned long fwft_value[VCPU_FWFT_FEATURES];
	unsigned long kinds[VCPU_SBI_KINDS]; /* the caller's, by extension */
	size_t console_pos;
	unsigned int boots;
	uint64_t pmu_configured, pmu_started; /* the caller's hardware's */
};

/* fake_vsbi.c: the rest of the hypervisor. */

/* Take @v's mail as vcpu.c does before an entry; resume it if woken. */
void fv_take_mail(struct vcpu *v);
/* vCPU @v's hart checks in (it was late). */
void fv_check_in(struct vcpu *v);
/* The guest DTB every boot writes (FV_DTB_SIZE bytes). */
const uint8_t *fv_dtb(void);
/* Is [@gpa, +@size) guest RAM the guest may use? (the reference) */
bool fv_usable(unsigned long gpa, unsigned long size);
/* @v's registers as a vCPU reset leaves them. */
void fv_reset_ctx(struct vcpu *v, unsigned long pc, unsigned long a1);

/* fuzz_vsbi_check.c: everything the spec says of the call just made. */
void fv_check_call(struct vcpu *v, const struct fv_before *b);
/* Guest RAM holds what the calls so far wrote, nothing else. */
void fv_check_ram(void);

/* The call being checked. */
struct fv_call {
	struct vcpu *v;
	const struct fv_before *b;
	const unsigned long *a; /* a0..a7 as the guest passed them */
	long err; /* a0 after the call */
	unsigned long val; /* a1 after the call */
	unsigned int allowed; /* FX_* bits the call may show */
};
extern struct fv_call fv_call;

/* The vCPUs a hart mask names; false if a bit names no vCPU. */
bool fv_ref_mask(unsigned long mask, unsigned long base, uint64_t *out);
/* Where the shadow of guest RAM holds @gpa's byte. */
uint8_t *fv_shadow_of(unsigned long gpa);
/* Is @eid one of those fuzz_vsbi_ext.c models? Does @v have it? */
bool fv_modelled(unsigned long eid);
bool fv_has(const struct vcpu *v, unsigned long eid);
/* The call returned (@err, @val), or legacy: a0 = @err. */
void fv_want(long err, unsigned long val);
void fv_want_legacy(long err);

/* fuzz_vsbi_ext.c: the results and effects of call @eid, @fid. */
void fv_check_ext(unsigned long eid, unsigned long fid);
/* The IPIs of a call that sent them to @targets. */
void fv_check_ipis(uint64_t targets);
/*
 * A remote fence of @targets: fence.i (@tlb false), or an sfence.vma of
 * [@start, +@size) for @asid (-1: any); @event its SBI_PMU_FW_*_SENT.
 */
void fv_check_fence(uint64_t targets, unsigned long start, unsigned long size,
		    long asid, bool tlb, unsigned int event);
/* fuzz_vsbi_legacy.c: the same for legacy EID @eid. */
void fv_check_legacy(unsigned long eid);

/*
 * fuzz_vsbi_pmu.c: the firmware's PMU of each vCPU's hart, from @seed; the model's reset of @v's PMU (a stop, or a start); firmware
 * event @code served for @v (the model's count); the firmware took a
 * trap of event @code for @v; the PMU call just made; and what holds
 * after every call.
 */
void fv_pmu_setup(uint32_t seed);
void fv_pmu_reset(struct vcpu *v, bool start);
void fv_pmu_event(const struct vcpu *v, unsigned int code);
void fv_pmu_trap(const struct vcpu *v, unsigned int code);
void fv_check_pmu(unsigned long fid);
void fv_check_pmu_state(void);

#endif
