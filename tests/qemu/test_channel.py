# SPDX-License-Identifier: BSD-2-Clause
"""Channels between VMs (configs/chan.h, guest/tests/chan.c): ping and
pong share the channel 'pp', other is no peer. The peers see the header
hartvisor keeps, may write only their own section, and ping-pong 2000
messages in order and intact over a reboot of ping, which pong sees in
ping's state word and follows ping's new session. A checked doorbell refuses every store that names no
other peer and costs one exit a ring; a trusted one (AIA) costs none.
Where ping has the channel, other gets access faults. Linux, with its
generic UIO driver and vmchan, pings the chan guest (linux_rt, and
linux_rt_trusted) and sends a file to another Linux (linux2); Debian's
kernel, which has no UIO driver for it, pings it through /dev/mem."""
import os
import re

import pexpect
import pytest

from conftest import BUILD, boot
from linux_shell import IMAGE, PROMPT
from test_console import Console
from test_partition import check_clean

IMAGES = (("", "0x81000000"), ("hi", "0x91000000"), ("hi2", "0xa1000000"))


def loaders():
    out = []
    for sub, addr in IMAGES:
        img = os.path.join(BUILD, "guest", sub, "chan.bin")
        assert os.path.exists(img), f"{img} missing: make guests"
        out += ["-device", f"guest-loader,kernel={img},addr={addr}"]
    return out


def result(b, vm):
    m = b.lines(rf"^\[{vm}\] RESULT: (\d+) passed, (\d+) failed$")
    assert m, b.log
    return tuple(int(x) for x in m[-1].groups())


def round_trips(b, kind):
    """ping's reports, a boot each: (round trips, MMIO exits per round
    trip). Besides the doorbell's MMIO exits a round trip takes at most
    its wfi's (the timer that bounds the wait is the guest's stimecmp, no
    exit): 1.1 leaves room for a wfi woken early once in ten."""
    found = [(int(m.group(1)), float(m.group(2)), float(m.group(3))) for m in b.lines(
        rf"^\[ping\] chan: (\d+) round trips, {kind} doorbell: .*; exits per round trip "
        r"(\d+\.\d+) \(MMIO (\d+\.\d+)\)$")]
    assert all(total <= mmio + 1.1 for _, total, mmio in found), b.log
    return [(n, mmio) for n, _, mmio in found]


def check_peers(b, kind, sent, refused):
    assert b.lines(rf"^\[h\d+\] \[ping\] channel 'pp': peer 0 of 2, 68 KiB at 0x8000000, "
                   rf"{re.escape(kind)} doorbell at 0x8011000, rung by source 64$"), b.log
    assert b.lines(rf"^\[h\d+\] \[pong\] channel 'pp': peer 1 of 2, 68 KiB at 0x9000000, "
                   rf"{re.escape(kind)} doorbell at 0x9011000, rung by source 70$"), b.log
    assert not b.lines(r"^\[h\d+\] \[other\] channel"), b.log
    # Two boots of ping, 1000 round trips each, every answer checked.
    assert result(b, "ping")[0] >= 19 and result(b, "ping")[1] == 0, b.log
    assert result(b, "pong")[0] >= 18 and result(b, "pong")[1] == 0, b.log
    assert result(b, "other") == (5, 0), b.log
    assert b.lines(r"^\[pong\] chan: peer 1 answered 2000 messages in 2 sessions "), b.log
    # What hartvisor counted at the doorbells.
    assert b.lines(rf"^\[h\d+\] \[ping\] channel 'pp': peer 0, rings sent {sent[0]}, "
                   rf"refused {refused}$"), b.log
    assert b.lines(rf"^\[h\d+\] \[pong\] channel 'pp': peer 1, rings sent {sent[1]}, "
                   r"refused 0$"), b.log


@pytest.mark.parametrize("irqchip", ["aia", "plic"])
def test_checked_channel(irqchip):
    """ping's five bad doorbell stores a boot (its own number, 2, ~0, a
    byte, another offset) are refused, one warning said; each of ping's
    rings is exactly one MMIO exit on AIA (on the PLIC its claim and
    completion exit too)."""
    b = boot(4, config="chan", irqchip=irqchip, timeout=600, extra=loaders())
    check_clean(b, warnings=1)
    assert b.lines(r"^\[h\d+\] warning: \[ping\] channel 'pp': doorbell store of 0 "
                   r"names no other peer \(0-1, itself 0\): ignored$"), b.log
    # Each side: its 1000 messages a boot and a ring for the new session.
    check_peers(b, "checked", (2002, 2002), 10)
    trips = round_trips(b, "checked")
    assert [n for n, _ in trips] == [1000, 1000], b.log
    assert all(mmio == (1.0 if irqchip == "aia" else 4.0) for _, mmio in trips), b.log


def test_trusted_channel():
    """A ring is a store into the peer's interrupt file: hartvisor sees
    none (rings sent 0) and ping takes no MMIO exit at all."""
    b = boot(4, config="chan_trusted", irqchip="aia", timeout=600, extra=loaders())
    check_clean(b)
    check_peers(b, "trusted (no exit)", (0, 0), 0)
    assert round_trips(b, "trusted") == [(1000, 0.0), (1000, 0.0)], b.log


def test_trusted_channel_needs_aia():
    b = boot(4, config="chan_trusted", irqchip="plic", extra=loaders())
    assert b.returncode == 0, b.log
    errors = b.lines(r"^\[h\d+\] error: (.*)$")
    assert errors and errors[0].group(1).startswith(
        "config 'chan_trusted': VM 'ping': channel 'pp' rings with no exit "
        "(CHAN_DOORBELL_TRUSTED), which needs guest interrupt files"), b.log
    assert not b.lines(r"chan: "), b.log


def linux_args(*extra_images):
    args = ["-device", f"guest-loader,kernel={IMAGE},addr=0x80200000"]
    for img, addr in extra_images:
        args += ["-device", f"guest-loader,kernel={img},addr={addr}"]
    return args


def vmchan_ping(c, args, n, how):
    """`vmchan ping @args` at Linux's shell: @n round trips, reported as
    over 'rt' (@how), and vmchan's status 0."""
    c.child.send(f"vmchan ping {args}; echo PING=$?\r")
    c.expect(rf"\[linux\] vmchan: {n} round trips over 'rt' \({how}\): min [\d.]+ us, "
             r"median [\d.]+ us", timeout=1800)
    c.expect(r"\[linux\] PING=0\r*\n")


def power_off_beside_rt(c, answered, sessions):
    """Linux powers off; the chan guest in rt sees it, having answered
    @answered messages in @sessions, and stops: the machine is off."""
    c.child.send("poweroff\r")
    c.expect(rf"\[rt\] chan: peer 1 answered {answered} messages in {sessions} sessions ")
    c.expect(r"\[rt\] RESULT: \d+ passed, 0 failed")
    c.expect(pexpect.EOF)


@pytest.mark.parametrize("config,irqchip", [("linux_rt", "aia"), ("linux_rt", "plic"),
                                            ("linux_rt_trusted", "aia")])
def test_linux_pings_a_bare_metal_guest(config, irqchip):
    """configs/linux_rt.c: Linux (its generic UIO driver, /dev/uio0) and
    the chan guest on hart 3 share the channel 'rt'. vmchan in Linux sees
    both peers running. 10 000 messages go each way, each answered in
    order and intact, vmchan waiting for each answer's interrupt on
    /dev/uio0 (whose count in /proc/interrupts grows); then 100 000 more,
    vmchan waiting by reading the memory (the doorbells still ring). When
    Linux powers off, the chan guest sees it in Linux's state word and
    stops too, having answered all of them. With the trusted doorbell
    (configs/linux_rt_trusted.c) each side's rings are stores into the
    other's interrupt file: the same interrupts reach /dev/uio0 and the
    chan guest, and hartvisor sees none of them."""
    assert os.path.exists(IMAGE), f"{IMAGE} missing: make linux"
    kind = "trusted" if config == "linux_rt_trusted" else "checked"
    spins = 100000
    c = Console(config, linux_args((os.path.join(BUILD, "guest", "hi", "chan.bin"),
                                    "0x91000000")), irqchip=irqchip, timeout=600)
    try:
        c.expect(r"\[linux\] " + PROMPT)
        c.child.send("stty cols 1000; vmchan info\r")
        c.expect(rf"\[linux\] channel 'rt': 132 KiB, 2 peers, {kind} doorbell, via uio; "
                 r"we are peer 0\r*\n")
        c.expect(r"\[linux\]   peer 0: running, boot 1, 3 vCPUs\r*\n")
        c.expect(r"\[linux\]   peer 1: running, boot 1, 1 vCPUs\r*\n")
        vmchan_ping(c, "10000", 10000, f"{kind} doorbell, uio")
        # The doorbell's interrupts reached vmchan through /dev/uio0: most
        # answers (one may come before vmchan looks for it).
        c.child.send("awk '/ rt@8000000$/ {print \"RINGS\", $2 + $3 + $4}' /proc/interrupts\r")
        rings = int(c.expect(r"\[linux\] RINGS (\d+)\r*\n").group(1))
        assert rings >= 5000, c.log
        vmchan_ping(c, f"--spin {spins}", spins, f"{kind} doorbell, uio, spinning")
        power_off_beside_rt(c, 10000 + spins, 2)
    finally:
        c.close()
    c.check_powered_off()
    assert len(re.findall(r"PASS: vmchan ping: every answer in order and intact \(0 bad\)",
                          c.log)) == 2, c.log
    # What hartvisor saw of the rings: every one (checked), none (trusted).
    sent = [int(n) for n in re.findall(r"\[(?:linux|rt)\] channel 'rt': peer \d, "
                                       r"rings sent (\d+), refused 0\r*\n", c.log)]
    assert len(sent) == 2, c.log
    assert all(n == 0 for n in sent) if kind == "trusted" else \
        all(n >= 10000 + spins for n in sent), c.log


def test_vmchan_on_debians_kernel():
    """Debian's kernel (trixie's, as tools/build-debian fetched it) builds
    no uio_pdrv_genirq. With our initramfs as its initrd, in
    configs/linux_rt.c beside the chan guest, vmchan finds the channel's
    node in the device tree, maps it through /dev/mem (STRICT_DEVMEM
    leaves a range no driver claimed to it) and polls: 2000 round trips,
    each answered in order and intact."""
    vmlinux = os.path.join(BUILD, "debian", "trixie", "vmlinux")
    cpio = os.path.join(BUILD, "linux", "initramfs.cpio")
    for f in (vmlinux, cpio):
        assert os.path.exists(f), f"{f} missing: make linux-and-debian"
    c = Console("linux_rt", [
        "-device", f"guest-loader,kernel={vmlinux},addr=0x80200000",
        "-device", f"guest-loader,initrd={cpio},addr=0x88000000",
        "-device", f"guest-loader,kernel={BUILD}/guest/hi/chan.bin,addr=0x91000000"],
        timeout=600)
    try:
        c.expect(r"\[linux\] " + PROMPT)
        c.child.send("stty cols 1000; uname -r; ls /sys/class/uio 2>/dev/null | wc -l\r")
        c.expect(r"\[linux\] (\S+\+deb13-riscv64)\r*\n\[linux\] 0\r*\n")
        c.child.send("vmchan info\r")
        c.expect(r"\[linux\] channel 'rt': 132 KiB, 2 peers, checked doorbell, via /dev/mem; "
                 r"we are peer 0\r*\n")
        vmchan_ping(c, "2000", 2000, "checked doorbell, /dev/mem")
        power_off_beside_rt(c, 2000, 1)
    finally:
        c.close()
    assert c.child.exitstatus == 0, c.log
    assert "PASS: vmchan ping: every answer in order and intact (0 bad)" in c.log, c.log


@pytest.mark.parametrize("config", ["linux2", "linux2_trusted"])
def test_two_linux_vms_exchange_a_file(config):
    """configs/linux2.c: 2 MiB of random bytes go from left to right with
    vmchan send and recv over the channel 'files', and back again; each
    copy has the original's MD5. With the trusted doorbell
    (configs/linux2_trusted.c) the same, and hartvisor sees no ring."""
    assert os.path.exists(IMAGE), f"{IMAGE} missing: make linux"
    c = Console(config, linux_args((IMAGE, "0x90200000")), timeout=600)
    try:
        c.expect(r"\[left\] " + PROMPT)
        c.child.send("stty cols 1000; dd if=/dev/urandom of=/tmp/f bs=1024 count=2048 "
                     "2>/dev/null; md5sum /tmp/f\r")
        md5 = c.expect(r"\[left\] ([0-9a-f]{32})  /tmp/f\r*\n").group(1)
        c.monitor("console right", r"monitor: input goes to VM 'right'")
        c.expect(r"\[right\] " + PROMPT)
        c.child.send("stty cols 1000; vmchan recv /tmp/g && md5sum /tmp/g\r")
        c.monitor("console left", r"monitor: input goes to VM 'left'")
        c.child.send("vmchan send /tmp/f\r")
        c.expect(r"\[left\] vmchan: sent 2097152 bytes in \d+ messages over 'files'",
                 timeout=900)
        c.expect(rf"\[right\] {md5}  /tmp/g\r*\n", timeout=300)
        # And back: right sends its copy, left receives it.
        c.child.send("vmchan recv /tmp/h && md5sum /tmp/h\r")
        c.monitor("console right", r"monitor: input goes to VM 'right'")
        c.child.send("vmchan send /tmp/g\r")
        c.expect(rf"\[left\] {md5}  /tmp/h\r*\n", timeout=900)
        c.child.send("poweroff\r")
        c.expect(r"\[right\] guest asked for shutdown: VM 'right' stops, 1 other VM runs on")
        c.monitor("console left", r"monitor: input goes to VM 'left'")
        c.child.send("poweroff\r")
        c.expect(pexpect.EOF)
    finally:
        c.close()
    c.check_powered_off()
    assert len(re.findall(r"PASS: vmchan recv: the whole transfer, intact", c.log)) == 2, c.log
    sent = [int(n) for n in re.findall(r"\[(?:left|right)\] channel 'files': peer \d, "
                                       r"rings sent (\d+), refused 0\r*\n", c.log)]
    assert len(sent) == 2, c.log
    assert all(n == 0 for n in sent) if config == "linux2_trusted" else all(sent), c.log
