# SPDX-License-Identifier: BSD-2-Clause
"""The Linux guest booted to its shell, driven the way a user types.

The guest's init (guest/linux/init.c) sets the machine up, then gives the
console to busybox's sh with job control; its prompt is "hartvisor:DIR# ".
A Shell here is that console through pexpect: run() types one command
line and returns its exit status and what it printed; the whole console
log (hartvisor's lines too) is kept in .log.
"""
import io
import os
import re

import pexpect
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("O", "build"))
IMAGE = os.path.join(BUILD, "linux", "Image")
PROMPT = r"hartvisor:[^\r\n#]*# "
# What Linux prints when something is wrong, and a failed check's line.
BAD = re.compile(r"rcu: INFO|stall|BUG:|Oops|WARNING:|Kernel panic|FAIL: ")
# The exit status run() asks the shell to print after each command line:
# the typed line shows "$?", never digits, so only the answer matches.
STATUS = re.compile(r"\[status (\d+)\]\r*\n")
# Colours and cursor moves (ls, top): not what a user reads.
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The machine tools/qemu-run makes for each IRQCHIP, for a native boot.
MACHINES = {"aia": "virt,aia=aplic-imsic,aia-guests=1", "plic": "virt"}
# configs/linux.c's bootargs: what the guest gets when none are given.
BOOTARGS = "console=ttyS0 earlycon=sbi"


def trouble(log):
    """The lines of @log that BAD matches, typed command lines left out."""
    return [l for l in log.splitlines() if BAD.search(l) and not re.match(PROMPT, l)]


class Shell:
    """Linux under hartvisor (tools/qemu-run, the linux VM config) on a
    pexpect session: @smp vCPUs, @mem, QEMU's -cpu @cpu, @irqchip "aia"
    or "plic", @bootargs for the guest (None: configs/linux.c's), @emu
    (emulator, firmware) for another QEMU, @qemu_args for devices.
    @native: the same machine and kernel with no hypervisor (-kernel)."""

    def __init__(self, smp=4, mem="1G", cpu="rv64", irqchip="aia", bootargs=None,
                 emu=None, qemu_args=(), timeout=180, native=False):
        assert os.path.exists(IMAGE), f"{IMAGE} missing: make linux"
        self.irqchip = irqchip
        self.native = native
        env = dict(os.environ, SMP=str(smp), MEM=mem, CPU=cpu, IRQCHIP=irqchip,
                   HV=os.path.join(BUILD, "hartvisor.elf"), CONFIG="linux")
        if emu:
            env.update(QEMU=emu[0], BIOS=emu[1])
        loader = f"guest-loader,kernel={IMAGE},addr=0x80200000"
        if bootargs:
            loader += f",bootargs={bootargs}"
        cmd = os.path.join(ROOT, "tools", "qemu-run")
        args = ["-device", loader, *qemu_args]
        if native:
            cmd = env.get("QEMU", "qemu-system-riscv64")
            args = ["-M", MACHINES[irqchip], "-cpu", cpu, "-smp", str(smp), "-m", mem,
                    "-bios", env.get("BIOS", "default"), "-nographic", "-kernel", IMAGE,
                    "-append", bootargs or BOOTARGS, *qemu_args]
        self.out = io.StringIO()
        self.child = pexpect.spawn(cmd, args, env=env, cwd=ROOT,
                                   encoding="utf-8", codec_errors="replace",
                                   timeout=timeout)
        self.child.logfile_read = self.out

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def log(self):
        return self.out.getvalue().replace("\r", "")

    def expect(self, pattern, timeout=-1):
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            pytest.fail(f"no {pattern!r} on the console ({type(e).__name__})\n{self.log}")
        return self.child.match

    def booted(self, timeout=-1):
        """Wait for the first prompt. The serial console has no size: the
        line editor would wrap typed lines at 80 columns, so tell it the
        terminal is wide (stty, as a user of a wide terminal would)."""
        self.expect(PROMPT, timeout=timeout)
        status, out = self.run("stty cols 1000")
        assert status == 0, out

    def run(self, line, timeout=60):
        """Type @line at the prompt; return (its exit status, what it
        printed), the echo of the typed line and terminal escapes left
        out."""
        self.child.sendline(f'{line}; echo "[status $?]"')
        m = self.expect(STATUS, timeout=timeout)
        printed = ESCAPES.sub("", self.child.before.replace("\r", "")).split("\n", 1)
        self.expect(PROMPT)
        return int(m.group(1)), printed[1] if len(printed) > 1 else ""

    def output(self, line, timeout=60):
        """What @line printed; the test fails unless it exited with 0."""
        status, out = self.run(line, timeout=timeout)
        assert status == 0, f"{line}: exit status {status}\n{out}\n{self.log}"
        return out

    def poweroff(self):
        """busybox's poweroff: init ends every process, unmounts the disks,
        Linux calls SBI SRST, hartvisor (or natively the firmware) ends
        QEMU with status 0."""
        self.child.sendline("poweroff")
        if not self.native:
            self.expect(r"guest asked for shutdown: powering off")
        self.expect(pexpect.EOF, timeout=30)
        self.child.close()
        assert self.child.exitstatus == 0, self.log

    def close(self):
        self.child.close(force=True)

    def check_clean(self):
        bad = trouble(self.log)
        assert not bad, "\n".join(bad) + "\n" + self.log
