// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's disk: the virtio-blk disk (/dev/vda) mounted on /mnt at boot
 * (busybox has the file commands), and readbench, which reads a file with
 * O_DIRECT so every byte comes from the device rather than the page cache. At power-off every disk is unmounted,
 * so the image is clean for e2fsck and debugfs on the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

#define DISK_DEV "/dev/vda"
#define DISK_DIR "/mnt"
#define BENCH_CHUNK MiB

/*
 * Mounts @dev on @dir as @type, or when @type is NULL as ext4, then ext2.
 * Returns the type that worked, or NULL with errno set.
 */
static const char *mount_disk(const char *dev, const char *dir,
			      const char *type)
{
	static const char *const guesses[] = { "ext4", "ext2" };

	if (type)
		return mount(dev, dir, type, 0, NULL) ? NULL : type;
	for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++)
		if (!mount(dev, dir, guesses[i], 0, NULL))
			return guesses[i];
	return NULL;
}

void disk_setup(void)
{
	const char *type;

	if (access(DISK_DEV, F_OK)) {
		printf("init: no %s, no disk\n", DISK_DEV);
		return;
	}
	mkdir(DISK_DIR, 0755);
	type = mount_disk(DISK_DEV, DISK_DIR, NULL);
	if (type)
		printf("init: %s mounted on %s (%s)\n", DISK_DEV, DISK_DIR,
		       type);
	else
		printf("init: %s: cannot mount on %s: %s\n", DISK_DEV, DISK_DIR,
		       strerror(errno));
}

/* Unmounts every file system on a /dev node; read-only if it is busy. */
void disk_unmount_all(void)
{
	char dev[256], dir[256];
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return;
	while (fscanf(f, "%255s %255s %*[^\n]", dev, dir) == 2) {
		if (strncmp(dev, "/dev/", 5))
			continue;
		if (!umount(dir))
			continue;
		printf("init: umount %s: %s; remounting it read-only\n", dir,
		       strerror(errno));
		mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	}
	fclose(f);
}

/*
 * Reads FILE front to back with O_DIRECT, 1 MiB at a time into an aligned
 * buffer: the device's read throughput as the guest sees it.
 */
int cmd_readbench(int argc, char **argv)
{
	long start, ns, bytes = 0;
	ssize_t n;
	void *buf;
	int fd;

	(void)argc;
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "readbench: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	buf = aligned_alloc(PAGE, BENCH_CHUNK);
	if (!buf) {
		fprintf(stderr, "readbench: no memory\n");
		close(fd);
		return 1;
	}
	start = now_ns();
	while ((n = read(fd, buf, BENCH_CHUNK)) > 0)
		bytes += n;
	ns = now_ns() - start;
	if (n < 0)
		fprintf(stderr, "readbench: %s at byte %ld: %s\n", argv[1],
			bytes, strerror(errno));
	else
		printf("readbench: %ld MiB in %.3f s (%.1f MiB/s)\n",
		       bytes / MiB, ns / 1e9,
		       ns ? (double)bytes / MiB / (ns / 1e9) : 0.0);
	free(buf);
	close(fd);
	return n < 0;
}
