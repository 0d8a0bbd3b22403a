// SPDX-License-Identifier: BSD-2-Clause
/*
 * The whole-blob check of dtb_check.h: the header with libfdt, then every
 * tag with its bounds, as libfdt's fdt_next_tag bounds them, in one pass
 * of plain loads.
 */
#include <libfdt.h>

#include "dtb_check.h"

/*
 * The name of a property, at @nameoff: a string of the strings block, its
 * terminator included. libfdt bounds a name by the strings block only in
 * version 17 trees; in a version 16 one it reads on to the end of the
 * blob, and fdt_open_into then copies the block without that name (found
 * by tests/fuzz).
 */
static int check_name(const void *fdt, uint32_t nameoff)
{
	uint32_t size = fdt_size_dt_strings(fdt);
	const char *strings = (const char *)fdt + fdt_off_dt_strings(fdt);

	if (nameoff >= size || !memchr(strings + nameoff, '\0', size - nameoff))
		return -FDT_ERR_BADOFFSET;
	return 0;
}

/* The tags of the structure block @s, @end bytes long. */
static int check_tags(const void *fdt, const char *s, uint32_t end)
{
	uint32_t offset = 0, next;
	int depth = 0, roots = 0, ret;

	for (;;) {
		uint32_t tag, len;
		const char *nul;

		if (end - offset < FDT_TAGSIZE)
			return -FDT_ERR_TRUNCATED;
		tag = fdt32_ld((const fdt32_t *)(s + offset));
		next = offset + FDT_TAGSIZE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			nul = memchr(s + next, '\0', end - next);
			if (!nul)
				return -FDT_ERR_TRUNCATED;
			next = (uint32_t)(nul + 1 - s);
			if (!depth && roots++)
				return -FDT_ERR_BADSTRUCTURE; /* two roots */
			if (++depth > DTB_MAX_DEPTH)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_PROP:
			if (end - offset < 3 * FDT_TAGSIZE)
				return -FDT_ERR_TRUNCATED;
			len = fdt32_ld((const fdt32_t *)(s + offset) + 1);
			next = offset + 3 * FDT_TAGSIZE;
			if (len > end - next)
				return -FDT_ERR_TRUNCATED;
			next += len;
			if (!depth)
				return -FDT_ERR_BADSTRUCTURE;
			ret = check_name(
				fdt,
				fdt32_ld((const fdt32_t *)(s + offset) + 2));
			if (ret)
				return ret;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return depth || !roots ? -FDT_ERR_BADSTRUCTURE : 0;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
		/* The next tag is aligned; the check above bounds it. */
		offset = DTB_TAGALIGN(next);
		if (offset < next || offset > end)
			return -FDT_ERR_TRUNCATED;
	}
}

int dtb_check(const void *fdt, size_t size)
{
	uint32_t end;
	int ret;

	if (size < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	ret = fdt_check_header(fdt);
	if (ret)
		return ret;
	if (fdt_totalsize(fdt) > size)
		return -FDT_ERR_TRUNCATED;
	/* Older trees align some values to 8 bytes: dtb_tag() does not. */
	if (fdt_version(fdt) < 16)
		return -FDT_ERR_BADVERSION;
	/* The blocks aligned as the spec says: libfdt loads words from them. */
	if (fdt_off_dt_struct(fdt) % 4 || fdt_off_mem_rsvmap(fdt) % 8)
		return -FDT_ERR_ALIGNMENT;
	/* A reservation map without its terminator in bounds: fdt_open_into
	 * would memmove a negative size (found by tests/fuzz). */
	ret = fdt_num_mem_rsv(fdt);
	if (ret < 0)
		return ret;
	/* fdt_check_header has the structure block inside the blob. */
	end = fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
	if (fdt_version(fdt) >= 17 && fdt_size_dt_struct(fdt) < end)
		end = fdt_size_dt_struct(fdt);
	return check_tags(fdt, (const char *)fdt + fdt_off_dt_struct(fdt), end);
}

const void *dtb_getprop(const void *fdt, int node, const char *name, int *lenp)
{
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt);
	const char *strings = (const char *)fdt + fdt_off_dt_strings(fdt);
	int off, next;

	if (node >= 0 && dtb_tag(s, node, &off) == FDT_BEGIN_NODE) {
		for (;; off = next) {
			uint32_t tag = dtb_tag(s, off, &next);
			const struct fdt_property *prop =
				(const void *)(s + off);

			if (tag == FDT_NOP)
				continue;
			if (tag != FDT_PROP)
				break;
			if (strcmp(strings + fdt32_ld(&prop->nameoff), name))
				continue;
			if (lenp)
				*lenp = (int)fdt32_ld(&prop->len);
			return prop->data;
		}
	}
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return NULL;
}
