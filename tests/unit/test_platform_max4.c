// SPDX-License-Identifier: BSD-2-Clause
/*
 * Built with HV_MAX_HARTS=4: a tree with more usable harts than the build
 * supports is refused with a message that says how to rebuild.
 */
#include "fixture.h"
#include "platform.h"

static struct platform plat;

static void test_too_many_harts(void **state)
{
	struct blob b = fixture_load("virt-smp8.dtb");
	char err[256];

	(void)state;
	assert_true(platform_parse(b.data, b.size, &plat, err, sizeof(err)) <
		    0);
	assert_string_equal(
		err,
		"the device tree has 8 usable harts; this build supports at most 4 (rebuild with make HV_MAX_HARTS=8)");
	free(b.data);
}

static void test_at_the_limit(void **state)
{
	struct blob b = fixture_load("virt-smp4.dtb");
	char err[256];

	(void)state;
	assert_int_equal(
		platform_parse(b.data, b.size, &plat, err, sizeof(err)), 0);
	assert_int_equal(plat.nr_harts, 4);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_many_harts),
		cmocka_unit_test(test_at_the_limit),
	};

	return cmocka_run_group_tests_name("platform_max4", tests, NULL, NULL);
}
