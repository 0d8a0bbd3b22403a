// SPDX-License-Identifier: BSD-2-Clause
/*
 * DBCN and the legacy console, then SRST: bad arguments, and three reboots
 * in a row (cold, warm, cold) before a shutdown. A reboot restores the
 * guest's image from the pristine copy and stops every other vCPU.
 */
#include "guest.h"

#define MAGIC 0x68617274766973UL /* "hartvis" */
#define DBCN_WRITE 0
#define DBCN_READ 1
#define DBCN_WRITE_BYTE 2

/* Not loaded and not cleared: survives reboots. */
static unsigned long magic __attribute__((section(".noinit")));
static unsigned long boots __attribute__((section(".noinit")));
/*
 * Part of the image, 64 pages in: past what hartvisor's background saves
 * at the first exits (16 pages each), so that the first write to these
 * two pages is what saves them. A reboot must bring back 1234, and 0xff
 * in the page only hartvisor writes (SBI PMU event_get_info's output).
 */
#define FAR_PAGES 64
static volatile struct {
	uint8_t far[FAR_PAGES * 4096];
	unsigned long marker;
	uint8_t rest_of_its_page[4096 - sizeof(unsigned long)];
	uint32_t event_idx, output;
	uint64_t event_data;
	uint8_t rest_of_the_page[4096 - 16];
} image __attribute__((aligned(4096))) = {
	.far = { 1 },
	.marker = 1234,
	.event_idx = (SBI_PMU_EVENT_TYPE_FW << 16) | SBI_PMU_FW_SET_TIMER,
	.output = 0xff,
};

static volatile unsigned long spinning;

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	spinning = 1;
	for (;;) /* until the reboot stops this vCPU */
		__asm__ volatile("wfi");
}

static void check_console_far(void);

static void check_console(void)
{
	static char msg[] = "dbcn: written with console_write";
	char in[16];
	struct sbiret r;

	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, sizeof(msg) - 1,
		     (unsigned long)msg, 0, 0, 0, 0);
	sbi_call(SBI_EXT_DBCN, DBCN_WRITE_BYTE, '\n', 0, 0, 0, 0, 0);
	check(!r.error && r.value == sizeof(msg) - 1,
	      "console_write returns the bytes written (%ld)", r.value);
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, 8, 0xbfe00000, 0, 0, 0, 0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM,
		 "console_write from hypervisor memory: INVALID_PARAM");
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, 8, 0x1000, 0, 0, 0, 0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM,
		 "console_write from unmapped memory: INVALID_PARAM");
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, 8, (unsigned long)msg, 1, 0, 0,
		     0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM,
		 "console_write with base_addr_hi != 0: INVALID_PARAM");
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, -1UL, (unsigned long)msg, 0, 0,
		     0, 0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM,
		 "console_write of 2^64-1 bytes: INVALID_PARAM");
	r = sbi_call(SBI_EXT_DBCN, DBCN_READ, sizeof(in), (unsigned long)in, 0,
		     0, 0, 0);
	check(!r.error && r.value == 0,
	      "console_read with no input: 0 bytes (%ld, %ld)", r.error,
	      r.value);
	r = sbi_call(SBI_EXT_DBCN, DBCN_READ, sizeof(in), 0x80000000, 0, 0, 0,
		     0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM,
		 "console_read into OpenSBI: INVALID_PARAM");
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE_BYTE, '!', 0, 0, 0, 0, 0);
	sbi_call(SBI_EXT_DBCN, DBCN_WRITE_BYTE, '\n', 0, 0, 0, 0, 0);
	check(!r.error && r.value == 0, "console_write_byte");
	CHECK_EQ(SBI0(SBI_EXT_DBCN, 3).error, SBI_ERR_NOT_SUPPORTED,
		 "DBCN fid 3: NOT_SUPPORTED");
	check_console_far();

	for (const char *p = "legacy putchar\n"; *p; p++)
		sbi_legacy(SBI_EXT_0_1_CONSOLE_PUTCHAR, *p, 0, 0, 0);
	CHECK_EQ(sbi_legacy(SBI_EXT_0_1_CONSOLE_GETCHAR, 0, 0, 0, 0), -1,
		 "legacy getchar with no input: -1");
}

/*
 * A string across a page boundary, and one above 4 GiB across the 8 GiB
 * line (two of the hypervisor's 1 GiB G-stage leaves) when the VM has RAM
 * there (MEM=8G); without, a store there faults and DBCN refuses it.
 */
#define HIGH_STRING 0x1fffffff8UL

static void check_console_far(void)
{
	static char page[2][4096] __attribute__((aligned(4096)));
	static const char low[] = "dbcn: across a page boundary";
	static const char high[] = "dbcn: above 4 GiB, across 8 GiB";
	char *p = page[1] - 10, *h = (char *)HIGH_STRING;
	struct sbiret r;

	for (unsigned int i = 0; i < sizeof(low) - 1; i++)
		p[i] = low[i];
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, sizeof(low) - 1,
		     (unsigned long)p, 0, 0, 0, 0);
	sbi_call(SBI_EXT_DBCN, DBCN_WRITE_BYTE, '\n', 0, 0, 0, 0, 0);
	check(!r.error && r.value == sizeof(low) - 1,
	      "console_write across a page boundary (%ld)", r.value);

	expect_trap();
	*(volatile char *)h = high[0];
	if (trapped_cause() >= 0) {
		r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, sizeof(high) - 1,
			     HIGH_STRING, 0, 0, 0, 0);
		CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM,
			 "no RAM at 0x1fffffff8: console_write INVALID_PARAM");
		return;
	}
	for (unsigned int i = 0; i < sizeof(high) - 1; i++)
		h[i] = high[i];
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE, sizeof(high) - 1, HIGH_STRING, 0,
		     0, 0, 0);
	sbi_call(SBI_EXT_DBCN, DBCN_WRITE_BYTE, '\n', 0, 0, 0, 0, 0);
	check(!r.error && r.value == sizeof(high) - 1,
	      "console_write from 0x%lx, above 4 GiB (%ld)", HIGH_STRING,
	      r.value);
}

static void check_srst_errors(void)
{
	CHECK_EQ(SBI2(SBI_EXT_SRST, 0, 3, 0).error, SBI_ERR_INVALID_PARAM,
		 "reset type 3: INVALID_PARAM");
	CHECK_EQ(SBI2(SBI_EXT_SRST, 0, 0xf0000000, 0).error,
		 SBI_ERR_INVALID_PARAM, "vendor reset type: INVALID_PARAM");
	CHECK_EQ(SBI2(SBI_EXT_SRST, 0, 0, 2).error, SBI_ERR_INVALID_PARAM,
		 "reset reason 2: INVALID_PARAM");
	CHECK_EQ(SBI2(SBI_EXT_SRST, 0, 1, 0xe0000000).error,
		 SBI_ERR_INVALID_PARAM,
		 "implementation-specific reason: INVALID_PARAM");
	CHECK_EQ(SBI2(SBI_EXT_SRST, 1, 0, 0).error, SBI_ERR_NOT_SUPPORTED,
		 "SRST fid 1: NOT_SUPPORTED");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	/*
	 * First, before any SBI call: hartvisor saves the image pages in the
	 * background at each exit, so only the first exit finds them
	 * unsaved. On odd boots that is a store of ours to the image, on
	 * even ones hartvisor's write for event_get_info: each path of the
	 * save on first write runs first twice (a reboot before any
	 * background copy could have run).
	 */
	bool odd = magic != MAGIC || boots % 2 == 0;
	unsigned long marker = image.marker;
	unsigned int output = image.output;
	struct sbiret info;
	unsigned int n;

	if (odd)
		image.marker = 0;
	info = SBI3(SBI_EXT_PMU, SBI_EXT_PMU_EVENT_GET_INFO,
		    (unsigned long)&image.event_idx, 0, 1);
	image.marker = 0;
	n = count_harts();
	(void)hartid;
	(void)dtb;
	if (magic != MAGIC) {
		magic = MAGIC;
		boots = 0;
	}
	boots++;
	gprintf("console: boot %lu of 4, %u harts", boots, n);
	check(marker == 1234, "boot %lu: the image is pristine", boots);
	check(output == 0xff,
	      "boot %lu: what hartvisor wrote into the image is undone (%u)",
	      boots, output);
	check(!info.error && image.output == 1,
	      "boot %lu: hartvisor writes event_get_info into the image (%u)",
	      boots, image.output);
	for (unsigned int i = 1; i < n; i++)
		check(SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, i).value ==
			      SBI_HSM_STATE_STOPPED,
		      "boot %lu: hart %u starts STOPPED", boots, i);

	if (boots == 1) {
		check_console();
		check_srst_errors();
	}
	if (boots <= 3) {
		/* Leave a vCPU running: the reboot must stop it. */
		if (n > 1) {
			SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1,
			     (unsigned long)secondary_entry, 0);
			check(wait_eq(&spinning, 1, LOST_TICKS),
			      "hart 1 runs before the reboot");
		}
		gprintf("RESULT: boot %lu done, rebooting", boots);
		SBI2(SBI_EXT_SRST, 0, boots == 2 ? 2 : 1, 0);
		check(false, "SRST reboot returned");
	}
	magic = 0;
}
