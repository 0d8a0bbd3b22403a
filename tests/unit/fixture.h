/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the host unit tests: load device-tree fixtures from
 * $FIXTURES (default build/fixtures) and edit copies of them with libfdt.
 */
#ifndef TESTS_UNIT_FIXTURE_H
#define TESTS_UNIT_FIXTURE_H

#include <libfdt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

struct blob {
	void *data;
	size_t size;
};

static inline struct blob fixture_load(const char *name)
{
	const char *dir = getenv("FIXTURES") ? getenv("FIXTURES") :
					       "build/fixtures";
	char path[512];
	struct blob b = { 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s (run make unit)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* Exactly the file's size: ASan catches any read past the end. */
	b.data = malloc((size_t)n);
	b.size = (size_t)n;
	assert_int_equal(fread(b.data, 1, b.size, f), b.size);
	fclose(f);
	return b;
}

/* A copy of @name with @extra bytes of room, open for libfdt edits. */
static inline struct blob fixture_editable(const char *name, size_t extra)
{
	struct blob in = fixture_load(name);
	struct blob out = { malloc(in.size + extra), in.size + extra };

	assert_int_equal(fdt_open_into(in.data, out.data, (int)out.size), 0);
	free(in.data);
	return out;
}

static inline int fixture_path(const struct blob *b, const char *path)
{
	int node = fdt_path_offset(b->data, path);

	if (node < 0)
		fail_msg("fixture has no %s", path);
	return node;
}

#endif
