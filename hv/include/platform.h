/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The machine as the host device tree describes it, read with libfdt.
 * platform_parse() records facts; platform_check() decides whether
 * hartvisor can run on them. Both are pure functions of their inputs and
 * build on the host for unit tests.
 */
#ifndef HV_PLATFORM_H
#define HV_PLATFORM_H

#include "isa.h"
#include "types.h"

#define PLATFORM_MAX_MEM 8
#define PLATFORM_MAX_RESERVED 16
#define PLATFORM_MAX_MODULES 4
#define PLATFORM_MAX_VIRTIO 16

/* PLIC contexts are numbered from 0; a hart without one has this. */
#define PLIC_NO_CONTEXT (-1)

struct platform_hart {
	unsigned long hartid;
	const char *isa; /* riscv,isa as found, points into the DTB */
	/* riscv,isa-extensions (NULL if none), @exts_len bytes, in the DTB */
	const char *exts;
	int exts_len;
	bool has_h;
	bool has_sstc;
	bool has_smstateen; /* hstateen0 exists and gates guest CSRs */
	bool has_svadu, has_svade; /* hardware / software PTE A and D bits */
	bool has_sscofpmf; /* counter overflow interrupts, mode filtering */
	uint32_t intc_phandle; /* its riscv,cpu-intc, 0 if none */
	int plic_s_context; /* S-mode external interrupt context */
	bool has_ssaia; /* the S-level AIA CSRs (stopei, siselect...) */
	/* Its S-level IMSIC's index (file page base + index * stride), or -1. */
	int imsic_index;
};

/* A device with one register window and (optionally) one interrupt. */
struct platform_device {
	bool present;
	paddr_t base;
	uint64_t size;
	uint32_t irq; /* 0: none */
};

enum module_kind { MODULE_KERNEL, MODULE_RAMDISK, MODULE_OTHER };

/* A guest image QEMU's -device guest-loader placed in RAM. */
struct platform_module {
	enum module_kind kind;
	paddr_t base;
	uint64_t size;
	const char *bootargs; /* NULL if the node has none */
};

struct platform {
	unsigned int nr_harts; /* usable harts, sorted by hart ID */
	struct platform_hart harts[HV_MAX_HARTS];
	unsigned int nr_mem; /* RAM ranges, sorted by base */
	struct mem_range mem[PLATFORM_MAX_MEM];
	unsigned int nr_reserved; /* /reserved-memory and /memreserve/ */
	struct mem_range reserved[PLATFORM_MAX_RESERVED];
	uint64_t timebase_hz;
	struct platform_device uart;
	struct platform_device rtc; /* QEMU's goldfish RTC, if any */
	struct platform_device plic;
	uint32_t plic_ndev;
	struct platform_device clint;
	/*
	 * AIA (QEMU -M virt,aia=aplic-imsic): the S-level IMSICs, one
	 * region, hart index i's S-file at imsic.base + i * imsic_stride and
	 * its guest file g right after, g pages on (guest-index bits G:
	 * stride = 4 KiB << G, files 1 .. 2^G - 1); and the S-level APLIC
	 * domain that OpenSBI hands over, in MSI mode, with aplic_nsrc
	 * sources.
	 */
	struct platform_device imsic;
	uint32_t imsic_guest_bits;
	uint32_t imsic_num_ids; /* riscv,num-ids: IDs 1..N in every file */
	uint64_t imsic_stride;
	struct platform_device aplic;
	uint32_t aplic_nsrc;
	unsigned int nr_virtio;
	struct platform_device virtio[PLATFORM_MAX_VIRTIO];
	unsigned int nr_modules;
	struct platform_module modules[PLATFORM_MAX_MODULES];
	/* /chosen/bootargs (QEMU -append): hartvisor's command line. */
	const char *cmdline;
};

/*
 * Read the host DTB @fdt, held in a buffer of @size bytes, into @p. On
 * failure returns a negative SBI error code and writes a sentence naming
 * the problem into @err. No global state: it runs before the image moves.
 */
int platform_parse(const void *fdt, size_t size, struct platform *p, char *err,
		   size_t errlen);

/*
 * Decide whether hartvisor can run on @p, booted on @boot_hartid, with its
 * own memory at @hv: every hart has H, and platform_check_memory(). Same
 * error convention.
 */
int platform_check(const struct platform *p, unsigned long boot_hartid,
		   struct mem_range hv, char *err, size_t errlen);

/*
 * There is RAM, @hv lies in one RAM range, and the guest images lie in RAM
 * clear of @hv, of firmware memory and of each other.
 */
int platform_check_memory(const struct platform *p, struct mem_range hv,
			  char *err, size_t errlen);

/* The platform_hart with @hartid, or NULL. */
const struct platform_hart *platform_find_hart(const struct platform *p,
					       unsigned long hartid);

/* Total bytes of RAM. */
uint64_t platform_ram_size(const struct platform *p);

/*
 * One line describing @p, e.g. "4 harts (0-3), RAM 0x80000000+1024 MiB,
 * timebase 10000000 Hz, PLIC @0xc000000 ndev 96, UART @0x10000000, ext: h
 * sstc". Returns the length the whole line needs, as snprintf does.
 */
int platform_summary(const struct platform *p, char *buf, size_t size);

/* "kernel", "ramdisk" or "module". */
const char *platform_module_kind_name(enum module_kind kind);

/*
 * Has @p guest interrupt files hartvisor can hand to vCPUs: IMSICs with
 * guest index bits, an S-level APLIC in MSI mode, Ssaia on every hart?
 */
bool platform_has_aia(const struct platform *p);

#endif
