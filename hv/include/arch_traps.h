/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trap causes of the RISC-V privileged specification, with its names.
 * Architecture facts hv/ needs to tell guest exits apart; constants only,
 * so assembly can include this too.
 */
#ifndef HV_ARCH_TRAPS_H
#define HV_ARCH_TRAPS_H

#define SCAUSE_INTERRUPT (1UL << 63)

/* Interrupt numbers (scause with SCAUSE_INTERRUPT). */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_VS_SOFT 2
#define IRQ_VS_TIMER 6
#define IRQ_S_EXT 9
#define IRQ_VS_EXT 10
#define IRQ_PMU_OVF 13 /* Sscofpmf: local counter overflow (LCOFI) */

/* Exception codes (scause without the interrupt bit). */
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_VS 10
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
#define EXC_INST_GUEST_PAGE_FAULT 20
#define EXC_LOAD_GUEST_PAGE_FAULT 21
#define EXC_VIRTUAL_INST 22
#define EXC_STORE_GUEST_PAGE_FAULT 23

#endif
