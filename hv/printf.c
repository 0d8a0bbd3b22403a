// SPDX-License-Identifier: BSD-2-Clause
/*
 * Formatted output into a buffer. The hypervisor does not use picolibc's
 * stdio: it is larger than we need and may touch errno (thread-local
 * storage through tp, which holds our struct hart).
 */
#include <stdbool.h>
#include <stdint.h>

#include "printf.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, stored or not */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

static void out_padded(struct out *o, const struct spec *s, const char *prefix,
		       const char *body, int body_len)
{
	int plen = 0, zeros = 0, pad;

	while (prefix[plen])
		plen++;
	if (s->prec > body_len)
		zeros = s->prec - body_len;
	pad = s->width - plen - zeros - body_len;
	if (s->zero && !s->left && s->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!s->left)
		out_repeat(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	out_repeat(o, '0', zeros);
	for (int i = 0; i < body_len; i++)
		out_char(o, body[i]);
	if (s->left)
		out_repeat(o, ' ', pad);
}

static void out_number(struct out *o, const struct spec *s, uint64_t v,
		       bool negative, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = sizeof(tmp);
	const char *prefix = "";
	bool nonzero = v != 0;

	/* C: precision 0 with value 0 prints no digits. */
	if (!(v == 0 && s->prec == 0)) {
		do {
			tmp[--n] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (negative)
		prefix = "-";
	else if (s->plus)
		prefix = "+";
	else if (s->space)
		prefix = " ";
	if (s->alt && base == 16 && nonzero)
		prefix = upper ? "0X" : "0x";
	if (s->alt && base == 8 && (n == (int)sizeof(tmp) || tmp[n] != '0'))
		tmp[--n] = '0';
	out_padded(o, s, prefix, tmp + n, (int)sizeof(tmp) - n);
}

/* Length modifiers we accept. */
enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static uint64_t arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return (int64_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

static int parse_int(const char **p, va_list *ap)
{
	int v = 0;

	if (**p == '*') {
		(*p)++;
		return va_arg(*ap, int);
	}
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

/* Parse one conversion after '%' and emit it; returns the next position. */
static const char *convert(struct out *o, const char *p, va_list *ap)
{
	struct spec s = { .prec = -1 };
	enum length len = LEN_INT;

	for (;; p++) {
		if (*p == '-')
			s.left = true;
		else if (*p == '0')
			s.zero = true;
		else if (*p == '+')
			s.plus = true;
		else if (*p == ' ')
			s.space = true;
		else if (*p == '#')
			s.alt = true;
		else
			break;
	}
	s.width = parse_int(&p, ap);
	if (s.width < 0) {
		s.left = true;
		s.width = -s.width;
	}
	if (*p == '.') {
		p++;
		s.prec = parse_int(&p, ap);
		if (s.prec < 0)
			s.prec = -1;
	}
	if (*p == 'h') {
		len = *++p == 'h' ? (p++, LEN_CHAR) : LEN_SHORT;
	} else if (*p == 'l') {
		len = *++p == 'l' ? (p++, LEN_LLONG) : LEN_LONG;
	} else if (*p == 'z') {
		len = LEN_SIZE;
		p++;
	}

	switch (*p) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, len);
		uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

		out_number(o, &s, mag, v < 0, 10, false);
		break;
	}
	case 'u':
		out_number(o, &s, arg_unsigned(ap, len), false, 10, false);
		break;
	case 'x':
	case 'X':
		out_number(o, &s, arg_unsigned(ap, len), false, 16, *p == 'X');
		break;
	case 'o':
		out_number(o, &s, arg_unsigned(ap, len), false, 8, false);
		break;
	case 'p':
		s.alt = true;
		out_number(o, &s, (uintptr_t)va_arg(*ap, void *), false, 16,
			   false);
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);

		s.prec = -1;
		s.zero = false;
		out_padded(o, &s, "", &c, 1);
		break;
	}
	case 's': {
		const char *str = va_arg(*ap, const char *);
		int n = 0;

		if (!str)
			str = "(null)";
		while (str[n] && (s.prec < 0 || n < s.prec))
			n++;
		s.prec = -1;
		s.zero = false;
		out_padded(o, &s, "", str, n);
		break;
	}
	case '%':
		out_char(o, '%');
		break;
	default:
		/* Unknown conversion: show it verbatim rather than guess. */
		out_char(o, '%');
		if (!*p)
			return p;
		out_char(o, *p);
		break;
	}
	return p + 1;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	const char *p = fmt;
	va_list args;

	va_copy(args, ap);
	while (*p) {
		if (*p != '%') {
			out_char(&o, *p++);
			continue;
		}
		p = convert(&o, p + 1, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
