/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the libFuzzer targets of tests/fuzz share (fuzz_common.c): a reader
 * that turns the input into the values a target asks for, the check that
 * stops the run with a sentence, and fakes of the hypervisor's locks and
 * logger that check how they are used.
 *
 * The reader gives zeros once the input is used up, so every input is a
 * whole test case and a target never needs to check the length.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fuzz_more(const struct fuzz_in *in)
{
	return in->n != 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Little-endian, @bytes (up to 8) bytes of the input. */
static inline uint64_t fuzz_bytes(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_bytes(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_bytes(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_bytes(in, 8);
}

/*
 * A value in [0, @n), @n at most 65536 (0 when @n is 0 or 1). It reads one
 * byte when @n <= 256, else two, whatever @n is: where the next value
 * starts in the input does not depend on the state.
 */
static inline unsigned int fuzz_below(struct fuzz_in *in, unsigned int n)
{
	unsigned int v = n <= 256 ? fuzz_u8(in) : fuzz_u16(in);

	return n ? v % n : 0;
}

/* The target's name, for the first word of every failure. */
extern const char *const fuzz_target;

/*
 * Print "fuzz_<target>: <sentence>" and abort(), which libFuzzer reports
 * as a crash with the input that caused it. @fuzz_on_fail, when set, is
 * called first to print what led there.
 */
__noreturn void fuzz_fail(const char *fmt, ...) __printf(1, 2);
extern void (*fuzz_on_fail)(void);

#define fuzz_check(cond, ...)                   \
	do {                                    \
		if (!(cond))                    \
			fuzz_fail(__VA_ARGS__); \
	} while (0)

/*
 * Locks held now (spin_lock() of a held lock fails: the hypervisor never
 * nests its locks), and log lines so far.
 */
extern int fuzz_lock_depth;
extern unsigned long fuzz_log_lines;

/* FUZZ_VERBOSE is set: print the log lines, and what a target does. */
bool fuzz_verbose(void);

#endif
