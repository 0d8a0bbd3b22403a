// SPDX-License-Identifier: BSD-2-Clause
/*
 * VM configs and the VM plan on the host: every config in configs/ plans
 * on QEMU's machine, and each way a config or command line can be wrong
 * gets its own sentence.
 */
#include "fixture.h"
#include "platform.h"
#include "sbi.h"
#include "vm.h"

/* The hypervisor's memory as vm_hv_place() gives it on 1 GiB QEMU virt. */
static const struct mem_range hv = { 0xbfe00000, 2 * MiB };

static struct platform plat;
static struct vm plan_vms[HV_MAX_VMS];
/* The VM of a one-VM config. */
static struct vm *const vm0 = &plan_vms[0];
static char err[256];
static struct blob dtb; /* the platform points into it */

/* Fixture @name with a 64 KiB kernel at 0x81000000. */
static void machine_from(const char *name)
{
	free(dtb.data);
	dtb = fixture_load(name);
	memset(&plat, 0, sizeof(plat));
	memset(plan_vms, 0, sizeof(plan_vms));
	assert_int_equal(
		platform_parse(dtb.data, dtb.size, &plat, err, sizeof(err)), 0);
	plat.modules[0] = (struct platform_module){ MODULE_KERNEL, 0x81000000,
						    64 * KiB, NULL };
	plat.nr_modules = 1;
}

/* QEMU virt with @smp harts (the PLIC). */
static void machine(int smp)
{
	char name[32];

	snprintf(name, sizeof(name), "virt-smp%d.dtb", smp);
	machine_from(name);
}

static int plan(const struct vm_config *cfg)
{
	err[0] = '\0';
	return vm_plan_all(plan_vms, &plat, cfg, hv, err, sizeof(err));
}

static void expect_error(const struct vm_config *cfg, const char *text)
{
	int ret = vm_config_check(cfg, err, sizeof(err));

	if (!ret)
		ret = plan(cfg);
	assert_int_not_equal(ret, 0);
	if (!strstr(err, text))
		fail_msg("error \"%s\" does not say \"%s\"", err, text);
}

/*
 * On an AIA machine the VM's controller is the vAPLIC, sources 1..11 (the
 * UART's 10 and the RTC's 11 the highest).
 */
static void aia_machine_plans_the_vaplic(void **state)
{
	static const struct vm_config no_irqchip = {
		.name = "t",
		.description = "t",
		.nr_vms = 1,
		.vms = { { .devices = VM_DEV_UART } },
	};

	(void)state;
	machine_from("virt-aia-smp4.dtb");
	assert_int_equal(plan(vm_config_find("linux")), 0);
	assert_int_equal(vm0->irqchip.kind, IRQCHIP_AIA);
	assert_int_equal(vm0->irqchip.imsic_base, 0x28000000);
	assert_int_equal(vm0->irqchip.nsrc, 11);
	assert_int_equal(vm0->irqchip.nr_ids, 255);
	assert_int_equal(irqchip_guest_file(&plat, 3, 1), 0x28007000);
	memset(plan_vms, 0, sizeof(plan_vms));
	assert_int_equal(plan(&no_irqchip), 0);
	assert_int_equal(vm0->irqchip.kind, IRQCHIP_NONE);
	/* Neither a PLIC nor guest files: a config that wants one is refused. */
	memset(plan_vms, 0, sizeof(plan_vms));
	plat.imsic_guest_bits = 0;
	expect_error(vm_config_find("linux"),
		     "neither a PLIC nor AIA guest interrupt files");
	machine(4);
	assert_int_equal(plan(vm_config_find("linux")), 0);
	assert_int_equal(vm0->irqchip.kind, IRQCHIP_PLIC);
}

/* Does @cfg have a channel that rings with no exit (AIA only)? */
static bool wants_aia(const struct vm_config *cfg)
{
	for (unsigned int i = 0; i < cfg->nr_channels; i++)
		if (cfg->channels[i].doorbell == CHAN_DOORBELL_TRUSTED)
			return true;
	return false;
}

/* Plan @cfg on the 8-hart machine @fixture, a kernel in each VM. */
static void plan_on(const struct vm_config *cfg, const char *fixture)
{
	machine_from(fixture);
	/* A kernel in each VM's RAM, 16 MiB in. */
	for (unsigned int v = 0; v < cfg->nr_vms; v++)
		plat.modules[v] = (struct platform_module){
			MODULE_KERNEL,
			(cfg->vms[v].ram_base ?: 0x80000000) + 16 * MiB,
			64 * KiB, NULL
		};
	plat.nr_modules = cfg->nr_vms;
	if (wants_aia(cfg) && !strstr(fixture, "aia")) {
		expect_error(cfg, "needs guest interrupt files");
		return;
	}
	if (plan(cfg))
		fail_msg("config %s on %s: %s", cfg->name, fixture, err);
	for (unsigned int v = 0; v < cfg->nr_vms; v++) {
		const struct vm_spec *s = &cfg->vms[v];
		const struct vm *p = &plan_vms[v];

		assert_int_equal(p->nr_vcpus,
				 s->harts ? __builtin_popcountll(s->harts) : 8);
		assert_true(p->nr_ram >= 1);
		if (s->ram_base)
			assert_int_equal(p->ram[0].base, s->ram_base);
		if (s->ram_size)
			assert_int_equal(p->ram[0].size, s->ram_size);
	}
}

/* On QEMU virt with 8 harts, with the PLIC and with AIA. */
static void every_config_plans_on_qemu_virt(void **state)
{
	(void)state;
	assert_true(nr_vm_configs >= 3);
	for (unsigned int i = 0; i < nr_vm_configs; i++) {
		const struct vm_config *cfg = vm_configs[i];

		assert_non_null(cfg->name);
		assert_non_null(cfg->description);
		assert_ptr_equal(vm_config_find(cfg->name), cfg);
		assert_int_equal(vm_config_check(cfg, err, sizeof(err)), 0);
		plan_on(cfg, "virt-smp8.dtb");
		plan_on(cfg, "virt-aia-smp8.dtb");
		if (i > 0)
			assert_true(strcmp(vm_configs[i - 1]->name, cfg->name) <
				    0);
	}
}

static void default_takes_every_hart_and_all_ram(void **state)
{
	(void)state;
	machine(4);
	assert_int_equal(plan(vm_config_find("default")), 0);
	assert_int_equal(vm0->nr_vcpus, 4);
	assert_int_equal(vm0->nr_ram, 1);
	/* 1 GiB at 0x80000000, less the hypervisor's 2 MiB at the top and
	 * the 2 MiB below them that hold the kernel's pristine copy. */
	assert_int_equal(vm0->ram[0].base, 0x80000000);
	assert_int_equal(vm0->ram[0].size, 1024 * MiB - 4 * MiB);
	assert_int_equal(vm0->images[0].pristine, 0xbfc00000);
	assert_int_equal(vm0->dtb, 0xbfa00000);
	/* UART and 8 virtio slots. */
	assert_int_equal(vm0->nr_mmio, 9);
	assert_null(vm0->bootargs);
}

static void small_is_small(void **state)
{
	const struct vm_config *cfg = vm_config_find("small");

	(void)state;
	machine(4);
	assert_int_equal(plan(cfg), 0);
	assert_int_equal(vm0->nr_vcpus, 2);
	assert_int_equal(vm0->nr_ram, 1);
	assert_int_equal(vm0->ram[0].base, 0x80000000);
	assert_int_equal(vm0->ram[0].size, 64 * MiB);
	/* The pristine copy sits right above guest RAM, the DTB at its top. */
	assert_int_equal(vm0->images[0].pristine, 0x84000000);
	assert_int_equal(vm0->dtb, 0x83e00000);
	assert_int_equal(vm0->nr_mmio, 1);
	assert_string_equal(vm0->bootargs, "small config");
}

static void loader_bootargs_win(void **state)
{
	(void)state;
	machine(2);
	plat.modules[0].bootargs = "console=hvc0";
	assert_int_equal(plan(vm_config_find("linux")), 0);
	assert_string_equal(vm0->bootargs, "console=hvc0");
	plat.modules[0].bootargs = NULL;
	assert_int_equal(plan(vm_config_find("linux")), 0);
	assert_string_equal(vm0->bootargs, "console=ttyS0 earlycon=sbi");
}

/* The PLIC sources that go to the vPLIC: those of the owned devices. */
static void owned_devices_bring_their_interrupts(void **state)
{
	(void)state;
	machine(4);
	assert_int_equal(plan(vm_config_find("linux")), 0);
	assert_int_equal(vm0->nr_irqs, 2 + plat.nr_virtio);
	assert_int_equal(vm0->irqs[0], 10); /* the UART */
	assert_int_equal(vm0->irqs[1], 11); /* the RTC */
	for (unsigned int i = 0; i < plat.nr_virtio; i++)
		assert_int_equal(vm0->irqs[2 + i], plat.virtio[i].irq);
	memset(plan_vms, 0, sizeof(plan_vms));
	assert_int_equal(plan(vm_config_find("small")), 0);
	assert_int_equal(vm0->nr_irqs, 1);
	assert_int_equal(vm0->nr_mmio, 1);
}

static void configs_that_do_not_fit_are_refused(void **state)
{
	struct vm_config t = { .name = "t", .description = "t", .nr_vms = 1 };
	struct vm_spec *c = &t.vms[0];

	(void)state;
	machine(2);
	c->harts = HARTS(0, 3);
	expect_error(
		&t,
		"config 't' wants 3 vCPUs (harts up to index 2), but this machine has 2 harts (SMP=3 or more)");
	c->harts = 0;
	t.nr_vms = 0;
	expect_error(&t,
		     "config 't': 0 VMs; hartvisor runs 1 to 4 (HV_MAX_VMS)");
	t.nr_vms = 1;
	c->ram_base = 0x80300000;
	expect_error(
		&t,
		"config 't': guest RAM 0x80300000+0x0 is not in 2 MiB units");
	c->ram_base = 0xbfe00000;
	expect_error(
		&t,
		"guest RAM at 0xbfe00000 is not free RAM (hartvisor keeps 0xbfe00000-0xc0000000)");
	c->ram_base = 0x100000000;
	expect_error(&t, "guest RAM at 0x100000000 is not free RAM");
	c->ram_base = 0;
	c->ram_size = 1024 * MiB;
	expect_error(
		&t,
		"config 't': guest RAM 0x80000000+1024 MiB does not fit: 1022 MiB free from 0x80000000, less 2 MiB for the pristine image copies");
	c->ram_size = 2 * MiB;
	expect_error(&t, "config 't': guest RAM needs at least 4 MiB");
	c->ram_size = ~0ULL & ~(VM_RAM_ALIGN - 1);
	c->ram_base = 0x80000000;
	expect_error(&t, "guest RAM wraps around");
	c->ram_size = 0;
	c->ram_base = 0x90000000;
	expect_error(
		&t,
		"guest kernel at 0x81000000-0x81010000 is not in guest RAM");
	c->ram_base = 0;
	c->devices = 1U << 7;
	expect_error(&t, "config 't': unknown device bits 0x80");
	c->devices = VM_DEV_UART;
	plat.uart.present = false;
	expect_error(&t, "config 't' owns the UART, but the host DTB has none");
}

/* Two VMs of 128 MiB on QEMU virt with 4 harts, a kernel in each. */
static struct vm_config two = {
	.name = "two",
	.description = "t",
	.nr_vms = 2,
	.vms = { { .name = "a",
		   .harts = HARTS(0, 2),
		   .ram_size = 128 * MiB,
		   .devices = VM_DEV_UART | VM_DEV_IRQCHIP },
		 { .name = "b",
		   .harts = HARTS(2, 2),
		   .ram_size = 128 * MiB,
		   .devices = VM_DEV_VIRTIO | VM_DEV_IRQCHIP,
		   .virtio = 0x3 } },
};

static void two_vms(void)
{
	machine_from("virt-aia-smp4.dtb");
	plat.modules[1] = (struct platform_module){ MODULE_KERNEL, 0x89000000,
						    64 * KiB, "b's" };
	plat.modules[2] = (struct platform_module){ MODULE_RAMDISK, 0x8a000000,
						    8 * KiB, NULL };
	plat.nr_modules = 3;
}

/*
 * Each VM its harts (numbered from 0), its RAM (b's right after a's),
 * its devices and their sources, its images; the pristine copies of
 * every image above the highest guest RAM.
 */
static void two_vms_partition_the_machine(void **state)
{
	struct vm *a = &plan_vms[0], *b = &plan_vms[1];

	(void)state;
	two_vms();
	assert_int_equal(plan(&two), 0);
	assert_string_equal(a->name, "a");
	assert_int_equal(a->vmid, 1);
	assert_int_equal(b->vmid, 2);
	assert_int_equal(a->nr_vcpus, 2);
	assert_int_equal(b->nr_vcpus, 2);
	assert_int_equal(b->hart_slot[0], 2);
	assert_int_equal(b->hart_slot[1], 3);
	assert_int_equal(a->ram[0].base, 0x80000000);
	assert_int_equal(b->ram[0].base, 0x88000000);
	assert_int_equal(b->ram[0].size, 128 * MiB);
	/*
	 * a: the UART, emulated (several VMs): its page never mapped, its
	 * source 10 the vUART's; b: the two lowest virtio slots.
	 */
	assert_int_equal(a->nr_mmio, 0);
	assert_true(a->vuart_on);
	assert_int_equal(a->vuart_page.base, 0x10000000);
	assert_int_equal(a->vuart_irq, 10);
	assert_int_equal(a->irqs[0], 10);
	assert_false(b->vuart_on);
	assert_int_equal(b->nr_mmio, 2);
	assert_int_equal(b->mmio[0].base + b->mmio[1].base,
			 0x10001000 + 0x10002000);
	assert_int_equal(b->irqchip.nsrc, 2);
	/* The images where their RAM is; b's DTB at the top of b's RAM. */
	assert_int_equal(a->nr_images, 1);
	assert_int_equal(b->nr_images, 2);
	assert_int_equal(a->entry, 0x81000000);
	assert_int_equal(b->entry, 0x89000000);
	assert_string_equal(b->bootargs, "b's");
	assert_int_equal(b->dtb, 0x8fe00000);
	assert_int_equal(a->images[0].pristine, 0x90000000);
	assert_int_equal(b->images[0].pristine, 0x90010000);
	assert_int_equal(b->images[1].pristine, 0x90020000);
	assert_string_equal(a->what, "config 'two': VM 'a'");
}

/* Each resource given twice is refused in one line naming both VMs. */
static void double_bookings_are_refused(void **state)
{
	struct vm_config c = two;

	(void)state;
	two_vms();
	c.vms[1].harts = HARTS(1, 2);
	expect_error(&c, "config 'two': VMs 'a' and 'b' both take hart 1");
	c = two;
	c.vms[1].ram_base = 0x87e00000;
	expect_error(
		&c,
		"config 'two': VMs 'a' and 'b' both take RAM 0x87e00000-0x88000000");
	/* Not a double booking: each VM gets an emulated UART of its own. */
	c = two;
	c.vms[1].devices |= VM_DEV_UART;
	assert_int_equal(plan(&c), 0);
	assert_true(plan_vms[0].vuart_on && plan_vms[1].vuart_on);
	assert_int_equal(plan_vms[1].vuart_irq, 10);
	c = two;
	c.vms[0].devices |= VM_DEV_VIRTIO;
	c.vms[0].virtio = 0x6;
	expect_error(
		&c,
		"config 'two': VMs 'a' and 'b' both take virtio slot 1 (device page 0x10002000)");
	c = two;
	c.vms[0].devices |= VM_DEV_RTC;
	c.vms[1].devices |= VM_DEV_RTC;
	expect_error(
		&c,
		"config 'two': VMs 'a' and 'b' both take the RTC (device page 0x101000)");
}

/* What a config of several VMs must say, and what each VM must get. */
static void several_vms_need_more(void **state)
{
	struct vm_config c = two;

	(void)state;
	two_vms();
	c.vms[1].harts = 0;
	expect_error(
		&c,
		"config 'two': VM 'b' names no harts (.harts = HARTS(first, count)): with several VMs each takes its own");
	c = two;
	c.vms[0].ram_size = 0;
	expect_error(
		&c,
		"config 'two': VM 'a' has no RAM size: with several VMs each gives .ram_size");
	c = two;
	c.vms[1].name = "a";
	expect_error(&c, "config 'two': two VMs are called 'a'");
	c = two;
	c.vms[1].devices = VM_DEV_IRQCHIP;
	expect_error(
		&c,
		"config 'two': VM 'b' names virtio slots (.virtio) but not VM_DEV_VIRTIO");
	c = two;
	c.vms[1].virtio = 0x100;
	expect_error(
		&c,
		"config 'two': VM 'b' wants virtio slots 0x100, but this machine has 8");
	c = two;
	c.nr_vms = HV_MAX_VMS + 1;
	expect_error(&c,
		     "config 'two': 5 VMs; hartvisor runs 1 to 4 (HV_MAX_VMS)");
	c = two;
	plat.nr_modules = 1;
	expect_error(
		&c,
		"config 'two': VM 'b' has no kernel: QEMU -device guest-loader,kernel=FILE,addr=ADDR with ADDR in its RAM 0x88000000-0x90000000");
	plat.nr_modules = 3;
	plat.modules[2].base = 0x9a000000;
	expect_error(
		&c,
		"guest ramdisk at 0x9a000000-0x9a002000 is not in any VM's RAM");
	c.vms[1].ram_size = 1024 * MiB;
	expect_error(
		&c,
		"config 'two': VM 'b': guest RAM 0x88000000+1024 MiB does not fit");
}

/* The config "two" with a channel "ab" of 4 + 2 x 8 KiB between a and b. */
static struct vm_config with_channel(void)
{
	struct vm_config c = two;

	c.nr_channels = 1;
	c.channels[0] = (struct vm_channel){
		.name = "ab",
		.size = 5 * CHAN_PAGE,
		.nr_peers = 2,
		.peers = { { .vm = 0, .gpa = 0x8000000, .irq = 64 },
			   { .vm = 1, .gpa = 0x9000000, .irq = 65 } },
	};
	return c;
}

/*
 * Each peer gets its end: the memory where the config puts it in that
 * VM, the doorbell page right after, its source in its vAPLIC; the
 * memory itself goes above the pristine copies. The guest DTB has the
 * node Linux's generic UIO driver binds to.
 */
static void a_channel_joins_two_vms(void **state)
{
	struct vm_config c = with_channel();
	struct vm *a = &plan_vms[0], *b = &plan_vms[1];
	static char out[64 * KiB];
	const fdt32_t *cell;
	int node, len;

	(void)state;
	two_vms();
	assert_int_equal(plan(&c), 0);
	assert_int_equal(a->nr_chans, 1);
	assert_int_equal(b->nr_chans, 1);
	assert_int_equal(a->chans[0].peer, 0);
	assert_int_equal(b->chans[0].peer, 1);
	assert_int_equal(a->chans[0].gpa, 0x8000000);
	assert_int_equal(a->chans[0].doorbell, 0x8005000);
	assert_int_equal(a->chans[0].doorbell_size, CHAN_PAGE);
	assert_int_equal(b->chans[0].doorbell, 0x9005000);
	/* After the three images' copies at 0x90000000 (64 + 64 + 8 KiB). */
	assert_int_equal(a->chans[0].hpa, 0x90022000);
	assert_int_equal(b->chans[0].hpa, 0x90022000);
	/* The doorbell is a source of the VM's own controller. */
	assert_int_equal(a->irqs[a->nr_irqs - 1], 64);
	assert_int_equal(a->irqchip.nsrc, 64);
	assert_int_equal(b->irqchip.nsrc, 65);
	/* A trusted doorbell window: every peer's interrupt files. */
	c.channels[0].doorbell = CHAN_DOORBELL_TRUSTED;
	assert_int_equal(plan(&c), 0);
	assert_int_equal(a->chans[0].doorbell_size, 4 * CHAN_PAGE);

	b->isa_offers = 0;
	assert_int_equal(vm_plan_guest_dtb(b, &plat, dtb.data, dtb.size, out,
					   sizeof(out), err, sizeof(err)),
			 0);
	node = fdt_path_offset(out, "/ab@9000000");
	assert_true(node >= 0);
	assert_int_equal(
		fdt_node_check_compatible(out, node, "hartvisor,channel"), 0);
	cell = fdt_getprop(out, node, "reg", &len);
	assert_int_equal(len, 32);
	assert_int_equal(fdt32_ld(&cell[1]), 0x9000000);
	assert_int_equal(fdt32_ld(&cell[3]), 5 * CHAN_PAGE);
	assert_int_equal(fdt32_ld(&cell[5]), 0x9005000);
	assert_int_equal(fdt32_ld(&cell[7]), 4 * CHAN_PAGE);
	cell = fdt_getprop(out, node, "interrupts", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_ld(&cell[0]), 65);
	assert_int_equal(fdt32_ld(&cell[1]), 1); /* rising edge */
	cell = fdt_getprop(out, node, "interrupt-parent", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_ld(cell),
			 fdt_get_phandle(out, fdt_node_offset_by_compatible(
						      out, -1, "riscv,aplic")));
	cell = fdt_getprop(out, node, "hartvisor,peer", &len);
	assert_int_equal(fdt32_ld(cell), 1);
	assert_string_equal(fdt_getprop(out, node, "hartvisor,doorbell", NULL),
			    "trusted");
}

/* Each way a channel can be wrong, in one line that names it. */
static void bad_channels_are_refused(void **state)
{
	struct vm_config c = with_channel();

	(void)state;
	two_vms();
	c.channels[0].peers[1].gpa = 0x80000000;
	expect_error(
		&c,
		"config 'two': VM 'b': channel 'ab' at 0x80000000-0x80006000 overlaps RAM 0x80000000-0xc0000000");
	c = with_channel();
	c.channels[0].peers[0].gpa = 0x10000000;
	expect_error(
		&c,
		"config 'two': VM 'a': channel 'ab' at 0x10000000-0x10006000 overlaps the UART at 0x10000000");
	c = with_channel();
	c.channels[0].peers[0].gpa = 0xfffe000;
	expect_error(&c, "overlaps the UART at 0x10000000");
	c = with_channel();
	c.nr_channels = 2;
	c.channels[1] = c.channels[0];
	c.channels[1].name = "ab2";
	c.channels[1].peers[0].irq = 66;
	c.channels[1].peers[1].irq = 66;
	c.channels[1].peers[0].gpa = 0x8004000;
	expect_error(
		&c,
		"config 'two': VM 'a': channels 'ab' and 'ab2' overlap at 0x8004000");
	c.channels[1].peers[0].gpa = 0x8100000;
	c.channels[1].peers[0].irq = 64;
	expect_error(
		&c,
		"config 'two': VM 'a': channels 'ab' and 'ab2' both ring source 64");
	c = with_channel();
	c.channels[0].peers[1].irq = 10;
	expect_error(
		&c,
		"config 'two': VM 'b': channel 'ab': doorbell source 10 is the UART's");
	c.channels[0].peers[1].irq = 200;
	expect_error(
		&c,
		"config 'two': VM 'b': channel 'ab': doorbell source 200 is beyond the AIA's 96");
	/* Without the machine. */
	c = with_channel();
	c.channels[0].nr_peers = 1;
	expect_error(
		&c,
		"config 'two': channel 'ab' has 1 peers; a channel joins 2 to 4 VMs");
	c = with_channel();
	c.channels[0].peers[1].vm = 0;
	expect_error(&c,
		     "config 'two': channel 'ab': VM 'a' is two of its peers");
	c.channels[0].peers[1].vm = 2;
	expect_error(
		&c,
		"config 'two': channel 'ab': peer 1 is VM 2, but the config has 2");
	c = with_channel();
	c.channels[0].size = 4 * CHAN_PAGE;
	expect_error(
		&c,
		"config 'two': channel 'ab': size 0x4000 is not 4 KiB of header and 2 output sections of whole 4 KiB pages (e.g. 0x9000)");
	c = with_channel();
	c.channels[0].name = "A B";
	expect_error(
		&c,
		"config 'two': channel 0's name 'A B' is not 1-24 of [a-z0-9-]");
	c = with_channel();
	c.channels[0].peers[0].gpa = 0x8000800;
	expect_error(
		&c,
		"config 'two': channel 'ab': its address in VM 'a', 0x8000800, is not a 4 KiB page's");
	c = with_channel();
	c.vms[1].devices &= ~VM_DEV_IRQCHIP;
	expect_error(
		&c,
		"config 'two': channel 'ab': VM 'b' needs VM_DEV_IRQCHIP and an interrupt source (.irq) for its doorbell");
	c = with_channel();
	c.channels[0].doorbell = 7;
	expect_error(&c, "channel 'ab': unknown doorbell kind 7");
	/* A trusted doorbell needs guest interrupt files. */
	c = with_channel();
	c.channels[0].doorbell = CHAN_DOORBELL_TRUSTED;
	machine(4);
	plat.modules[1] = (struct platform_module){ MODULE_KERNEL, 0x89000000,
						    64 * KiB, NULL };
	plat.nr_modules = 2;
	expect_error(
		&c,
		"config 'two': VM 'a': channel 'ab' rings with no exit (CHAN_DOORBELL_TRUSTED), which needs guest interrupt files");
	c.channels[0].doorbell = CHAN_DOORBELL_CHECKED;
	assert_int_equal(plan(&c), 0);
	assert_int_equal(plan_vms[0].irqchip.kind, IRQCHIP_PLIC);
}

/* The top of the highest RAM range, 2 MiB-aligned, room for image + DTB. */
static void the_hypervisor_goes_to_the_top_of_ram(void **state)
{
	struct mem_range h;

	(void)state;
	machine(2);
	assert_int_equal(vm_hv_place(&plat, 1492 * KiB, 7 * KiB, &h, err,
				     sizeof(err)),
			 0);
	assert_int_equal(h.base, 0xbfe00000);
	assert_int_equal(h.size, 2 * MiB);
	/* One byte more than 2 MiB takes the next 2 MiB too. */
	assert_int_equal(vm_hv_place(&plat, 2 * MiB - 7 * KiB + 1, 7 * KiB, &h,
				     err, sizeof(err)),
			 0);
	assert_int_equal(h.base, 0xbfc00000);
	assert_int_equal(h.size, 4 * MiB);
	/* Two ranges: the higher one, wherever it is listed. */
	plat.mem[1] = plat.mem[0];
	plat.mem[0] = (struct mem_range){ 0x100000000, 2048 * MiB };
	plat.nr_mem = 2;
	assert_int_equal(vm_hv_place(&plat, MiB, 7 * KiB, &h, err, sizeof(err)),
			 0);
	assert_int_equal(h.base, 0x17fe00000);
	/* At 2 GiB and more, the first GiB is one G-stage leaf. */
	plat.nr_mem = 1;
	plat.mem[0] = (struct mem_range){ 0x80000000, 2048 * MiB };
	assert_int_equal(vm_hv_place(&plat, MiB, 7 * KiB, &h, err, sizeof(err)),
			 0);
	assert_int_equal(h.base, 0xffe00000);
	assert_int_equal(vm_plan_all(plan_vms, &plat, vm_config_find("default"),
				     h, err, sizeof(err)),
			 0);
	assert_int_equal(vm0->ram[0].base, 0x80000000);
	assert_int_equal(vm0->ram[0].size, 2048 * MiB - 4 * MiB);
}

static void no_room_at_the_top_is_refused(void **state)
{
	struct mem_range h;

	(void)state;
	machine(2);
	plat.reserved[0] = (struct mem_range){ 0xbfff0000, 0x1000 };
	plat.nr_reserved = 1;
	assert_int_equal(vm_hv_place(&plat, MiB, 7 * KiB, &h, err, sizeof(err)),
			 SBI_ERR_INVALID_ADDRESS);
	assert_string_equal(
		err,
		"the top of RAM 0xbfe00000-0xc0000000, where hartvisor goes, is reserved memory (0xbfff0000-0xbfff1000)");
	plat.nr_reserved = 0;
	plat.mem[0] = (struct mem_range){ 0x80000000, MiB };
	assert_int_equal(vm_hv_place(&plat, MiB, 7 * KiB, &h, err, sizeof(err)),
			 SBI_ERR_NO_SHMEM);
	assert_string_equal(
		err,
		"RAM 0x80000000+1 MiB is too small for hartvisor (1031 KiB and the device tree at its top)");
	plat.nr_mem = 0;
	assert_int_equal(vm_hv_place(&plat, MiB, 7 * KiB, &h, err, sizeof(err)),
			 SBI_ERR_INVALID_PARAM);
	/* A kernel QEMU loaded where the hypervisor goes: load it lower. */
	machine(2);
	plat.modules[0].base = 0xbff00000;
	assert_int_not_equal(platform_check_memory(&plat, hv, err, sizeof(err)),
			     0);
	assert_string_equal(
		err,
		"guest kernel at 0xbff00000-0xbff10000 overlaps hypervisor memory 0xbfe00000-0xc0000000 at the top of RAM: load it lower (guest-loader addr=) or give QEMU more memory (-m)");
}

static void no_kernel_is_not_an_error_of_the_config(void **state)
{
	(void)state;
	machine(2);
	plat.nr_modules = 0;
	assert_int_equal(plan(vm_config_find("small")), SBI_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(err, "no guest kernel"));
}

static void command_line_picks_the_config(void **state)
{
	const struct vm_config *cfg = NULL;

	(void)state;
	assert_int_equal(vm_config_select(NULL, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->name, "default");
	assert_int_equal(vm_config_select("", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->name, "default");
	assert_int_equal(vm_config_select("  config=small\n", &cfg, err,
					  sizeof(err)),
			 0);
	assert_string_equal(cfg->name, "small");
	assert_int_equal(vm_config_select("config=small config=linux", &cfg,
					  err, sizeof(err)),
			 0);
	assert_string_equal(cfg->name, "linux");

	assert_int_equal(vm_config_select("config=nope", &cfg, err,
					  sizeof(err)),
			 SBI_ERR_INVALID_PARAM);
	assert_string_equal(
		err,
		"no VM config 'nope'; configs/ has: chan chan_trusted default linux linux2 linux2_trusted linux_rt linux_rt_trusted pair small");
	assert_int_not_equal(
		vm_config_select(
			"config=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			&cfg, err, sizeof(err)),
		0);
	assert_non_null(strstr(err, "no VM config 'aaaa"));
	assert_int_not_equal(vm_config_select("quiet", &cfg, err, sizeof(err)),
			     0);
	assert_string_equal(
		err,
		"unknown word 'quiet' on hartvisor's command line (QEMU -append): it takes config=NAME");
	assert_int_not_equal(
		vm_config_select("config=", &cfg, err, sizeof(err)), 0);
	/* A tiny buffer: cut short, never overrun (ASan watches). */
	assert_int_not_equal(vm_config_select("config=nope", &cfg, err, 8), 0);
	assert_int_equal(strlen(err), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_config_plans_on_qemu_virt),
		cmocka_unit_test(aia_machine_plans_the_vaplic),
		cmocka_unit_test(default_takes_every_hart_and_all_ram),
		cmocka_unit_test(small_is_small),
		cmocka_unit_test(loader_bootargs_win),
		cmocka_unit_test(owned_devices_bring_their_interrupts),
		cmocka_unit_test(configs_that_do_not_fit_are_refused),
		cmocka_unit_test(two_vms_partition_the_machine),
		cmocka_unit_test(double_bookings_are_refused),
		cmocka_unit_test(several_vms_need_more),
		cmocka_unit_test(a_channel_joins_two_vms),
		cmocka_unit_test(bad_channels_are_refused),
		cmocka_unit_test(the_hypervisor_goes_to_the_top_of_ram),
		cmocka_unit_test(no_room_at_the_top_is_refused),
		cmocka_unit_test(no_kernel_is_not_an_error_of_the_config),
		cmocka_unit_test(command_line_picks_the_config),
	};

	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	free(dtb.data);
	return failed;
}
