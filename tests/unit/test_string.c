// SPDX-License-Identifier: BSD-2-Clause
/*
 * hv/string.c against the C library: every length up to 200 and then some
 * large ones, every pair of alignments, overlaps both ways for memmove.
 * Built with hv_memcpy etc. in place of the names (see the Makefile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

void *hv_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *hv_memmove(void *dst, const void *src, size_t n);
void *hv_memset(void *dst, int c, size_t n);

#define BUF 4096

static unsigned char a[BUF], b[BUF], want[BUF], got[BUF];

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

static const size_t lengths[] = { 0,   1,   2,	 3,   7,    8,	 9,
				  15,  16,  17,	 63,  64,   65,	 127,
				  128, 129, 200, 511, 1000, 2047 };

static void test_memcpy_matches_libc(void **state)
{
	(void)state;
	fill(a, BUF, 1);
	for (size_t s = 0; s < 8; s++)
		for (size_t d = 0; d < 8; d++)
			for (size_t i = 0;
			     i < sizeof(lengths) / sizeof(*lengths); i++) {
				size_t n = lengths[i];

				fill(want, BUF, 2);
				fill(got, BUF, 2);
				memcpy(want + d, a + s, n);
				assert_ptr_equal(hv_memcpy(got + d, a + s, n),
						 got + d);
				assert_memory_equal(got, want, BUF);
			}
}

static void test_memmove_overlaps(void **state)
{
	(void)state;
	for (size_t s = 0; s < 24; s++)
		for (size_t d = 0; d < 24; d++)
			for (size_t i = 0;
			     i < sizeof(lengths) / sizeof(*lengths); i++) {
				size_t n = lengths[i];

				fill(want, BUF, 3);
				fill(got, BUF, 3);
				memmove(want + d, want + s, n);
				assert_ptr_equal(hv_memmove(got + d, got + s,
							    n),
						 got + d);
				assert_memory_equal(got, want, BUF);
			}
}

static void test_memset(void **state)
{
	(void)state;
	for (size_t d = 0; d < 8; d++)
		for (size_t i = 0; i < sizeof(lengths) / sizeof(*lengths);
		     i++) {
			size_t n = lengths[i];

			fill(want, BUF, 4);
			fill(got, BUF, 4);
			memset(want + d, 0xa5, n);
			assert_ptr_equal(hv_memset(got + d, 0x1a5, n), got + d);
			assert_memory_equal(got, want, BUF);
		}
	(void)b;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_matches_libc),
		cmocka_unit_test(test_memmove_overlaps),
		cmocka_unit_test(test_memset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
