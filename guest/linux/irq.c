// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's irq program: one device interrupt moved to one CPU through
 * /proc/irq/N/smp_affinity. The PLIC driver routes each source to a single hart, and so does the APLIC's
 * (its target register names one hart's interrupt file), so the effective
 * affinity read back is the CPU that now takes it, and its column in
 * /proc/interrupts is the one that grows.
 *
 * "irq N CPU" names the interrupt as the device tree does, by its PLIC or
 * APLIC source number (the UART's is 10): Linux numbers its IRQs in probe
 * order (the UART's is Linux IRQ 1 on QEMU virt's PLIC), so the command
 * looks the Linux number up in /proc/interrupts. A device name ("irq ttyS0
 * 3") works too, and so does a Linux IRQ number that no source has.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

#define MAX_TOKENS (MAX_CPUS + 16)

/* One line of /proc/interrupts. */
struct irq_line {
	int virq; /* Linux's number: /proc/irq/N */
	int hwirq; /* the controller's number; -1 when not known */
	int plic; /* the SiFive PLIC or an APLIC delivers it */
	char names[128]; /* who requested it, e.g. "ttyS0" */
};

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * "  1:  16  0  0  0  SiFive PLIC  10 Edge  ttyS0": the Linux IRQ, a count
 * per CPU, the controller (words), its number, the trigger, the names.
 * An MSI domain's lines carry the flow after the trigger ("APLIC-MSI-...
 * 10 Level -fasteoi ttyS0"). Returns 0 when @line is such a line (IPI
 * lines are not).
 */
static int parse_line(char *line, struct irq_line *l)
{
	char *tok[MAX_TOKENS], *end;
	int n = 0, i = 1;

	for (char *w = strtok(line, " \t\n"); w && n < MAX_TOKENS;
	     w = strtok(NULL, " \t\n"))
		tok[n++] = w;
	if (n < 2)
		return -1;
	l->virq = (int)strtol(tok[0], &end, 10);
	if (end == tok[0] || strcmp(end, ":"))
		return -1;
	while (i < n && is_number(tok[i])) /* the per-CPU counts */
		i++;
	l->plic = 0;
	for (; i + 1 < n; i++) {
		if (is_number(tok[i]) && (!strcmp(tok[i + 1], "Edge") ||
					  !strcmp(tok[i + 1], "Level")))
			break;
		/* "SiFive PLIC", "APLIC-MSI-d000000.interrupt-controller" */
		l->plic |= strstr(tok[i], "PLIC") != NULL;
	}
	if (i + 1 >= n)
		return -1;
	l->hwirq = atoi(tok[i]);
	l->names[0] = '\0';
	i += 2;
	if (i < n && tok[i][0] == '-')
		i++;
	for (; i < n; i++)
		snprintf(l->names + strlen(l->names),
			 sizeof(l->names) - strlen(l->names), "%s%s",
			 l->names[0] ? " " : "", tok[i]);
	return 0;
}

/* Does the line's name list hold @name (names are separated by ", ")? */
static int has_name(const struct irq_line *l, const char *name)
{
	char names[sizeof(l->names)];

	strcpy(names, l->names);
	for (char *w = strtok(names, " ,"); w; w = strtok(NULL, " ,"))
		if (!strcmp(w, name))
			return 1;
	return 0;
}

/* Finds @which: a PLIC source number, a device name, or a Linux IRQ. */
static int irq_find(const char *which, struct irq_line *found)
{
	struct irq_line l, by_virq = { .virq = -1 };
	int number = is_number(which), n = atoi(which), hit = 0;
	char *line = NULL;
	size_t size = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (!hit && getline(&line, &size, f) > 0) {
		if (parse_line(line, &l))
			continue;
		if (number ? l.plic && l.hwirq == n : has_name(&l, which)) {
			*found = l;
			hit = 1;
		} else if (number && l.virq == n) {
			by_virq = l;
		}
	}
	free(line);
	fclose(f);
	if (!hit && by_virq.virq >= 0) {
		*found = by_virq;
		hit = 1;
	}
	return hit ? 0 : -1;
}

static void read_irq_file(int virq, const char *file, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/irq/%d/%s", virq, file);
	if (read_file(path, buf, size) < 0)
		snprintf(buf, size, "?");
	buf[strcspn(buf, "\n")] = '\0';
}

int cmd_irq(int argc, char **argv)
{
	char path[64], mask[32], affinity[64], effective[64], *end;
	struct irq_line l;
	long cpu = strtol(argv[2], &end, 10);
	int err;

	(void)argc;
	if (end == argv[2] || *end || cpu < 0 || cpu >= MAX_CPUS ||
	    cpu >= cpus_possible()) {
		fprintf(stderr,
			"irq: CPU '%s': this machine has CPUs 0 to %d\n",
			argv[2], cpus_possible() - 1);
		return 2;
	}
	if (irq_find(argv[1], &l)) {
		fprintf(stderr, "irq: no interrupt '%s' in /proc/interrupts\n",
			argv[1]);
		return 1;
	}
	/* The mask in 32-bit groups, most significant first. */
	if (cpu < 32)
		snprintf(mask, sizeof(mask), "%x", 1u << cpu);
	else
		snprintf(mask, sizeof(mask), "%x,00000000", 1u << (cpu - 32));
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity", l.virq);
	err = write_file(path, mask);
	if (err) {
		fprintf(stderr, "irq %s: writing %s to %s: %s\n", argv[1], mask,
			path, strerror(-err));
		return 1;
	}
	read_irq_file(l.virq, "smp_affinity", affinity, sizeof(affinity));
	read_irq_file(l.virq, "effective_affinity_list", effective,
		      sizeof(effective));
	printf("irq %s (Linux IRQ %d, %s): smp_affinity %s, effective CPU %s\n",
	       argv[1], l.virq, l.names[0] ? l.names : "no name", affinity,
	       effective);
	return 0;
}
