/* SPDX-License-Identifier: BSD-2-Clause */
/* What the init program's files share (guest/linux). */
#ifndef GUEST_LINUX_INIT_H
#define GUEST_LINUX_INIT_H

#define MAX_CPUS 64
#define PAGE 4096
/* A futex wait or a sleep this much longer than asked is a lost event. */
#define LATE_NS 1000000000L

/* Checks failed so far; check() prints "PASS: ..." or "FAIL: ...". */
extern int failures;
void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

long now_ns(void);
int pin_self(int cpu);
int cpus_possible(void);
int cpu_online(int cpu);

/* The SMP stress of stress.c. */
void cmd_stress(int seconds);

#endif
