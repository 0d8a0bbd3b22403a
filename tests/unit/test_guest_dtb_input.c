// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest-DTB rewrite on input QEMU does not make: sparse hart IDs,
 * an ISA string of any length, and broken trees, each of which gets a
 * sentence naming the failing step.
 */
#include "guest_dtb_test.h"

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
 * whole, less the names the guest does not get (h, Sstc without
 * vstimecmp, Zk, Sh*).
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
		n += (size_t)snprintf(isa + n, sizeof(isa) - n, "_zba1p%04zu",
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
	assert_memory_equal(got, "rv64imafdc_zba1p", 16);
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

	/* A version 16 tree whose last names lie past its strings block. */
	b = fixture_load("virt-smp4.dtb");
	fdt_pack(b.data);
	fdt_set_version(b.data, 16);
	fdt_set_size_dt_strings(b.data, fdt_size_dt_strings(b.data) - 12);
	expect_error(&b, &p,
		     "guest DTB: check the host DTB: FDT_ERR_BADOFFSET");

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
		cmocka_unit_test(test_sparse_harts),
		cmocka_unit_test(test_long_isa),
		cmocka_unit_test(test_broken_input),
	};

	return cmocka_run_group_tests_name("guest_dtb_input", tests, NULL,
					   NULL);
}
