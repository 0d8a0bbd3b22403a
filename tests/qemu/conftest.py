# SPDX-License-Identifier: BSD-2-Clause
"""Boot hartvisor under QEMU and hand the tests its serial log.

Every QEMU run goes through tools/qemu-run (the command `make run` uses)
and has a hard timeout: on expiry the whole process group is killed and
the test fails with the log so far.
"""
import fcntl
import functools
import os
import re
import signal
import socket
import subprocess
from dataclasses import dataclass

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("O", "build"))
HV_ELF = os.path.join(BUILD, "hartvisor.elf")


@dataclass
class Boot:
    returncode: int
    log: str
    qemu: str = None  # the emulator, None for the default one

    def lines(self, pattern):
        """Every match of the regex @pattern, one per log line."""
        return [m for m in (re.search(pattern, l) for l in self.log.splitlines()) if m]

    def hv_lines(self):
        return [l for l in self.log.splitlines() if re.match(r"\[h\d+\] ", l)]


def run_logged(cmd, timeout, env=None, cwd=ROOT):
    """Run @cmd in its own process group; kill the group at @timeout s."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"timed out after {timeout} s: {' '.join(cmd)}\n"
                    + out.decode(errors="replace"))
    return Boot(proc.returncode, out.decode(errors="replace").replace("\r", ""))


def build_variant(name, **make_vars):
    """Build the hypervisor again into build/NAME with other make knobs
    (sharing the extracted libfdt); return the path of its ELF."""
    out = os.path.join(BUILD, name)
    knobs = [f"{k}={v}" for k, v in make_vars.items()]
    os.makedirs(BUILD, exist_ok=True)
    # Each pytest worker asks for it: one make at a time in that folder.
    with open(os.path.join(BUILD, f".{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = subprocess.run(["make", "-s", f"O={out}",
                            f"LIBFDT_DIR={os.path.join(BUILD, 'libfdt')}", *knobs],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return os.path.join(out, "hartvisor.elf")


def free_port():
    """A TCP port nobody listens on now (for QEMU's GDB stub)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drive_with_gdb(cmd, port, commands, env=None, before=None, elf=HV_ELF, wait=30):
    """Start @cmd (a QEMU waiting for GDB on @port), call @before(proc)
    if given, run gdb-multiarch -batch with @commands against it, then
    collect QEMU's output, waiting @wait s for it to end; QEMU is killed
    however this ends. Returns (what before returned, GDB's output, QEMU's
    log)."""
    qemu = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)
    try:
        seen = before(qemu) if before else None
        gdb = subprocess.run(["gdb-multiarch", "-batch", "-nx", elf,
                              "-x", os.path.join(ROOT, "tools", "hartvisor.gdb"),
                              "-ex", f"target remote 127.0.0.1:{port}", *commands],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
        try:
            log, _ = qemu.communicate(timeout=wait)
        except subprocess.TimeoutExpired:
            log = "(QEMU still running)"
        return seen, gdb.stdout + gdb.stderr, log
    finally:
        try:
            os.killpg(qemu.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        qemu.wait()


@functools.lru_cache(maxsize=None)
def qemu_version(qemu=None):
    """The version of the emulator the tests run (QEMU=, as for make run)
    as (major, minor, micro)."""
    qemu = qemu or os.environ.get("QEMU", "qemu-system-riscv64")
    out = subprocess.run([qemu, "--version"], capture_output=True, text=True,
                         timeout=30).stdout
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    assert m, out
    return tuple(int(x) for x in m.groups())


def guest_has_sstc(b):
    """Did the hypervisor give the guest Sstc (vstimecmp)? Its log says;
    QEMU 7.2 gets the forwarded timer, QEMU 10 vstimecmp."""
    return bool(b.lines(r"^\[h\d+\] guest timer: vstimecmp"))


def hv_region(hv=HV_ELF, kept=0):
    """(_start, _hv_end) of the ELF @hv as linked, and the hypervisor's
    memory on 1 GiB QEMU virt as vm_hv_place() computes it: the top of RAM,
    2 MiB-aligned, room for the image and the @kept bytes of the host DTB's
    copy after it."""
    syms = subprocess.run(["riscv64-unknown-elf-nm", hv], capture_output=True,
                          text=True, check=True).stdout
    start = int(re.search(r"^([0-9a-f]+) \w _start$", syms, re.M).group(1), 16)
    end = int(re.search(r"^([0-9a-f]+) \w _hv_end$", syms, re.M).group(1), 16)
    top = 0x80000000 + (1 << 30)
    return start, end, ((top - (end - start) - kept) & ~0x1fffff, top)


def boot(smp=4, cpu="rv64", extra=(), hv=HV_ELF, timeout=60, config="", emu=None,
         mem="1G", irqchip="aia"):
    """Boot @hv on QEMU virt with @smp harts in VM config @config (empty:
    the default); @emu is (emulator, firmware) for another QEMU than the
    default (make's QEMU= and BIOS=); @irqchip "aia" (IMSICs and APLIC,
    make's default) or "plic". Returns its log."""
    env = dict(os.environ, SMP=str(smp), CPU=cpu, HV=hv, MEM=mem, CONFIG=config,
               IRQCHIP=irqchip)
    if emu:
        env.update(QEMU=emu[0], BIOS=emu[1])
    b = run_logged([os.path.join(ROOT, "tools", "qemu-run"), *extra], timeout, env)
    b.qemu = emu[0] if emu else None
    b.irqchip = irqchip
    return b


@pytest.fixture(scope="session", autouse=True)
def built():
    if not os.path.exists(HV_ELF):
        pytest.exit(f"{HV_ELF} is missing: run the tests with make test")
