/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Constants of the RISC-V SBI specification (v3.0), with the spec's names.
 * Both directions use them: sbi_* calls down into OpenSBI, vsbi_* serves
 * guests. Host-safe.
 */
#ifndef HV_SBI_H
#define HV_SBI_H

/* Standard error codes; hartvisor's internal error codes are these too. */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8
#define SBI_ERR_NO_SHMEM -9
#define SBI_ERR_INVALID_STATE -10
#define SBI_ERR_BAD_RANGE -11
#define SBI_ERR_TIMEOUT -12
#define SBI_ERR_IO -13
#define SBI_ERR_DENIED_LOCKED -14

/* Legacy (v0.1) extensions: the EID is the function. */
#define SBI_EXT_0_1_SET_TIMER 0x0
#define SBI_EXT_0_1_CONSOLE_PUTCHAR 0x1
#define SBI_EXT_0_1_CONSOLE_GETCHAR 0x2
#define SBI_EXT_0_1_CLEAR_IPI 0x3
#define SBI_EXT_0_1_SEND_IPI 0x4
#define SBI_EXT_0_1_REMOTE_FENCE_I 0x5
#define SBI_EXT_0_1_REMOTE_SFENCE_VMA 0x6
#define SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID 0x7
#define SBI_EXT_0_1_SHUTDOWN 0x8

#define SBI_EXT_BASE 0x10
#define SBI_EXT_BASE_GET_SPEC_VERSION 0
#define SBI_EXT_BASE_GET_IMP_ID 1
#define SBI_EXT_BASE_GET_IMP_VERSION 2
#define SBI_EXT_BASE_PROBE_EXT 3
#define SBI_EXT_BASE_GET_MVENDORID 4
#define SBI_EXT_BASE_GET_MARCHID 5
#define SBI_EXT_BASE_GET_MIMPID 6

#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_TIME_SET_TIMER 0

#define SBI_EXT_IPI 0x735049
#define SBI_EXT_IPI_SEND_IPI 0

#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_RFENCE_REMOTE_FENCE_I 0
#define SBI_EXT_RFENCE_REMOTE_SFENCE_VMA 1
#define SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID 2

#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_HSM_HART_START 0
#define SBI_EXT_HSM_HART_STOP 1
#define SBI_EXT_HSM_HART_GET_STATUS 2
#define SBI_EXT_HSM_HART_SUSPEND 3

#define SBI_HSM_STATE_STARTED 0
#define SBI_HSM_STATE_STOPPED 1
#define SBI_HSM_STATE_START_PENDING 2
#define SBI_HSM_STATE_STOP_PENDING 3
#define SBI_HSM_STATE_SUSPENDED 4
#define SBI_HSM_STATE_SUSPEND_PENDING 5
#define SBI_HSM_STATE_RESUME_PENDING 6

#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_SRST_RESET 0
#define SBI_SRST_RESET_TYPE_SHUTDOWN 0
#define SBI_SRST_RESET_TYPE_COLD_REBOOT 1
#define SBI_SRST_RESET_TYPE_WARM_REBOOT 2
#define SBI_SRST_RESET_REASON_NONE 0
#define SBI_SRST_RESET_REASON_SYSFAIL 1

#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_DBCN_CONSOLE_WRITE 0
#define SBI_EXT_DBCN_CONSOLE_READ 1
#define SBI_EXT_DBCN_CONSOLE_WRITE_BYTE 2

#define SBI_EXT_SUSP 0x53555350
#define SBI_EXT_SUSP_SYSTEM_SUSPEND 0
#define SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM 0

#define SBI_EXT_FWFT 0x46574654
#define SBI_EXT_FWFT_SET 0
#define SBI_EXT_FWFT_GET 1
#define SBI_FWFT_SET_FLAG_LOCK (1UL << 0)
/* Feature IDs: bit 31 set is global; 0x40000000 up, platform-specific. */
#define SBI_FWFT_MISALIGNED_EXC_DELEG 0x0
#define SBI_FWFT_LANDING_PAD 0x1
#define SBI_FWFT_SHADOW_STACK 0x2
#define SBI_FWFT_DOUBLE_TRAP 0x3
#define SBI_FWFT_PTE_AD_HW_UPDATING 0x4
#define SBI_FWFT_POINTER_MASKING_PMLEN 0x5
#define SBI_FWFT_LOCAL_RESERVED_START 0x6
#define SBI_FWFT_LOCAL_PLATFORM_START 0x40000000
#define SBI_FWFT_GLOBAL_RESERVED_START 0x80000000
#define SBI_FWFT_GLOBAL_PLATFORM_START 0xc0000000
/*
 * hartvisor's own calls, in the firmware-specific space (0x0A000000 | our
 * implementation ID): counters a guest can read to measure itself.
 */
#define SBI_EXT_HARTVISOR 0x0A004856
#define SBI_EXT_HARTVISOR_EXITS 0 /* a0 = HV_EXITS_*: this vCPU's count */
#define HV_EXITS_ALL 0
#define HV_EXITS_ECALL 1
#define HV_EXITS_MMIO 2 /* load/store guest-page faults */
#define HV_EXITS_EXTERNAL 3 /* physical PLIC interrupts */
#define HV_EXITS_IPI 4
#define HV_EXITS_TIMER 5

/* Human-readable name of an SBI error code, for logs. */
const char *sbi_strerror(long err);

#endif
