/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the host unit tests of the interrupt controllers (test_vplic,
 * test_vaplic) stand in for: the spinlocks (checked: never nested, always
 * released) and the logger (counted by level).
 */
#ifndef TESTS_UNIT_FAKES_H
#define TESTS_UNIT_FAKES_H

/* Locks held now; spin_lock() fails the test if one already is. */
extern int fake_lock_depth;
/* pr_debug() and pr_warn() lines so far. */
extern unsigned int fake_debug_logs, fake_warn_logs;

#endif
