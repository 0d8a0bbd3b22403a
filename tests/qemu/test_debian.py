# SPDX-License-Identifier: BSD-2-Clause
"""The Debian guest (tools/build-debian: Debian 13 with systemd, Debian's
own kernels and initramfs) the way a user runs it, at SMP 4 on the AIA
machine, natively and under hartvisor, with trixie's kernel and with sid's:
systemd reaches root's login on ttyS0; `systemctl is-system-running` says
"running" (so both sides say the same; the failed units are listed when
not); nproc is 4; the virtio-net card has its DHCP address and a TCP
connection to the host (10.0.2.2, QEMU's user network) reads what a server
there sends; a file written to the disk and synced reads back; the kernel
found SBI PMU; `perf stat -e cycles,instructions` counts both; `reboot`
comes back to the login and `poweroff` ends QEMU. sid's kernel runs on
`-cpu max`, whose harts have Sscofpmf: there `perf record -e cycles` samples
with counter-overflow interrupts, natively and under hartvisor (`-cpu rv64`
has none, so no sampling on either side). One QEMU run (two boots) per
test; the times to the login are printed for the log. Then the boot
through Debian's U-Boot and the system's extlinux.conf, natively and under
hartvisor: six QEMU runs in all."""
import re
import socket
import threading

import pytest

from debian_shell import KERNELS, Debian

GREETING = "hello from the host over QEMU's user network"


class Greeter:
    """A TCP server on 127.0.0.1 (the guest's 10.0.2.2) that sends
    GREETING to each connection; at most a few, for at most the test."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(1)
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        served = 0
        while not self.done.is_set() and served < 8:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                conn.sendall(GREETING.encode() + b"\n")
            served += 1

    def close(self):
        self.done.set()
        self.thread.join()
        self.sock.close()


def check_system(d, port, sampling):
    """The checks at one login (see the module's docstring)."""
    status, state = d.run("systemctl is-system-running --wait", timeout=600)
    state = state.strip()
    if state != "running":
        failed = d.run("systemctl --failed --no-legend")[1]
        d.fail(f"systemctl is-system-running: {state!r} (status {status}); failed units:\n"
               f"{failed}")
    assert d.output("nproc").strip() == "4", d.log
    addr = d.output("ip -4 -o addr show scope global")
    assert re.search(r"inet 10\.0\.2\.15/24", addr), addr + d.log
    got = d.output(f"timeout 30 cat < /dev/tcp/10.0.2.2/{port}")
    assert GREETING in got, got + d.log
    d.output("echo written by the guest > /root/note.txt && sync")
    assert d.output("cat /root/note.txt").strip() == "written by the guest", d.log
    # Debian's kernel finds SBI PMU, as natively (not its legacy PMU).
    pmu = d.output("dmesg | grep riscv-pmu-sbi")
    assert "SBI PMU extension is available" in pmu, pmu + d.log
    perf = d.output("perf stat -e cycles,instructions true 2>&1")
    for event in ("cycles", "instructions"):
        m = re.search(rf"^\s*([\d,.]+)\s+{event}\b", perf, re.M)
        assert m and int(re.sub(r"[,.]", "", m.group(1))) > 0, \
            f"perf stat does not count {event}:\n{perf}\n{d.log}"
    if sampling:
        # A hardware event sampled by overflow interrupts: perf refuses
        # cycles with a period where the PMU cannot interrupt. QEMU 10.0
        # makes the first overflow of a counter that last counted (perf
        # stat above, on the same hart) as late as the uptime
        # (arch/riscv/pmu.c); hartvisor's guest gets it on time, so one
        # run must sample. Natively a run may get nothing (2 of 15 with
        # both on one CPU, docs/numbers.md): there up to three runs, and a
        # miss is printed.
        for attempt in (1,) if d.hv else (1, 2, 3):
            d.output("perf record -q -e cycles -c 100000 -o /tmp/perf.data -- "
                     "dd if=/dev/zero of=/dev/null bs=4k count=20000 2>&1", timeout=300)
            samples = d.output("perf script -i /tmp/perf.data -F comm,event 2>/dev/null | "
                               "grep -c 'dd .*cycles' || true")
            if int(samples.strip() or 0) > 0:
                break
            print(f"perf record {attempt}, natively: no samples (QEMU's late overflow)")
        assert int(samples.strip() or 0) > 0, \
            d.output("perf report -i /tmp/perf.data --stdio 2>&1 | head -20") + d.log


# The CPU of each kernel's runs: sid's, the newest, gets the most.
CPUS = {"trixie": "rv64", "sid": "max"}


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("hv", [False, True], ids=["native", "hartvisor"])
def test_debian(kernel, hv):
    greeter = Greeter()
    try:
        with Debian(kernel, hv, cpu=CPUS[kernel]) as d:
            first = d.login()
            check_system(d, greeter.port, sampling=CPUS[kernel] == "max")
            # The note survives the reboot (the same QEMU, the same overlay).
            again = d.reboot()
            assert d.output("cat /root/note.txt").strip() == "written by the guest", d.log
            assert d.output("uname -r").strip().endswith("-riscv64"), d.log
            status, state = d.run("systemctl is-system-running --wait", timeout=600)
            assert state.strip() == "running", d.run("systemctl --failed --no-legend")[1]
            off = d.poweroff()
            bad = d.trouble()
            assert not bad, "\n".join(bad) + "\n" + d.log
            if hv:
                assert re.search(r"\[h\d+\] .*guest asked for shutdown", d.log), d.log
            print(f"debian {kernel} {CPUS[kernel]} {'hartvisor' if hv else 'native'}: login {first:.1f} s, "
                  f"reboot to login {again:.1f} s, poweroff {off:.1f} s")
    finally:
        greeter.close()


@pytest.mark.parametrize("hv", [False, True], ids=["native", "hartvisor"])
def test_debian_u_boot(hv):
    """Booted as boards boot Debian: Debian's S-mode U-Boot for QEMU
    (u-boot-qemu's qemu-riscv64_smode) where the kernel goes; its distro
    boot finds the extlinux.conf that u-boot-update wrote in /boot on the
    disk's bootable partition and boots its first entry, the newest kernel
    (sid's) with its initramfs, in the device tree U-Boot got from QEMU or
    from hartvisor. systemd reaches the login and says "running"; poweroff
    ends QEMU."""
    with Debian("u-boot", hv) as d:
        d.expect(r"U-Boot 20\d\d\.\d\d")
        d.expect(r"/boot/extlinux/extlinux\.conf")
        if d.expect(r"(Starting kernel)|guest asked for a reboot", timeout=120).group(1) is None:
            d.fail("U-Boot reset the machine instead of starting the kernel")
        first = d.login()
        entry = d.output("grep -m 1 -o 'vmlinu[xz]-[^ ]*' /boot/extlinux/extlinux.conf").strip()
        assert entry.split("-", 1)[1] == d.output("uname -r").strip(), d.log
        status, state = d.run("systemctl is-system-running --wait", timeout=600)
        if state.strip() != "running":
            d.fail(f"is-system-running: {state!r}; failed units:\n"
                   + d.run("systemctl --failed --no-legend")[1])
        off = d.poweroff()
        bad = d.trouble()
        assert not bad, "\n".join(bad) + "\n" + d.log
        print(f"debian u-boot {'hartvisor' if hv else 'native'}: login {first:.1f} s, "
              f"poweroff {off:.1f} s")
