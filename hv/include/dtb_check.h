/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One walk over a whole device tree blob before anything reads it: libfdt
 * checks each access, but copies what it does not read (fdt_open_into), so
 * a broken tree would otherwise reach the guest. Once a blob has passed,
 * dtb_tag() steps through its tags without checking again.
 */
#ifndef HV_DTB_CHECK_H
#define HV_DTB_CHECK_H

#include <libfdt.h>
#include <stddef.h>
#include <string.h>

/* Deepest node nesting accepted (QEMU's trees reach 4). */
#define DTB_MAX_DEPTH 32

/* Tags, names and values take whole 4-byte words. */
#define DTB_TAGALIGN(n) (((n) + FDT_TAGSIZE - 1) & ~(uint32_t)(FDT_TAGSIZE - 1))

/*
 * Check the blob @fdt in a buffer of @size bytes: a valid header of
 * version 16 or later, a tree that fits the buffer, aligned blocks, a
 * terminated reservation map, one root node, every tag known and in
 * bounds (inside the blob and, in version 17, inside the structure
 * block's size, as libfdt bounds them), nodes balanced and at most
 * DTB_MAX_DEPTH deep, names terminated, every property inside a node with
 * its name a terminated string of the strings block. Returns 0 or a
 * negative libfdt error (-FDT_ERR_TRUNCATED, -FDT_ERR_BADSTRUCTURE, ...).
 */
int dtb_check(const void *fdt, size_t size);

/*
 * The tag at offset @off of structure block @dt_struct of a blob that
 * passed dtb_check, and in @next the offset of the one after it. No bound
 * is checked: libfdt's fdt_next_tag checks each byte of a node's name
 * with a call of its own, most of what a walk of the tree costs.
 */
static inline uint32_t dtb_tag(const char *dt_struct, int off, int *next)
{
	const char *at = dt_struct + off;
	uint32_t tag = fdt32_ld((const fdt32_t *)at);

	if (tag == FDT_BEGIN_NODE)
		*next = off + FDT_TAGSIZE +
			(int)DTB_TAGALIGN((uint32_t)strlen(at + FDT_TAGSIZE) +
					  1);
	else if (tag == FDT_PROP)
		*next = off + 3 * FDT_TAGSIZE +
			(int)DTB_TAGALIGN(fdt32_ld((const fdt32_t *)at + 1));
	else
		*next = off + FDT_TAGSIZE;
	return tag;
}

/*
 * fdt_getprop for a blob that passed dtb_check, without its checks: the
 * first property @name of node @node (an offset a walk of that blob
 * found), with its length in *@lenp; else NULL and -FDT_ERR_NOTFOUND.
 */
const void *dtb_getprop(const void *fdt, int node, const char *name, int *lenp);

#endif
