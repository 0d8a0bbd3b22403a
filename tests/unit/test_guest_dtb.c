// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit tests of the guest-DTB rewrite (hv/guest_dtb.c) on QEMU's own
 * DTBs: read the result back with libfdt and check each rule — cpus and
 * their regs, no "h", sstc only when kept, no CLINT, the PLIC's contexts
 * or (AIA) the guest's IMSIC and APLIC,
 * the memory node, /chosen — and that broken input gets a clear error.
 */
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

static struct guest_dtb_params params(unsigned int vcpus, bool sstc)
{
	return (struct guest_dtb_params){
		.nr_vcpus = vcpus,
		.vcpu_hartids = hartids,
		.nr_ram = 1,
		.ram = ram,
		.bootargs = "console=hvc0 earlycon=sbi",
		.sstc = sstc,
		.nr_mmio = ARRAY_SIZE(mmio),
		.mmio = mmio,
		.irqchip = IRQCHIP_PLIC,
	};
}

static void build(const char *fixture, const struct guest_dtb_params *p)
{
	struct blob host = fixture_load(fixture);
	int ret = guest_dtb_build(host.data, host.size, out, sizeof(out), p,
				  err, sizeof(err));

	free(host.data);
	if (ret)
		fail_msg("%s: %s", fixture, err);
	assert_int_equal(fdt_check_header(out), 0);
}

static unsigned int count_cpus(void)
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

	imsic = fdt_node_offset_by_compatible(out, -1, "riscv,imsics");
	assert_true(imsic >= 0);
	assert_true(fdt_node_offset_by_compatible(out, imsic, "riscv,imsics") <
		    0);
	assert_string_equal(fdt_get_name(out, imsic, NULL),
			    "interrupt-controller@28000000");
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
	aplic = fdt_node_offset_by_compatible(out, -1, "riscv,aplic");
	assert_true(aplic >= 0);
	assert_true(fdt_node_offset_by_compatible(out, aplic, "riscv,aplic") <
		    0);
	assert_string_equal(fdt_get_name(out, aplic, NULL),
			    "interrupt-controller@d000000");
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

static void test_sparse_harts(void **state)
{
	static const unsigned long sparse[] = { 1, 3, 5 };
	struct guest_dtb_params p = params(3, true);
	const struct mem_range two[] = { { 0x80400000, 0x3fc00000 },
					 { 0x100000000, 0x20000000 } };
	const fdt32_t *reg;
	int node, len;

	(void)state;
	p.vcpu_hartids = sparse;
	p.ram = two;
	p.nr_ram = 2;
	build("sparse-harts.dtb", &p);
	assert_int_equal(count_cpus(), 3);
	/* Host hart 5 ("rv64gch_sstc") is the guest's cpu@2. */
	node = fdt_path_offset(out, "/cpus/cpu@2");
	assert_string_equal(fdt_getprop(out, node, "riscv,isa", NULL),
			    "rv64gc_sstc");
	/* riscv,isa-extensions lose "h" (host hart 3 is cpu@1). */
	node = fdt_path_offset(out, "/cpus/cpu@1");
	reg = fdt_getprop(out, node, "riscv,isa-extensions", &len);
	assert_non_null(reg);
	assert_false(fdt_stringlist_contains((const char *)reg, len, "h"));
	assert_true(fdt_stringlist_contains((const char *)reg, len, "sstc"));
	/* Firmware memory outside guest RAM is no longer reserved. */
	assert_true(fdt_path_offset(
			    out, "/reserved-memory/mmode_resv0@80000000") < 0);
	node = fdt_path_offset(out, "/memory@80400000");
	reg = fdt_getprop(out, node, "reg", &len);
	assert_int_equal(len, 32);
	assert_int_equal(fdt32_to_cpu(reg[4]), 1);
}

static void expect_error(struct blob *host, const struct guest_dtb_params *p,
			 const char *needle)
{
	int ret;

	/* QEMU's dumps carry 1 MiB of slack; a bad header stays as it is. */
	fdt_pack(host->data);
	ret = guest_dtb_build(host->data, host->size, out, sizeof(out), p, err,
			      sizeof(err));

	assert_true(ret < 0);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	free(host->data);
}

/*
 * ISA strings have no length limit: a 2000-character riscv,isa comes out
 * whole, less the names the guest does not get.
 */
static void test_long_isa(void **state)
{
	struct guest_dtb_params p = params(1, false);
	struct blob host = fixture_editable("virt-smp1.dtb", 8192);
	char isa[2048] = "rv64imafdch_sstc_zk_shgatpa";
	size_t n = strlen(isa);
	const char *got;
	int ret;

	(void)state;
	while (n + 12 < sizeof(isa))
		n += (size_t)snprintf(isa + n, sizeof(isa) - n, "_zfoo%04zu",
				      n);
	fdt_setprop_string(host.data, fixture_path(&host, "/cpus/cpu@0"),
			   "riscv,isa", isa);
	fdt_pack(host.data);
	ret = guest_dtb_build(host.data, host.size, out, sizeof(out), &p, err,
			      sizeof(err));
	free(host.data);
	if (ret)
		fail_msg("%s", err);
	got = fdt_getprop(out, fdt_path_offset(out, "/cpus/cpu@0"), "riscv,isa",
			  NULL);
	assert_non_null(got);
	assert_int_equal(strlen(got),
			 strlen(isa) - strlen("h_sstc_zk_shgatpa"));
	assert_memory_equal(got, "rv64imafdc_zfoo", 15);
	assert_string_equal(got + 10, isa + 27);
}

static void test_broken_input(void **state)
{
	struct guest_dtb_params p = params(4, false);
	struct blob b = fixture_load("virt-smp4.dtb");

	(void)state;
	((uint8_t *)b.data)[0] ^= 0xff;
	expect_error(&b, &p, "guest DTB: check the host DTB: FDT_ERR_BADMAGIC");

	/* Truncated: the header claims more than the buffer holds. */
	b = fixture_load("virt-smp4.dtb");
	fdt_pack(b.data);
	b.size = fdt_totalsize(b.data) / 2;
	expect_error(&b, &p,
		     "guest DTB: check the host DTB: FDT_ERR_TRUNCATED");

	/* A misaligned structure block (libfdt would load unaligned). */
	b = fixture_load("virt-smp4.dtb");
	fdt_set_off_dt_struct(b.data, fdt_off_dt_struct(b.data) + 2);
	/* (Debian's libfdt has no string for FDT_ERR_ALIGNMENT; the kernel's does.) */
	expect_error(&b, &p, "guest DTB: check the host DTB: ");

	/* A reservation map with no terminator before the end of the blob. */
	b = fixture_load("virt-smp4.dtb");
	fdt_pack(b.data);
	fdt_set_off_mem_rsvmap(b.data, (fdt_totalsize(b.data) - 8) & ~7U);
	expect_error(&b, &p, "guest DTB: check the host DTB: FDT_ERR_");

	/* A strings block that runs past the end of the tree. */
	b = fixture_load("virt-smp4.dtb");
	fdt_set_size_dt_strings(b.data, fdt_totalsize(b.data));
	expect_error(&b, &p, "guest DTB: check the host DTB: FDT_ERR_");

	b = fixture_editable("virt-smp4.dtb", 0);
	fdt_del_node(b.data, fixture_path(&b, "/cpus"));
	expect_error(&b, &p, "guest DTB: find /cpus");

	b = fixture_editable("virt-smp4.dtb", 0);
	fdt_delprop(b.data, fixture_path(&b, "/cpus/cpu@2"), "riscv,isa");
	expect_error(&b, &p, "guest DTB: a vCPU's cpu has no riscv,isa string");

	b = fixture_editable("virt-smp4.dtb", 0);
	fdt_del_node(b.data,
		     fixture_path(&b, "/cpus/cpu@3/interrupt-controller"));
	expect_error(&b, &p, "has no riscv,cpu-intc phandle");

	/* A vCPU whose hart is not in the tree. */
	b = fixture_load("virt-smp2.dtb");
	expect_error(&b, &p, "guest DTB: find the cpu node of a vCPU");

	b = fixture_load("virt-smp4.dtb");
	p.nr_vcpus = 0;
	expect_error(&b, &p, "guest DTB: check parameters");

	/* Too small an output buffer is an error, not an overflow. */
	b = fixture_load("virt-smp4.dtb");
	p.nr_vcpus = 4;
	assert_true(guest_dtb_build(b.data, b.size, out, 1024, &p, err,
				    sizeof(err)) < 0);
	assert_non_null(strstr(err, "FDT_ERR_NOSPACE"));
	free(b.data);
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
		cmocka_unit_test(test_sparse_harts),
		cmocka_unit_test(test_long_isa),
		cmocka_unit_test(test_broken_input),
	};

	return cmocka_run_group_tests_name("guest_dtb", tests, NULL, NULL);
}
