// SPDX-License-Identifier: BSD-2-Clause
/*
 * guest-dtb: the guest device tree hartvisor would build, on the host.
 * The same code as the hypervisor (hv/platform*.c, hv/vm_plan.c,
 * hv/guest_dtb*.c), linked with the host's libfdt.
 *
 *   guest-dtb --hv START-END [--sstc on|off] HOST.dtb GUEST.dtb
 *
 * The VM config is the one the host DTB's /chosen/bootargs names
 * ("config=NAME", QEMU -append), as at boot.
 * START-END is the hypervisor's image as linked (_start, _hv_end); it moves
 * to the top of RAM with the host DTB's copy (vm_hv_place()), and guest RAM
 * is what lies below. --sstc says whether the hypervisor
 * gives the guest vstimecmp (VSTIMECMP=on); it is kept only if every hart
 * has Sstc. Prints "GUEST.dtb: N bytes, crc32 0x...", the CRC the
 * hypervisor logs at boot for the same inputs. A config of several VMs
 * gives one DTB each: GUEST-NAME.dtb for the VM called NAME.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "vm.h"

static struct platform plat;
static struct vm plan[HV_MAX_VMS];
static uint8_t out[GUEST_DTB_SLOT];

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f) {
		fprintf(stderr, "guest-dtb: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "guest-dtb: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: guest-dtb --hv START-END [--sstc on|off] HOST.dtb GUEST.dtb\n");
	exit(2);
}

/*
 * VM @vm's DTB to @outpath, or with several VMs to its name put before
 * the ".dtb": as the hypervisor makes it (sstc: it gives vstimecmp).
 */
static int write_guest_dtb(struct vm *vm, const void *host, size_t size,
			   bool sstc, bool all_sscofpmf, const char *outpath)
{
	const struct vm_config *cfg = vm->config;
	char path[4096], err[256];
	size_t len = strlen(outpath);
	FILE *f;

	if (cfg->nr_vms > 1 && len > 4 && !strcmp(outpath + len - 4, ".dtb"))
		snprintf(path, sizeof(path), "%.*s-%s.dtb", (int)(len - 4),
			 outpath, vm->name);
	else if (cfg->nr_vms > 1)
		snprintf(path, sizeof(path), "%s-%s", outpath, vm->name);
	else
		snprintf(path, sizeof(path), "%s", outpath);
	vm->sstc = sstc;
	/*
	 * As on QEMU 10 with OpenSBI 1.5: the firmware turns A/D updating on
	 * and has SBI PMU, and overflow interrupts reach a guest through the
	 * AIA's hvien wherever the harts have Sscofpmf.
	 */
	vm->isa_offers = vm_plan_isa_offers(
		vm, &plat, true,
		all_sscofpmf && vm->irqchip.kind == IRQCHIP_AIA);
	if (vm_plan_guest_dtb(vm, &plat, host, size, out, sizeof(out), err,
			      sizeof(err))) {
		fprintf(stderr, "guest-dtb: %s: %s\n", vm->name, err);
		return 1;
	}
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, fdt_totalsize(out), f) != fdt_totalsize(out) ||
	    fclose(f)) {
		fprintf(stderr, "guest-dtb: cannot write %s\n", path);
		return 1;
	}
	printf("%s: %u bytes, crc32 0x%08x (config %s", path,
	       fdt_totalsize(out), crc32(out, fdt_totalsize(out)), cfg->name);
	if (cfg->nr_vms > 1)
		printf(", VM %s", vm->name);
	printf(", %u vCPUs, guest RAM", vm->nr_vcpus);
	for (unsigned int i = 0; i < vm->nr_ram; i++)
		printf(" 0x%lx-0x%lx", vm->ram[i].base,
		       vm->ram[i].base + vm->ram[i].size);
	printf(", %s)\n", vm->sstc ? "sstc" : "no sstc");
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long start = 0, end = 0;
	const struct vm_config *cfg;
	bool sstc = false, all_sstc = true, all_sscofpmf = true;
	const char *in = NULL, *outpath = NULL;
	struct mem_range hv;
	char err[256];
	size_t size;
	void *host;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hv") && i + 1 < argc) {
			if (sscanf(argv[++i], "%lx-%lx", &start, &end) != 2 ||
			    end <= start)
				usage();
		} else if (!strcmp(argv[i], "--sstc") && i + 1 < argc) {
			sstc = !strcmp(argv[++i], "on");
		} else if (!in) {
			in = argv[i];
		} else if (!outpath) {
			outpath = argv[i];
		} else {
			usage();
		}
	}
	if (!in || !outpath || !start)
		usage();
	host = read_file(in, &size);
	if (platform_parse(host, size, &plat, err, sizeof(err)) ||
	    vm_hv_place(&plat, end - start, size, &hv, err, sizeof(err)) ||
	    platform_check(&plat, plat.nr_harts ? plat.harts[0].hartid : 0, hv,
			   err, sizeof(err)) ||
	    vm_config_select(plat.cmdline, &cfg, err, sizeof(err)) ||
	    vm_plan_all(plan, &plat, cfg, hv, err, sizeof(err))) {
		fprintf(stderr, "guest-dtb: %s: %s\n", in, err);
		return 1;
	}
	for (unsigned int i = 0; i < plat.nr_harts; i++) {
		all_sstc &= plat.harts[i].has_sstc;
		all_sscofpmf &= plat.harts[i].has_sscofpmf;
	}
	for (unsigned int i = 0; i < cfg->nr_vms; i++)
		if (write_guest_dtb(&plan[i], host, size, sstc && all_sstc,
				    all_sscofpmf, outpath))
			return 1;
	free(host);
	return 0;
}
