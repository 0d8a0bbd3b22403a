#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install the Debian packages hartvisor's build, run and tests need.
# Idempotent and silent when everything is present; run by make.
set -eu

PACKAGES="
make gcc libc6-dev xz-utils python3
gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf binutils-riscv64-unknown-elf
device-tree-compiler libfdt-dev linux-source-6.1
qemu-system-misc opensbi
python3-pytest python3-pytest-xdist python3-pexpect libcmocka-dev
clang-format cppcheck gdb-multiarch clang libclang-rt-dev
gcc-riscv64-linux-gnu libc6-dev-riscv64-cross bison flex bc gnuplot-nox
e2fsprogs
"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "setup: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
