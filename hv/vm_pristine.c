// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest images' pristine bytes, for SRST reboot, saved a page at a
 * time on the guest's first write instead of copied whole at boot.
 *
 * vm_map() maps every page an image touches read-only (and executable)
 * in the G-stage. The first store to such a page is a store guest-page
 * fault: the page's image bytes go to their place in the image's
 * pristine copy (vm_plan put it above guest RAM, out of the guest's
 * reach), and the page becomes writable. Whether a page is saved is the
 * G-stage's W bit, so there is no other state. A reboot copies back only
 * the saved pages and makes them read-only again. Pages the guest never
 * wrote were never copied and need no restoring: they are pristine. All
 * of it is this VM's own memory and table: another VM's reboot would not
 * touch it.
 *
 * The G-stage keeps the largest leaves it can: a 2 MiB leaf inside an
 * image is split into 4 KiB leaves when the guest first writes to it;
 * when no table is left to split with, the whole 2 MiB is saved at once.
 *
 * A device that writes guest RAM itself (virtio's DMA) writes past the
 * G-stage: no fault would save the page first. So those devices' pages
 * are not mapped until every image page is saved. The guest's first
 * access to one (a guest-page fault) saves the rest at once, maps them
 * and retries; a device does nothing before its driver touches it. A
 * reboot resets them first, as the machine's reset does: no device of
 * the last boot writes into the restored images.
 */
#include <string.h>

#include "arch.h"
#include "log.h"
#include "sbi.h"
#include "vm.h"

#define PAGE 4096UL
/* virtio-mmio: the magic value "virt" and the device status register. */
#define VIRTIO_MMIO_MAGIC 0x74726976U
#define VIRTIO_MMIO_STATUS 0x70

/* Does any image's page span cover @gpa? */
static bool in_image_page(const struct vm *vm, gpa_t gpa)
{
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		const struct vm_image *img = &vm->images[i];

		if (gpa >= ALIGN_DOWN(img->base, PAGE) &&
		    gpa < ALIGN_UP(img->base + img->size, PAGE))
			return true;
	}
	return false;
}

/*
 * Copy the image bytes in [@gpa, +@size) between the image and its
 * pristine copy: into the copy (@save), or back.
 */
static void copy_images(const struct vm *vm, gpa_t gpa, uint64_t size,
			bool save)
{
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		const struct vm_image *img = &vm->images[i];
		paddr_t start = MAX(gpa, img->base);
		paddr_t end = MIN(gpa + size, img->base + img->size);
		void *live = (void *)(uintptr_t)start;
		void *kept = (void *)(uintptr_t)(img->pristine +
						 (start - img->base));

		if (start >= end)
			continue;
		if (save)
			memcpy(kept, live, end - start);
		else
			memcpy(live, kept, end - start);
	}
}

/* Map or unmap the pages of the devices that write guest RAM. */
static int dma_devices(struct vm *vm, bool map)
{
	for (unsigned int i = vm->dma_mmio; i < vm->nr_mmio; i++) {
		const struct mem_range *r = &vm->mmio[i];
		int ret = map ? arch_gstage_map(vm->gstage, r->base, r->base,
						r->size, GSTAGE_R | GSTAGE_W) :
				arch_gstage_unmap(vm->gstage, r->base, r->size);

		if (ret)
			return ret;
	}
	vm->dma_mapped = map;
	return 0;
}

int vm_pristine_protect(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		const struct vm_image *img = &vm->images[i];
		paddr_t lo = ALIGN_DOWN(img->base, PAGE);
		paddr_t hi = ALIGN_UP(img->base + img->size, PAGE);
		int ret = arch_gstage_protect(vm->gstage, lo, hi - lo,
					      GSTAGE_R | GSTAGE_X);

		if (ret)
			return ret;
	}
	vm->pristine_cursor = 0;
	vm->pristine_pages = vm->pristine_background = 0;
	vm->pristine_leaves = 0;
	vm->pristine_done = !vm->nr_images;
	return vm_pristine_hold_devices(vm);
}

int vm_pristine_hold_devices(struct vm *vm)
{
	if (vm->dma_mapped && !vm->pristine_done)
		return dma_devices(vm, false);
	return 0;
}

/* Save the image page of @gpa if it is not yet; the lock is held. */
static void save_page(struct vm *vm, gpa_t gpa, bool background)
{
	uint64_t leaf;
	unsigned int prot = arch_gstage_prot(vm->gstage, gpa, &leaf);

	if (!prot || (prot & GSTAGE_W))
		return; /* saved already (by another hart), or not RAM */
	gpa = ALIGN_DOWN(gpa, PAGE);
	copy_images(vm, gpa, PAGE, true);
	if (background)
		vm->pristine_background++;
	else
		vm->pristine_pages++;
	if (!arch_gstage_protect(vm->gstage, gpa, PAGE, prot | GSTAGE_W))
		return;
	/* No table to split the leaf with: save all of it. */
	gpa = ALIGN_DOWN(gpa, leaf);
	copy_images(vm, gpa, leaf, true);
	if (arch_gstage_protect(vm->gstage, gpa, leaf, prot | GSTAGE_W))
		panic("cannot make image page 0x%lx writable", gpa);
	vm->pristine_leaves++;
}

bool vm_pristine_save(struct vm *vm, gpa_t gpa, uint64_t size)
{
	bool found = false;

	if (!size)
		return false;
	for (gpa_t p = ALIGN_DOWN(gpa, PAGE); p < gpa + size; p += PAGE) {
		if (!in_image_page(vm, p))
			continue;
		if (!found)
			spin_lock(&vm->pristine_lock);
		found = true;
		save_page(vm, p, false);
	}
	if (!found)
		return false;
	spin_unlock(&vm->pristine_lock);
	/* Another hart may have saved it: drop what this hart cached. */
	arch_gstage_flush();
	return true;
}

/*
 * The page at @cursor bytes into the images' pages (each image's span
 * from its first page to its last), or 0 past the last.
 */
static gpa_t page_at(const struct vm *vm, uint64_t cursor)
{
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		const struct vm_image *img = &vm->images[i];
		paddr_t lo = ALIGN_DOWN(img->base, PAGE);
		uint64_t span = ALIGN_UP(img->base + img->size, PAGE) - lo;

		if (cursor < span)
			return lo + cursor;
		cursor -= span;
	}
	return 0;
}

void vm_pristine_background(struct vm *vm, unsigned int pages)
{
	unsigned int leaves[3];
	gpa_t p = 0;

	/* Acquire: pairs with the release below, by whoever finished. */
	if (__atomic_load_n(&vm->pristine_done, __ATOMIC_ACQUIRE) ||
	    __atomic_exchange_n(&vm->pristine_busy, 1, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&vm->pristine_lock);
	while (!vm->pristine_done && pages) {
		uint64_t leaf;

		p = page_at(vm, vm->pristine_cursor);
		if (!p)
			break;
		vm->pristine_cursor += PAGE;
		if (arch_gstage_prot(vm->gstage, p, &leaf) & GSTAGE_W)
			continue;
		save_page(vm, p, true);
		pages--;
	}
	if (!vm->pristine_done && !p) {
		/* Every page saved: the largest leaves again. */
		for (unsigned int i = 0; i < vm->nr_images; i++)
			arch_gstage_coalesce(vm->gstage, vm->images[i].base,
					     vm->images[i].size);
		/* Their tables were kept: nothing to allocate, no failure. */
		if (!vm->dma_mapped && dma_devices(vm, true))
			panic("cannot map the devices that write guest RAM");
		arch_gstage_leaves(vm->gstage, leaves);
		pr_info("%sguest images: every page saved (%lu on first write, %lu in the background); G-stage leaves now %u x 1 GiB, %u x 2 MiB, %u x 4 KiB",
			vm->tag, vm->pristine_pages, vm->pristine_background,
			leaves[2], leaves[1], leaves[0]);
		__atomic_store_n(&vm->pristine_done, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&vm->pristine_lock);
	__atomic_store_n(&vm->pristine_busy, 0, __ATOMIC_RELEASE);
}

bool vm_pristine_device(struct vm *vm, gpa_t gpa)
{
	unsigned int i;

	for (i = vm->dma_mmio; i < vm->nr_mmio; i++)
		if (gpa >= vm->mmio[i].base &&
		    gpa - vm->mmio[i].base < vm->mmio[i].size)
			break;
	if (i == vm->nr_mmio)
		return false;
	/* Another hart may be at it: wait for it, and go on after it. */
	while (!__atomic_load_n(&vm->pristine_done, __ATOMIC_ACQUIRE))
		vm_pristine_background(vm, ~0U);
	/* Mapped on another hart, maybe: drop what this one cached. */
	arch_gstage_flush();
	return true;
}

/* Reset each device that writes guest RAM: status 0 stops a virtio one. */
static void reset_dma_devices(const struct vm *vm)
{
	for (unsigned int i = vm->dma_mmio; i < vm->nr_mmio; i++) {
		volatile uint32_t *regs =
			(volatile uint32_t *)(uintptr_t)vm->mmio[i].base;

		if (regs[0] == VIRTIO_MMIO_MAGIC)
			regs[VIRTIO_MMIO_STATUS / 4] = 0;
	}
}

void vm_pristine_restore(struct vm *vm)
{
	reset_dma_devices(vm);
	spin_lock(&vm->pristine_lock);
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		const struct vm_image *img = &vm->images[i];
		gpa_t p = ALIGN_DOWN(img->base, PAGE);
		gpa_t end = ALIGN_UP(img->base + img->size, PAGE);

		while (p < end) {
			uint64_t leaf = PAGE;
			unsigned int prot =
				arch_gstage_prot(vm->gstage, p, &leaf);
			gpa_t next = MIN(ALIGN_DOWN(p, leaf) + leaf, end);

			/* Saved: its image bytes back (clipped to images). */
			if (prot & GSTAGE_W)
				copy_images(vm, ALIGN_DOWN(p, leaf), leaf,
					    false);
			p = next;
		}
	}
	/* Read-only again, split again where the leaves were put back. */
	if (vm_pristine_protect(vm))
		panic("reboot: cannot make the images read-only again");
	spin_unlock(&vm->pristine_lock);
}
