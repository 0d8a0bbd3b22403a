/* SPDX-License-Identifier: BSD-2-Clause */
/* What the init program's files share (guest/linux). */
#ifndef GUEST_LINUX_INIT_H
#define GUEST_LINUX_INIT_H

#include <stddef.h>

#define MAX_CPUS 64
#define PAGE 4096
#define MiB (1024L * 1024)
/*
 * A futex wait or a sleep this much longer than asked is a lost event: a
 * lost wake-up never comes, so the bound is long, far beyond what host
 * scheduling on a loaded 2-core machine adds. SLOW_NS only counts, for
 * the report: latency is a figure for make bench, not a test.
 */
#define LOST_NS 10000000000L
#define SLOW_NS 1000000000L

/*
 * Checks failed so far; check() prints "PASS: ..." or "FAIL: ..." as one
 * line, from any thread.
 */
extern int failures;
void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* init.c: the clock by system call, small files, power. */
long now_ns(void);
int read_file(const char *path, char *buf, size_t size);
int write_file(const char *path, const char *text);
void cmd_cat(const char *path);
void power(int how);

/* cpus.c: CPUs, pinning, hotplug. */
int pin_self(int cpu);
int cpus_possible(void);
int cpu_online(int cpu);
int cpus_online(void);
void cmd_cpus(void);
void cmd_hotplug(void);

/* stress.c: the SMP stress. */
void cmd_stress(int seconds);

/* prompt.c: the interactive prompt, never returns. */
void prompt(void) __attribute__((noreturn));

/*
 * The prompt's device commands take the words typed, the command's name
 * first, and check their count before they are called.
 */
/* disk.c: /dev/vda on /mnt, files, O_DIRECT reads. */
void disk_setup(void);
void disk_unmount_all(void);
void cmd_mount(int argc, char **argv);
void cmd_ls(int argc, char **argv);
void cmd_write(int argc, char **argv);
void cmd_sync(int argc, char **argv);
void cmd_readbench(int argc, char **argv);

/* bench.c: page walks (memwalk), fork and exec (forkexec). */
void cmd_memwalk(int argc, char **argv);
void cmd_forkexec(int argc, char **argv);

/* soak.c: concurrent disk requests with a watchdog. */
void cmd_soak(int argc, char **argv);

/* irq.c: /proc/interrupts and IRQ affinity. */
void cmd_interrupts(int argc, char **argv);
void cmd_irq(int argc, char **argv);

/* suspend.c: suspend to RAM, woken by a key on the console. */
void cmd_suspend(int argc, char **argv);

/* net.c: eth0 by ioctl, the TCP echo server. */
void net_setup(void);

#endif
