// SPDX-License-Identifier: BSD-2-Clause
/*
 * The init program's prompt: "hartvisor# ", one command per line, words
 * split at blanks. Each command starts with a fresh count of failed checks.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "init.h"

#define MAX_WORDS 64

static void run_cpus(int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_cpus();
}

static void run_stress(int argc, char **argv)
{
	cmd_stress(argc > 1 ? atoi(argv[1]) : 10);
}

static void run_hotplug(int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_hotplug();
}

static void run_cat(int argc, char **argv)
{
	(void)argc;
	cmd_cat(argv[1]);
}

static void run_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	power(RB_POWER_OFF);
}

static void run_reboot(int argc, char **argv)
{
	(void)argc, (void)argv;
	power(RB_AUTOBOOT);
}

static const struct command {
	const char *name;
	const char *args; /* for the help line and usage */
	int min_args;
	void (*run)(int argc, char **argv);
} commands[] = {
	{ "cpus", "", 0, run_cpus },
	{ "stress", "SECONDS", 0, run_stress },
	{ "hotplug", "", 0, run_hotplug },
	{ "cat", "FILE", 1, run_cat },
	{ "mount", "DEV DIR [TYPE]", 2, cmd_mount },
	{ "ls", "DIR", 1, cmd_ls },
	{ "write", "FILE TEXT...", 1, cmd_write },
	{ "sync", "", 0, cmd_sync },
	{ "readbench", "FILE", 1, cmd_readbench },
	{ "memwalk", "[MIB] [PASSES]", 0, cmd_memwalk },
	{ "forkexec", "[N]", 0, cmd_forkexec },
	{ "soak", "SECONDS", 1, cmd_soak },
	{ "interrupts", "", 0, cmd_interrupts },
	{ "irq", "N CPU", 2, cmd_irq },
	{ "suspend", "", 0, cmd_suspend },
	{ "poweroff", "", 0, run_poweroff },
	{ "reboot", "", 0, run_reboot },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void help(void)
{
	printf("commands:");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		printf("%s %s%s%s", i ? "," : "", commands[i].name,
		       *commands[i].args ? " " : "", commands[i].args);
	printf("\n");
}

static void run(int argc, char **argv)
{
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[0], c->name))
			continue;
		if (argc - 1 < c->min_args) {
			printf("usage: %s %s\n", c->name, c->args);
			return;
		}
		c->run(argc, argv);
		return;
	}
	printf("unknown command '%s'\n", argv[0]);
	help();
}

void prompt(void)
{
	char line[1024];

	help();
	for (;;) {
		char *argv[MAX_WORDS + 1];
		int argc = 0;

		printf("hartvisor# ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin)) {
			sleep(1);
			continue;
		}
		for (char *w = strtok(line, " \t\r\n"); w && argc < MAX_WORDS;
		     w = strtok(NULL, " \t\r\n"))
			argv[argc++] = w;
		argv[argc] = NULL;
		if (!argc)
			continue;
		failures = 0;
		run(argc, argv);
	}
}
