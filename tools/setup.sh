#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install the Debian packages hartvisor's build, run and tests need.
# Idempotent and silent when everything is present; run by make.
#
# The platform (QEMU 10, OpenSBI 1.5, the guest kernel's linux-source-6.12)
# comes from Debian 12's bookworm-backports. This script enables that suite
# by reusing the mirror the system's apt sources already name for bookworm,
# and installs only the packages of BACKPORTS from it (pkg/bookworm-backports);
# everything else stays Debian 12's own.
set -eu

# dpkg-dev: apt-get source unpacks the guest's busybox with dpkg-source.
# debootstrap, kmod (depmod), cpio and fdisk (sfdisk): tools/build-debian.
PACKAGES="
make gcc libc6-dev xz-utils python3
gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf binutils-riscv64-unknown-elf
device-tree-compiler libfdt-dev
python3-pytest python3-pytest-xdist python3-pexpect libcmocka-dev
clang-format cppcheck gdb-multiarch clang libclang-rt-dev
gcc-riscv64-linux-gnu libc6-dev-riscv64-cross bison flex bc gnuplot-nox
e2fsprogs dpkg-dev debootstrap kmod cpio fdisk debian-archive-keyring
"
# Package and the lowest version that counts as present. QEMU's common and
# data parts are named too: apt takes a dependency from the suite only when
# asked. QEMU=another emulator (make's knob) leaves QEMU and OpenSBI alone.
BACKPORTS="linux-source-6.12 6.12"
if [ "${QEMU:-qemu-system-riscv64}" = qemu-system-riscv64 ]; then
	BACKPORTS="$BACKPORTS
qemu-system-riscv 1:10.0
qemu-system-common 1:10.0
qemu-system-data 1:10.0
opensbi 1.5"
fi
SUITE=bookworm-backports
LIST=/etc/apt/sources.list.d/hartvisor-$SUITE.sources

have() { # have PACKAGE [MIN_VERSION]
	v=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null) ||
		return 1
	[ "${v%% *}" = installed ] || return 1
	[ -z "${2:-}" ] || dpkg --compare-versions "${v#* }" ge "$2"
}

missing=""
for p in $PACKAGES; do
	have "$p" || missing="$missing $p"
done
missing_bpo=""
# shellcheck disable=SC2086
set -- $BACKPORTS
while [ $# -ge 2 ]; do
	have "$1" "$2" || missing_bpo="$missing_bpo $1/$SUITE"
	shift 2
done
[ -z "$missing$missing_bpo" ] && exit 0

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

if [ -n "$missing_bpo" ] && [ ! -f "$LIST" ] &&
	! grep -rqs "$SUITE" /etc/apt/sources.list /etc/apt/sources.list.d; then
	uri=$("$(dirname "$0")/apt-mirror" bookworm || true)
	if [ -z "$uri" ]; then
		echo "setup: no apt source for bookworm to take the mirror from;" \
			"add $SUITE to your apt sources and run make again" >&2
		exit 1
	fi
	echo "setup: enabling $SUITE from $uri ($LIST)" >&2
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
		"$uri" "$SUITE" /usr/share/keyrings/debian-archive-keyring.gpg |
		$SUDO tee "$LIST" >/dev/null
fi

echo "setup: installing Debian packages:$missing $missing_bpo" >&2
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing $missing_bpo >&2
