/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to hv/guest_dtb*.c: the rewrite's state and its steps. */
#ifndef HV_GUEST_DTB_RW_H
#define HV_GUEST_DTB_RW_H

#include "guest_dtb.h"
#include "printf.h"
#include "sbi.h"

/* Guest RAM ranges the memory node can list. */
#define GUEST_DTB_MAX_RAM 8

/* A host ISA property and the guest's value made from it (guest_dtb.c). */
struct isa_cache {
	const char *in; /* in the host DTB, in_len bytes; NULL: none yet */
	int in_len;
	long out_len; /* -1: did not fit in out */
	char out[512];
};

struct rewrite {
	void *fdt; /* the guest DTB being written */
	const void *host; /* the host DTB, checked, never changed */
	const struct guest_dtb_params *p;
	char *err;
	size_t errlen;
	int kept_top; /* the walk's top-level node whose subtree stays, or -1 */
	struct isa_cache isa, exts; /* the last vCPU's riscv,isa* */
};

/* "guest DTB: @step: <libfdt error>" into rw->err; SBI_ERR_INVALID_PARAM. */
int guest_dtb_fail(struct rewrite *rw, const char *step, int fdt_err);

/*
 * Delete, in one walk, the nodes the guest does not get: devices it
 * cannot reach, the CLINT and ACLINT nodes (it has SBI timers and IPIs)
 * and the memory nodes.
 */
int guest_dtb_drop_nodes(struct rewrite *rw);
/* One memory node with exactly guest RAM; reservations outside it go. */
int guest_dtb_rewrite_memory(struct rewrite *rw);

#endif
