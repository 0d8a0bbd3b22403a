/* SPDX-License-Identifier: BSD-2-Clause */
/* What the guest program's files share (guest/linux: init and the checks). */
#ifndef GUEST_LINUX_INIT_H
#define GUEST_LINUX_INIT_H

#include <stddef.h>
#include <stdio.h>

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
 * line, from any thread. A program whose check failed exits with 1.
 */
extern int failures;
void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* lib.c: the clock by system call, small files, numbers. */
long now_ns(void);
int read_file(const char *path, char *buf, size_t size);
int write_file(const char *path, const char *text);
/*
 * stdout out on the wire before going on: ttyS0 sends from a buffer. Only
 * in the terminal's foreground.
 */
void drain_stdout(void);
/*
 * @s as a number from @min to @max into @out: 0, or -1 after telling
 * stderr what @prog's argument @what should be.
 */
int number_arg(const char *prog, const char *what, const char *s, long min,
	       long max, long *out);

/* init.c: PID 1. main.c: the programs by name. */
int init_main(void);
void list_programs(FILE *f);

/* cpus.c: CPUs, pinning, hotplug. */
int pin_self(int cpu);
int cpus_possible(void);
int cpu_online(int cpu);
int cpus_online(void);
void cmd_cpus(void);
void cmd_hotplug(void);

/* stress.c: the SMP stress. */
void cmd_stress(int seconds);

/*
 * The other programs take their command line, the program's name first,
 * with its count of arguments checked (main.c), and return an exit status.
 */
/* disk.c: /dev/vda on /mnt at boot, O_DIRECT reads. */
void disk_setup(void);
void disk_unmount_all(void);
int cmd_readbench(int argc, char **argv);

/* bench.c: page walks (memwalk), fork and exec (forkexec). */
int cmd_memwalk(int argc, char **argv);
int cmd_forkexec(int argc, char **argv);

/* soak.c: concurrent disk requests with a watchdog. */
int cmd_soak(int argc, char **argv);

/* irq.c: IRQ affinity. */
int cmd_irq(int argc, char **argv);

/* vmchan.c: channels between VMs. */
int cmd_vmchan(int argc, char **argv);

/* suspend.c: suspend to RAM, woken by a key on the console. */
int cmd_suspend(int argc, char **argv);

/* perf.c: the PMU through perf_event_open. */
int cmd_perfcheck(int argc, char **argv);

/* net.c: eth0 by ioctl, the TCP echo server. */
void net_setup(void);

#endif
