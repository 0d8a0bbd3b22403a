// SPDX-License-Identifier: BSD-2-Clause
/*
 * The boot hart's path: keep a private copy of the host device tree, read
 * the platform from it, bring every other hart up, and report the machine.
 */
#include <libfdt.h>
#include <string.h>

#include "arch.h"
#include "hart.h"
#include "log.h"
#include "platform.h"
#include "printf.h"
#include "sbi.h"
#include "vcpu.h"
#include "vm.h"

#ifndef HV_VERSION
#define HV_VERSION "unknown"
#endif

/* Largest host DTB we keep (QEMU virt at 64 harts needs about 24 KiB). */
#define HOST_DTB_MAX (64 * 1024)
/* How long secondaries get to check in, in seconds of the time CSR. */
#define CHECKIN_TIMEOUT_S 5

static uint8_t host_dtb[HOST_DTB_MAX] __aligned(8);
static struct platform platform;
static const struct vm_config *config;

/* Refuse to run: one line saying why, then a clean SRST shutdown. */
static __noreturn void boot_refuse(const char *why)
{
	pr_err("%s", why);
	pr_err("hartvisor cannot run on this machine; powering off");
	arch_poweroff(true);
}

/* Copy the DTB OpenSBI handed over: the guest may later own that memory. */
static void copy_host_dtb(const void *dtb)
{
	char why[160];
	int ret;

	if (!dtb || ((uintptr_t)dtb & 7)) {
		snprintf(why, sizeof(why),
			 "no usable device tree from the firmware (a1 = %p)",
			 dtb);
		boot_refuse(why);
	}
	ret = fdt_check_header(dtb);
	if (ret) {
		snprintf(why, sizeof(why),
			 "the firmware's device tree at %p is invalid: %s", dtb,
			 fdt_strerror(ret));
		boot_refuse(why);
	}
	if (fdt_totalsize(dtb) > sizeof(host_dtb)) {
		snprintf(
			why, sizeof(why),
			"the host device tree is %u bytes; hartvisor keeps at most %u",
			fdt_totalsize(dtb), (unsigned int)sizeof(host_dtb));
		boot_refuse(why);
	}
	memcpy(host_dtb, dtb, fdt_totalsize(dtb));
}

static void report_platform(const struct platform *p)
{
	for (unsigned int i = 0; i < p->nr_harts; i++)
		pr_debug("hart %lu: isa %s, PLIC S-context %d",
			 p->harts[i].hartid, p->harts[i].isa,
			 p->harts[i].plic_s_context);
	for (unsigned int i = 0; i < p->nr_reserved; i++)
		pr_debug("reserved memory 0x%lx-0x%lx", p->reserved[i].base,
			 p->reserved[i].base + p->reserved[i].size);
	for (unsigned int i = 0; i < p->nr_virtio; i++)
		pr_debug("virtio-mmio @0x%lx irq %u", p->virtio[i].base,
			 p->virtio[i].irq);
	for (unsigned int i = 0; i < p->nr_modules; i++) {
		const struct platform_module *m = &p->modules[i];

		pr_info("guest %s at 0x%lx-0x%lx (%lu KiB)%s%s%s",
			platform_module_kind_name(m->kind), m->base,
			m->base + m->size, (unsigned long)(m->size / KiB),
			m->bootargs ? ", bootargs \"" : "",
			m->bootargs ? m->bootargs : "",
			m->bootargs ? "\"" : "");
	}
}

/* Entry of the boot hart from head.S: BSS is clear, tp is 0. */
__noreturn void hv_boot_main(unsigned long hartid, const void *dtb);

void hv_boot_main(unsigned long hartid, const void *dtb)
{
	struct mem_range hv = arch_hv_region();
	char line[LOG_LINE_MAX];
	struct vcpu *self = NULL;
	uint64_t boot = arch_time(), start;
	int ret;

	log_boot_hartid = hartid;
	pr_info("hartvisor %s booting on hart %lu, device tree at %p",
		HV_VERSION, hartid, dtb);
	copy_host_dtb(dtb);

	if (platform_parse(host_dtb, sizeof(host_dtb), &platform, line,
			   sizeof(line)) ||
	    platform_check(&platform, hartid, hv, line, sizeof(line)) ||
	    vm_config_select(platform.cmdline, &config, line, sizeof(line)))
		boot_refuse(line);
	pr_info("hypervisor memory 0x%lx-0x%lx", hv.base, hv.base + hv.size);
	report_platform(&platform);

	harts_init(&platform, hartid);
	ret = vm_create(&the_vm, &platform, config, hv, host_dtb, line,
			sizeof(line));
	if (ret == SBI_ERR_NOT_SUPPORTED) {
		pr_info("%s", line);
		the_vm.nr_vcpus = 0;
	} else if (ret) {
		boot_refuse(line);
	} else if (the_vm.nr_vcpus > arch_this_hart()->slot) {
		self = vcpu_create(&the_vm, arch_this_hart());
	}
	start = arch_time();
	ret = harts_start_secondaries(CHECKIN_TIMEOUT_S * platform.timebase_hz);
	if (ret)
		boot_refuse("not every hart came up");
	pr_info("%u secondary harts up in %lu us", platform.nr_harts - 1,
		(unsigned long)((arch_time() - start) * 1000000 /
				platform.timebase_hz));

	platform_summary(&platform, line, sizeof(line));
	pr_info("hartvisor: %s", line);
	pr_info("booted in %lu us, the guest starts at time %lu",
		(unsigned long)((arch_time() - boot) * 1000000 /
				platform.timebase_hz),
		(unsigned long)arch_time());

	if (!the_vm.nr_vcpus) {
		pr_info("powering off");
		arch_poweroff(false);
	}
	vm_boot(&the_vm);
	if (self)
		vcpu_run(self);
	/* A config with fewer vCPUs than harts may leave this hart idle. */
	hart_idle(arch_this_hart());
}
