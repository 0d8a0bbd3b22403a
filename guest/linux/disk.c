// SPDX-License-Identifier: BSD-2-Clause
/*
 * The init program's disk: the virtio-blk disk (/dev/vda) mounted on /mnt
 * at boot, the file commands of the prompt (mount, ls, write, sync), and
 * readbench, which reads a file with O_DIRECT so every byte comes from the
 * device rather than the page cache. At power-off every disk is unmounted,
 * so the image is clean for e2fsck and debugfs on the host.
 */
#define _GNU_SOURCE
#include <dirent.h>
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

void cmd_mount(int argc, char **argv)
{
	const char *type =
		mount_disk(argv[1], argv[2], argc > 3 ? argv[3] : NULL);

	if (type)
		printf("mount: %s on %s (%s)\n", argv[1], argv[2], type);
	else
		printf("mount: %s on %s: %s\n", argv[1], argv[2],
		       strerror(errno));
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* One entry a line: its size in bytes and its name ("/" after folders). */
void cmd_ls(int argc, char **argv)
{
	struct dirent **names;
	int fd, n;

	(void)argc;
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	n = fd < 0 ? -1 : scandirat(fd, ".", &names, skip_dots, alphasort);
	if (n < 0) {
		printf("ls: %s: %s\n", argv[1], strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct stat st;
		const char *name = names[i]->d_name;

		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW))
			printf("%10s  %s\n", "?", name);
		else
			printf("%10lld  %s%s\n", (long long)st.st_size, name,
			       S_ISDIR(st.st_mode) ? "/" : "");
		free(names[i]);
	}
	free(names);
	close(fd);
}

/* Writes the words after FILE, blank-separated, plus "\n"; then fsync. */
void cmd_write(int argc, char **argv)
{
	char text[1024];
	size_t len = 0;
	ssize_t n;
	int fd, err;

	/* The words come from a line shorter than @text: they fit. */
	for (int i = 2; i < argc && len < sizeof(text) - 2; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - 1 - len,
					"%s%s", i > 2 ? " " : "", argv[i]);
	len = len < sizeof(text) - 2 ? len : sizeof(text) - 2;
	text[len++] = '\n';
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		printf("write: %s: %s\n", argv[1], strerror(errno));
		return;
	}
	n = write(fd, text, len);
	err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (err)
		printf("write: %s: %s\n", argv[1], strerror(err));
	else
		printf("wrote %zu bytes to %s\n", len, argv[1]);
}

void cmd_sync(int argc, char **argv)
{
	(void)argc, (void)argv;
	sync();
	printf("sync: done\n");
}

/*
 * Reads FILE front to back with O_DIRECT, 1 MiB at a time into an aligned
 * buffer: the device's read throughput as the guest sees it.
 */
void cmd_readbench(int argc, char **argv)
{
	long start, ns, bytes = 0;
	ssize_t n;
	void *buf;
	int fd;

	(void)argc;
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0) {
		printf("readbench: %s: %s\n", argv[1], strerror(errno));
		return;
	}
	buf = aligned_alloc(PAGE, BENCH_CHUNK);
	if (!buf) {
		printf("readbench: no memory\n");
		close(fd);
		return;
	}
	start = now_ns();
	while ((n = read(fd, buf, BENCH_CHUNK)) > 0)
		bytes += n;
	ns = now_ns() - start;
	if (n < 0)
		printf("readbench: %s at byte %ld: %s\n", argv[1], bytes,
		       strerror(errno));
	else
		printf("readbench: %ld MiB in %.3f s (%.1f MiB/s)\n",
		       bytes / MiB, ns / 1e9,
		       ns ? (double)bytes / MiB / (ns / 1e9) : 0.0);
	free(buf);
	close(fd);
}
