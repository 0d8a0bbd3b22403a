// SPDX-License-Identifier: BSD-2-Clause
/* The whole-blob check of dtb_check.h, on libfdt's tag walker. */
#include <libfdt.h>

#include "dtb_check.h"

/*
 * A property tag at @offset whose name is a string of the strings block,
 * its terminator included. libfdt bounds a name by the strings block only
 * in version 17 trees; in a version 16 one it reads on to the end of the
 * blob, and fdt_open_into then copies the block without that name (found
 * by tests/fuzz).
 */
static int check_prop(const void *fdt, int offset)
{
	const struct fdt_property *prop =
		fdt_offset_ptr(fdt, offset, sizeof(*prop));
	uint32_t nameoff;
	int len;

	if (!prop)
		return -FDT_ERR_TRUNCATED;
	nameoff = fdt32_to_cpu(prop->nameoff);
	if (!fdt_get_string(fdt, (int)nameoff, &len))
		return len;
	if (nameoff >= fdt_size_dt_strings(fdt) ||
	    (uint32_t)len >= fdt_size_dt_strings(fdt) - nameoff)
		return -FDT_ERR_BADOFFSET;
	return 0;
}

int dtb_check(const void *fdt, size_t size)
{
	int offset = 0, next, depth = 0, ret;
	int roots = 0;

	if (size < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	ret = fdt_check_header(fdt);
	if (ret)
		return ret;
	if (fdt_totalsize(fdt) > size)
		return -FDT_ERR_TRUNCATED;
	/* The blocks aligned as the spec says: libfdt loads words from them. */
	if (fdt_off_dt_struct(fdt) % 4 || fdt_off_mem_rsvmap(fdt) % 8)
		return -FDT_ERR_ALIGNMENT;
	/* A reservation map without its terminator in bounds: fdt_open_into
	 * would memmove a negative size (found by tests/fuzz). */
	ret = fdt_num_mem_rsv(fdt);
	if (ret < 0)
		return ret;
	for (;;) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);

		if (next < 0)
			return next; /* out of bounds or an unknown tag */
		switch (tag) {
		case FDT_BEGIN_NODE:
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
			if (!depth)
				return -FDT_ERR_BADSTRUCTURE;
			ret = check_prop(fdt, offset);
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
		offset = next;
	}
}
