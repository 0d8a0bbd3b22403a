// SPDX-License-Identifier: BSD-2-Clause
/*
 * 20 000 SBI calls with random extensions, functions and arguments (a
 * fixed seed, so a failure repeats): every call must come back with an SBI
 * error code from the spec, a faulting legacy pointer must come back as a
 * trap at the ecall, and the hypervisor must still answer correctly at the
 * end. Left out: calls that legitimately stop, suspend or reset the
 * caller (SRST, legacy shutdown, HSM stop/suspend), and starts of other
 * harts at random addresses.
 */
#include "guest.h"

#define CALLS 20000

static uint64_t rng = 0x68617274766973ULL;

static uint64_t next(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static char buffer[64];

/* Arguments that exercise bounds: zero, small, huge, wrapping, pointers. */
static unsigned long pick_arg(void)
{
	static const unsigned long special[] = {
		0,
		1,
		2,
		3,
		63,
		64,
		-1UL,
		-2UL,
		0x1000,
		0x80000000,
		0x80200000,
		0xbfc00000,
		0xbfe00000,
		0x0c000000,
		0x100000000UL,
		0x7fffffffffffffffUL,
	};
	uint64_t r = next();

	switch (r % 4) {
	case 0:
		return special[(r >> 8) %
			       (sizeof(special) / sizeof(special[0]))];
	case 1:
		return (unsigned long)buffer + ((r >> 8) % 16);
	default:
		return next();
	}
}

static const unsigned long eids[] = {
	SBI_EXT_BASE,
	SBI_EXT_TIME,
	SBI_EXT_IPI,
	SBI_EXT_RFENCE,
	SBI_EXT_HSM,
	SBI_EXT_DBCN,
	0,
	1,
	2,
	3,
	4,
	5,
	6,
	7,
	9,
	0x0f,
	0x504D55,
	0x12345678,
};

/* Would this call stop, suspend, reset or start garbage? Then skip it. */
static bool skip(unsigned long eid, unsigned long fid, unsigned long *a,
		 unsigned int n)
{
	if (eid == SBI_EXT_HSM &&
	    (fid == SBI_EXT_HSM_HART_STOP || fid == SBI_EXT_HSM_HART_SUSPEND))
		return true;
	if (eid == SBI_EXT_HSM && fid == SBI_EXT_HSM_HART_START && a[0] < n &&
	    a[0] != 0)
		return true;
	/* DBCN buffers: only ours or ones outside guest RAM. */
	if (eid == SBI_EXT_DBCN && fid <= 1) {
		a[0] %= 8;
		if (a[1] >= 0x80000000 && a[1] < 0xbfc00000)
			a[1] = (unsigned long)buffer;
	}
	if (eid == SBI_EXT_DBCN && fid == 2)
		a[0] = '.';
	if (eid == 1)
		a[0] = '.';
	return false;
}

static bool is_sbi_error(long e)
{
	return e <= 0 && e >= SBI_ERR_NO_SHMEM;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned int n = count_harts(), bad = 0, trapped = 0, done = 0;
	long histogram[10] = { 0 };

	(void)hartid;
	(void)dtb;
	for (unsigned int i = 0; i < sizeof(buffer); i++)
		buffer[i] = '.'; /* console writes from it print dots */
	gprintf("sbi_fuzz: %u harts, %d calls", n, CALLS);
	for (int i = 0; i < CALLS; i++) {
		unsigned long a[6], eid, fid;
		struct sbiret r;

		eid = eids[next() % (sizeof(eids) / sizeof(eids[0]))];
		fid = next() % 4 ? next() % 8 : next();
		for (int j = 0; j < 6; j++)
			a[j] = pick_arg();
		if (skip(eid, fid, a, n))
			continue;
		expect_trap();
		r = sbi_call(eid, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (trapped_cause() >= 0) {
			trapped++; /* a legacy mask pointer that faulted */
			continue;
		}
		expect_trap(); /* disarm */
		(void)trapped_cause();
		done++;
		/* Legacy calls answer a value in a0 (getchar: -1 or a byte). */
		if (eid <= 8 && (eid == 2 || eid == 3))
			continue;
		if (!is_sbi_error(r.error)) {
			if (bad++ < 5)
				gprintf("odd answer: eid 0x%lx fid 0x%lx -> %ld",
					eid, fid, r.error);
			continue;
		}
		histogram[-r.error]++;
	}
	sbi_call(SBI_EXT_DBCN, 2, '\n', 0, 0, 0, 0, 0);
	/* Nothing here may have left an IPI or timer armed for us. */
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	gprintf("sbi_fuzz: %u calls answered, %u legacy pointers faulted; "
		"SUCCESS %ld FAILED %ld NOT_SUPPORTED %ld INVALID_PARAM %ld "
		"INVALID_ADDRESS %ld ALREADY_AVAILABLE %ld",
		done, trapped, histogram[0], histogram[1], histogram[2],
		histogram[3], histogram[5], histogram[6]);
	check(bad == 0, "every answer is an SBI error code (%u odd)", bad);
	check(done > CALLS / 2, "most calls were made (%u)", done);
	check(histogram[2] > 0 && histogram[3] > 0,
	      "NOT_SUPPORTED and INVALID_PARAM both seen");
	CHECK_EQ(SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION).value,
		 0x03000000, "the hypervisor still answers BASE correctly");
	for (unsigned int i = 1; i < n; i++)
		CHECK_EQ(
			SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, i).value,
			SBI_HSM_STATE_STOPPED, "other harts still stopped");
}
