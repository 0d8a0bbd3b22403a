#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Debian guest's configuration, run by tools/build-debian inside the
# build VM (guest/debian/second-stage), chrooted into the new system right
# after debootstrap's second stage: a fixed machine ID, host name,
# systemd-networkd, sid's kernel (unpacked on the host into /usr/lib/modules)
# with its module index and its initramfs made here by the system's own
# initramfs-tools, and U-Boot's extlinux.conf for both kernels.
#
#   setup.sh TRIXIE_VERSION SID_VERSION (kernel versions: 6.12.x+deb13-riscv64, ...)
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

trixie=$1
sid=$2
# Each step with the VM's uptime, for the build's timings.
step() {
	echo "setup: $* (at $(cut -d' ' -f1 /proc/uptime) s)"
}
step "configuring the system"
# Every copy of the disk is the same machine: systemd takes this ID instead
# of making one at the first boot (the build's one clean boot follows).
echo 686172747669736f722d64656269616e > /etc/machine-id  # "hartvisor-debian"
echo debian > /etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	> /etc/hosts
systemctl enable systemd-networkd.service

# The second stage made trixie's initramfs when it installed the kernel.
[ -f "/boot/initrd.img-$trixie" ] || update-initramfs -c -k "$trixie"

step "sid's kernel $sid: module index, /boot, initramfs"
depmod -a "$sid"
cp "/usr/lib/modules/$sid/vmlinuz" "/boot/vmlinuz-$sid"
cp "/usr/lib/modules/$sid/config" "/boot/config-$sid"
cp "/usr/lib/modules/$sid/System.map" "/boot/System.map-$sid"
update-initramfs -c -k "$sid"

step "extlinux.conf for U-Boot"
u-boot-update

# What the second stage left for nothing: the downloaded packages, and
# dpkg's unsafe I/O (guest/debian/rootfs), which is for the build only.
apt-get clean
rm /etc/dpkg/dpkg.cfg.d/hartvisor-build
ls -l /boot
step "done"
