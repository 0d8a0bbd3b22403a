/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One walk over a whole device tree blob before anything reads it: libfdt
 * checks each access, but copies what it does not read (fdt_open_into), so
 * a broken tree would otherwise reach the guest.
 */
#ifndef HV_DTB_CHECK_H
#define HV_DTB_CHECK_H

#include <stddef.h>

/* Deepest node nesting accepted (QEMU's trees reach 4). */
#define DTB_MAX_DEPTH 32

/*
 * Check the blob @fdt in a buffer of @size bytes: a valid header, a tree
 * that fits the buffer, aligned blocks, a terminated reservation map, one root node, every tag known and in bounds,
 * nodes balanced and at most DTB_MAX_DEPTH deep, names terminated, every
 * property inside a node with its name in the strings block. Returns 0 or
 * a negative libfdt error (-FDT_ERR_TRUNCATED, -FDT_ERR_BADSTRUCTURE, ...).
 */
int dtb_check(const void *fdt, size_t size);

#endif
