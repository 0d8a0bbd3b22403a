// SPDX-License-Identifier: BSD-2-Clause
/* The one-line description of the machine printed once every hart is up. */
#include "platform.h"
#include "printf.h"

struct buf {
	char *s;
	size_t size;
	size_t len;
};

static void put(struct buf *b, const char *fmt, ...) __printf(2, 3);

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->len < b->size ? b->size - b->len : 0,
		      fmt, ap);
	va_end(ap);
	b->len += n > 0 ? (size_t)n : 0;
}

/* Hart IDs as ranges: "0-3" or "0,2,5-7". */
static void put_hart_ids(struct buf *b, const struct platform *p)
{
	for (unsigned int i = 0; i < p->nr_harts;) {
		unsigned int j = i;

		while (j + 1 < p->nr_harts &&
		       p->harts[j + 1].hartid == p->harts[j].hartid + 1)
			j++;
		put(b, "%s%lu", i ? "," : "", p->harts[i].hartid);
		if (j > i)
			put(b, "-%lu", p->harts[j].hartid);
		i = j + 1;
	}
}

static void put_size(struct buf *b, uint64_t size)
{
	if (size % MiB)
		put(b, "%lu KiB", (unsigned long)(size / KiB));
	else
		put(b, "%lu MiB", (unsigned long)(size / MiB));
}

int platform_summary(const struct platform *p, char *s, size_t size)
{
	struct buf b = { s, size, 0 };
	bool all_h = p->nr_harts > 0, all_sstc = all_h, all_stateen = all_h;

	if (size)
		s[0] = '\0';
	put(&b, "%u harts (", p->nr_harts);
	put_hart_ids(&b, p);
	put(&b, "), RAM");
	for (unsigned int i = 0; i < p->nr_mem; i++) {
		put(&b, "%s0x%lx+", i ? ", " : " ", p->mem[i].base);
		put_size(&b, p->mem[i].size);
	}
	put(&b, ", timebase %lu Hz", (unsigned long)p->timebase_hz);
	if (p->plic.present)
		put(&b, ", PLIC @0x%lx ndev %u", p->plic.base, p->plic_ndev);
	if (p->imsic.present)
		put(&b, ", IMSIC @0x%lx guest files %u", p->imsic.base,
		    (1U << p->imsic_guest_bits) - 1);
	if (p->aplic.present)
		put(&b, ", APLIC @0x%lx sources %u", p->aplic.base,
		    p->aplic_nsrc);
	if (!p->plic.present && !p->imsic.present)
		put(&b, ", PLIC none");
	if (p->uart.present)
		put(&b, ", UART @0x%lx", p->uart.base);
	else
		put(&b, ", UART none");

	for (unsigned int i = 0; i < p->nr_harts; i++) {
		all_h &= p->harts[i].has_h;
		all_sstc &= p->harts[i].has_sstc;
		all_stateen &= p->harts[i].has_smstateen;
	}
	put(&b, ", ext:%s%s%s%s", all_h ? " h" : "", all_sstc ? " sstc" : "",
	    all_stateen ? " smstateen" : "",
	    all_h || all_sstc || all_stateen ? "" : " none");
	return (int)b.len;
}
