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
 */
#include <string.h>

#include "arch.h"
#include "log.h"
#include "sbi.h"
#include "vm.h"

#define PAGE 4096UL

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

int vm_pristine_map(struct vm *vm, const struct mem_range *ram)
{
	paddr_t at = ram->base, end = ram->base + ram->size;
	int ret = 0;

	/* Images are sorted by base and do not overlap (platform_check). */
	for (unsigned int i = 0; !ret && i < vm->nr_images && at < end; i++) {
		const struct vm_image *img = &vm->images[i];
		paddr_t lo = MAX(ALIGN_DOWN(img->base, PAGE), at);
		paddr_t hi = MIN(ALIGN_UP(img->base + img->size, PAGE), end);

		if (lo >= hi)
			continue;
		if (lo > at)
			ret = arch_gstage_map(at, at, lo - at,
					      GSTAGE_R | GSTAGE_W | GSTAGE_X);
		if (!ret)
			ret = arch_gstage_map(lo, lo, hi - lo,
					      GSTAGE_R | GSTAGE_X);
		at = hi;
	}
	if (!ret && at < end)
		ret = arch_gstage_map(at, at, end - at,
				      GSTAGE_R | GSTAGE_W | GSTAGE_X);
	return ret;
}

/* Save the image page of @gpa if it is not yet; the lock is held. */
static void save_page(struct vm *vm, gpa_t gpa)
{
	uint64_t leaf;
	unsigned int prot = arch_gstage_prot(gpa, &leaf);

	if (!prot || (prot & GSTAGE_W))
		return; /* saved already (by another hart), or not RAM */
	gpa = ALIGN_DOWN(gpa, PAGE);
	copy_images(vm, gpa, PAGE, true);
	vm->pristine_pages++;
	if (!arch_gstage_protect(gpa, prot | GSTAGE_W, true))
		return;
	/* No table to split the 2 MiB leaf with: save all of it. */
	gpa = ALIGN_DOWN(gpa, leaf);
	copy_images(vm, gpa, leaf, true);
	if (arch_gstage_protect(gpa, prot | GSTAGE_W, false))
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
		save_page(vm, p);
	}
	if (!found)
		return false;
	spin_unlock(&vm->pristine_lock);
	/* Another hart may have saved it: drop what this hart cached. */
	arch_gstage_flush();
	return true;
}

void vm_pristine_restore(struct vm *vm)
{
	spin_lock(&vm->pristine_lock);
	for (unsigned int i = 0; i < vm->nr_images; i++) {
		const struct vm_image *img = &vm->images[i];
		gpa_t p = ALIGN_DOWN(img->base, PAGE);
		gpa_t end = ALIGN_UP(img->base + img->size, PAGE);

		while (p < end) {
			uint64_t leaf = PAGE;
			unsigned int prot = arch_gstage_prot(p, &leaf);
			gpa_t next = MIN(ALIGN_DOWN(p, leaf) + leaf, end);

			if (prot & GSTAGE_W) {
				copy_images(vm, ALIGN_DOWN(p, leaf), leaf,
					    false);
				if (arch_gstage_protect(p, prot & ~GSTAGE_W,
							false))
					panic("cannot protect image page 0x%lx",
					      p);
			}
			p = next;
		}
	}
	spin_unlock(&vm->pristine_lock);
}
