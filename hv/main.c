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

/* How long secondaries get to check in, in seconds of the time CSR. */
#define CHECKIN_TIMEOUT_S 20

/* The host DTB, kept right after the image (read by GDB in the tests). */
uint8_t *host_dtb;
uint32_t host_dtb_size;
static struct platform platform;
static const struct vm_config *config;

/* Refuse to run: one line saying why, then a clean SRST shutdown. */
static __noreturn void boot_refuse(const char *why)
{
	pr_err("%s", why);
	pr_err("hartvisor cannot run on this machine; powering off");
	arch_poweroff(true);
}

/* The DTB OpenSBI handed over, if it is one; its size. */
static uint32_t check_firmware_dtb(const void *dtb)
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
	return fdt_totalsize(dtb);
}

/*
 * Read the platform from the firmware's DTB where it lies and check it
 * against the hypervisor's region, which includes room for a copy of that
 * DTB right after the image. Then move the DTB there (the guest will own
 * the memory it came in) and read the copy, which everything from here
 * on points into. The first read is what proves that the copy lands on
 * nothing a guest image needs.
 */
static void read_platform(const void *dtb, unsigned long hartid,
			  struct mem_range image, struct mem_range *hv)
{
	char line[LOG_LINE_MAX];

	host_dtb_size = check_firmware_dtb(dtb);
	*hv = vm_hv_region(image.base, image.base + image.size, host_dtb_size);
	if (platform_parse(dtb, host_dtb_size, &platform, line, sizeof(line)) ||
	    platform_check(&platform, hartid, *hv, line, sizeof(line)))
		boot_refuse(line);
	host_dtb = (uint8_t *)(uintptr_t)(image.base + image.size);
	memmove(host_dtb, dtb, host_dtb_size);
	if (platform_parse(host_dtb, host_dtb_size, &platform, line,
			   sizeof(line)) ||
	    vm_config_select(platform.cmdline, &config, line, sizeof(line)))
		boot_refuse(line);
}

static void report_platform(const struct platform *p)
{
	for (unsigned int i = 0; i < p->nr_harts; i++)
		pr_debug("hart %lu: isa %s, PLIC S-context %d, IMSIC index %d",
			 p->harts[i].hartid, p->harts[i].isa,
			 p->harts[i].plic_s_context, p->harts[i].imsic_index);
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
	struct mem_range hv;
	char line[LOG_LINE_MAX];
	struct vcpu *self = NULL;
	uint64_t boot = arch_time(), start;
	int ret;

	log_boot_hartid = hartid;
	pr_info("hartvisor %s booting on hart %lu, device tree at %p",
		HV_VERSION, hartid, dtb);
	read_platform(dtb, hartid, arch_hv_image(), &hv);
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
	/* Polled every 100 us: a check-in costs the boot no more than that. */
	ret = harts_start_secondaries(CHECKIN_TIMEOUT_S * platform.timebase_hz,
				      platform.timebase_hz / 10000 + 1);
	if (ret < 0)
		boot_refuse("not every hart could be started");
	if (ret && !vm_has_vcpu_to_boot(&the_vm))
		boot_refuse("no hart of the VM's vCPUs came up");
	pr_info("%u secondary harts up in %lu us", platform.nr_harts - 1 - ret,
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
