// SPDX-License-Identifier: BSD-2-Clause
/* Names of SBI error codes, for log lines a user can act on. */
#include "sbi.h"

const char *sbi_strerror(long err)
{
	switch (err) {
	case SBI_SUCCESS:
		return "SBI_SUCCESS";
	case SBI_ERR_FAILED:
		return "SBI_ERR_FAILED";
	case SBI_ERR_NOT_SUPPORTED:
		return "SBI_ERR_NOT_SUPPORTED";
	case SBI_ERR_INVALID_PARAM:
		return "SBI_ERR_INVALID_PARAM";
	case SBI_ERR_DENIED:
		return "SBI_ERR_DENIED";
	case SBI_ERR_INVALID_ADDRESS:
		return "SBI_ERR_INVALID_ADDRESS";
	case SBI_ERR_ALREADY_AVAILABLE:
		return "SBI_ERR_ALREADY_AVAILABLE";
	case SBI_ERR_ALREADY_STARTED:
		return "SBI_ERR_ALREADY_STARTED";
	case SBI_ERR_ALREADY_STOPPED:
		return "SBI_ERR_ALREADY_STOPPED";
	case SBI_ERR_NO_SHMEM:
		return "SBI_ERR_NO_SHMEM";
	case SBI_ERR_INVALID_STATE:
		return "SBI_ERR_INVALID_STATE";
	case SBI_ERR_BAD_RANGE:
		return "SBI_ERR_BAD_RANGE";
	case SBI_ERR_TIMEOUT:
		return "SBI_ERR_TIMEOUT";
	case SBI_ERR_IO:
		return "SBI_ERR_IO";
	case SBI_ERR_DENIED_LOCKED:
		return "SBI_ERR_DENIED_LOCKED";
	default:
		return "unknown SBI error";
	}
}
