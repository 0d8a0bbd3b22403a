// SPDX-License-Identifier: BSD-2-Clause
/* Reading RISC-V ISA strings such as "rv64imafdch_zicsr_zifencei_sstc". */
#include <string.h>

#include "platform.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A letter that starts a multi-letter extension name. */
static bool starts_multi_letter(char c)
{
	c = lower(c);
	return c == 's' || c == 'x' || c == 'z';
}

/* Skip a version suffix such as "2p1" after an extension name. */
static const char *skip_version(const char *p)
{
	while (is_digit(*p))
		p++;
	if (lower(*p) == 'p' && is_digit(p[1])) {
		p++;
		while (is_digit(*p))
			p++;
	}
	return p;
}

static bool single_letter_has(const char *p, const char **end, char ext)
{
	bool found = false;

	while (*p && *p != '_' && !starts_multi_letter(*p)) {
		char c = lower(*p);

		if (c == ext || (c == 'g' && ext && strchr("imafd", ext)))
			found = true;
		p = skip_version(p + 1);
	}
	*end = p;
	return found;
}

bool isa_has_ext(const char *isa, const char *ext)
{
	size_t elen = ext ? strlen(ext) : 0;
	const char *p;
	bool found;

	if (!isa || !elen || strlen(isa) < 4 || lower(isa[0]) != 'r' ||
	    lower(isa[1]) != 'v' ||
	    (strncmp(isa + 2, "32", 2) && strncmp(isa + 2, "64", 2)))
		return false;

	found = single_letter_has(isa + 4, &p, elen == 1 ? lower(ext[0]) : 0);
	if (elen == 1)
		return found;

	while (*p) {
		const char *tok;
		size_t n, i;

		while (*p == '_')
			p++;
		tok = p;
		while (*p && *p != '_')
			p++;
		n = (size_t)(p - tok);
		if (n < elen)
			continue;
		for (i = 0; i < elen && lower(tok[i]) == lower(ext[i]); i++)
			;
		if (i == elen && (n == elen || is_digit(tok[elen])))
			return true;
	}
	return false;
}
