// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the host DTB -> guest DTB path of the hypervisor, fed
 * with mutated device trees (seeded with QEMU's own). Two ways in:
 *
 * 1. the boot path: platform_parse, platform_check, the VM config from
 *    /chosen/bootargs, vm_plan and the rewrite, as hv_boot_main runs them;
 * 2. the rewrite alone with fixed parameters, so mutations that the
 *    parser refuses still reach guest_dtb_build.
 *
 * Whatever the input, each step returns 0 or an error with a sentence, and
 * a guest DTB that is built is a sound tree (dtb_check, and a walk over
 * every node and property with libfdt) that fits its buffer. The
 * hypervisor's code and libfdt are built with ASan and UBSan here.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb_check.h"
#include "guest_dtb.h"
#include "platform.h"
#include "vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* About the hypervisor's image with its BSS. */
#define HV_IMAGE_SIZE (1500 * KiB)
static struct platform plat;
static struct vm plan[HV_MAX_VMS];
static uint8_t out[GUEST_DTB_SLOT];

static void require(int ok, const char *what, const char *err)
{
	if (!ok) {
		fprintf(stderr, "fuzz_guest_dtb: %s (%s)\n", what, err);
		abort();
	}
}

/* A failure must say why; a success must be a usable tree. */
static void check_result(int ret, const char *err)
{
	int node, depth = 0, n = 0, bad;

	if (ret) {
		require(ret < 0 && err[0], "an error without a sentence", err);
		return;
	}
	bad = dtb_check(out, sizeof(out));
	require(!bad, "guest DTB structure", fdt_strerror(bad));
	/* Walk every node and property, up to the root's end. */
	for (node = 0; node >= 0 && depth >= 0 && n < 100000;
	     node = fdt_next_node(out, node, &depth), n++) {
		int prop;

		fdt_for_each_property_offset(prop, out, node) {
			const char *name;
			int len;

			if (!fdt_getprop_by_offset(out, prop, &name, &len) ||
			    !name) {
				fprintf(stderr, "property at %d of %s: %s\n",
					prop, fdt_get_name(out, node, NULL),
					fdt_strerror(len));
				require(0, "a property of the guest DTB", err);
			}
		}
	}
	require(node >= 0 || node == -FDT_ERR_NOTFOUND, "guest DTB structure",
		err);
	require(fdt_path_offset(out, "/cpus") >= 0, "guest DTB has /cpus", err);
}

static void boot_path(const uint8_t *data, size_t size)
{
	const struct vm_config *cfg;
	struct mem_range hv;
	char err[256] = "";
	int ret;

	memset(&plat, 0, sizeof(plat));
	memset(plan, 0, sizeof(plan));
	if (platform_parse(data, size, &plat, err, sizeof(err)))
		return;
	/* Without a guest-loader node, pretend one: the plan needs a kernel. */
	if (!plat.nr_modules) {
		plat.modules[0] = (struct platform_module){ MODULE_KERNEL,
							    0x81000000,
							    64 * KiB, NULL };
		plat.nr_modules = 1;
	}
	if (vm_hv_place(&plat, HV_IMAGE_SIZE, size, &hv, err, sizeof(err)) ||
	    platform_check(&plat, plat.nr_harts ? plat.harts[0].hartid : 0, hv,
			   err, sizeof(err)) ||
	    vm_config_select(plat.cmdline, &cfg, err, sizeof(err)) ||
	    vm_plan_all(plan, &plat, cfg, hv, err, sizeof(err)))
		return;
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		plan[i].sstc = size & 1;
		plan[i].isa_offers =
			vm_plan_isa_offers(&plan[i], &plat, size & 2, size & 4);
		err[0] = '\0';
		ret = vm_plan_guest_dtb(&plan[i], &plat, data, size, out,
					sizeof(out), err, sizeof(err));
		check_result(ret, err);
	}
}

static void rewrite_only(const uint8_t *data, size_t size)
{
	static const unsigned long hartids[] = { 0, 1, 2, 3 };
	static const struct mem_range ram = { 0x80400000, 64 * MiB };
	static const struct mem_range mmio[] = { { 0x10000000, 4096 },
						 { 0x10001000, 4096 } };
	struct guest_dtb_params p = {
		.nr_vcpus = 1 + size % 4,
		.vcpu_hartids = hartids,
		.nr_ram = 1,
		.ram = &ram,
		.bootargs = size & 2 ? "console=ttyS0" : NULL,
		.has_initrd = size & 4,
		.initrd_start = 0x82000000,
		.initrd_end = 0x82100000,
		.isa_offers =
			isa_offers(size & 8, size & 16, size & 32, size & 64),
		.nr_mmio = ARRAY_SIZE(mmio),
		.mmio = mmio,
	};
	char err[256] = "";
	int ret;

	ret = guest_dtb_build(data, size, out, sizeof(out), &p, err,
			      sizeof(err));
	check_result(ret, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	boot_path(data, size);
	rewrite_only(data, size);
	return 0;
}
