/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to hv/guest_dtb*.c: the rewrite's state and its steps. */
#ifndef HV_GUEST_DTB_RW_H
#define HV_GUEST_DTB_RW_H

#include "guest_dtb.h"
#include "printf.h"
#include "sbi.h"

/* Guest RAM ranges the memory node can list. */
#define GUEST_DTB_MAX_RAM 8

struct rewrite {
	void *fdt; /* the guest DTB being written */
	const void *host; /* the host DTB, checked, never changed */
	const struct guest_dtb_params *p;
	char *err;
	size_t errlen;
	int kept_top; /* the walk's top-level node whose subtree stays, or -1 */
};

/* "guest DTB: @step: <libfdt error>" into rw->err; SBI_ERR_INVALID_PARAM. */
int guest_dtb_fail(struct rewrite *rw, const char *step, int fdt_err);

/* The CLINT and ACLINT nodes: the guest has SBI timers and IPIs. */
int guest_dtb_drop_clints(struct rewrite *rw);
int guest_dtb_rewrite_memory(struct rewrite *rw);
int guest_dtb_drop_unreachable(struct rewrite *rw);

#endif
