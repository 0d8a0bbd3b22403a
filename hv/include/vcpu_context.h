/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A vCPU's registers as the world switch (arch/riscv/switch.S) saves and
 * loads them. The offsets are for the assembly and pinned by asserts.
 * Everything else of the vCPU (its VS-level CSRs) stays live in the hart:
 * a vCPU never leaves the hart it is pinned to.
 */
#ifndef HV_VCPU_CONTEXT_H
#define HV_VCPU_CONTEXT_H

#define VCPU_CTX_X 0 /* x0..x31, x0 unused */
#define VCPU_CTX_SEPC 256 /* guest pc */
#define VCPU_CTX_SSTATUS 264 /* SPP: the guest's privilege (VS or VU) */
#define VCPU_CTX_HSTATUS 272
#define VCPU_CTX_HOST 280 /* ra sp gp tp s0..s11 of the hypervisor */
#define VCPU_CTX_SCAUSE 408 /* why the guest exited */
#define VCPU_CTX_STVAL 416
#define VCPU_CTX_HTVAL 424
#define VCPU_CTX_HTINST 432
#define VCPU_CTX_SIZE 440

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
	unsigned long host[16];
	unsigned long scause;
	unsigned long stval;
	unsigned long htval;
	unsigned long htinst;
};

_Static_assert(offsetof(struct vcpu_context, sepc) == VCPU_CTX_SEPC, "");
_Static_assert(offsetof(struct vcpu_context, sstatus) == VCPU_CTX_SSTATUS, "");
_Static_assert(offsetof(struct vcpu_context, hstatus) == VCPU_CTX_HSTATUS, "");
_Static_assert(offsetof(struct vcpu_context, host) == VCPU_CTX_HOST, "");
_Static_assert(offsetof(struct vcpu_context, scause) == VCPU_CTX_SCAUSE, "");
_Static_assert(offsetof(struct vcpu_context, stval) == VCPU_CTX_STVAL, "");
_Static_assert(offsetof(struct vcpu_context, htval) == VCPU_CTX_HTVAL, "");
_Static_assert(offsetof(struct vcpu_context, htinst) == VCPU_CTX_HTINST, "");
_Static_assert(sizeof(struct vcpu_context) == VCPU_CTX_SIZE, "");
#endif

#endif
