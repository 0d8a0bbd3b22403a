/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hartvisor's own vsnprintf: integers (d i u x X o, with l/ll/z/h),
 * c, s, p, %%, flags '-', '0', '+', ' ', '#', width and precision (also
 * '*'). No floating point, no %n. Always NUL-terminates when @size > 0 and
 * returns the length the full output would have had, as C99 does.
 */
#ifndef HV_PRINTF_H
#define HV_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Write a sentence into @err (@errlen bytes) and return @code: how the
 * parsers and checks report what is wrong with their input.
 */
int errorf(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
