/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CSR numbers and bit fields, with the privileged specification's names,
 * and the csr_* access macros. Numbers, not names, go to the assembler so
 * any binutils accepts the hypervisor CSRs.
 */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SSCRATCH 0x140
#define CSR_SEPC 0x141
#define CSR_SCAUSE 0x142
#define CSR_STVAL 0x143
#define CSR_SIP 0x144
#define CSR_SATP 0x180
#define CSR_TIME 0xc01

#define CSR_HSTATUS 0x600
#define CSR_HEDELEG 0x602
#define CSR_HIDELEG 0x603
#define CSR_HIE 0x604
#define CSR_HCOUNTEREN 0x606
#define CSR_HGEIE 0x607
#define CSR_HTVAL 0x643
#define CSR_HIP 0x644
#define CSR_HVIP 0x645
#define CSR_HTINST 0x64a
#define CSR_HGATP 0x680
#define CSR_HENVCFG 0x60a

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)

#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define SIP_SSIP (1UL << IRQ_S_SOFT)
#define SIE_SSIE (1UL << IRQ_S_SOFT)

#define SCAUSE_INTERRUPT (1UL << 63)

#define __CSR_STR(x) #x
#define CSR_STR(x) __CSR_STR(x)

#ifndef __ASSEMBLER__

#define csr_read(csr)                                     \
	({                                                \
		unsigned long __v;                        \
		__asm__ volatile("csrr %0, " CSR_STR(csr) \
				 : "=r"(__v)              \
				 :                        \
				 : "memory");             \
		__v;                                      \
	})

#define csr_write(csr, val)                                  \
	({                                                   \
		unsigned long __v = (unsigned long)(val);    \
		__asm__ volatile("csrw " CSR_STR(csr) ", %0" \
				 :                           \
				 : "rK"(__v)                 \
				 : "memory");                \
	})

#define csr_set(csr, val)                                    \
	({                                                   \
		unsigned long __v = (unsigned long)(val);    \
		__asm__ volatile("csrs " CSR_STR(csr) ", %0" \
				 :                           \
				 : "rK"(__v)                 \
				 : "memory");                \
	})

#define csr_clear(csr, val)                                  \
	({                                                   \
		unsigned long __v = (unsigned long)(val);    \
		__asm__ volatile("csrc " CSR_STR(csr) ", %0" \
				 :                           \
				 : "rK"(__v)                 \
				 : "memory");                \
	})

#define csr_swap(csr, val)                                        \
	({                                                        \
		unsigned long __v = (unsigned long)(val);         \
		__asm__ volatile("csrrw %0, " CSR_STR(csr) ", %1" \
				 : "=r"(__v)                      \
				 : "rK"(__v)                      \
				 : "memory");                     \
		__v;                                              \
	})

#endif /* __ASSEMBLER__ */
#endif
