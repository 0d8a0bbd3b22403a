// SPDX-License-Identifier: BSD-2-Clause
/* How parsers and checks say what is wrong with their input. */
#include <stdarg.h>

#include "printf.h"

int errorf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}
