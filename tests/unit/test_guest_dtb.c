// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit tests of the guest-DTB rewrite (hv/guest_dtb*.c) on QEMU's own
 * DTBs: read the result back with libfdt and check each rule — cpus and
 * their regs, no "h", sstc only when kept, no CLINT, the PLIC's contexts
 * or (AIA) the guest's IMSIC and APLIC,
 * the memory node, /chosen. Odd and broken input: test_guest_dtb_input.c.
 */
#include "guest_dtb_test.h"

static void check_cpus(unsigned int vcpus, bool sstc)
{
	char path[32];

	assert_int_equal(count_cpus(), vcpus);
	for (unsigned int i = 0; i < vcpus; i++) {
		const fdt32_t *reg;
		const char *isa, *mmu;
		int node;

		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		node = fdt_path_offset(out, path);
		assert_true(node >= 0);
		reg = fdt_getprop(out, node, "reg", NULL);
		assert_non_null(reg);
		assert_int_equal(fdt32_to_cpu(*reg), i);
		isa = fdt_getprop(out, node, "riscv,isa", NULL);
		assert_non_null(isa);
		assert_false(isa_has_ext(isa, "h"));
		assert_true(isa_has_ext(isa, "zicsr"));
		assert_int_equal(isa_has_ext(isa, "sstc"), sstc);
		/* As the host has it: sv48 on QEMU 7.2's rv64, sv57 on 10. */
		mmu = fdt_getprop(out, node, "mmu-type", NULL);
		assert_non_null(mmu);
		assert_true(!strcmp(mmu, "riscv,sv48") ||
			    !strcmp(mmu, "riscv,sv57"));
	}
}

/* interrupts-extended: per vCPU, <intc 0xffffffff> then <intc 9>. */
static void check_plic(unsigned int vcpus)
{
	int plic = fdt_node_offset_by_compatible(out, -1, "riscv,plic0");
	const fdt32_t *cells;
	char path[48];
	int len;

	assert_true(plic >= 0);
	cells = fdt_getprop(out, plic, "interrupts-extended", &len);
	assert_non_null(cells);
	assert_int_equal(len, (int)(vcpus * 4 * sizeof(fdt32_t)));
	for (unsigned int i = 0; i < vcpus; i++) {
		int intc;

		snprintf(path, sizeof(path),
			 "/cpus/cpu@%u/interrupt-controller", i);
		intc = fdt_path_offset(out, path);
		assert_true(intc >= 0);
		assert_int_equal(fdt32_to_cpu(cells[4 * i]),
				 fdt_get_phandle(out, intc));
		assert_int_equal(fdt32_to_cpu(cells[4 * i + 1]), 0xffffffff);
		assert_int_equal(fdt32_to_cpu(cells[4 * i + 2]),
				 fdt_get_phandle(out, intc));
		assert_int_equal(fdt32_to_cpu(cells[4 * i + 3]), 9);
	}
}

/* Room for a bootloader's in-place edits: zeroed, inside totalsize. */
static void check_free_space(void)
{
	uint32_t end = fdt_off_dt_strings(out) + fdt_size_dt_strings(out);

	assert_true(fdt_off_dt_struct(out) + fdt_size_dt_struct(out) <=
		    fdt_off_dt_strings(out));
	assert_int_equal(fdt_totalsize(out), end + GUEST_DTB_FREE);
	for (uint32_t i = end; i < fdt_totalsize(out); i++)
		if (((const unsigned char *)out)[i])
			fail_msg("byte %u of the free space is not zero", i);
	/* A property added in place lands there. */
	assert_int_equal(fdt_setprop_string(out,
					    fdt_path_offset(out, "/chosen"),
					    "u-boot,added", "in place"),
			 0);
	assert_int_equal(fdt_totalsize(out), end + GUEST_DTB_FREE);
}

static void check_common(unsigned int vcpus, bool sstc)
{
	const fdt32_t *reg;
	int node, len;

	check_cpus(vcpus, sstc);
	check_plic(vcpus);
	/* Gone: what the guest cannot reach. */
	static const char *const gone[] = {
		"riscv,clint0", "sifive,clint0",    "pci-host-ecam-generic",
		"cfi-flash",	"qemu,fw-cfg-mmio", "google,goldfish-rtc",
		"sifive,test1", "syscon-poweroff",  "syscon-reboot",
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(gone); i++)
		if (fdt_node_offset_by_compatible(out, -1, gone[i]) >= 0)
			fail_msg("%s is still in the guest DTB", gone[i]);
	/* Kept: what is passed through. */
	assert_true(fdt_path_offset(out, "/soc/serial@10000000") >= 0);
	node = -1;
	len = 0;
	while ((node = fdt_node_offset_by_compatible(out, node,
						     "virtio,mmio")) >= 0)
		len++;
	assert_int_equal(len, 8);

	node = fdt_node_offset_by_prop_value(out, -1, "device_type", "memory",
					     sizeof("memory"));
	assert_true(node >= 0);
	assert_string_equal(fdt_get_name(out, node, NULL), "memory@80400000");
	reg = fdt_getprop(out, node, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(reg[1]), 0x80400000);
	assert_int_equal(fdt32_to_cpu(reg[3]), 0x3fa00000);
	assert_true(fdt_node_offset_by_prop_value(out, node, "device_type",
						  "memory",
						  sizeof("memory")) < 0);

	node = fdt_path_offset(out, "/chosen");
	assert_true(node >= 0);
	assert_string_equal(fdt_getprop(out, node, "bootargs", NULL),
			    "console=hvc0 earlycon=sbi");
	assert_string_equal(fdt_getprop(out, node, "stdout-path", NULL),
			    "/soc/serial@10000000");
	assert_non_null(fdt_getprop(out, node, "rng-seed", NULL));
	assert_true(fdt_subnode_offset(out, node, "module@0x80400000") < 0);
	assert_true(fdt_first_subnode(out, node) < 0);
	check_free_space();
}

static void test_smp1(void **state)
{
	struct guest_dtb_params p = params(1, false);

	(void)state;
	build("virt-smp1.dtb", &p);
	check_common(1, false);
}

static void test_smp2(void **state)
{
	struct guest_dtb_params p = params(2, false);

	(void)state;
	build("virt-smp2.dtb", &p);
	check_common(2, false);
}

static void test_smp4_with_sstc(void **state)
{
	struct guest_dtb_params p = params(4, true);

	(void)state;
	build("virt-smp4.dtb", &p);
	check_common(4, true);
}

static void test_smp8(void **state)
{
	struct guest_dtb_params p = params(8, false);

	(void)state;
	build("virt-smp8.dtb", &p);
	check_common(8, false);
}

static void test_host_without_sstc(void **state)
{
	struct guest_dtb_params p = params(4, true);

	(void)state;
	/* Keeping sstc cannot add it: the host has none. */
	build("virt-smp4-nosstc.dtb", &p);
	check_common(4, false);
}

static void test_fewer_vcpus_than_harts(void **state)
{
	struct guest_dtb_params p = params(3, false);
	int map, node, depth = 0, cores = 0;

	(void)state;
	build("virt-smp8.dtb", &p);
	check_common(3, false);
	/* cpu-map keeps only cores whose cpu still exists. */
	map = fdt_path_offset(out, "/cpus/cpu-map");
	assert_true(map >= 0);
	for (node = fdt_next_node(out, map, &depth); node >= 0 && depth > 0;
	     node = fdt_next_node(out, node, &depth)) {
		const fdt32_t *cpu = fdt_getprop(out, node, "cpu", NULL);

		if (cpu) {
			assert_true(fdt_node_offset_by_phandle(
					    out, fdt32_to_cpu(*cpu)) >= 0);
			cores++;
		}
	}
	assert_int_equal(cores, 3);
}

/* A VM without the PLIC (or devices): no PLIC, nothing that points at it. */
static void test_no_plic_no_devices(void **state)
{
	struct guest_dtb_params p = params(4, false);
	int node, depth = 0;

	(void)state;
	p.irqchip = IRQCHIP_NONE;
	p.nr_mmio = 0;
	build("virt-smp4.dtb", &p);
	assert_true(fdt_node_offset_by_compatible(out, -1, "riscv,plic0") < 0);
	assert_true(fdt_node_offset_by_compatible(out, -1, "ns16550a") < 0);
	assert_true(fdt_node_offset_by_compatible(out, -1, "virtio,mmio") < 0);
	for (node = fdt_next_node(out, 0, &depth); node >= 0 && depth > 0;
	     node = fdt_next_node(out, node, &depth))
		assert_null(fdt_getprop(out, node, "interrupt-parent", NULL));
	assert_true(fdt_path_offset(out, "/cpus/cpu@3") >= 0);
}

/* The one node compatible with @compat in the result; it is named @name. */
static int only_node(const char *compat, const char *name)
{
	int node = fdt_node_offset_by_compatible(out, -1, compat);

	assert_true(node >= 0);
	assert_true(fdt_node_offset_by_compatible(out, node, compat) < 0);
	assert_string_equal(fdt_get_name(out, node, NULL), name);
	return node;
}

/*
 * AIA: one IMSIC page per vCPU at the guest's base, hart index = vCPU,
 * the S-level APLIC with the VM's sources and msi-parent, ssaia in every
 * ISA, nothing M-level, no PLIC or CLINT, the devices' interrupts kept.
 */
static void check_aia(unsigned int vcpus)
{
	const fdt32_t *cells;
	const char *isa;
	char path[48];
	int imsic, aplic, uart, len;
	uint32_t v;

	imsic = only_node("riscv,imsics", "interrupt-controller@28000000");
	cells = fdt_getprop(out, imsic, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(cells[1]), 0x28000000);
	assert_int_equal(fdt32_to_cpu(cells[3]), vcpus * 0x1000);
	assert_null(fdt_getprop(out, imsic, "riscv,guest-index-bits", NULL));
	cells = fdt_getprop(out, imsic, "interrupts-extended", &len);
	assert_int_equal(len, (int)(vcpus * 2 * sizeof(fdt32_t)));
	for (unsigned int i = 0; i < vcpus; i++) {
		snprintf(path, sizeof(path),
			 "/cpus/cpu@%u/interrupt-controller", i);
		assert_int_equal(fdt32_to_cpu(cells[2 * i]),
				 fdt_get_phandle(out,
						 fdt_path_offset(out, path)));
		assert_int_equal(fdt32_to_cpu(cells[2 * i + 1]), 9);
		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		isa = fdt_getprop(out, fdt_path_offset(out, path), "riscv,isa",
				  NULL);
		assert_true(isa_has_ext(isa, "ssaia"));
		assert_false(isa_has_ext(isa, "smaia"));
	}
	aplic = only_node("riscv,aplic", "interrupt-controller@d000000");
	cells = fdt_getprop(out, aplic, "riscv,num-sources", &len);
	assert_int_equal(fdt32_to_cpu(*cells), 10);
	cells = fdt_getprop(out, aplic, "msi-parent", &len);
	assert_int_equal(fdt32_to_cpu(*cells), fdt_get_phandle(out, imsic));
	assert_null(fdt_getprop(out, aplic, "riscv,children", NULL));
	assert_true(fdt_node_offset_by_compatible(out, -1, "riscv,plic0") < 0);
	/* The UART: source 10, level, through the APLIC. */
	uart = fdt_path_offset(out, "/soc/serial@10000000");
	cells = fdt_getprop(out, uart, "interrupts", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_to_cpu(cells[0]), 10);
	v = fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(
		out, uart, "interrupt-parent", NULL));
	assert_int_equal(v, fdt_get_phandle(out, aplic));
}

static void test_aia(void **state)
{
	struct guest_dtb_params p = params(4, true);

	(void)state;
	p.irqchip = IRQCHIP_AIA;
	p.isa_offers = isa_offers(true, true, true, false);
	p.imsic_base = 0x28000000;
	p.imsic_host_base = 0x28000000;
	p.aplic_base = 0xd000000;
	p.aplic_nsrc = 10;
	build("virt-aia-smp4.dtb", &p);
	check_cpus(4, true);
	check_aia(4);
	/* Fewer vCPUs than harts: pages and entries for those only. */
	p.nr_vcpus = 3;
	build("virt-aia-smp4.dtb", &p);
	check_aia(3);
	/* Without AIA for the guest, no Ssaia and no IMSIC or APLIC. */
	p.irqchip = IRQCHIP_NONE;
	p.isa_offers = isa_offers(true, true, false, false);
	p.nr_mmio = 0;
	build("virt-aia-smp4.dtb", &p);
	assert_true(fdt_node_offset_by_compatible(out, -1, "riscv,imsics") < 0);
	assert_true(fdt_node_offset_by_compatible(out, -1, "riscv,aplic") < 0);
	assert_false(isa_has_ext(
		fdt_getprop(out, fdt_path_offset(out, "/cpus/cpu@0"),
			    "riscv,isa", NULL),
		"ssaia"));
}

static void test_initrd_and_modules(void **state)
{
	struct guest_dtb_params p = params(2, false);
	int chosen;
	fdt64_t v;

	(void)state;
	p.has_initrd = true;
	p.initrd_start = 0x88000000;
	p.initrd_end = 0x88001388;
	build("virt-smp2-modules.dtb", &p);
	check_common(2, false);
	chosen = fdt_path_offset(out, "/chosen");
	/* Properties are only 4-byte aligned: copy before reading. */
	assert_non_null(fdt_getprop(out, chosen, "linux,initrd-start", NULL));
	memcpy(&v, fdt_getprop(out, chosen, "linux,initrd-start", NULL), 8);
	assert_int_equal(fdt64_to_cpu(v), 0x88000000);
	assert_non_null(fdt_getprop(out, chosen, "linux,initrd-end", NULL));
	memcpy(&v, fdt_getprop(out, chosen, "linux,initrd-end", NULL), 8);
	assert_int_equal(fdt64_to_cpu(v), 0x88001388);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smp1),
		cmocka_unit_test(test_smp2),
		cmocka_unit_test(test_smp4_with_sstc),
		cmocka_unit_test(test_smp8),
		cmocka_unit_test(test_host_without_sstc),
		cmocka_unit_test(test_fewer_vcpus_than_harts),
		cmocka_unit_test(test_no_plic_no_devices),
		cmocka_unit_test(test_aia),
		cmocka_unit_test(test_initrd_and_modules),
	};

	return cmocka_run_group_tests_name("guest_dtb", tests, NULL, NULL);
}
