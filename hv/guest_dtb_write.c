// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest DTB's writer: the structure block as the walk (guest_dtb.c)
 * emits it, node by node and property by property, with the name offsets
 * of added properties left to fill in; then, after the walk, a /chosen of
 * our own if the host has none, the strings block and the header.
 */
#include <libfdt.h>
#include <string.h>

#include "guest_dtb_rw.h"

int guest_dtb_fail(struct rewrite *rw, const char *step, int fdt_err)
{
	snprintf(rw->err, rw->errlen, "guest DTB: %s: %s", step,
		 fdt_err < 0 ? fdt_strerror(fdt_err) : "invalid input");
	return SBI_ERR_INVALID_PARAM;
}

/* The writer: the structure block grows at rw->pos, the rest after it. */

static void *put(struct rewrite *rw, uint32_t n)
{
	void *at;

	if (rw->full || n > rw->size - rw->pos) {
		rw->full = true;
		return NULL;
	}
	at = rw->out + rw->pos;
	rw->pos += n;
	return at;
}

void guest_dtb_put_tag(struct rewrite *rw, uint32_t tag)
{
	void *at = put(rw, FDT_TAGSIZE);

	if (at)
		guest_dtb_store32(at, tag);
}

/* @n bytes of the host's structure block from @off, as they are. */
void guest_dtb_copy(struct rewrite *rw, int off, int n)
{
	void *at = put(rw, (uint32_t)n);

	if (at)
		memcpy(at, rw->host_struct + off, (size_t)n);
}

/* A property's header and room for @len bytes, padding zeroed. */
void *guest_dtb_put_prop(struct rewrite *rw, uint32_t nameoff, int len)
{
	uint32_t room = DTB_TAGALIGN((uint32_t)len);
	char *at = put(rw, 3 * FDT_TAGSIZE + room);

	if (!at)
		return NULL;
	guest_dtb_store32(at, FDT_PROP);
	guest_dtb_store32(at + 4, (uint32_t)len);
	guest_dtb_store32(at + 8, nameoff);
	memset(at + 12 + len, 0, room - (uint32_t)len);
	return at + 12;
}

void guest_dtb_begin_node(struct rewrite *rw, const char *name, int len)
{
	uint32_t room = DTB_TAGALIGN((uint32_t)len + 1);
	char *at = put(rw, FDT_TAGSIZE + room);

	if (!at)
		return;
	guest_dtb_store32(at, FDT_BEGIN_NODE);
	memcpy(at + 4, name, (size_t)len);
	memset(at + 4 + len, 0, room - (uint32_t)len);
}

void guest_dtb_end_node(struct rewrite *rw)
{
	guest_dtb_put_tag(rw, FDT_END_NODE);
}

void *guest_dtb_add_prop(struct rewrite *rw, enum added_prop what, int len)
{
	uint32_t at = rw->pos;
	void *val = guest_dtb_put_prop(rw, 0, len);

	if (!val)
		return NULL;
	/*
	 * Two per vCPU at most, one of each other kind and six a channel:
	 * room for all.
	 */
	if (rw->nr_fixups == ARRAY_SIZE(rw->fixups)) {
		rw->full = true;
		return NULL;
	}
	rw->fixups[rw->nr_fixups++] =
		(struct fixup){ at + 2 * FDT_TAGSIZE, (uint8_t)what };
	return val;
}

/* After the walk. */

/* Reverse the bytes [@a, @b) of the output. */
static void reverse(struct rewrite *rw, uint32_t a, uint32_t b)
{
	while (a + 1 < b) {
		char t = rw->out[a];

		rw->out[a++] = rw->out[--b];
		rw->out[b] = t;
	}
}

/*
 * A host tree without /chosen: the guest's goes first among the root's
 * nodes (where fdt_add_subnode puts it), before the memory node. Written
 * at the end, then turned into place.
 */
void guest_dtb_add_chosen(struct rewrite *rw)
{
	uint32_t at = rw->root_props_end, end_tag = rw->pos - FDT_TAGSIZE;
	unsigned int first = rw->nr_fixups;
	uint32_t start, n;

	rw->pos = end_tag; /* before FDT_END */
	start = rw->pos;
	guest_dtb_begin_node(rw, "chosen", 6);
	guest_dtb_chosen_props(rw);
	guest_dtb_end_node(rw);
	n = rw->pos - start;
	if (rw->full)
		return;
	reverse(rw, at, start);
	reverse(rw, start, start + n);
	reverse(rw, at, start + n);
	for (unsigned int i = 0; i < rw->nr_fixups; i++) {
		if (i >= first)
			rw->fixups[i].pos -= start - at;
		else if (rw->fixups[i].pos >= at)
			rw->fixups[i].pos += n;
	}
	guest_dtb_put_tag(rw, FDT_END);
}

static const char *const added_names[NR_ADDED] = {
	[ADD_STATUS] = "status",
	[ADD_INTC_CELLS] = "#address-cells",
	[ADD_PLIC_IRQS] = "interrupts-extended",
	[ADD_NUM_SOURCES] = "riscv,num-sources",
	[ADD_IMSIC_IRQS] = "interrupts-extended",
	[ADD_IMSIC_CELLS] = "#address-cells",
	[ADD_MEMORY_TYPE] = "device_type",
	[ADD_MEMORY_REG] = "reg",
	[ADD_BOOTARGS] = "bootargs",
	[ADD_INITRD_START] = "linux,initrd-start",
	[ADD_INITRD_END] = "linux,initrd-end",
	[ADD_COMPATIBLE] = "compatible",
	[ADD_INTERRUPT_PARENT] = "interrupt-parent",
	[ADD_INTERRUPTS] = "interrupts",
	[ADD_CHAN_PEER] = "hartvisor,peer",
	[ADD_CHAN_DOORBELL] = "hartvisor,doorbell",
};

/*
 * The offset of @s in the strings block at @tab (@len bytes), which may
 * grow by it: as libfdt, the first place where its bytes and NUL are,
 * even inside a longer name. -1 if it does not fit in @room.
 */
static long find_add_string(char *tab, uint32_t *len, uint32_t room,
			    const char *s)
{
	uint32_t n = (uint32_t)strlen(s) + 1;

	for (uint32_t i = 0; i + n <= *len; i++)
		if (tab[i] == s[0] && !memcmp(tab + i, s, n))
			return i;
	if (n > room - *len)
		return -1;
	memcpy(tab + *len, s, n);
	*len += n;
	return *len - n;
}

/*
 * After the structure block: the host's strings, then the names the
 * rewrite added and the host lacks, in the order of enum added_prop.
 */
static int write_strings(struct rewrite *rw, uint32_t *len)
{
	char *tab = rw->out + rw->pos;
	uint32_t room = (uint32_t)(rw->size - rw->pos);
	uint32_t host_len = fdt_size_dt_strings(rw->host);

	if (host_len > room)
		return -FDT_ERR_NOSPACE;
	memcpy(tab, (const char *)rw->host + fdt_off_dt_strings(rw->host),
	       host_len);
	*len = host_len;
	for (unsigned int what = 0; what < NR_ADDED; what++) {
		long at = -1;

		for (unsigned int i = 0; i < rw->nr_fixups; i++) {
			if (rw->fixups[i].what != what)
				continue;
			if (at < 0)
				at = find_add_string(tab, len, room,
						     added_names[what]);
			if (at < 0)
				return -FDT_ERR_NOSPACE;
			guest_dtb_store32(rw->out + rw->fixups[i].pos,
					  (uint32_t)at);
		}
	}
	return 0;
}

/*
 * The header, and GUEST_DTB_FREE zeroed bytes of free space after the
 * tree, inside its totalsize: firmware hands over a tree with room in it
 * (OpenSBI's has about 1 KiB), and bootloaders count on that. U-Boot,
 * given the tree as its own, adds its /chosen properties to it in place
 * and writes past its end, over its global data, when there is none.
 */
int guest_dtb_finish(struct rewrite *rw, uint32_t struct_off)
{
	uint32_t strings_len, used;
	int ret;

	if (rw->full)
		return guest_dtb_fail(rw, "write the guest DTB",
				      -FDT_ERR_NOSPACE);
	ret = write_strings(rw, &strings_len);
	if (ret)
		return guest_dtb_fail(rw, "write the strings", ret);
	used = rw->pos + strings_len;
	if (rw->size < GUEST_DTB_FREE || used > rw->size - GUEST_DTB_FREE)
		return guest_dtb_fail(rw, "leave free space", -FDT_ERR_NOSPACE);
	memset(rw->out + used, 0, GUEST_DTB_FREE);
	fdt_set_magic(rw->out, FDT_MAGIC);
	fdt_set_totalsize(rw->out, used + GUEST_DTB_FREE);
	fdt_set_off_dt_struct(rw->out, struct_off);
	fdt_set_off_dt_strings(rw->out, rw->pos);
	fdt_set_off_mem_rsvmap(rw->out, sizeof(struct fdt_header));
	fdt_set_version(rw->out, 17);
	fdt_set_last_comp_version(rw->out, 16);
	fdt_set_boot_cpuid_phys(rw->out, fdt_boot_cpuid_phys(rw->host));
	fdt_set_size_dt_strings(rw->out, strings_len);
	fdt_set_size_dt_struct(rw->out, rw->pos - struct_off);
	return 0;
}
