// SPDX-License-Identifier: BSD-2-Clause
/*
 * CRC-32 of the guest DTB, logged at boot and printed by the host tool so
 * a test can show both built the same bytes. Bitwise: small, and fast
 * enough for a few kilobytes once per boot.
 */
#include "crc32.h"

uint32_t crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}
