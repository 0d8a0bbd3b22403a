# SPDX-License-Identifier: BSD-2-Clause
"""The Debian guest (tools/build-debian) on a pexpect session: systemd,
root logged in by serial-getty on ttyS0, bash's prompt "root@debian:DIR# ".

A Debian is one QEMU run, natively (-kernel, -initrd, -append) or under
hartvisor (the linux VM config, guest-loader images at the addresses make
run uses), on the AIA machine, with the disk as virtio-blk and a
virtio-net card on QEMU's user network. The disk is the cached pristine
image opened with snapshot=on: the guest's writes go to a temporary
overlay that lives as long as QEMU (a reboot keeps them), the image stays
as it was. run() types one command line and returns its exit status and
what it printed; .log is the whole console.
"""
import io
import os
import re
import time

import pexpect
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("O", "build"))
DEBIAN = os.path.join(BUILD, "debian")
KERNELS = ("trixie", "sid")
# The kernel command line: tools/build-debian's first boot and make run's.
BOOTARGS = "root=/dev/vda1 ro console=ttyS0 earlycon=sbi"
KERNEL_ADDR = "0x80200000"
INITRD_ADDR = "0x88000000"
PROMPT = r"root@debian:[^\r\n#]*# "
STATUS = re.compile(r"\[status (\d+)\]\r*\n")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# What ends a boot for good before the login: no use waiting longer.
DEAD = r"Kernel panic - not syncing|\[h\d+\] .*(stops the VM|panic)"
# Linux's lines when something is wrong.
BAD = re.compile(r"rcu: INFO|stall|BUG:|Oops|WARNING:|Kernel panic|Call Trace")


def qemu_args(kernel, hv, disk, net_args=()):
    """The argv (tools/qemu-run's arguments under hartvisor, else QEMU's
    own after the machine) that boots the Debian system with @kernel
    ("trixie" or "sid") from @disk; "u-boot" boots Debian's S-mode U-Boot
    where the kernel goes, and it boots the first entry of the system's
    extlinux.conf."""
    vmlinux = os.path.join(DEBIAN, kernel, "vmlinux")
    initrd = os.path.join(DEBIAN, kernel, "initrd.img")
    if kernel == "u-boot":
        uboot = os.path.join(DEBIAN, "u-boot", "u-boot.bin")
        boot = (["-device", f"guest-loader,kernel={uboot},addr={KERNEL_ADDR}"] if hv
                else ["-kernel", uboot])
    elif hv:
        boot = ["-device", f"guest-loader,kernel={vmlinux},addr={KERNEL_ADDR},bootargs={BOOTARGS}",
                "-device", f"guest-loader,initrd={initrd},addr={INITRD_ADDR}"]
    else:
        boot = ["-kernel", vmlinux, "-initrd", initrd, "-append", BOOTARGS]
    return [*boot, "-drive", f"file={disk},format=raw,if=none,id=hd0,snapshot=on",
            "-device", "virtio-blk-device,drive=hd0",
            "-netdev", "user,id=net0" + "".join(f",{a}" for a in net_args),
            "-device", "virtio-net-device,netdev=net0"]


def command(kernel, hv, smp=4, mem="2G", cpu="rv64", net_args=(), qemu=None, bios=None):
    """(argv, environment) of one Debian run: under hartvisor through
    tools/qemu-run, natively on the same machine, firmware and QEMU."""
    disk = os.path.join(DEBIAN, "pristine.img")
    qemu = qemu or os.environ.get("QEMU", "qemu-system-riscv64")
    bios = bios or os.environ.get("BIOS", "default")
    args = qemu_args(kernel, hv, disk, net_args)
    if hv:
        env = dict(os.environ, SMP=str(smp), MEM=mem, CPU=cpu, IRQCHIP="aia", CONFIG="linux",
                   HV=os.path.join(BUILD, "hartvisor.elf"), QEMU=qemu, BIOS=bios)
        return [os.path.join(ROOT, "tools", "qemu-run"), *args], env
    return [qemu, "-M", "virt,aia=aplic-imsic,aia-guests=1", "-cpu", cpu, "-smp", str(smp),
            "-m", mem, "-bios", bios, "-nographic", *args], dict(os.environ)


class Debian:
    """The Debian guest with @kernel, under hartvisor (@hv) or natively,
    on a pexpect session; @timeout bounds each expected line."""

    def __init__(self, kernel, hv, smp=4, cpu="rv64", net_args=(), timeout=600):
        assert os.path.exists(os.path.join(DEBIAN, "pristine.img")), \
            f"{DEBIAN}/pristine.img missing: make debian"
        self.kernel, self.hv = kernel, hv
        argv, env = command(kernel, hv, smp=smp, cpu=cpu, net_args=net_args)
        self.out = io.StringIO()
        self.start = time.monotonic()
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=ROOT, encoding="utf-8",
                                   codec_errors="replace", timeout=timeout)
        self.child.logfile_read = self.out

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def log(self):
        return self.out.getvalue().replace("\r", "")

    def fail(self, why):
        pytest.fail(f"{why}\n{self.log}")

    def expect(self, pattern, timeout=-1):
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            self.fail(f"no {pattern!r} on the console ({type(e).__name__})")
        return self.child.match

    def login(self, timeout=-1):
        """Wait for root's prompt (serial-getty's autologin); returns the
        seconds since QEMU started (or since the reboot). Then quiets the
        kernel's console messages and makes the terminal wide, as a user at
        a wide terminal would."""
        i = self.child.expect([PROMPT, DEAD, pexpect.TIMEOUT, pexpect.EOF], timeout=timeout)
        if i:
            self.fail(f"no login prompt: {['', 'dead', 'timeout', 'QEMU ended'][i]}")
        took = time.monotonic() - self.start
        self.output("dmesg -n 1; stty cols 1000; export SYSTEMD_PAGER= SYSTEMD_COLORS=0")
        return took

    def run(self, line, timeout=120):
        """Type @line; (its exit status, what it printed)."""
        self.child.sendline(f'{line}; echo "[status $?]"')
        m = self.expect(STATUS, timeout=timeout)
        printed = ESCAPES.sub("", self.child.before.replace("\r", "")).split("\n", 1)
        self.expect(PROMPT)
        return int(m.group(1)), printed[1] if len(printed) > 1 else ""

    def output(self, line, timeout=120):
        status, out = self.run(line, timeout=timeout)
        if status:
            self.fail(f"{line}: exit status {status}\n{out}")
        return out

    def reboot(self, timeout=-1):
        """systemd's reboot: the next boot's kernel banner, then the prompt
        (the shell prints one more before systemd stops it); returns the
        seconds from the command to the new prompt."""
        self.child.sendline("reboot")
        self.start = time.monotonic()
        self.expect(r"Linux version \d", timeout=timeout)
        return self.login(timeout=timeout)

    def poweroff(self, timeout=300):
        """systemd's poweroff: QEMU ends by itself with status 0 within
        @timeout s (systemd's stop timeouts: 20 s in this system). Returns
        the seconds it took."""
        start = time.monotonic()
        self.child.sendline("poweroff")
        self.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        if self.child.exitstatus != 0:
            self.fail(f"QEMU ended with status {self.child.exitstatus}")
        return time.monotonic() - start

    def close(self):
        self.child.close(force=True)

    def trouble(self):
        """The console lines that say something went wrong in Linux."""
        return [l for l in self.log.splitlines() if BAD.search(l) and not re.search(PROMPT, l)]
