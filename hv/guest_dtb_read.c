// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the host tree for the guest DTB's rewrite: a node's name and
 * the properties the rewrite cares about, in one pass over its leading
 * properties, and what those say (see guest_dtb_rw.h). The blob was
 * checked (dtb_check) before anything here reads it.
 */
#include <libfdt.h>
#include <string.h>

#include "guest_dtb_rw.h"

static const char *const prop_names[NR_PROP_IDS] = {
	[P_COMPATIBLE] = "compatible",
	[P_DEVICE_TYPE] = "device_type",
	[P_REG] = "reg",
	[P_ADDRESS_CELLS] = "#address-cells",
	[P_SIZE_CELLS] = "#size-cells",
	[P_PHANDLE] = "phandle",
	[P_LINUX_PHANDLE] = "linux,phandle",
	[P_CPU] = "cpu",
	[P_STATUS] = "status",
	[P_ISA] = "riscv,isa",
	[P_ISA_EXTENSIONS] = "riscv,isa-extensions",
	[P_INTERRUPTS_EXTENDED] = "interrupts-extended",
	[P_NUM_SOURCES] = "riscv,num-sources",
	[P_BOOTARGS] = "bootargs",
	[P_INITRD_START] = "linux,initrd-start",
	[P_INITRD_END] = "linux,initrd-end",
	[P_GUEST_INDEX_BITS] = "riscv,guest-index-bits",
	[P_HART_INDEX_BITS] = "riscv,hart-index-bits",
	[P_GROUP_INDEX_BITS] = "riscv,group-index-bits",
	[P_GROUP_INDEX_SHIFT] = "riscv,group-index-shift",
	[P_NUM_GUEST_IDS] = "riscv,num-guest-ids",
	[P_STDOUT_PATH] = "stdout-path",
	[P_LINUX_STDOUT_PATH] = "linux,stdout-path",
};

/*
 * Which property name offset @nameoff is. A tree names a property by the
 * same offset each time it has it (dtc and libfdt share one string per
 * name), so the answer is kept by offset and the names are compared once.
 */
static enum prop_id prop_id(struct rewrite *rw, uint32_t nameoff)
{
	unsigned int slot = nameoff % GUEST_DTB_NAME_SLOTS;
	const char *name;
	int i;

	if (rw->names[slot].nameoff_1 == nameoff + 1)
		return (enum prop_id)rw->names[slot].id;
	name = fdt_string(rw->host, (int)nameoff);
	for (i = 0; i < NR_PROP_IDS; i++)
		if (name[0] == prop_names[i][0] && !strcmp(name, prop_names[i]))
			break;
	rw->names[slot].nameoff_1 = nameoff + 1;
	rw->names[slot].id = (uint8_t)i;
	return (enum prop_id)i;
}

/*
 * The name of the node at @node and its leading properties: the checked
 * blob (dtb_check) has every tag in bounds and every name terminated.
 */
void guest_dtb_read_props(struct rewrite *rw, int node, struct node_props *np)
{
	int off, next;

	np->name = rw->host_struct + node + FDT_TAGSIZE;
	np->name_len = (int)strlen(np->name);
	for (int i = 0; i < NR_PROP_IDS; i++)
		np->off[i] = -1;
	guest_dtb_tag_at(rw, node, &off);
	for (;; off = next) {
		uint32_t tag = guest_dtb_tag_at(rw, off, &next);
		const struct fdt_property *prop;
		enum prop_id id;

		if (tag == FDT_NOP)
			continue;
		if (tag != FDT_PROP)
			break;
		prop = guest_dtb_prop_at(rw, off);
		id = prop_id(rw, fdt32_ld(&prop->nameoff));
		if (id == NR_PROP_IDS || np->off[id] >= 0)
			continue;
		np->off[id] = off;
		np->val[id] = prop->data;
		np->len[id] = (int)fdt32_ld(&prop->len);
	}
	np->end = off;
}

bool guest_dtb_prop_has(const struct node_props *np, enum prop_id id,
			const char *str)
{
	return np->off[id] >= 0 &&
	       fdt_stringlist_contains(np->val[id], np->len[id], str);
}

/* fdt_nodename_eq_: "cpus" is cpus and cpus@anything. */
bool guest_dtb_name_is(const struct node_props *np, const char *s)
{
	size_t n = strlen(s);

	return !strncmp(np->name, s, n) &&
	       (np->name[n] == '\0' || np->name[n] == '@');
}

/* Does @id hold <2>? (Absent: @absent, libfdt's default is 2 or 1.) */
bool guest_dtb_two_cells(const struct node_props *np, enum prop_id id,
			 bool absent)
{
	if (np->off[id] < 0)
		return absent;
	return np->len[id] == 4 && fdt32_ld(np->val[id]) == 2;
}

bool guest_dtb_is_cpu(const struct node_props *np)
{
	return np->off[P_DEVICE_TYPE] >= 0 &&
	       !strcmp(np->val[P_DEVICE_TYPE], "cpu");
}

uint64_t guest_dtb_cpu_reg(const struct node_props *np)
{
	const fdt32_t *reg = np->val[P_REG];
	int len = np->len[P_REG];

	if (np->off[P_REG] < 0 || len < 4)
		return ~0ULL;
	return len >= 8 ?
		       ((uint64_t)fdt32_ld(&reg[0]) << 32) | fdt32_ld(&reg[1]) :
		       fdt32_ld(&reg[0]);
}

/* The first reg's base of @np, or ~0 if it has none of 2 + 2 cells. */
uint64_t guest_dtb_reg_base(const struct node_props *np)
{
	const fdt32_t *reg = np->val[P_REG];

	if (np->off[P_REG] < 0 || np->len[P_REG] < 16)
		return ~0ULL;
	return ((uint64_t)fdt32_ld(&reg[0]) << 32) | fdt32_ld(&reg[1]);
}

/* As fdt_get_phandle: "phandle", else "linux,phandle", else 0. */
uint32_t guest_dtb_phandle(const struct node_props *np)
{
	if (np->off[P_PHANDLE] >= 0 && np->len[P_PHANDLE] == 4)
		return fdt32_ld(np->val[P_PHANDLE]);
	if (np->off[P_LINUX_PHANDLE] >= 0 && np->len[P_LINUX_PHANDLE] == 4)
		return fdt32_ld(np->val[P_LINUX_PHANDLE]);
	return 0;
}
