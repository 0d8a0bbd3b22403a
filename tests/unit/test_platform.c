// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit tests of the host-DTB parser (hv/platform*.c, hv/isa.c) on
 * device trees QEMU dumped with -machine dumpdtb=, on a hand-written tree
 * shaped like real boards, and on broken trees.
 */
#include "fixture.h"
#include "platform.h"

static struct platform plat;
static char err[256];

/* The hypervisor's region on QEMU virt: 0x80200000, 2 MiB. */
/* Where vm_hv_place() puts hartvisor on 1 GiB QEMU virt: the top 2 MiB. */
static const struct mem_range hv = { 0xbfe00000, 0x200000 };

static int parse_blob(const struct blob *b)
{
	return platform_parse(b->data, b->size, &plat, err, sizeof(err));
}

/* The tree plat points into; replaced by the next parse_fixture(). */
static struct blob current;

static void parse_fixture(const char *name)
{
	int ret;

	free(current.data);
	current = fixture_load(name);
	ret = parse_blob(&current);
	if (ret)
		fail_msg("%s: %s", name, err);
}

static void expect_parse_error(struct blob *b, const char *needle)
{
	int ret = parse_blob(b);

	assert_true(ret < 0);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	free(b->data);
}

static void expect_check_error(unsigned long boot, struct mem_range region,
			       const char *needle)
{
	int ret = platform_check(&plat, boot, region, err, sizeof(err));

	assert_true(ret < 0);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void check_qemu_virt(unsigned int smp)
{
	char name[128], line[256];

	snprintf(name, sizeof(name), "virt-smp%u.dtb", smp);
	parse_fixture(name);

	assert_int_equal(plat.nr_harts, smp);
	for (unsigned int i = 0; i < smp; i++) {
		assert_int_equal(plat.harts[i].hartid, i);
		assert_true(plat.harts[i].has_h);
		assert_true(plat.harts[i].has_sstc);
		/* QEMU lists M then S for each hart: S of hart i is 2i+1. */
		assert_int_equal(plat.harts[i].plic_s_context, 2 * i + 1);
	}
	assert_int_equal(plat.nr_mem, 1);
	assert_int_equal(plat.mem[0].base, 0x80000000);
	assert_int_equal(plat.mem[0].size, 1UL << 30);
	assert_int_equal(plat.timebase_hz, 10000000);
	assert_true(plat.plic.present);
	assert_int_equal(plat.plic.base, 0xc000000);
	/* QEMU 7.2's PLIC has 96 sources, QEMU 10's 95. */
	assert_true(plat.plic_ndev == 95 || plat.plic_ndev == 96);
	assert_true(plat.uart.present);
	assert_int_equal(plat.uart.base, 0x10000000);
	assert_int_equal(plat.uart.irq, 10);
	assert_true(plat.clint.present);
	assert_int_equal(plat.clint.base, 0x2000000);
	assert_int_equal(plat.nr_virtio, 8);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(plat.virtio[i].base, 0x10001000 + i * 0x1000);
		assert_int_equal(plat.virtio[i].irq, i + 1);
	}
	assert_int_equal(plat.nr_modules, 0);
	assert_int_equal(platform_check(&plat, 0, hv, err, sizeof(err)), 0);

	platform_summary(&plat, line, sizeof(line));
	snprintf(name, sizeof(name), "%u harts (0%s", smp, smp > 1 ? "-" : ")");
	assert_true(strncmp(line, name, strlen(name)) == 0);
	snprintf(
		name, sizeof(name),
		"RAM 0x80000000+1024 MiB, timebase 10000000 Hz, PLIC @0xc000000 ndev %u, UART @0x10000000, ext: h sstc",
		plat.plic_ndev);
	assert_non_null(strstr(line, name));
}

static void test_qemu_smp1(void **state)
{
	(void)state;
	check_qemu_virt(1);
}

static void test_qemu_smp2(void **state)
{
	(void)state;
	check_qemu_virt(2);
}

static void test_qemu_smp4(void **state)
{
	char line[256];

	(void)state;
	check_qemu_virt(4);
	platform_summary(&plat, line, sizeof(line));
	assert_true(strncmp(line, "4 harts (0-3), RAM 0x80000000+1024 MiB",
			    38) == 0);
	assert_non_null(strstr(line, ", UART @0x10000000, ext: h sstc"));
}

static void test_qemu_smp8(void **state)
{
	(void)state;
	check_qemu_virt(8);
}

/* -M virt,aia=aplic-imsic,aia-guests=1: guest files, the S-level APLIC. */
static void test_qemu_aia(void **state)
{
	char line[320];

	(void)state;
	parse_fixture("virt-smp4.dtb");
	assert_false(platform_has_aia(&plat));
	parse_fixture("virt-aia-smp4.dtb");
	assert_false(plat.plic.present);
	assert_true(plat.imsic.present);
	assert_int_equal(plat.imsic.base, 0x28000000);
	assert_int_equal(plat.imsic_guest_bits, 1);
	assert_int_equal(plat.imsic_stride, 0x2000);
	assert_int_equal(plat.imsic_num_ids, 255);
	assert_true(plat.aplic.present);
	assert_int_equal(plat.aplic.base, 0xd000000);
	assert_int_equal(plat.aplic_nsrc, 96);
	for (unsigned int i = 0; i < 4; i++) {
		assert_true(plat.harts[i].has_ssaia);
		assert_int_equal(plat.harts[i].imsic_index, (int)i);
		assert_int_equal(plat.harts[i].plic_s_context, PLIC_NO_CONTEXT);
	}
	/* Devices carry <irq flags>: the source is the first cell. */
	assert_int_equal(plat.uart.irq, 10);
	assert_int_equal(plat.virtio[7].irq, 8);
	assert_true(platform_has_aia(&plat));
	platform_summary(&plat, line, sizeof(line));
	assert_non_null(strstr(
		line,
		"IMSIC @0x28000000 guest files 1, APLIC @0xd000000 sources 96, UART"));
	assert_null(strstr(line, ", PLIC"));
	/* A hart without Ssaia: no guest files to hand out. */
	plat.harts[2].has_ssaia = false;
	assert_false(platform_has_aia(&plat));
}

static void test_qemu_no_sstc(void **state)
{
	char line[256];

	(void)state;
	parse_fixture("virt-smp4-nosstc.dtb");
	for (unsigned int i = 0; i < plat.nr_harts; i++) {
		assert_true(plat.harts[i].has_h);
		assert_false(plat.harts[i].has_sstc);
	}
	platform_summary(&plat, line, sizeof(line));
	assert_non_null(strstr(line, ", ext: h"));
	assert_null(strstr(line, "sstc"));
}

static void test_qemu_no_h_refused(void **state)
{
	(void)state;
	parse_fixture("virt-smp4-noh.dtb");
	assert_false(plat.harts[0].has_h);
	expect_check_error(0, hv, "no H extension on hart 0 (riscv,isa = rv64");
	assert_non_null(strstr(err, "run QEMU with -cpu rv64,h=true"));
}

static void test_qemu_guest_loader_modules(void **state)
{
	struct mem_range big_hv = { 0x80200000, 0x400000 };

	(void)state;
	parse_fixture("virt-smp2-modules.dtb");
	assert_int_equal(plat.nr_modules, 2);
	assert_int_equal(plat.modules[0].kind, MODULE_KERNEL);
	assert_int_equal(plat.modules[0].base, 0x80200000);
	assert_int_equal(plat.modules[0].size, 100000);
	assert_string_equal(plat.modules[0].bootargs, "console=hvc0 quiet");
	assert_int_equal(plat.modules[1].kind, MODULE_RAMDISK);
	assert_int_equal(plat.modules[1].base, 0x88000000);
	assert_int_equal(plat.modules[1].size, 5000);
	assert_null(plat.modules[1].bootargs);
	assert_int_equal(platform_check(&plat, 0, hv, err, sizeof(err)), 0);

	/* Hypervisor memory over the kernel is refused. */
	expect_check_error(
		0, big_hv,
		"guest kernel at 0x80200000-0x802186a0 overlaps hypervisor memory 0x80200000-0x80600000");
}

static void test_sparse_harts(void **state)
{
	char line[256];

	(void)state;
	parse_fixture("sparse-harts.dtb");
	assert_int_equal(plat.nr_harts, 3);
	assert_int_equal(plat.harts[0].hartid, 1);
	assert_int_equal(plat.harts[1].hartid, 3);
	assert_int_equal(plat.harts[2].hartid, 5);
	assert_int_equal(plat.harts[0].plic_s_context, 2);
	assert_int_equal(plat.harts[1].plic_s_context, 6);
	assert_int_equal(plat.harts[2].plic_s_context, 8);
	assert_false(plat.harts[0].has_sstc);
	assert_true(plat.harts[1].has_sstc); /* from riscv,isa-extensions */
	assert_true(plat.harts[2].has_sstc); /* "rv64gch_sstc" */
	assert_int_equal(plat.timebase_hz, 1000000);
	assert_int_equal(plat.nr_mem, 2);
	assert_int_equal(plat.mem[0].base, 0x80000000);
	assert_int_equal(plat.mem[1].base, 0x100000000);
	assert_int_equal(plat.nr_reserved, 1);
	assert_int_equal(plat.reserved[0].base, 0x80000000);
	assert_int_equal(plat.reserved[0].size, 0x40000);
	assert_int_equal(plat.uart.base, 0x10010000); /* stdout-path alias */
	assert_int_equal(plat.uart.irq, 4);
	assert_int_equal(plat.nr_modules, 1);
	assert_int_equal(plat.modules[0].base, 0x100000000);

	platform_summary(&plat, line, sizeof(line));
	assert_string_equal(
		line,
		"3 harts (1,3,5), RAM 0x80000000+1024 MiB, 0x100000000+512 MiB, timebase 1000000 Hz, PLIC @0xc000000 ndev 53, UART @0x10010000, ext: h");

	assert_int_equal(platform_check(&plat, 3, hv, err, sizeof(err)), 0);
	expect_check_error(0, hv, "the boot hart 0 is not a usable hart");
	expect_check_error(2, hv, "the boot hart 2 is not a usable hart");
}

static void test_module_over_firmware(void **state)
{
	struct blob b = fixture_editable("sparse-harts.dtb", 256);
	int node = fixture_path(&b, "/chosen/module@100000000");
	fdt32_t reg[4] = { cpu_to_fdt32(0), cpu_to_fdt32(0x8003f000),
			   cpu_to_fdt32(0), cpu_to_fdt32(0x2000) };

	(void)state;
	assert_int_equal(fdt_setprop(b.data, node, "reg", reg, sizeof(reg)), 0);
	assert_int_equal(parse_blob(&b), 0);
	expect_check_error(
		1, hv,
		"guest kernel at 0x8003f000-0x80041000 overlaps reserved (firmware) memory 0x80000000-0x80040000");

	reg[1] = cpu_to_fdt32(0x7ffff000);
	assert_int_equal(fdt_setprop(b.data, node, "reg", reg, sizeof(reg)), 0);
	assert_int_equal(parse_blob(&b), 0);
	expect_check_error(1, hv, "is not in RAM");
	free(b.data);
}

static void test_truncated(void **state)
{
	struct blob b = fixture_load("virt-smp4.dtb");

	(void)state;
	b.size = fdt_totalsize(b.data) / 2;
	expect_parse_error(&b, "truncated device tree blob");

	b = fixture_load("virt-smp4.dtb");
	b.size = 16;
	expect_parse_error(&b, "not a valid device tree blob");
}

static void test_bad_magic(void **state)
{
	struct blob b = fixture_load("virt-smp4.dtb");

	(void)state;
	((uint8_t *)b.data)[0] ^= 0xff;
	expect_parse_error(&b,
			   "not a valid device tree blob: FDT_ERR_BADMAGIC");
}

static void test_no_cpus(void **state)
{
	struct blob b = fixture_editable("virt-smp4.dtb", 0);

	(void)state;
	assert_int_equal(fdt_del_node(b.data, fixture_path(&b, "/cpus")), 0);
	expect_parse_error(&b, "no /cpus node in the device tree");
}

static void test_no_memory(void **state)
{
	struct blob b = fixture_editable("virt-smp4.dtb", 0);

	(void)state;
	assert_int_equal(
		fdt_del_node(b.data, fixture_path(&b, "/memory@80000000")), 0);
	assert_int_equal(parse_blob(&b), 0);
	expect_check_error(0, hv, "no memory node in the device tree");
	free(b.data);
}

static void test_no_usable_hart(void **state)
{
	struct blob b = fixture_editable("virt-smp2.dtb", 0);

	(void)state;
	assert_int_equal(fdt_delprop(b.data, fixture_path(&b, "/cpus/cpu@0"),
				     "mmu-type"),
			 0);
	assert_int_equal(fdt_setprop_string(b.data,
					    fixture_path(&b, "/cpus/cpu@1"),
					    "status", "disabled"),
			 0);
	assert_int_equal(parse_blob(&b), 0);
	assert_int_equal(plat.nr_harts, 0);
	expect_check_error(0, hv, "no usable hart in the device tree");
	free(b.data);
}

static void test_cpu_without_isa(void **state)
{
	struct blob b = fixture_editable("virt-smp4.dtb", 0);

	(void)state;
	assert_int_equal(fdt_delprop(b.data, fixture_path(&b, "/cpus/cpu@2"),
				     "riscv,isa"),
			 0);
	expect_parse_error(&b, "cpu node cpu@2 (hart 2) has no riscv,isa");
}

static void test_duplicate_hartid(void **state)
{
	struct blob b = fixture_editable("virt-smp4.dtb", 0);

	(void)state;
	assert_int_equal(fdt_setprop_u32(b.data,
					 fixture_path(&b, "/cpus/cpu@3"), "reg",
					 1),
			 0);
	expect_parse_error(&b, "two cpu nodes claim hart ID 1");
}

static void test_no_timebase(void **state)
{
	struct blob b = fixture_editable("virt-smp1.dtb", 0);

	(void)state;
	assert_int_equal(fdt_delprop(b.data, fixture_path(&b, "/cpus"),
				     "timebase-frequency"),
			 0);
	expect_parse_error(&b, "no timebase-frequency");
}

static void test_plic_without_contexts(void **state)
{
	struct blob b = fixture_editable("virt-smp4.dtb", 0);

	(void)state;
	assert_int_equal(fdt_delprop(b.data,
				     fixture_path(&b, "/soc/plic@c000000"),
				     "interrupts-extended"),
			 0);
	expect_parse_error(
		&b, "PLIC node plic@c000000 has no valid interrupts-extended");
}

/* Every name in the table is found, whatever its case: it is sorted. */
static void test_isa_table(void **state)
{
	static const char *const names[] = {
		"a",	 "b",	   "i",	   "ssaia",    "sstc",
		"svadu", "svpbmt", "v",	   "zicbom",   "zicboz",
		"zihpm", "zve32f", "zvkt", "sscofpmf", "ZICNTR",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
		assert_non_null(isa_ext_find(names[i], strlen(names[i])));
	assert_null(isa_ext_find("zicbomx", 7));
	assert_null(isa_ext_find("zicbo", 5));
	assert_null(isa_ext_find("smstateen", 9));
	assert_null(isa_ext_find("", 0));
	assert_int_equal(isa_ext_find("h", 1)->needs, ISA_NEED_NEVER);
	/* A name is matched on its @n characters only. */
	assert_non_null(isa_ext_find("zicbomzzz", 6));
}

/* The CSR set-up's input: the needs of what the guest gets. */
static void test_isa_needs(void **state)
{
	static const char exts[] = "i\0m\0a\0f\0d\0c\0h\0zicbom\0zicboz\0"
				   "zihpm\0sstc\0svadu\0svpbmt\0sscofpmf";
	unsigned int all = isa_offers(true, true, true, true), n;

	(void)state;
	n = isa_guest_needs(NULL, exts, sizeof(exts), all);
	assert_int_equal(n, ISA_NEED_COUNTERS | ISA_NEED_FP |
				    ISA_NEED_CBO_MGMT | ISA_NEED_CBO_ZERO |
				    ISA_NEED_HPM | ISA_NEED_VSTIMECMP |
				    ISA_NEED_HW_AD | ISA_NEED_PBMT |
				    ISA_NEED_LCOFI);
	/* What is not offered is not needed: the guest never sees it. */
	n = isa_guest_needs(NULL, exts, sizeof(exts), ISA_OFFERS_ALWAYS);
	assert_int_equal(n & (ISA_NEED_VSTIMECMP | ISA_NEED_HW_AD |
			      ISA_NEED_LCOFI | ISA_NEED_NEVER),
			 0);
	/* Svade named too: the guest starts with software A/D updating. */
	assert_int_equal(isa_guest_needs(NULL, "svade\0svadu", 12, all), 0);
	/* From riscv,isa alone (QEMU 7.2's trees), versions and all. */
	n = isa_guest_needs("rv64imafdch_zicboz1p0_sstc_svadu", NULL, 0, all);
	assert_int_equal(n, ISA_NEED_COUNTERS | ISA_NEED_FP |
				    ISA_NEED_CBO_ZERO | ISA_NEED_VSTIMECMP |
				    ISA_NEED_HW_AD);
	assert_int_equal(isa_guest_needs("rv64imafdc_svade_svadu", NULL, 0,
					 all) &
				 ISA_NEED_HW_AD,
			 0);
	assert_int_equal(isa_guest_needs("bogus", NULL, 0, all), 0);
}

static void test_isa_strings(void **state)
{
	char buf[64];

	(void)state;
	/*
	 * What a guest sees: only what the ISA table gives it. Never h, Sh*,
	 * Zk/Zkr, Smaia or an extension the table does not know; Sstc only
	 * with vstimecmp, Ssaia only with a guest interrupt file, Svadu only
	 * with hardware A/D updating (and never an added Svade).
	 */
	unsigned int all = isa_offers(true, true, true, true);

	assert_int_equal(
		isa_guest_string(
			"rv64imafdch_zicsr_sstc_shgatpa_zk_zkr_zkn_ssaia_svadu",
			ISA_OFFERS_ALWAYS, buf, sizeof(buf)),
		strlen("rv64imafdc_zicsr_zkn"));
	assert_string_equal(buf, "rv64imafdc_zicsr_zkn");
	isa_guest_string("rv64imafdch_svade_svadu", all, buf, sizeof(buf));
	assert_string_equal(buf, "rv64imafdc_svade_svadu");
	isa_guest_string("rv64i2p1h1p0_sstc1p0", all, buf, sizeof(buf));
	assert_string_equal(buf, "rv64i2p1_sstc1p0");
	isa_guest_string("rv64imach_smaia_ssaia_sstc_xfoo_zbb",
			 isa_offers(false, false, true, false), buf,
			 sizeof(buf));
	assert_string_equal(buf, "rv64imac_ssaia_zbb");
	/* Like snprintf: the whole length, whatever fits, NUL-terminated. */
	assert_int_equal(isa_guest_string("rv64imac_zicsr", ISA_OFFERS_ALWAYS,
					  NULL, 0),
			 14);
	assert_int_equal(isa_guest_string("rv64imac_zicsr", ISA_OFFERS_ALWAYS,
					  buf, 6),
			 14);
	assert_string_equal(buf, "rv64i");
	assert_int_equal(isa_guest_string("rv", ISA_OFFERS_ALWAYS, buf,
					  sizeof(buf)),
			 -1);
	assert_true(isa_has_ext("rv64imafdch_zicsr_sstc", "h"));
	assert_true(isa_has_ext("RV64IMAFDCH", "h"));
	assert_true(isa_has_ext("rv64imafdch_zicsr_sstc", "sstc"));
	assert_true(isa_has_ext("rv64gch", "d"));
	assert_true(isa_has_ext("rv64i2p1m2p0a2p1h1p0_sstc1p0", "h"));
	assert_true(isa_has_ext("rv64i2p1m2p0a2p1h1p0_sstc1p0", "sstc"));
	assert_true(isa_has_ext("rv64imaczicsr_sstc", "zicsr"));
	assert_false(isa_has_ext("rv64imafdc_zicsr_sstc", "h"));
	/* "h" must not be found inside a multi-letter name. */
	assert_false(isa_has_ext("rv64imafdc_zihintpause_sha", "h"));
	assert_false(isa_has_ext("rv64imafdch_sstcx", "sstc"));
	assert_false(isa_has_ext("rv64imafdch_zicsr", "sstc"));
	assert_false(isa_has_ext("rv64imafdch_ssstc", "sstc"));
	assert_false(isa_has_ext("", "h"));
	assert_false(isa_has_ext("rv", "h"));
	assert_false(isa_has_ext("x86_64h", "h"));
	assert_false(isa_has_ext(NULL, "h"));
	assert_true(isa_has_ext("rv64i_zve32f1p0_zic64b", "zve32f"));
	assert_true(isa_has_ext("rv64i_zve32f1p0_zic64b", "zic64b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_smp1),
		cmocka_unit_test(test_qemu_smp2),
		cmocka_unit_test(test_qemu_smp4),
		cmocka_unit_test(test_qemu_smp8),
		cmocka_unit_test(test_qemu_aia),
		cmocka_unit_test(test_qemu_no_sstc),
		cmocka_unit_test(test_qemu_no_h_refused),
		cmocka_unit_test(test_qemu_guest_loader_modules),
		cmocka_unit_test(test_sparse_harts),
		cmocka_unit_test(test_module_over_firmware),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_no_cpus),
		cmocka_unit_test(test_no_memory),
		cmocka_unit_test(test_no_usable_hart),
		cmocka_unit_test(test_cpu_without_isa),
		cmocka_unit_test(test_duplicate_hartid),
		cmocka_unit_test(test_no_timebase),
		cmocka_unit_test(test_plic_without_contexts),
		cmocka_unit_test(test_isa_strings),
		cmocka_unit_test(test_isa_table),
		cmocka_unit_test(test_isa_needs),
	};

	int failed = cmocka_run_group_tests_name("platform", tests, NULL, NULL);

	free(current.data);
	return failed;
}
