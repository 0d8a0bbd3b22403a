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

/* The next underscore-separated name at *@p (advanced past it), or NULL. */
static const char *next_token(const char **p, size_t *n)
{
	const char *tok;

	while (**p == '_')
		(*p)++;
	if (!**p)
		return NULL;
	tok = *p;
	while (**p && **p != '_')
		(*p)++;
	*n = (size_t)(*p - tok);
	return tok;
}

/* True when @tok (@n chars) names @ext, possibly with a version suffix. */
static bool token_is(const char *tok, size_t n, const char *ext)
{
	size_t elen = strlen(ext), i;

	if (n < elen)
		return false;
	for (i = 0; i < elen && lower(tok[i]) == lower(ext[i]); i++)
		;
	return i == elen && (n == elen || is_digit(tok[elen]));
}

bool isa_has_ext(const char *isa, const char *ext)
{
	size_t elen = ext ? strlen(ext) : 0, n;
	const char *p;
	bool found;

	if (!isa || !elen || strlen(isa) < 4 || lower(isa[0]) != 'r' ||
	    lower(isa[1]) != 'v' ||
	    (strncmp(isa + 2, "32", 2) && strncmp(isa + 2, "64", 2)))
		return false;

	found = single_letter_has(isa + 4, &p, elen == 1 ? lower(ext[0]) : 0);
	if (elen == 1)
		return found;

	for (const char *tok; (tok = next_token(&p, &n));)
		if (token_is(tok, n, ext))
			return true;
	return false;
}

/* Output of isa_guest_string: counts every byte, stores what fits. */
struct isa_out {
	char *buf;
	size_t len, pos;
};

static void emit(struct isa_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->pos++)
		if (o->pos + 1 < o->len)
			o->buf[o->pos] = s[i];
}

bool isa_guest_keeps(const char *name, size_t n, unsigned int keep)
{
	/* Sh*: the hypervisor profile's names (Shgatpa, Shvstvala, ...). */
	if (n >= 2 && lower(name[0]) == 's' && lower(name[1]) == 'h')
		return false;
	/*
	 * Zkr's seed CSR (also implied by the Zk bundle) faults in VS-mode.
	 * Smaia is M-level. Ssaia only with a guest interrupt file: without
	 * one, vstopei and vsireg fault.
	 */
	if (token_is(name, n, "zk") || token_is(name, n, "zkr") ||
	    token_is(name, n, "smaia"))
		return false;
	if (token_is(name, n, "ssaia"))
		return keep & ISA_KEEP_SSAIA;
	return (keep & ISA_KEEP_SSTC) || !token_is(name, n, "sstc");
}

bool isa_guest_adds_svade(const char *name, size_t n, bool host_svade)
{
	return token_is(name, n, "svadu") && !host_svade;
}

long isa_guest_string(const char *isa, unsigned int keep, char *out, size_t len)
{
	struct isa_out o = { out, len, 0 };
	bool svade = isa_has_ext(isa, "svade");
	const char *p, *end;
	size_t n;

	if (!isa || strlen(isa) < 4)
		return -1;
	emit(&o, isa, 4);
	/* Single letters, each with its version; 'h' left out. */
	for (p = isa + 4; *p && *p != '_' && !starts_multi_letter(*p);
	     p = end) {
		end = skip_version(p + 1);
		if (lower(*p) != 'h')
			emit(&o, p, (size_t)(end - p));
	}
	/* Multi-letter names, underscore-separated; sstc only if kept. */
	for (const char *tok; (tok = next_token(&p, &n));) {
		if (!isa_guest_keeps(tok, n, keep))
			continue;
		if (isa_guest_adds_svade(tok, n, svade))
			emit(&o, "_svade", 6);
		emit(&o, "_", 1);
		emit(&o, tok, n);
	}
	if (len)
		out[MIN(o.pos, len - 1)] = '\0';
	return (long)o.pos;
}
