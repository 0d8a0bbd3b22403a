// SPDX-License-Identifier: BSD-2-Clause
/*
 * hv/printf.c (built here as hv_snprintf) against the host C library's
 * snprintf, conversion by conversion, plus truncation rules.
 */
/* Some cases below are odd formats on purpose: no format warnings here. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

int hv_snprintf(char *buf, size_t size, const char *fmt, ...);

/* Format with both implementations and compare text and return value. */
#define SAME(...)                                                          \
	do {                                                               \
		char ours[128], libc[128];                                 \
		int n_ours = hv_snprintf(ours, sizeof(ours), __VA_ARGS__); \
		int n_libc = snprintf(libc, sizeof(libc), __VA_ARGS__);    \
		assert_string_equal(ours, libc);                           \
		assert_int_equal(n_ours, n_libc);                          \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	SAME("%d %d %d", 0, -1, 42);
	SAME("%i|%5d|%-5d|%05d", INT_MIN, -42, 42, -42);
	SAME("%u %x %X %o", 4000000000U, 0xdeadbeefU, 0xabcU, 8U);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x8020000080200000UL);
	SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
	SAME("%zu %zx", (size_t)123456, (size_t)0xffff);
	SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	SAME("%+d % d %+d", 5, 5, -5);
	SAME("%#x %#X %#o %#x %#o", 255U, 255U, 8U, 0U, 0U);
	SAME("%016lx|%-16lx|", 0x80200000UL, 0x1UL);
	SAME("%.3d|%.0d|%8.3d|%-8.3x|", 7, 0, -7, 0xaU);
	SAME("%*d|%-*d|%.*d", 6, 1, 6, 2, 4, 3);
	SAME("%08.3d|%-08d", 5, 5);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	SAME("%s|%10s|%-10s|%.2s|%10.3s|", "hart", "hart", "hart", "hart",
	     "hart");
	SAME("%c%c%3c%-3c|", 'h', 'v', 'x', 'y');
	SAME("100%% %s", "");
	SAME("%p", (void *)0x80200000UL);
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "hartvisor %d", 2026),
			 14);
	assert_string_equal(buf, "hartvis");
	assert_int_equal(hv_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	buf[0] = 'q';
	assert_int_equal(hv_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], 'q');
	assert_int_equal(hv_snprintf(NULL, 0, "%lu", 1234567UL), 7);
}

static void test_odd_formats(void **state)
{
	char buf[32];

	(void)state;
	/* Unknown conversions are shown verbatim, never guessed. */
	hv_snprintf(buf, sizeof(buf), "a%qb");
	assert_string_equal(buf, "a%qb");
	hv_snprintf(buf, sizeof(buf), "end%");
	assert_string_equal(buf, "end%");
	hv_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	assert_string_equal(buf, "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_odd_formats),
	};

	return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
