# SPDX-License-Identifier: BSD-2-Clause
"""The shared console of several VMs, typed at as a user would: every
line says whose it is, the keys go to the VM with the input, Ctrl-]
opens the monitor, and the monitor lists the VMs, moves the input,
reboots, stops and starts a VM again. Each VM's emulated ns16550a is a
real ttyS0 to Linux: its shell reads and writes it."""
import os
import re

import pexpect
import pytest

from conftest import BUILD, ROOT
from linux_shell import IMAGE, trouble
from test_partition import loaders

ESCAPE = "\x1d"  # Ctrl-]


class Console:
    """tools/qemu-run with @config on a pexpect session; .log is the whole
    console, carriage returns left out."""

    def __init__(self, config, extra, irqchip="aia", timeout=120):
        env = dict(os.environ, SMP="4", MEM="1G", CPU="rv64", IRQCHIP=irqchip,
                   HV=os.path.join(BUILD, "hartvisor.elf"), CONFIG=config)
        self.out = []
        self.child = pexpect.spawn(os.path.join(ROOT, "tools", "qemu-run"), list(extra),
                                   env=env, cwd=ROOT, encoding="utf-8",
                                   codec_errors="replace", timeout=timeout)
        self.child.logfile_read = self

    # pexpect's log: kept whole, for the assertions and a failure's report.
    def write(self, s):
        self.out.append(s)

    def flush(self):
        pass

    @property
    def log(self):
        return "".join(self.out).replace("\r", "")

    def expect(self, pattern, timeout=-1):
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            pytest.fail(f"no {pattern!r} on the console ({type(e).__name__})\n{self.log}")
        return self.child.match

    def monitor(self, command, answer):
        """Open the monitor, type @command, wait for @answer (a regex)."""
        self.child.send(ESCAPE)
        self.expect(r"hv> ")
        self.child.send(command + "\r")
        return self.expect(answer)

    def lines(self, pattern):
        return [l for l in self.log.splitlines() if re.search(pattern, l)]

    def check_powered_off(self):
        """QEMU ended with status 0 and Linux printed nothing wrong."""
        assert self.child.exitstatus == 0, self.log
        bad = trouble(self.log)
        assert not bad, "\n".join(bad) + "\n" + self.log

    def close(self):
        self.child.close(force=True)


@pytest.mark.parametrize("irqchip", ["aia", "plic"])
def test_keys_go_where_the_monitor_says(irqchip):
    """configs/pair.c with both bare-metal guests echoing the keys their
    SBI console reads. A key goes to left (the UART's owner, as the boot
    line says), then, after "console right", to right; never to both. The
    monitor lists the VMs with their harts, HSM states and exits, reboots
    left, stops it, starts it again, and stopping both powers off."""
    c = Console("pair", loaders(left_args="run=120000 echo=1",
                                right_args="uart=0 run=120000 echo=1"), irqchip)
    try:
        c.expect(r"console: input goes to VM 'left'; Ctrl-\] opens the monitor")
        # Either may boot first: the firmware's boot hart may be right's.
        running = set()
        while len(running) < 2:
            running.add(c.expect(r"\[(left|right)\] partition: boot 1, running").group(1))
        c.child.send("a")
        c.expect(r"\[left\] partition: key 0x61")
        c.monitor("console right", r"monitor: input goes to VM 'right'")
        c.child.send("b")
        c.expect(r"\[right\] partition: key 0x62")

        c.monitor("vms", r"\n  vCPU 1 on hart 3: \w+, \d+ exits\r*\n")
        listing = c.log[c.log.rindex("\nVM 0 'left': "):]
        assert re.search(r"\nVM 0 'left': running, boot 1, harts 0-1\n", listing), c.log
        assert re.search(r"\nVM 1 'right': running, boot 1, harts 2-3, has the input\n",
                         listing), c.log
        # vCPU 0 runs its guest; vCPU 1 ran its check and stopped (HSM).
        assert re.search(r"\n  vCPU 0 on hart 2: started, [1-9]\d* exits\n", listing), c.log
        assert re.search(r"\n  vCPU 1 on hart 1: stopped, \d+ exits\n", listing), c.log
        c.child.send("frob\r")
        c.expect(r"monitor: unknown command 'frob' \(help lists them\)")
        c.child.send("stop nosuch\r")
        c.expect(r"monitor: no VM 'nosuch' \(vms lists them\)")

        c.child.send("reboot left\r")
        c.expect(r"\[left\] the monitor reboots it \(boot 2\): restarting it")
        c.expect(r"\[left\] partition: boot 2, running")
        c.child.send("stop 0\r")
        c.expect(r"\[left\] the monitor stops it: VM 'left' stops, 1 other VM runs on")
        c.expect(r"\[left\] VM 'left' is off")
        c.child.send("vms\r")
        c.expect(r"VM 0 'left': off, boot 2, harts 0-1\r*\n")
        c.child.send("reboot left\r")
        c.expect(r"\[left\] the monitor starts it again \(boot 3\): restarting it")
        c.expect(r"\[left\] partition: boot 3, running")
        # Leaving the monitor: the keys are right's again.
        c.child.send(ESCAPE)
        c.expect(r"monitor: input goes to VM 'right'")
        c.child.send("c")
        c.expect(r"\[right\] partition: key 0x63")
        c.monitor("stop left", r"VM 'left' is off")
        c.child.send("stop right\r")
        c.expect(r"\[right\] the monitor stops it: powering off")
        c.expect(pexpect.EOF)
    finally:
        c.close()
    assert c.child.exitstatus == 0, c.log
    assert not c.lines(r"FAIL: "), c.log
    # Each key once, in the VM that had the input; none while in the monitor.
    keys = [l for l in c.log.splitlines() if "partition: key" in l]
    assert keys == ["[left] partition: key 0x61", "[right] partition: key 0x62",
                    "[right] partition: key 0x63"], c.log


PROMPT = r"hartvisor:[^\n#]*# "


def test_two_linux_shells_on_their_own_ttys0():
    """configs/linux2.c, both Linux VMs on console=ttyS0, each its own
    emulated ns16550a: left's shell has the keys first, its prompt and
    echo as they come; a command typed there runs in left. After the
    switch, right's prompt shows and right runs what is typed. Each
    ttyS0 is interrupt-driven (its line in /proc/interrupts counts), and
    each VM powers itself off; the machine with the second."""
    assert os.path.exists(IMAGE), f"{IMAGE} missing: make linux"
    args = []
    for addr in ("0x80200000", "0x90200000"):
        args += ["-device", f"guest-loader,kernel={IMAGE},addr={addr}"]
    c = Console("linux2", args, timeout=600)
    try:
        c.expect(r"\[left\] " + PROMPT)
        c.child.send("stty cols 1000; echo L$((6*7)); grep -c ttyS /proc/interrupts\r")
        # right's boot lines may come between left's two (a line at a time).
        c.expect(r"\[left\] L42\r*\n")
        c.expect(r"\[left\] 1\r*\n")
        c.monitor("console right", r"monitor: input goes to VM 'right'")
        c.expect(r"\[right\] " + PROMPT)
        c.child.send("stty cols 1000; echo R$((6*7))\r")
        c.expect(r"\[right\] R42\r*\n")
        # ttyS0's interrupt line counts: its driver was woken by it.
        c.child.send("awk '/ttyS/ {print \"IRQS\", $2 + $3}' /proc/interrupts\r")
        m = c.expect(r"\[right\] IRQS (\d+)\r*\n")
        assert int(m.group(1)) > 0, c.log
        c.child.send("poweroff\r")
        c.expect(r"\[right\] guest asked for shutdown: VM 'right' stops, 1 other VM runs on")
        c.monitor("console left", r"monitor: input goes to VM 'left'")
        c.child.send("poweroff\r")
        c.expect(r"\[left\] guest asked for shutdown: powering off")
        c.expect(pexpect.EOF)
    finally:
        c.close()
    c.check_powered_off()
    # What each typed line printed came from its own VM.
    assert not c.lines(r"\[right\] L42$") and not c.lines(r"\[left\] R42$"), c.log


def test_debian_kernel_beside_linux_on_its_own_ttys0():
    """Debian's own kernel (trixie's, with its initramfs) in linux2's right
    VM beside our Linux in left. Debian's kernel has no hvc0 driver, so
    its console is its emulated ttyS0 or nothing: initramfs-tools' shell
    (break=top) takes what is typed there after the switch, runs it in
    right, and its ttyS0 interrupts count."""
    from debian_shell import DEBIAN
    vmlinux = os.path.join(DEBIAN, "trixie", "vmlinux")
    initrd = os.path.join(DEBIAN, "trixie", "initrd.img")
    assert os.path.exists(vmlinux), f"{vmlinux} missing: make debian"
    args = ["-device", f"guest-loader,kernel={IMAGE},addr=0x80200000",
            "-device", f"guest-loader,kernel={vmlinux},addr=0x90200000,"
                       "bootargs=console=ttyS0 earlycon=sbi break=top",
            "-device", f"guest-loader,initrd={initrd},addr=0x98000000"]
    c = Console("linux2", args, timeout=600)
    try:
        c.expect(r"\[left\] " + PROMPT)
        c.monitor("console right", r"monitor: input goes to VM 'right'")
        c.expect(r"\[right\] \(initramfs\) ")
        c.child.send("echo D$((6*7))\r")
        c.expect(r"\[right\] D42\r*\n")
        # The initramfs has no grep: the whole table, ttyS0's line in it.
        c.child.send("cat /proc/interrupts\r")
        m = c.expect(r"\[right\] +\d+: +(\d+) +(\d+) [^\n]*ttyS0")
        assert int(m.group(1)) + int(m.group(2)) > 0, c.log
        c.monitor("console left", r"monitor: input goes to VM 'left'")
        c.child.send("poweroff\r")
        c.expect(r"\[left\] guest asked for shutdown: VM 'left' stops, 1 other VM runs on")
    finally:
        c.close()
    bad = trouble(c.log)
    assert not bad, "\n".join(bad) + "\n" + c.log
