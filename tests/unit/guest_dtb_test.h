/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the guest-DTB unit tests share: the output buffer, QEMU virt's
 * guest RAM and passthrough pages, the parameters hartvisor passes, and
 * building a fixture's guest DTB into the buffer.
 */
#ifndef TESTS_UNIT_GUEST_DTB_TEST_H
#define TESTS_UNIT_GUEST_DTB_TEST_H

#include "fixture.h"
#include "guest_dtb.h"
#include "platform.h"

static uint8_t out[64 * 1024];
static char err[256];
static const unsigned long hartids[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
static const struct mem_range ram[] = { { 0x80400000, 0x3fa00000 } };
/* What hartvisor passes through on QEMU virt: the UART, 8 virtio slots. */
static const struct mem_range mmio[] = {
	{ 0x10000000, 0x1000 }, { 0x10001000, 0x1000 }, { 0x10002000, 0x1000 },
	{ 0x10003000, 0x1000 }, { 0x10004000, 0x1000 }, { 0x10005000, 0x1000 },
	{ 0x10006000, 0x1000 }, { 0x10007000, 0x1000 }, { 0x10008000, 0x1000 },
	{ 0x10010000, 0x1000 },
};

static inline struct guest_dtb_params params(unsigned int vcpus, bool sstc)
{
	return (struct guest_dtb_params){
		.nr_vcpus = vcpus,
		.vcpu_hartids = hartids,
		.nr_ram = 1,
		.ram = ram,
		.bootargs = "console=hvc0 earlycon=sbi",
		.isa_offers = isa_offers(sstc, true, false, false),
		.nr_mmio = ARRAY_SIZE(mmio),
		.mmio = mmio,
		.irqchip = IRQCHIP_PLIC,
	};
}

static inline void build(const char *fixture, const struct guest_dtb_params *p)
{
	struct blob host = fixture_load(fixture);
	int ret = guest_dtb_build(host.data, host.size, out, sizeof(out), p,
				  err, sizeof(err));

	free(host.data);
	if (ret)
		fail_msg("%s: %s", fixture, err);
	assert_int_equal(fdt_check_header(out), 0);
}

static inline unsigned int count_cpus(void)
{
	int cpus = fdt_path_offset(out, "/cpus"), node;
	unsigned int n = 0;

	assert_true(cpus >= 0);
	fdt_for_each_subnode(node, out, cpus) {
		const char *type = fdt_getprop(out, node, "device_type", NULL);

		n += type && !strcmp(type, "cpu");
	}
	return n;
}

#endif
