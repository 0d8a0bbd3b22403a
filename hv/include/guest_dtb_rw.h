/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to hv/guest_dtb*.c: the rewrite's state and its pieces. */
#ifndef HV_GUEST_DTB_RW_H
#define HV_GUEST_DTB_RW_H

#include <libfdt.h>
#include <string.h>

#include "dtb_check.h"
#include "guest_dtb.h"
#include "printf.h"
#include "sbi.h"

/* Guest RAM ranges the memory node can list. */
#define GUEST_DTB_MAX_RAM 8

/*
 * The properties the rewrite reads or replaces, by index into a node's
 * struct node_props. Like fdt_getprop, it sees the first of each name in
 * the node's leading run of properties.
 */
enum prop_id {
	P_COMPATIBLE,
	P_DEVICE_TYPE,
	P_REG,
	P_ADDRESS_CELLS,
	P_SIZE_CELLS,
	P_PHANDLE,
	P_LINUX_PHANDLE,
	P_CPU,
	P_STATUS,
	P_ISA,
	P_ISA_EXTENSIONS,
	P_INTERRUPTS_EXTENDED,
	P_NUM_SOURCES,
	P_BOOTARGS,
	P_INITRD_START,
	P_INITRD_END,
	/* The IMSIC's that the guest's loses. */
	P_GUEST_INDEX_BITS,
	P_HART_INDEX_BITS,
	P_GROUP_INDEX_BITS,
	P_GROUP_INDEX_SHIFT,
	P_NUM_GUEST_IDS,
	P_STDOUT_PATH,
	P_LINUX_STDOUT_PATH,
	NR_PROP_IDS
};

/* One node of the host tree as the walk reads it. */
struct node_props {
	const char *name;
	int name_len;
	int end; /* the first tag after the node's leading properties */
	int off[NR_PROP_IDS]; /* each property's tag, or -1 */
	const void *val[NR_PROP_IDS];
	int len[NR_PROP_IDS];
};

/*
 * The properties the rewrite adds to a node. libfdt (which wrote the
 * guest DTB by editing a copy before the walk did) adds a name missing
 * from the strings block at its end, in the order the edits ran; the
 * order here is that one, so the strings block comes out the same.
 */
enum added_prop {
	ADD_STATUS,
	ADD_INTC_CELLS,
	ADD_PLIC_IRQS,
	ADD_NUM_SOURCES,
	ADD_IMSIC_IRQS,
	ADD_IMSIC_CELLS,
	ADD_MEMORY_TYPE,
	ADD_MEMORY_REG,
	ADD_BOOTARGS,
	ADD_INITRD_START,
	ADD_INITRD_END,
	/* A channel's node (only with channels). */
	ADD_COMPATIBLE,
	ADD_INTERRUPT_PARENT,
	ADD_INTERRUPTS,
	ADD_CHAN_PEER,
	ADD_CHAN_DOORBELL,
	NR_ADDED
};

/* A property whose name offset is known once the strings block is. */
struct fixup {
	uint32_t pos; /* of its nameoff field in the output */
	uint8_t what; /* enum added_prop */
};

/*
 * A host ISA property and the guest's value made from it
 * (guest_dtb_cpus.c).
 */
struct isa_cache {
	const char *in; /* in the host DTB, in_len bytes; NULL: none yet */
	int in_len;
	long out_len; /* -1: did not fit in out */
	char out[512];
};

/* What the walk knows of each vCPU's cpu node before it starts. */
struct vcpu_node {
	int host; /* the first cpu node with its hart ID */
	int intc_mark; /* its riscv,cpu-intc that gets #address-cells, or -1 */
	uint32_t intc; /* the phandle its interrupts-extended entries name */
};

/* The cpu nodes whose phandles cpu-map entries may name, at most. */
#define GUEST_DTB_MAX_CPU_PHANDLES (2 * HV_MAX_HARTS)

/* Which enum prop_id a name offset is, by offset: slots of a small cache. */
#define GUEST_DTB_NAME_SLOTS 64

struct rewrite {
	char *out; /* the guest DTB being written */
	size_t size;
	uint32_t pos; /* the end of its structure block so far */
	bool full;
	const void *host; /* the host DTB, checked, never changed */
	const char *host_struct;
	const struct guest_dtb_params *p;
	char *err;
	size_t errlen;
	int cpus; /* the host's /cpus */
	struct vcpu_node vcpu[HV_MAX_HARTS];
	uint32_t cpu_phandles[GUEST_DTB_MAX_CPU_PHANDLES];
	unsigned int nr_cpu_phandles;
	struct fixup fixups[2 * HV_MAX_HARTS + NR_ADDED + 6 * VM_MAX_CHANNELS];
	unsigned int nr_fixups;
	struct isa_cache isa, exts; /* the last vCPU's riscv,isa* */
	struct {
		uint32_t nameoff_1; /* its name offset + 1; 0: empty */
		uint8_t id;
	} names[GUEST_DTB_NAME_SLOTS];
	bool intcs; /* every vCPU's riscv,cpu-intc has a phandle */
	/* Found by the walk. */
	bool plic, imsic, aplic, chosen, reserved;
	uint32_t irq_phandle; /* the kept PLIC's or APLIC's, for channels */
	uint32_t root_props_end; /* where a /chosen of our own goes */
};

/* "guest DTB: @step: <libfdt error>" into rw->err; SBI_ERR_INVALID_PARAM. */
int guest_dtb_fail(struct rewrite *rw, const char *step, int fdt_err);

/* A big-endian cell at @at, which need not be aligned. */
static inline void guest_dtb_store32(void *at, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	memcpy(at, &be, sizeof(be));
}

/* The writer (guest_dtb_write.c): each sets rw->full instead of overflowing. */
void guest_dtb_put_tag(struct rewrite *rw, uint32_t tag);
/* @n bytes of the host's structure block from @off, as they are. */
void guest_dtb_copy(struct rewrite *rw, int off, int n);
/* A property's header and room for @len bytes, padding zeroed. */
void *guest_dtb_put_prop(struct rewrite *rw, uint32_t nameoff, int len);
void guest_dtb_begin_node(struct rewrite *rw, const char *name, int len);
void guest_dtb_end_node(struct rewrite *rw);
/* A property named by enum added_prop: its value's @len bytes, or NULL. */
void *guest_dtb_add_prop(struct rewrite *rw, enum added_prop what, int len);
/* After the walk, a host tree without /chosen: the guest's, in place. */
void guest_dtb_add_chosen(struct rewrite *rw);
/* The strings block, the header and the free space; 0 or an error. */
int guest_dtb_finish(struct rewrite *rw, uint32_t struct_off);

/* Reading the host tree (guest_dtb_read.c), checked by dtb_check. */
static inline const struct fdt_property *
guest_dtb_prop_at(const struct rewrite *rw, int off)
{
	return (const struct fdt_property *)(rw->host_struct + off);
}

static inline uint32_t guest_dtb_tag_at(const struct rewrite *rw, int off,
					int *next)
{
	return dtb_tag(rw->host_struct, off, next);
}

/* The name of the node at @node and its leading properties. */
void guest_dtb_read_props(struct rewrite *rw, int node, struct node_props *np);
/* Is @str one of the strings of property @id of @np? */
bool guest_dtb_prop_has(const struct node_props *np, enum prop_id id,
			const char *str);
/* Is @np named @s, with or without a unit address? */
bool guest_dtb_name_is(const struct node_props *np, const char *s);
/* Does @id hold <2>? (Absent: @absent.) */
bool guest_dtb_two_cells(const struct node_props *np, enum prop_id id,
			 bool absent);
/* Is @np a cpu node (device_type = "cpu")? */
bool guest_dtb_is_cpu(const struct node_props *np);
/* A cpu node's hart ID, or ~0 if its reg has none. */
uint64_t guest_dtb_cpu_reg(const struct node_props *np);
/* The first reg's base of @np, or ~0 if it has none of 2 + 2 cells. */
uint64_t guest_dtb_reg_base(const struct node_props *np);
/* As fdt_get_phandle: "phandle", else "linux,phandle", else 0. */
uint32_t guest_dtb_phandle(const struct node_props *np);

/* vCPUs (guest_dtb_cpus.c). */
/* The vCPU ID of host hart @hartid, or -1 if it gets none. */
int guest_dtb_vcpu_of_hart(const struct guest_dtb_params *p, uint64_t hartid);
/*
 * A guest ISA value made from host value @in (@len bytes) like snprintf:
 * at most @room bytes into @buf, and the whole length returned.
 */
typedef long (*make_fn)(const struct rewrite *rw, const char *in, int len,
			char *buf, long room);
/* riscv,isa-extensions: the names the guest gets. */
long guest_dtb_isa_extensions(const struct rewrite *rw, const char *exts,
			      int len, char *buf, long room);
/* riscv,isa for the guest, with its NUL; -1 if @isa is no ISA string. */
long guest_dtb_guest_isa(const struct rewrite *rw, const char *isa, int len,
			 char *buf, long room);
/* Host property @id of @np with the guest's value (cache @c, @make). */
void guest_dtb_put_guest_prop(struct rewrite *rw, const struct node_props *np,
			      enum prop_id id, struct isa_cache *c,
			      make_fn make);
/* The vCPU whose cpu node @node is (the first with its hart ID), or -1. */
int guest_dtb_vcpu_node(const struct rewrite *rw, int node,
			const struct node_props *np);
/* Before the walk: /cpus, each vCPU's cpu node and intc; 0 or an error. */
int guest_dtb_scan_cpus(struct rewrite *rw);
/* Is the cpu-map entry's phandle @ph a cpu the guest has? */
bool guest_dtb_cpu_kept(const struct rewrite *rw, uint32_t ph);
/* The error for a vCPU without a riscv,cpu-intc phandle. */
int guest_dtb_no_intc(struct rewrite *rw);
/* interrupts-extended naming every vCPU into @v (if not NULL); its length. */
int guest_dtb_vcpu_irq_cells(const struct rewrite *rw, char *v, bool m_slot);

/* Devices and memory (guest_dtb_devices.c). */
/*
 * Does the path value @path (@len bytes: an alias, or stdout-path with
 * its ":options") name a device node of the host tree the guest loses?
 */
bool guest_dtb_path_lost(struct rewrite *rw, const char *path, int len);

bool guest_dtb_in_ram(const struct guest_dtb_params *p, uint64_t base,
		      uint64_t size);
/*
 * Does the guest lose host node @np (whose reg is @reg, @reg_len bytes)?
 * @kept_top: it is in /cpus, /memory, /reserved-memory or /chosen, where
 * only CLINTs and memory nodes go; @bus22: its parent has 2 address and
 * 2 size cells.
 */
bool guest_dtb_unreachable(const struct rewrite *rw,
			   const struct node_props *np, const fdt32_t *reg,
			   int reg_len, bool kept_top, bool bus22);
/* A top-level node whose subtree is not pruned by address. */
bool guest_dtb_kept_subtree(const char *name);
/* Write the reservation map: the entries inside guest RAM. */
int guest_dtb_write_rsvmap(struct rewrite *rw, uint32_t *end);
/* The one memory node: exactly guest RAM. */
void guest_dtb_write_memory(struct rewrite *rw);
/* The VM's channels, at the end of the root node. */
void guest_dtb_write_channels(struct rewrite *rw);
/* /chosen's new properties (bootargs, initrd), as libfdt would add them. */
void guest_dtb_chosen_props(struct rewrite *rw);

#endif
