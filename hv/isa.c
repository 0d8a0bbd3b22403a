// SPDX-License-Identifier: BSD-2-Clause
/* Reading RISC-V ISA strings such as "rv64imafdch_zicsr_zifencei_sstc". */
#include <string.h>

#include "isa.h"

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

/* The length of multi-letter token @tok (@n chars) without its version. */
static size_t name_len(const char *tok, size_t n)
{
	size_t k = n;

	while (k && is_digit(tok[k - 1]))
		k--;
	if (k < n && k >= 2 && lower(tok[k - 1]) == 'p' &&
	    is_digit(tok[k - 2])) {
		k--;
		while (k && is_digit(tok[k - 1]))
			k--;
	}
	return k;
}

/* An ISA string's base: "rv32" or "rv64". */
static bool isa_valid(const char *isa)
{
	return isa && strlen(isa) >= 4 && lower(isa[0]) == 'r' &&
	       lower(isa[1]) == 'v' &&
	       (!strncmp(isa + 2, "32", 2) || !strncmp(isa + 2, "64", 2));
}

/*
 * Call @fn on each extension of @isa: each single letter (with its
 * version in @n_full), then each multi-letter name. @name and @n are the
 * name without a version; @full and @n_full the text as written.
 */
typedef void (*isa_fn)(const char *name, size_t n, const char *full,
		       size_t n_full, void *ctx);

static void isa_for_each(const char *isa, isa_fn fn, void *ctx)
{
	const char *p = isa + 4, *end;

	for (; *p && *p != '_' && !starts_multi_letter(*p); p = end) {
		end = skip_version(p + 1);
		fn(p, 1, p, (size_t)(end - p), ctx);
	}
	while (*p) {
		const char *tok;

		while (*p == '_')
			p++;
		if (!*p)
			break;
		for (tok = p; *p && *p != '_'; p++)
			;
		fn(tok, name_len(tok, (size_t)(p - tok)), tok,
		   (size_t)(p - tok), ctx);
	}
}

struct has_ctx {
	const char *ext;
	size_t elen;
	bool found;
};

static void has_one(const char *name, size_t n, const char *full, size_t n_full,
		    void *ctx)
{
	struct has_ctx *h = ctx;
	size_t i;

	(void)full;
	(void)n_full;
	/* 'g' stands for i, m, a, f and d. */
	if (n == 1 && lower(*name) == 'g' && h->elen == 1 &&
	    strchr("imafd", lower(h->ext[0])))
		h->found = true;
	if (n != h->elen)
		return;
	for (i = 0; i < n && lower(name[i]) == lower(h->ext[i]); i++)
		;
	h->found |= i == n;
}

bool isa_has_ext(const char *isa, const char *ext)
{
	struct has_ctx h = { ext, ext ? strlen(ext) : 0, false };

	if (!isa_valid(isa) || !h.elen)
		return false;
	isa_for_each(isa, has_one, &h);
	return h.found;
}

/* Output of isa_guest_string: counts every byte, stores what fits. */
struct isa_out {
	char *buf;
	size_t len, pos;
	unsigned int offers;
};

static void emit(struct isa_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->pos++)
		if (o->pos + 1 < o->len)
			o->buf[o->pos] = s[i];
}

static void emit_kept(const char *name, size_t n, const char *full,
		      size_t n_full, void *ctx)
{
	struct isa_out *o = ctx;

	if (!isa_guest_gets(name, n, o->offers))
		return;
	if (n > 1)
		emit(o, "_", 1);
	emit(o, full, n_full);
}

long isa_guest_string(const char *isa, unsigned int offers, char *out,
		      size_t len)
{
	struct isa_out o = { out, len, 0, offers };

	if (!isa_valid(isa))
		return -1;
	emit(&o, isa, 4);
	isa_for_each(isa, emit_kept, &o);
	if (len)
		out[MIN(o.pos, len - 1)] = '\0';
	return (long)o.pos;
}

struct needs_ctx {
	unsigned int offers, needs;
};

static void add_needs(const char *name, size_t n, const char *full,
		      size_t n_full, void *ctx)
{
	struct needs_ctx *c = ctx;
	const struct isa_ext *e = isa_ext_find(name, n);

	(void)full;
	(void)n_full;
	if (e && !(e->needs & ~c->offers))
		c->needs |= e->needs;
}

unsigned int isa_guest_needs(const char *isa, const char *exts, int len,
			     unsigned int offers)
{
	struct needs_ctx c = { offers, 0 };
	bool svade = false;

	if (exts) {
		for (int i = 0; i < len;) {
			size_t k = strnlen(exts + i, (size_t)(len - i));

			add_needs(exts + i, k, NULL, 0, &c);
			svade |= k == 5 && !strncmp(exts + i, "svade", 5);
			i += (int)k + 1;
		}
	} else if (isa_valid(isa)) {
		isa_for_each(isa, add_needs, &c);
		svade = isa_has_ext(isa, "svade");
	}
	return svade ? c.needs & ~ISA_NEED_HW_AD : c.needs;
}
