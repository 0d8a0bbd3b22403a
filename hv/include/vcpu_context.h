/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A vCPU's registers as the world switch (arch/riscv/switch.S) saves and
 * loads them. The offsets are for the assembly and pinned by asserts.
 *
 * An exit saves only what the C exit handler may clobber: the guest's
 * caller-saved registers (and sp, gp, tp). Its s0-s11 stay live in the
 * hart across the handler, which preserves them by the calling
 * convention; x[8], x[9] and x[18..27] are loaded only when full_reload is
 * set, i.e. when the context was replaced (HSM start, non-retentive
 * resume, reboot) or the exit was a load/store guest-page fault, which
 * may be emulated into any register and so saves them too. Everything else of the vCPU (its VS-level CSRs) stays
 * live in the hart: a vCPU never leaves the hart it is pinned to.
 */
#ifndef HV_VCPU_CONTEXT_H
#define HV_VCPU_CONTEXT_H

#define VCPU_CTX_X 0 /* x0..x31, x0 unused */
#define VCPU_CTX_SEPC 256 /* guest pc */
#define VCPU_CTX_SSTATUS 264 /* SPP: the guest's privilege (VS or VU) */
#define VCPU_CTX_HSTATUS 272 /* written to hstatus on a full reload */
#define VCPU_CTX_SCAUSE 280 /* why the guest exited */
#define VCPU_CTX_STVAL 288
#define VCPU_CTX_HOST_SP 296 /* the hart's stack, for the exit handler */
#define VCPU_CTX_HOST_TP 304 /* the hart's struct hart */
#define VCPU_CTX_FULL_RELOAD 312
#define VCPU_CTX_SIZE 320

#ifndef __ASSEMBLER__
#include <stddef.h>

/* Register numbers of the calling convention, for ctx->x[]. */
enum {
	REG_RA = 1,
	REG_SP = 2,
	REG_GP = 3,
	REG_TP = 4,
	REG_A0 = 10,
	REG_A1,
	REG_A2,
	REG_A3,
	REG_A4,
	REG_A5,
	REG_A6,
	REG_A7
};

struct vcpu_context {
	unsigned long x[32];
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long hstatus;
	unsigned long scause;
	unsigned long stval;
	unsigned long host_sp;
	unsigned long host_tp;
	unsigned long full_reload;
};

_Static_assert(offsetof(struct vcpu_context, sepc) == VCPU_CTX_SEPC, "");
_Static_assert(offsetof(struct vcpu_context, sstatus) == VCPU_CTX_SSTATUS, "");
_Static_assert(offsetof(struct vcpu_context, hstatus) == VCPU_CTX_HSTATUS, "");
_Static_assert(offsetof(struct vcpu_context, scause) == VCPU_CTX_SCAUSE, "");
_Static_assert(offsetof(struct vcpu_context, stval) == VCPU_CTX_STVAL, "");
_Static_assert(offsetof(struct vcpu_context, host_sp) == VCPU_CTX_HOST_SP, "");
_Static_assert(offsetof(struct vcpu_context, host_tp) == VCPU_CTX_HOST_TP, "");
_Static_assert(offsetof(struct vcpu_context, full_reload) ==
		       VCPU_CTX_FULL_RELOAD,
	       "");
_Static_assert(sizeof(struct vcpu_context) == VCPU_CTX_SIZE, "");
#endif

#endif
