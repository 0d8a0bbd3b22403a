/* SPDX-License-Identifier: BSD-2-Clause */
/* CRC-32 (IEEE 802.3, as zlib and cksum -a crc32b compute it). */
#ifndef HV_CRC32_H
#define HV_CRC32_H

#include "types.h"

uint32_t crc32(const void *buf, size_t len);

#endif
