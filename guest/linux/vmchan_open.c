// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmchan's channel: found and mapped through the generic UIO driver's
 * /dev/uioN where the kernel has it, else through the device tree and
 * /dev/mem (Debian's kernels build no uio_pdrv_genirq).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "init.h"
#include "vmchan.h"

static int read_be32(const char *path, uint32_t *out)
{
	unsigned char b[4];
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = (int)read(fd, b, 4);
	close(fd);
	if (n != 4)
		return -1;
	*out = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return 0;
}

static uint64_t sys_number(const char *path)
{
	char buf[64];

	return read_file(path, buf, sizeof(buf)) < 0 ? 0 :
						       strtoull(buf, NULL, 0);
}

/* The UIO device of channel @want (NULL: the first channel); its name in @c. */
static int find_uio(struct vmchan *c, const char *want)
{
	DIR *d = opendir("/sys/class/uio");
	struct dirent *e;
	int found = -1;

	while (d && (e = readdir(d)) && found < 0) {
		char path[300], name[64], compat[64];
		int n;

		if (strncmp(e->d_name, "uio", 3))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/class/uio/%s/device/of_node/compatible",
			 e->d_name);
		n = read_file(path, compat, sizeof(compat));
		if (n < 0 || strcmp(compat, "hartvisor,channel"))
			continue;
		snprintf(path, sizeof(path), "/sys/class/uio/%s/name",
			 e->d_name);
		if (read_file(path, name, sizeof(name)) < 0)
			continue;
		/* The node's name, "NAME@ADDRESS": the channel's is NAME. */
		name[strcspn(name, "@\n")] = '\0';
		if (want && strcmp(name, want))
			continue;
		snprintf(c->name, sizeof(c->name), "%s", name);
		found = atoi(e->d_name + 3);
	}
	if (d)
		closedir(d);
	return found;
}

/* Map the channel through /dev/uioN. */
static int open_uio(struct vmchan *c, int n)
{
	char path[200], kind[16] = "";
	long page = sysconf(_SC_PAGESIZE);
	void *m, *b;

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map0/size", n);
	c->size = sys_number(path);
	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map1/size", n);
	c->bell_size = sys_number(path);
	snprintf(path, sizeof(path),
		 "/sys/class/uio/uio%d/device/of_node/hartvisor,peer", n);
	if (!c->size || !c->bell_size || read_be32(path, &c->me))
		return -1;
	snprintf(path, sizeof(path),
		 "/sys/class/uio/uio%d/device/of_node/hartvisor,doorbell", n);
	read_file(path, kind, sizeof(kind));
	c->trusted = !strcmp(kind, "trusted");
	snprintf(path, sizeof(path), "/dev/uio%d", n);
	c->uio = open(path, O_RDWR);
	if (c->uio < 0)
		return -1;
	m = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, c->uio, 0);
	b = mmap(NULL, c->bell_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->uio,
		 page);
	if (m == MAP_FAILED || b == MAP_FAILED)
		return -1;
	c->mem = m;
	c->bell = b;
	return 0;
}

/* No UIO driver: the node in the device tree, mapped through /dev/mem. */
static int open_devmem(struct vmchan *c, const char *want)
{
	const char *base = "/sys/firmware/devicetree/base";
	DIR *d = opendir(base);
	struct dirent *e;
	int fd = -1;

	while (d && (e = readdir(d))) {
		char path[400], compat[64], kind[16] = "";
		unsigned char reg[32];
		uint64_t r[4];
		int rfd, n;

		snprintf(path, sizeof(path), "%s/%s/compatible", base,
			 e->d_name);
		if (read_file(path, compat, sizeof(compat)) < 0 ||
		    strcmp(compat, "hartvisor,channel"))
			continue;
		if (want && (strncmp(e->d_name, want, strlen(want)) ||
			     e->d_name[strlen(want)] != '@'))
			continue;
		snprintf(path, sizeof(path), "%s/%s/reg", base, e->d_name);
		rfd = open(path, O_RDONLY);
		n = rfd < 0 ? -1 : (int)read(rfd, reg, sizeof(reg));
		if (rfd >= 0)
			close(rfd);
		snprintf(path, sizeof(path), "%s/%s/hartvisor,peer", base,
			 e->d_name);
		if (n != 32 || read_be32(path, &c->me))
			continue;
		for (int i = 0; i < 4; i++) {
			r[i] = 0;
			for (int j = 0; j < 8; j++)
				r[i] = r[i] << 8 | reg[8 * i + j];
		}
		snprintf(path, sizeof(path), "%s/%s/hartvisor,doorbell", base,
			 e->d_name);
		read_file(path, kind, sizeof(kind));
		c->trusted = !strcmp(kind, "trusted");
		snprintf(c->name, sizeof(c->name), "%.*s",
			 (int)strcspn(e->d_name, "@"), e->d_name);
		fd = open("/dev/mem", O_RDWR | O_SYNC);
		if (fd < 0)
			break;
		c->size = r[1];
		c->bell_size = r[3];
		c->mem = mmap(NULL, r[1], PROT_READ | PROT_WRITE, MAP_SHARED,
			      fd, (off_t)r[0]);
		c->bell = mmap(NULL, r[3], PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, (off_t)r[2]);
		close(fd);
		if (c->mem == MAP_FAILED || c->bell == MAP_FAILED)
			fd = -1;
		break;
	}
	if (d)
		closedir(d);
	return fd < 0 ? -1 : 0;
}

int vmchan_open(struct vmchan *c, const char *want)
{
	int n = find_uio(c, want);

	if ((n >= 0 ? open_uio(c, n) : open_devmem(c, want)) < 0) {
		fprintf(stderr,
			"vmchan: no channel%s%s here (%s): a /dev/uioN of hartvisor,channel (uio_pdrv_genirq.of_id=hartvisor,channel), or its node and /dev/mem\n",
			want ? " " : "", want ? want : "", strerror(errno));
		return -1;
	}
	{
		volatile struct chan_header *h = (volatile void *)c->mem;

		if (h->magic != CHAN_MAGIC || h->nr_peers != 2) {
			fprintf(stderr,
				"vmchan: channel '%s': magic 0x%x, %u peers: not a two-peer hartvisor channel\n",
				c->name, h->magic, h->nr_peers);
			return -1;
		}
	}
	chan_view_init(&c->v, c->mem, c->me);
	return 0;
}
