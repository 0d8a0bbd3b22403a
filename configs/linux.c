// SPDX-License-Identifier: BSD-2-Clause
/*
 * Linux (guest/linux): one vCPU on every hart and all the RAM above the
 * hypervisor. Its console is hvc0 over SBI: until the vPLIC exists the
 * guest gets no PLIC, so no device that needs one (the UART, virtio) —
 * Linux's PLIC driver would fault on the unmapped page. The guest-loader's
 * bootargs, when given, replace these.
 */
#include "vm_config.h"

VM_CONFIG(linux) = {
	.name = "linux",
	.description = "SMP Linux on every hart, console hvc0 over SBI",
	.bootargs = "console=hvc0 earlycon=sbi",
	.devices = 0,
};
