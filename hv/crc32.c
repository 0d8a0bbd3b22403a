// SPDX-License-Identifier: BSD-2-Clause
/*
 * CRC-32 (IEEE 802.3, reflected) of the guest DTB, logged at boot and
 * printed by the host tool so a test can show both built the same bytes.
 * Four bits at a time from a 16-entry table: a quarter of the bitwise
 * loop's work on the boot's path, for 64 bytes of table.
 */
#include "crc32.h"

static const uint32_t nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble[crc & 15];
		crc = (crc >> 4) ^ nibble[crc & 15];
	}
	return ~crc;
}
