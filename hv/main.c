// SPDX-License-Identifier: BSD-2-Clause
/*
 * The boot hart's path: keep a private copy of the host device tree, read
 * the platform from it, bring every other hart up, and report the machine.
 */
#include <libfdt.h>
#include <string.h>

#include "arch.h"
#include "boot_steps.h"
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

/* The host DTB, kept right after the image (read by GDB in the tests). */
uint8_t *host_dtb;
uint32_t host_dtb_size;
static struct platform platform;
static const struct vm_config *config;

#define REFUSED "hartvisor cannot run on this machine; powering off"

/* Refuse to run: one line saying why, then a clean SRST shutdown. */
static __noreturn void boot_refuse(const char *why)
{
	pr_err("%s", why);
	pr_err("%s", REFUSED);
	arch_poweroff(true);
}

/* The DTB OpenSBI handed over, if it is one; its size; 0 if not. */
static uint32_t check_firmware_dtb(const void *dtb, char *why, size_t len)
{
	int ret;

	if (!dtb || ((uintptr_t)dtb & 7)) {
		snprintf(why, len,
			 "no usable device tree from the firmware (a1 = %p)",
			 dtb);
		return 0;
	}
	ret = fdt_check_header(dtb);
	if (ret) {
		snprintf(why, len,
			 "the firmware's device tree at %p is invalid: %s", dtb,
			 fdt_strerror(ret));
		return 0;
	}
	return fdt_totalsize(dtb);
}

/* boot_refuse() before the move: no lock, no global state. */
static __noreturn void boot_refuse_early(unsigned long hartid, const char *why)
{
	char line[LOG_LINE_MAX];

	snprintf(line, sizeof(line), "[h%lu] error: %s\n", hartid, why);
	log_raw(line);
	snprintf(line, sizeof(line), "[h%lu] error: %s\n", hartid, REFUSED);
	log_raw(line);
	arch_poweroff(true);
}

/* Where the image went and where its DTB copy is (a0, a1 for head.S). */
struct hv_moved {
	paddr_t base;
	const void *dtb;
};

/* @p, if it points into the @size bytes at @from, moved to @to. */
static const char *rebased(const char *p, const void *from, uint32_t size,
			   const void *to)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)from;

	return p && off < size ? (const char *)to + off : p;
}

/*
 * The boot hart's first C, where QEMU loaded the image: its BSS does not
 * exist yet, so nothing here touches global state. Read the platform from
 * the firmware's DTB, once, pick the top of RAM for the hypervisor
 * (vm_hv_place), move the DTB there right after the image's place, then
 * the image, and give the copy's `platform` what was read, pointing into
 * the DTB's copy. head.S fixes the copy's pointers and goes on in it at
 * hv_boot_main. Everything below the top is the guest's.
 */
struct hv_moved hv_boot_move(unsigned long hartid, const void *dtb);

struct hv_moved hv_boot_move(unsigned long hartid, const void *dtb)
{
	struct mem_range image = arch_hv_image(), hv = { 0 };
	struct platform parsed, *moved;
	char why[LOG_LINE_MAX];
	uint32_t size;
	void *copy;

	size = check_firmware_dtb(dtb, why, sizeof(why));
	if (!size || platform_parse(dtb, size, &parsed, why, sizeof(why)) ||
	    vm_hv_place(&parsed, image.size, size, &hv, why, sizeof(why)) ||
	    platform_check_memory(&parsed, hv, why, sizeof(why)))
		boot_refuse_early(hartid, why);
	if (ranges_overlap(hv.base, hv.size, image.base, image.size)) {
		snprintf(
			why, sizeof(why),
			"loaded at 0x%lx, hartvisor would move onto itself at 0x%lx: give QEMU more memory (-m)",
			image.base, hv.base);
		boot_refuse_early(hartid, why);
	}
	copy = (void *)(uintptr_t)(hv.base + image.size);
	memmove(copy, dtb, size);
	arch_hv_move(hv.base);
	/* The copy's BSS is clear now: fill its platform, rebased. */
	moved = (struct platform *)((uintptr_t)&platform - image.base +
				    hv.base);
	*moved = parsed;
	for (unsigned int i = 0; i < moved->nr_harts; i++) {
		moved->harts[i].isa =
			rebased(moved->harts[i].isa, dtb, size, copy);
		moved->harts[i].exts =
			rebased(moved->harts[i].exts, dtb, size, copy);
	}
	for (unsigned int i = 0; i < moved->nr_modules; i++)
		moved->modules[i].bootargs =
			rebased(moved->modules[i].bootargs, dtb, size, copy);
	moved->cmdline = rebased(moved->cmdline, dtb, size, copy);
	return (struct hv_moved){ hv.base, copy };
}

/*
 * Check the platform hv_boot_move read (everything points into the DTB's
 * copy) against the hypervisor's memory, which must be where
 * hv_boot_move put the image.
 */
static void read_platform(const void *dtb, unsigned long hartid,
			  struct mem_range image, struct mem_range *hv)
{
	char line[LOG_LINE_MAX];

	host_dtb = (uint8_t *)(uintptr_t)dtb;
	host_dtb_size = fdt_totalsize(dtb);
	if (vm_hv_place(&platform, image.size, host_dtb_size, hv, line,
			sizeof(line)) ||
	    platform_check(&platform, hartid, *hv, line, sizeof(line)) ||
	    vm_config_select(platform.cmdline, &config, line, sizeof(line)))
		boot_refuse(line);
	if (hv->base != image.base)
		panic("the image is at 0x%lx, its place is 0x%lx", image.base,
		      hv->base);
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

/*
 * OpenSBI before 1.3 publishes a hart's START_PENDING before its start
 * address: a hart that wakes in between jumps to the cold-boot address
 * (where QEMU loaded us, a1 = DTB). head.S sends it on to the moved
 * image, so the old one must stay whole until every hart is in: the guest
 * waits for all check-ins there, as before the move.
 */
static bool firmware_may_misstart(void)
{
	return arch_firmware_base(SBI_EXT_BASE_GET_IMP_ID) == 1 &&
	       arch_firmware_base(SBI_EXT_BASE_GET_IMP_VERSION) < 0x10003;
}

/*
 * The boot hart in the moved image, from head.S: BSS clear, tp 0. @entered
 * is the time CSR when the firmware jumped to us, which is when it would
 * have entered the guest natively.
 */
__noreturn void hv_boot_main(unsigned long hartid, const void *dtb,
			     uint64_t entered);

void hv_boot_main(unsigned long hartid, const void *dtb, uint64_t entered)
{
	struct mem_range hv = { 0 };
	char line[LOG_LINE_MAX];
	struct vcpu *self;
	bool wait;
	int ret;

	boot_steps_begin(entered);
	boot_step(BOOT_STEP_MOVE);
	log_boot_hartid = hartid;
	/* The boot's lines wait for a hart with time to spare (log.c). */
	log_hold();
	pr_info("hartvisor %s booting on hart %lu, device tree copied to %p",
		HV_VERSION, hartid, dtb);
	boot_step(BOOT_STEP_REST);
	read_platform(dtb, hartid, arch_hv_image(), &hv);
	boot_step(BOOT_STEP_PARSE);
	pr_info("hypervisor memory 0x%lx-0x%lx", hv.base, hv.base + hv.size);
	report_platform(&platform);

	harts_init(&platform, hartid);
	ret = vm_create_all(&platform, config, hv, host_dtb, line,
			    sizeof(line));
	if (ret == SBI_ERR_NOT_SUPPORTED)
		pr_info("%s", line);
	else if (ret)
		boot_refuse(line);
	boot_step(BOOT_STEP_REST);
	/* Every vCPU exists before any hart runs one; each sets up its own. */
	for (unsigned int i = 0; i < nr_vms; i++)
		for (unsigned int j = 0; j < vms[i].nr_vcpus; j++)
			vcpu_create(&vms[i], &harts[vms[i].hart_slot[j]], j);
	/* With several VMs the console is hartvisor's: its input, its focus. */
	uart_rx_setup(&platform);
	vm_console_start();
	self = arch_this_hart()->vcpu;
	if (self)
		vcpu_hart_init(self);
	/* Like every hart's: idle when the firmware booted us outside the VM. */
	hart_report_online(arch_this_hart());
	/*
	 * The guest does not wait for the secondaries: they come up beside
	 * it, and a HART_START for one still on its way leaves its vCPU
	 * START_PENDING until it is in. Without a guest there is nothing to
	 * wait beside: bring every hart up, report, power off.
	 */
	wait = !nr_vms || firmware_may_misstart();
	ret = harts_start_secondaries(wait, platform.timebase_hz);
	if (ret < 0)
		boot_refuse("not every hart could be started");
	for (unsigned int i = 0; ret && i < nr_vms; i++)
		if (!vm_has_vcpu_to_boot(&vms[i])) {
			snprintf(line, sizeof(line),
				 "no hart of VM '%s' came up", vms[i].name);
			boot_refuse(line);
		}
	boot_step(BOOT_STEP_HARTS);

	platform_summary(&platform, line, sizeof(line));
	pr_info("hartvisor: %s", line);
	boot_step(BOOT_STEP_REST);
	boot_steps_format(line, sizeof(line), platform.timebase_hz);
	pr_info("boot steps (ns of the time CSR): %s", line);
	pr_info("booted in %lu us, the guest starts at time %lu (the firmware handed over at %lu)",
		(unsigned long)((arch_time() - entered) * 1000000 /
				platform.timebase_hz),
		(unsigned long)arch_time(), (unsigned long)entered);
	/* Written out at the latest 50 ms into the guest. */
	log_release(arch_time() + platform.timebase_hz / 20);

	if (!nr_vms) {
		pr_info("powering off");
		arch_poweroff(false);
	}
	for (unsigned int i = 0; i < nr_vms; i++)
		vm_boot_first(&vms[i]);
	if (self)
		vcpu_run(self);
	/* A config with fewer vCPUs than harts may leave this hart idle. */
	hart_idle(arch_this_hart());
}
