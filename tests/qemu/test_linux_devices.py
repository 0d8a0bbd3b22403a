# SPDX-License-Identifier: BSD-2-Clause
"""The Linux guest's devices under hartvisor at SMP 4, as `make run SMP=4
GUEST=linux` sets them up: the UART (ttyS0) with its interrupt, a
virtio-blk disk made by tools/mkdisk, a virtio-net card with the guest's
echo port forwarded to the host. Each on both interrupt controllers:
IRQCHIP=aia (MSIs into each vCPU's guest interrupt file through the vAPLIC,
no exits) and IRQCHIP=plic (the vPLIC); the soak on aia, make's default.
Everything is typed at busybox's shell.

(a) typed commands reach the shell and get their answers (busybox's
nproc, ps, top, dmesg, free, ip); (b) the guest reads a file the host put
on the disk and writes one the host then finds, in a clean file system;
(c) bytes sent to the forwarded port come back; (d) the UART's interrupt
moved to CPU 3 is counted on CPU 3 only; and a 2-minute soak with disk,
network and console traffic at once loses nothing."""
import io
import os
import random
import re
import threading
import time

import pexpect
import pytest

from conftest import BUILD, ROOT, free_port
from linux_devices import (debugfs_cat, disk_image, e2fsck_clean, echo_roundtrip,
                           qemu_device_args)
from linux_shell import PROMPT, STATUS, Shell

SMP = 4
HELLO = "hello from the host disk image"


class Guest(Shell):
    """Linux under hartvisor with disk and network, its shell on ttyS0."""

    def __init__(self, tmp_path, timeout=180, irqchip="aia"):
        self.disk = disk_image(str(tmp_path / "disk.img"))
        self.port = free_port()
        super().__init__(smp=SMP, irqchip=irqchip, timeout=timeout,
                         qemu_args=qemu_device_args(self.disk, self.port))

    def booted(self):
        self.expect(rf"hartvisor guest init: Linux with {SMP} CPUs online")
        self.expect(r"init: /dev/vda mounted on /mnt \(ext4\)")
        self.expect(r"init: eth0 10\.0\.2\.15 up")
        self.expect(r"init: echo server on tcp port 7")
        super().booted()


@pytest.fixture(params=["aia", "plic"])
def guest(tmp_path, request):
    g = Guest(tmp_path, irqchip=request.param)
    try:
        yield g
    finally:
        g.close()


@pytest.fixture
def aia_guest(tmp_path):
    g = Guest(tmp_path, irqchip="aia")
    try:
        yield g
    finally:
        g.close()


def external_exits(log):
    """Each vCPU's external-interrupt exits, from the shutdown counters."""
    return [int(m.group(1)) for m in
            re.finditer(r"^\[h\d+\] vcpu\d+ exits \d+: .* external (\d+);", log, re.M)]


def test_console_input_and_disk(guest):
    """(b): typed commands answered; a host file read, a guest file
    written, found by the host after poweroff, e2fsck clean."""
    guest.booted()
    assert HELLO in guest.output("cat /mnt/hello.txt"), guest.log
    assert re.search(r"^-.* hello\.txt$", guest.output("ls -l /mnt"), re.M), guest.log
    text = f"written by the guest under hartvisor {random.randrange(1 << 30)}"
    guest.output(f"echo '{text}' > /mnt/guest.txt")
    assert guest.output("wc -c < /mnt/guest.txt").strip() == str(len(text) + 1), guest.log
    # A typo is answered too: input is the user's, not a script's.
    status, out = guest.run("nosuchcommand")
    # (The login shell calls itself "-sh".)
    assert (status, out.strip()) == (127, "-sh: nosuchcommand: not found"), out
    guest.poweroff()
    guest.check_clean()
    assert debugfs_cat(guest.disk, "/guest.txt") == text + "\n"
    assert debugfs_cat(guest.disk, "/hello.txt").startswith(HELLO)
    assert e2fsck_clean(guest.disk)


def test_shell_commands(aia_guest):
    """(a): busybox's commands answer what a user looks for, the guest's
    checks are programs on PATH, a check runs as a background job that top
    sees while it runs, and Ctrl-C stops one in the foreground."""
    g = aia_guest
    g.booted()
    assert g.output("nproc").strip() == str(SMP), g.log
    ps = g.output("ps")
    assert re.search(r"^\s*1 root .* /init$", ps, re.M), ps
    assert re.search(r"^\s*\d+ root .* -sh$", ps, re.M), ps
    top = g.output("top -n 1")
    for what in ("Mem:", "CPU:", "Load average:", "top -n 1"):
        assert what in top, top
    assert len(g.output("dmesg | tail").strip().splitlines()) == 10, g.log
    assert g.output("dmesg | grep -c 'Linux version 6.12'").strip() == "1", g.log
    # MEM=1G: what Linux has of it, less what hartvisor and firmware keep.
    m = re.search(r"^Mem:\s+(\d+)\s+(\d+)\s+(\d+)", g.output("free"), re.M)
    assert m and 800 << 10 < int(m.group(1)) <= 1 << 20, g.log
    ip = g.output("ip addr")
    assert re.search(r"^\d+: eth0: <[^>]*\bUP\b", ip, re.M), ip
    assert "inet 10.0.2.15/24" in ip and "inet 127.0.0.1/8" in ip, ip
    hello = g.output("cat /mnt/hello.txt")
    assert HELLO in hello, g.log
    assert g.output("cat /mnt/hello.txt | wc -c").strip() == str(len(hello)), g.log
    for prog in ("cpus", "stress", "hotplug", "irq", "readbench", "soak", "memwalk",
                 "forkexec", "suspend", "hvtest"):
        assert g.output(f"command -v {prog}").strip() == f"/usr/local/bin/{prog}", g.log
    assert g.output("stress --help").startswith("usage: stress [SECONDS]"), g.log
    # A bad argument: a clear message and status 2, nothing run.
    status, out = g.run("stress soon")
    assert status == 2 and "stress: SECONDS 'soon'" in out, out
    # "[s]tress": the grep's own command line does not match itself.
    out = g.output("stress 3 & sleep 1; top -b -n 1 | grep -c '[s]tress 3'; wait $!")
    assert re.search(r"^1$", out, re.M), out
    assert "PASS: stress: every sleep woke" in out, out
    # The console is the shell's controlling terminal: Ctrl-C ends the
    # foreground job (SIGINT, status 130), and the shell goes on.
    g.child.sendline("stress 600")
    g.expect(r"stress: 600 s on 4 CPUs")
    g.child.sendcontrol("c")
    g.expect(PROMPT)
    g.child.sendline('echo "[status $?]"')
    assert g.expect(STATUS).group(1) == "130", g.log
    g.expect(PROMPT)
    assert g.output("nproc").strip() == str(SMP), g.log
    g.poweroff()
    g.check_clean()


def test_network_echo(guest):
    """(c): the host's bytes come back through the forwarded port, once
    small, once large enough to need many virtio-net interrupts."""
    guest.booted()
    assert echo_roundtrip(guest.port, b"ping through hartvisor\n") == \
        b"ping through hartvisor\n"
    data = random.Random(7).randbytes(1 << 20)
    assert echo_roundtrip(guest.port, data, timeout=60) == data
    out = guest.output("cat /proc/interrupts")
    guest.poweroff()
    guest.check_clean()
    # Both virtio devices really interrupted the guest.
    virtio = [sum(int(c) for c in m.group(1).split()) for m in
              re.finditer(r"^\s*\d+:((?:\s+\d+){%d})\s+.*virtio\d+" % SMP, out, re.M)]
    assert len(virtio) >= 2 and all(virtio), out
    # PLIC: each one was a physical interrupt that exited to the
    # hypervisor. AIA: an MSI into the guest file, never an exit.
    ext = external_exits(guest.log)
    assert len(ext) == SMP, guest.log
    if guest.irqchip == "plic":
        assert any(ext), guest.log
    else:
        assert not any(ext), guest.log


def ttys0_counts(out):
    m = re.search(r"^\s*\d+:((?:\s+\d+){%d})\s+.*ttyS0\s*$" % SMP, out, re.M)
    assert m, out
    return [int(x) for x in m.group(1).split()]


def test_irq_affinity(guest):
    """(d): the UART's interrupt moved to CPU 3 (source 10, Linux numbers
    it its own way) is counted on CPU 3 and nowhere else: the PLIC
    enables it on that context, the APLIC's target names that vCPU."""
    guest.booted()
    out = guest.output("irq 10 3")
    assert re.search(r"irq 10 \(Linux IRQ \d+, ttyS0\): smp_affinity 8, effective CPU 3",
                     out), out
    before = ttys0_counts(guest.output("cat /proc/interrupts"))
    # Keys and the replies to them: RX and TX interrupts of the UART.
    for line in ("cpus", "cat /mnt/hello.txt", "ls /"):
        guest.output(line)
    after = ttys0_counts(guest.output("cat /proc/interrupts"))
    delta = [a - b for a, b in zip(after, before)]
    assert delta[3] > 0 and delta[:3] == [0, 0, 0], (before, after)
    # And back to CPU 0.
    out = guest.output("irq 10 0")
    assert "effective CPU 0" in out, out
    before = ttys0_counts(guest.output("cat /proc/interrupts"))
    guest.output("cpus")
    after = ttys0_counts(guest.output("cat /proc/interrupts"))
    delta = [a - b for a, b in zip(after, before)]
    assert delta[0] > 0 and delta[1:] == [0, 0, 0], (before, after)
    guest.poweroff()
    guest.check_clean()


SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "120"))


def test_soak(aia_guest):
    """Disk, network and console traffic at once for SOAK_SECONDS (120):
    every disk request completes (the guest's watchdog fails any that
    waits 10 s), every byte sent to the echo server comes back, every key
    typed during the soak reaches the prompt, nothing stalls."""
    aia_guest.booted()
    stop = threading.Event()
    net = {"rounds": 0, "bytes": 0, "error": None}

    def pump():
        rng = random.Random(11)
        try:
            while not stop.is_set():
                data = rng.randbytes(rng.randrange(1, 256 << 10))
                got = echo_roundtrip(aia_guest.port, data, timeout=30)
                if got != data:
                    raise AssertionError(f"echo returned {len(got)} of {len(data)} bytes")
                net["rounds"] += 1
                net["bytes"] += len(data)
        except Exception as e:  # reported by the test below
            net["error"] = repr(e)

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    aia_guest.child.sendline(f"soak {SOAK_SECONDS}")
    typed = 0
    deadline = time.monotonic() + SOAK_SECONDS + 90
    while True:
        i = aia_guest.child.expect([r"soak: \d+ reads, \d+ writes in \d+ s, all completed",
                                r"FAIL: soak: [^\n]*", pexpect.TIMEOUT, pexpect.EOF],
                               timeout=1)
        if i == 0:
            break
        assert i == 2, aia_guest.log
        assert time.monotonic() < deadline, "soak never finished\n" + aia_guest.log
        # One key a second: the tty echoes it from the RX interrupt.
        aia_guest.child.send("k")
        typed += 1
    stop.set()
    t.join(timeout=60)
    assert net["error"] is None, f"network: {net['error']}\n{aia_guest.log}"
    assert net["rounds"] > 10, net
    # The keys typed during the soak form one line at the prompt.
    aia_guest.child.sendline("")
    aia_guest.expect(rf"sh: {'k' * typed}: not found")
    aia_guest.expect(PROMPT)
    aia_guest.poweroff()
    aia_guest.check_clean()
    assert e2fsck_clean(aia_guest.disk)
    done = re.search(r"soak: (\d+) reads, (\d+) writes in \d+ s, all completed", aia_guest.log)
    print(f"soak: {SOAK_SECONDS} s, {done.group(1)} disk reads, {done.group(2)} writes, "
          f"{net['rounds']} echo rounds ({net['bytes']} bytes), {typed} keys")


def test_make_run(tmp_path):
    """The README's command, `make run SMP=4 GUEST=linux` (with DISK= and
    NET_PORT= so that it runs beside other tests): a prompt that answers,
    the disk mounted, the network up, the shell's prompt."""
    disk = disk_image(str(tmp_path / "run.img"))
    port = free_port()
    child = pexpect.spawn("make", ["-s", "run", f"SMP={SMP}", "GUEST=linux", f"DISK={disk}",
                                   f"NET_PORT={port}", f"O={os.path.relpath(BUILD, ROOT)}"],
                          cwd=ROOT, encoding="utf-8", codec_errors="replace", timeout=180)
    out = io.StringIO()
    child.logfile_read = out
    try:
        for pattern in (r"init: /dev/vda mounted on /mnt \(ext4\)", r"init: eth0 10\.0\.2\.15 up",
                        PROMPT):
            child.expect(pattern)
        child.sendline("cat /mnt/hello.txt")
        child.expect(HELLO)
        child.expect(PROMPT)
        assert echo_roundtrip(port, b"make run\n") == b"make run\n"
        child.sendline("poweroff")
        child.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        pytest.fail(f"make run: {type(e).__name__}\n{out.getvalue()}")
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, out.getvalue()
