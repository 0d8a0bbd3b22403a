// SPDX-License-Identifier: BSD-2-Clause
/*
 * PID 1's network: lo and eth0 (virtio-net) configured with
 * the classic ioctls, no tools needed, for QEMU's user networking (guest
 * 10.0.2.15/24, gateway 10.0.2.2), and a TCP echo server on port 7 that a
 * host reaches through a forwarded port (hostfwd=tcp:...-:7).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

#define NET_DEV "eth0"
#define NET_ADDR "10.0.2.15"
#define NET_MASK "255.255.255.0"
#define NET_GATEWAY "10.0.2.2"
#define ECHO_PORT 7

static void set_in_addr(struct sockaddr *sa, const char *addr)
{
	struct sockaddr_in *in = (struct sockaddr_in *)sa;

	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = inet_addr(addr);
}

static int set_addr(int fd, const char *dev, unsigned long req,
		    const char *addr)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	set_in_addr(&ifr.ifr_addr, addr);
	return ioctl(fd, req, &ifr);
}

static int set_up(int fd, const char *dev)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

static int add_default_route(int fd, const char *dev, const char *gateway)
{
	struct rtentry rt;

	memset(&rt, 0, sizeof(rt));
	set_in_addr(&rt.rt_dst, "0.0.0.0");
	set_in_addr(&rt.rt_genmask, "0.0.0.0");
	set_in_addr(&rt.rt_gateway, gateway);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = (char *)dev;
	return ioctl(fd, SIOCADDRT, &rt);
}

/* Sends back every byte until the peer closes. */
static void *echo(void *arg)
{
	int fd = (int)(long)arg;
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0, w; done < n; done += w) {
			w = write(fd, buf + done, (size_t)(n - done));
			if (w <= 0)
				goto out;
		}
	}
out:
	close(fd);
	return NULL;
}

/* The server's process: one thread per connection, so they overlap. */
static void __attribute__((noreturn)) serve(int listener)
{
	for (;;) {
		pthread_attr_t attr;
		pthread_t t;
		int fd = accept(listener, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				sleep(1);
			continue;
		}
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		if (pthread_create(&t, &attr, echo, (void *)(long)fd))
			close(fd);
		pthread_attr_destroy(&attr);
	}
}

/* Listens here (so the port is open once we say so), serves in a child. */
static void start_echo_server(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons(ECHO_PORT),
				    .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, 16)) {
		printf("init: echo server: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		serve(fd);
	close(fd);
	if (pid < 0)
		printf("init: echo server: fork: %s\n", strerror(errno));
	else
		printf("init: echo server on tcp port %d\n", ECHO_PORT);
}

void net_setup(void)
{
	struct ifreq ifr;
	const char *step;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0) {
		printf("init: no network: socket: %s\n", strerror(errno));
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, NET_DEV, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		printf("init: no %s, no network\n", NET_DEV);
		close(fd);
		return;
	}
	if (set_up(fd, "lo"))
		step = "lo up";
	else if (set_addr(fd, NET_DEV, SIOCSIFADDR, NET_ADDR))
		step = "address";
	else if (set_addr(fd, NET_DEV, SIOCSIFNETMASK, NET_MASK))
		step = "netmask";
	else if (set_up(fd, NET_DEV))
		step = "up";
	else if (add_default_route(fd, NET_DEV, NET_GATEWAY))
		step = "default route";
	else
		step = NULL;
	close(fd);
	if (step) {
		printf("init: %s: %s: %s\n", NET_DEV, step, strerror(errno));
		return;
	}
	printf("init: %s %s up\n", NET_DEV, NET_ADDR);
	start_echo_server();
}
