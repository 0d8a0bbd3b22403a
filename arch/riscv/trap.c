// SPDX-License-Identifier: BSD-2-Clause
/* Traps taken in HS-mode, and the CSR dump that panic prints. */
#include "arch.h"
#include "arch/csr.h"
#include "arch/trap.h"
#include "hart.h"
#include "log.h"

static const char *const exception_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store address misaligned",
	[7] = "store access fault",
	[8] = "ecall from U/VU-mode",
	[9] = "ecall from HS-mode",
	[10] = "ecall from VS-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store page fault",
	[20] = "instruction guest-page fault",
	[21] = "load guest-page fault",
	[22] = "virtual instruction",
	[23] = "store guest-page fault",
};

static const char *cause_name(unsigned long scause)
{
	unsigned long code = scause & ~SCAUSE_INTERRUPT;

	if (scause & SCAUSE_INTERRUPT)
		return "interrupt";
	if (code < ARRAY_SIZE(exception_names) && exception_names[code])
		return exception_names[code];
	return "unknown exception";
}

void arch_dump_csrs(void)
{
	pr_err("sstatus %016lx  hstatus %016lx  sie %016lx  sip %016lx",
	       csr_read(CSR_SSTATUS), csr_read(CSR_HSTATUS), csr_read(CSR_SIE),
	       csr_read(CSR_SIP));
	pr_err("scause  %016lx  sepc    %016lx  stval %016lx",
	       csr_read(CSR_SCAUSE), csr_read(CSR_SEPC), csr_read(CSR_STVAL));
	pr_err("htval   %016lx  htinst  %016lx  hgatp %016lx",
	       csr_read(CSR_HTVAL), csr_read(CSR_HTINST), csr_read(CSR_HGATP));
}

static void dump_frame(const struct trap_frame *f)
{
	static const char *const names[32] = {
		"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
		"s0",	"s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
		"a6",	"a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
		"s8",	"s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};

	for (int i = 0; i < 32; i += 4)
		pr_err("%-4s %016lx  %-4s %016lx  %-4s %016lx  %-4s %016lx",
		       names[i], f->x[i], names[i + 1], f->x[i + 1],
		       names[i + 2], f->x[i + 2], names[i + 3], f->x[i + 3]);
}

void arch_trap(struct trap_frame *frame)
{
	unsigned long scause = csr_read(CSR_SCAUSE);
	struct hart *self = arch_this_hart();

	/* A guarded guest access (guest_access.S) faulted: resume there. */
	if (self && self->fixup && !(scause & SCAUSE_INTERRUPT)) {
		self->fault_cause = scause;
		self->fault_tval = csr_read(CSR_STVAL);
		frame->sepc = self->fixup;
		self->fixup = 0;
		return;
	}

	pr_err("registers at the trap:");
	dump_frame(frame);
	panic("unexpected trap in HS-mode: %s (scause 0x%lx) at 0x%lx, stval 0x%lx",
	      cause_name(scause), scause, frame->sepc, csr_read(CSR_STVAL));
}
