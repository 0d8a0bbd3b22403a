/* SPDX-License-Identifier: BSD-2-Clause */
/* The hart side of SBI PMU (pmu.c), for the hart's own set-up. */
#ifndef ARCH_PMU_H
#define ARCH_PMU_H

/*
 * Give this hart's counters to its vCPU: hcounteren for each hardware
 * counter, with @lcofi (the guest's tree names Sscofpmf) the overflow
 * interrupt (LCOFI) delegated to VS (or, with @aia, where it cannot be,
 * raised through hvien and hvip), and the firmware's own counters of the
 * traps it takes for the guest started. Once per hart, from
 * arch_hart_virt_init().
 */
void arch_pmu_hart_init(bool aia, bool lcofi);

#endif
