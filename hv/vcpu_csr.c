// SPDX-License-Identifier: BSD-2-Clause
/*
 * CSR accesses of the guest that the hart sends to hartvisor as virtual
 * instructions but that a hart without H would execute: emulated here.
 * Anything else stays a virtual instruction, injected as an illegal one.
 *
 * - scountovf (Sscofpmf): with Ssccfg the firmware sets menvcfg.CDE, and
 *   VS-mode reads of scountovf then trap, for the hypervisor to answer:
 *   the overflow bits of the counters the guest may read (hcounteren).
 */
#include "arch.h"
#include "vcpu.h"

#define CSR_SCOUNTOVF 0xda0
#define OPCODE_SYSTEM 0x73

/* A read of @csr with no write: csrrs/csrrc (rs1 x0) or -i (uimm 0). */
static bool csr_read_only(uint32_t insn, unsigned int csr)
{
	unsigned int funct3 = insn >> 12 & 7;

	return (insn & 0x7f) == OPCODE_SYSTEM && insn >> 20 == csr &&
	       (funct3 & 3) >= 2 && !(insn >> 15 & 31);
}

bool vcpu_csr_emulate(struct vcpu *v, uint32_t insn)
{
	unsigned int rd = insn >> 7 & 31;

	if (v->pmu.host.lcofi && csr_read_only(insn, CSR_SCOUNTOVF)) {
		if (rd)
			v->ctx.x[rd] = arch_pmu_overflows();
		v->ctx.sepc += 4;
		return true;
	}
	return false;
}
