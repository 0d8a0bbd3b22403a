// SPDX-License-Identifier: BSD-2-Clause
/*
 * A vCPU's exit counters, summed. Pure and host-safe: the vSBI fuzzer
 * links this file as it is.
 */
#include "vcpu.h"

unsigned long vcpu_sbi_calls(const struct vcpu *v)
{
	unsigned long n = 0;

	for (unsigned int k = 0; k < VCPU_SBI_KINDS; k++)
		n += v->sbi_calls[k];
	return n;
}

unsigned long vcpu_exits_total(const struct vcpu *v)
{
	unsigned long n = vcpu_sbi_calls(v);

	for (unsigned int c = 0; c < VCPU_EXIT_KINDS; c++)
		n += v->exits_by_cause[c];
	for (unsigned int c = 0; c < ARRAY_SIZE(v->exits_by_irq); c++)
		n += v->exits_by_irq[c];
	return n;
}
