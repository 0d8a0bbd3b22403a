/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CSR numbers and bit fields, with the privileged specification's names,
 * and the csr_* access macros. Numbers, not names, go to the assembler so
 * any binutils accepts the hypervisor CSRs.
 */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#include "arch_traps.h"

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
#define CSR_STIMECMP 0x14d
#define CSR_TIME 0xc01
#define CSR_SCOUNTOVF 0xda0 /* Sscofpmf */

#define CSR_VSSTATUS 0x200
#define CSR_VSIE 0x204
#define CSR_VSTVEC 0x205
#define CSR_VSSCRATCH 0x240
#define CSR_VSEPC 0x241
#define CSR_VSCAUSE 0x242
#define CSR_VSTVAL 0x243
#define CSR_VSIP 0x244
#define CSR_VSTIMECMP 0x24d
#define CSR_VSATP 0x280
/* AIA (Ssaia): the guest file hstatus.VGEIN selects, through vsiselect. */
#define CSR_VSISELECT 0x250
#define CSR_VSIREG 0x251
#define CSR_VSTOPEI 0x25c
/* AIA: this hart's own S-level interrupt file, through siselect. */
#define CSR_SISELECT 0x150
#define CSR_SIREG 0x151
#define CSR_STOPEI 0x15c
#define CSR_HVIEN 0x608 /* AIA: VS interrupts 13-63 injected by hvip */
#define CSR_HVICTL 0x609
#define IMSIC_EIDELIVERY 0x70
#define IMSIC_EITHRESHOLD 0x72
#define IMSIC_EIP0 0x80 /* RV64: even numbers only, 64 IDs each */
#define IMSIC_EIE0 0xc0

#define CSR_HSTATUS 0x600
#define CSR_HEDELEG 0x602
#define CSR_HIDELEG 0x603
#define CSR_HIE 0x604
#define CSR_HCOUNTEREN 0x606
#define CSR_HTIMEDELTA 0x605
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
#define SSTATUS_FS (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_VS (3UL << 9)
#define SSTATUS_VS_INITIAL (1UL << 9)
#define SSTATUS_SUM (1UL << 18)

#define HSTATUS_GVA (1UL << 6)
#define HSTATUS_SPV (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_HU (1UL << 9)
#define HSTATUS_VTVM (1UL << 20)
#define HSTATUS_VTW (1UL << 21)
#define HSTATUS_VTSR (1UL << 22)
#define HSTATUS_VSXL_SHIFT 32
#define HSTATUS_VSXL (3UL << HSTATUS_VSXL_SHIFT)
#define HSTATUS_VSXL_64 (2UL << HSTATUS_VSXL_SHIFT)
#define HSTATUS_VGEIN_SHIFT 12
#define HSTATUS_VGEIN (0x3fUL << HSTATUS_VGEIN_SHIFT)

#define HENVCFG_CBIE_INVAL (3UL << 4) /* cbo.inval invalidates */
#define HENVCFG_CBCFE (1UL << 6)
#define HENVCFG_CBZE (1UL << 7)
#define HENVCFG_ADUE (1UL << 61)
#define HENVCFG_PBMTE (1UL << 62)
#define HENVCFG_STCE (1UL << 63)
#define CSR_HSTATEEN0 0x60c
#define HSTATEEN0_IMSIC (1UL << 58) /* vstopei, the guest file's CSRs */
#define HSTATEEN0_AIA (1UL << 59) /* the other AIA state (vstopi...) */
#define HSTATEEN0_CSRIND (1UL << 60) /* vsiselect / vsireg */
#define HSTATEEN0_SENVCFG (1UL << 62)
#define HSTATEEN0_SE0 (1UL << 63)

#define HGATP_MODE_SV39X4 (8UL << 60)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK (0x3fffUL << HGATP_VMID_SHIFT)

#define HCOUNTEREN_CY (1UL << 0)
#define HCOUNTEREN_TM (1UL << 1)
#define HCOUNTEREN_IR (1UL << 2)
#define HCOUNTEREN_HPM_MASK 0xfffffff8UL /* hpmcounter3-31 */

#define SIP_SSIP (1UL << IRQ_S_SOFT)
#define SIP_STIP (1UL << IRQ_S_TIMER)
#define SIP_SEIP (1UL << IRQ_S_EXT)
#define SIE_SSIE (1UL << IRQ_S_SOFT)
#define SIE_STIE (1UL << IRQ_S_TIMER)
#define SIE_SEIE (1UL << IRQ_S_EXT)
#define SIE_SGEIE (1UL << 12) /* supervisor guest external (hgeip & hgeie) */
#define HVIP_VSSIP (1UL << IRQ_VS_SOFT)
#define HVIP_VSTIP (1UL << IRQ_VS_TIMER)
#define HVIP_VSEIP (1UL << IRQ_VS_EXT)
#define HIDELEG_VS (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)
/* Sscofpmf: the overflow interrupt is a local one, not shifted for VS. */
#define SIP_LCOFIP (1UL << IRQ_PMU_OVF)
#define SIE_LCOFIE SIP_LCOFIP
#define HIDELEG_LCOFI SIP_LCOFIP
#define HVIEN_LCOFI SIP_LCOFIP
#define HVIP_LCOFI SIP_LCOFIP

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
