// SPDX-License-Identifier: BSD-2-Clause
/*
 * DBCN and the legacy console, then SRST: bad arguments, and three reboots
 * in a row (cold, warm, cold) before a shutdown. A reboot restores the
 * guest's image from the pristine copy and stops every other vCPU.
 *
 * With a virtio-rng device (the test adds -device virtio-rng-device),
 * each boot has the device write random bytes into a page of the image
 * early, before hartvisor can have saved that page: a device writes past
 * the G-stage, so the page must be saved before the device can run, and
 * the next boot must find it pristine, and the device reset.
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
	uint8_t dma[4096]; /* virtio-rng writes here; zeros in the image */
} image __attribute__((aligned(4096))) = {
	.far = { 1 },
	.marker = 1234,
	.event_idx = (SBI_PMU_EVENT_TYPE_FW << 16) | SBI_PMU_FW_SET_TIMER,
	.output = 0xff,
};

static volatile unsigned long spinning;

/* virtio-mmio (QEMU virt's 8 slots), legacy (version 1) or version 2. */
#define VIRTIO_BASE 0x10001000UL
#define VIRTIO_SLOTS 8
#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_ENTROPY 4
enum {
	VIO_MAGIC = 0x00,
	VIO_VERSION = 0x04,
	VIO_DEVICE = 0x08,
	VIO_DRIVER_FEATURES = 0x20,
	VIO_DRIVER_FEATURES_SEL = 0x24,
	VIO_GUEST_PAGE_SIZE = 0x28, /* legacy */
	VIO_QUEUE_SEL = 0x30,
	VIO_QUEUE_NUM_MAX = 0x34,
	VIO_QUEUE_NUM = 0x38,
	VIO_QUEUE_ALIGN = 0x3c, /* legacy */
	VIO_QUEUE_PFN = 0x40, /* legacy */
	VIO_QUEUE_READY = 0x44,
	VIO_QUEUE_NOTIFY = 0x50,
	VIO_STATUS = 0x70,
	VIO_QUEUE_DESC = 0x80,
	VIO_QUEUE_AVAIL = 0x90,
	VIO_QUEUE_USED = 0xa0,
};
#define VIO_ACKNOWLEDGE 1U
#define VIO_DRIVER 2U
#define VIO_DRIVER_OK 4U
#define VIO_FEATURES_OK 8U
#define VIRTQ_DESC_F_WRITE 2

/* A queue of one entry, in the legacy layout: the used ring a page on. */
static volatile struct {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
	uint16_t avail_flags, avail_idx, avail_ring, used_event;
	uint8_t to_the_next_page[4096 - 24];
	uint16_t used_flags, used_idx;
	uint32_t used_id, used_len;
	uint16_t avail_event;
} vq __attribute__((aligned(4096)));

static uint32_t vio_read(unsigned long base, unsigned int reg)
{
	return *(volatile uint32_t *)(base + reg);
}

static void vio_write(unsigned long base, unsigned int reg, uint32_t val)
{
	*(volatile uint32_t *)(base + reg) = val;
}

static void vio_write64(unsigned long base, unsigned int reg, uintptr_t val)
{
	vio_write(base, reg, (uint32_t)val);
	vio_write(base, reg + 4, (uint32_t)(val >> 32));
}

/* The virtio-rng device's registers, or 0 if the machine has none. */
static unsigned long rng_find(void)
{
	for (unsigned int i = 0; i < VIRTIO_SLOTS; i++) {
		unsigned long base = VIRTIO_BASE + i * 0x1000UL;

		if (vio_read(base, VIO_MAGIC) == VIRTIO_MAGIC &&
		    vio_read(base, VIO_DEVICE) == VIRTIO_ENTROPY)
			return base;
	}
	return 0;
}

/*
 * Have the device at @base fill @buf (@len bytes) with random bytes, and
 * leave it running (a reboot must reset it). The bytes it wrote; 0 if
 * it would not, or did not within LOST_TICKS.
 */
static uint32_t rng_fill(unsigned long base, volatile void *buf, uint32_t len)
{
	uint32_t version = vio_read(base, VIO_VERSION);
	uint32_t status = VIO_ACKNOWLEDGE | VIO_DRIVER;
	unsigned long end;

	vio_write(base, VIO_STATUS, 0);
	vio_write(base, VIO_STATUS, VIO_ACKNOWLEDGE);
	vio_write(base, VIO_STATUS, status);
	vio_write(base, VIO_DRIVER_FEATURES_SEL, 0);
	vio_write(base, VIO_DRIVER_FEATURES, 0);
	if (version == 1) {
		vio_write(base, VIO_GUEST_PAGE_SIZE, 4096);
	} else {
		vio_write(base, VIO_DRIVER_FEATURES_SEL, 1);
		vio_write(base, VIO_DRIVER_FEATURES,
			  1); /* VIRTIO_F_VERSION_1 */
		status |= VIO_FEATURES_OK;
		vio_write(base, VIO_STATUS, status);
		if (!(vio_read(base, VIO_STATUS) & VIO_FEATURES_OK))
			return 0;
	}
	vio_write(base, VIO_QUEUE_SEL, 0);
	if (!vio_read(base, VIO_QUEUE_NUM_MAX))
		return 0;
	vq.addr = (uintptr_t)buf;
	vq.len = len;
	vq.flags = VIRTQ_DESC_F_WRITE;
	vq.avail_ring = 0;
	vq.avail_idx = 0;
	vq.used_idx = 0;
	vio_write(base, VIO_QUEUE_NUM, 1);
	if (version == 1) {
		vio_write(base, VIO_QUEUE_ALIGN, 4096);
		vio_write(base, VIO_QUEUE_PFN, (uintptr_t)&vq >> 12);
	} else {
		vio_write64(base, VIO_QUEUE_DESC, (uintptr_t)&vq.addr);
		vio_write64(base, VIO_QUEUE_AVAIL, (uintptr_t)&vq.avail_flags);
		vio_write64(base, VIO_QUEUE_USED, (uintptr_t)&vq.used_flags);
		vio_write(base, VIO_QUEUE_READY, 1);
	}
	vio_write(base, VIO_STATUS, status | VIO_DRIVER_OK);
	__asm__ volatile("fence rw, rw" ::: "memory");
	vq.avail_idx = 1;
	__asm__ volatile("fence iorw, iorw" ::: "memory");
	vio_write(base, VIO_QUEUE_NOTIFY, 0);
	for (end = read_time() + LOST_TICKS; vq.used_idx != 1;)
		if (read_time() > end)
			return 0;
	__asm__ volatile("fence rw, rw" ::: "memory");
	return vq.used_len;
}

/* Is the image's DMA page still all zeros, as in the image? */
static bool dma_page_pristine(void)
{
	for (unsigned int i = 0; i < sizeof(image.dma); i++)
		if (image.dma[i])
			return false;
	return true;
}

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
	unsigned int n, rng_status = 0;
	uint32_t rng_bytes = 0;
	bool dma_pristine;
	unsigned long rng;

	if (odd)
		image.marker = 0;
	info = SBI3(SBI_EXT_PMU, SBI_EXT_PMU_EVENT_GET_INFO,
		    (unsigned long)&image.event_idx, 0, 1);
	image.marker = 0;
	/* One or two exits so far: the DMA page is not saved yet. */
	dma_pristine = dma_page_pristine();
	rng = rng_find();
	if (rng) {
		rng_status = vio_read(rng, VIO_STATUS);
		rng_bytes = rng_fill(rng, image.dma, sizeof(image.dma));
	}
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
	check(dma_pristine,
	      "boot %lu: the image page a device wrote is pristine", boots);
	if (rng) {
		check(boots == 1 || rng_status == 0,
		      "boot %lu: virtio-rng comes out of the reboot reset (status %u)",
		      boots, rng_status);
		check(rng_bytes > 0 && !dma_page_pristine(),
		      "boot %lu: virtio-rng writes %u bytes into an image page",
		      boots, rng_bytes);
	} else {
		gprintf("console: no virtio-rng device: no device writes into the image");
	}
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
