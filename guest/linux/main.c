// SPDX-License-Identifier: BSD-2-Clause
/*
 * One static program with many names, like busybox: started by the
 * kernel as /init it is PID 1 (init.c); started by one of its links in
 * /usr/local/bin it is that one of the guest's checks and tools, run from
 * the shell like any other command ("stress 5 &", then "top").
 *
 * Exit status: 0 when every check passed, 1 when one failed or the
 * program could not do its work, 2 for a bad command line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"

static int run_cpus(int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_cpus();
	return 0;
}

/* A number of seconds from argv[1], @dflt without one; -1 when bad. */
static long seconds_arg(int argc, char **argv, long dflt)
{
	long s = dflt;

	if (argc > 1 && number_arg(argv[0], "SECONDS", argv[1], 1, 86400, &s))
		return -1;
	return s;
}

static int run_stress(int argc, char **argv)
{
	long s = seconds_arg(argc, argv, 10);

	if (s < 0)
		return 2;
	cmd_stress((int)s);
	return 0;
}

static int run_hotplug(int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_hotplug();
	return 0;
}

/* What "hvtest=SECONDS" on the kernel command line runs (init.c). */
static int run_hvtest(int argc, char **argv)
{
	long s = seconds_arg(argc, argv, 20);

	if (s < 0)
		return 2;
	cmd_cpus();
	cmd_stress((int)s);
	cmd_hotplug();
	printf("hvtest: %s (%d failed)\n",
	       failures ? "some checks FAILED" : "all checks passed", failures);
	/*
	 * Out before "sh -c" ends: the shell leads ttyS0's session, and its
	 * end hangs the terminal up, dropping what waits to be sent.
	 */
	drain_stdout();
	return 0;
}

static const struct program {
	const char *name;
	const char *args; /* for the usage line */
	int min_args, max_args;
	int (*run)(int argc, char **argv);
	const char *what;
} programs[] = {
	{ "cpus", "", 0, 0, run_cpus,
	  "every CPU online: a thread pinned on each runs there" },
	{ "stress", "[SECONDS]", 0, 1, run_stress,
	  "SMP stress for SECONDS (10): futex ping-pong (IPIs), a page\n"
	  "remapped while every CPU reads it (TLB shootdowns), short sleeps\n"
	  "(timers); checks its own results" },
	{ "hotplug", "", 0, 0, run_hotplug,
	  "every secondary CPU offline and online again (SBI HSM)" },
	{ "hvtest", "[SECONDS]", 0, 1, run_hvtest,
	  "cpus, stress SECONDS (20) and hotplug: what hvtest=SECONDS on the\n"
	  "kernel command line runs before it powers off" },
	{ "irq", "N CPU", 2, 2, cmd_irq,
	  "move interrupt N (its PLIC/APLIC source, Linux IRQ or device name)\n"
	  "to CPU, and read back where it goes" },
	{ "readbench", "FILE", 1, 1, cmd_readbench,
	  "read FILE with O_DIRECT, 1 MiB at a time: the disk's MiB/s" },
	{ "memwalk", "[MIB] [PASSES]", 0, 2, cmd_memwalk,
	  "touch MIB MiB (256) of fresh memory, read it PASSES (8) times:\n"
	  "ns per page (G-stage and TLB cost)" },
	{ "forkexec", "[N]", 0, 1, cmd_forkexec,
	  "fork, exec and wait N (200) times: ms each" },
	{ "soak", "SECONDS", 1, 1, cmd_soak,
	  "disk reads and writes at once for SECONDS, a watchdog failing\n"
	  "any request that waits 10 s" },
	{ "suspend", "", 0, 0, cmd_suspend,
	  "suspend to RAM (SBI SUSP); a key on the console wakes the VM" },
	{ "vmchan",
	  "[-c NAME] info|ping [--spin] [N]|pong [N]|send FILE|recv FILE|pipeping [N]",
	  1, 5, cmd_vmchan,
	  "a channel to another VM (hartvisor's): its peers; N round trips\n"
	  "(1000) answered by the other peer (pong, or the chan guest);\n"
	  "a file sent to the other peer's recv; the same ping over a pipe" },
	{ "perfcheck", "", 0, 0, cmd_perfcheck,
	  "the PMU through perf_event_open (SBI PMU): cycles and instructions\n"
	  "count a loop; with Sscofpmf, user and kernel counted apart and\n"
	  "sampled cycles in the loop, without it sampling refused; the\n"
	  "firmware event ILLEGAL_INSN counts illegal instructions" },
};

#define NR_PROGRAMS (sizeof(programs) / sizeof(programs[0]))

void list_programs(FILE *f)
{
	for (size_t i = 0; i < NR_PROGRAMS; i++)
		fprintf(f, "%s%s", i ? ", " : "", programs[i].name);
	fprintf(f, " (each with --help)\n");
}

static void usage(FILE *f, const struct program *p)
{
	fprintf(f, "usage: %s%s%s\n%s\n", p->name, *p->args ? " " : "", p->args,
		p->what);
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	/* forkexec's child (bench.c): the exec alone is measured. */
	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;
	name = name ? name + 1 : argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(name, "init"))
		return init_main();
	for (size_t i = 0; i < NR_PROGRAMS; i++) {
		const struct program *p = &programs[i];
		int ret;

		if (strcmp(name, p->name))
			continue;
		if (argc > 1 &&
		    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout, p);
			return 0;
		}
		if (argc - 1 < p->min_args || argc - 1 > p->max_args) {
			usage(stderr, p);
			return 2;
		}
		ret = p->run(argc, argv);
		return ret ? ret : failures ? 1 : 0;
	}
	fprintf(stderr, "%s: not one of the guest's programs: ", name);
	list_programs(stderr);
	return 2;
}
