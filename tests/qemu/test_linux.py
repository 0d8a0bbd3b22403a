# SPDX-License-Identifier: BSD-2-Clause
"""The Linux guest (guest/linux) under hartvisor, driven through busybox's
shell on its console as a user would: nproc counts every CPU, "hvtest 20"
(every CPU online, a thread pinned on each runs there, a 20-second SMP
stress: futex ping-pong, page remaps read by every CPU, sleeps; every
secondary offline and online again through HSM) exits with 0, dmesg has
nothing that Linux prints when something is wrong, and poweroff ends QEMU
through SRST. The console is ttyS0, the UART passed through with its
interrupt coming through the vAPLIC into the vCPU's guest interrupt file
(IRQCHIP=aia, make's default) or through the vPLIC (IRQCHIP=plic).

"hvtest=SECONDS" on the kernel command line runs the same through
"sh -c" and powers off (the boots below that need no typing: SMP 16, the
SBI TIME path with the SBI console hvc0, QEMU 7.2). Plus suspend to RAM
and an interactive reboot over ttyS0 (the interrupt controller is reset
with the VM)."""
import os
import re

import pexpect
import pytest

from conftest import ROOT, Boot, boot, drive_with_gdb, free_port
from linux_shell import IMAGE, PROMPT, Shell, trouble

LOADER = f"guest-loader,kernel={IMAGE},addr=0x80200000"
# Lines of dmesg that say something went wrong (grep -E).
DMESG_BAD = "rcu: INFO|stall|BUG:|Oops|WARNING:|Kernel panic"


def boot_linux(smp, cpu="rv64", stress=20, timeout=420, console="ttyS0", emu=None,
               mem="1G", irqchip="aia"):
    """Linux with "hvtest=@stress": init has the shell run the checks, then
    powers off. Returns the Boot."""
    assert os.path.exists(IMAGE), f"{IMAGE} missing: make linux"
    b = boot(smp, cpu=cpu, timeout=timeout, config="linux", emu=emu, mem=mem,
             irqchip=irqchip,
             extra=["-device", f"{LOADER},bootargs=console={console} earlycon=sbi hvtest={stress}"])
    bad = trouble(b.log)
    assert not bad, "\n".join(bad) + "\n" + b.log
    assert b.returncode == 0, b.log
    return b


def shell_run(smp, cpu="rv64", stress=20, timeout=420, mem="1G", irqchip="aia"):
    """Linux to its shell; there nproc, "hvtest @stress" and a look for
    trouble in dmesg, then poweroff. Returns a Boot with the whole log."""
    with Shell(smp=smp, cpu=cpu, mem=mem, irqchip=irqchip, timeout=timeout) as sh:
        sh.booted()
        assert sh.output("nproc").strip() == str(smp), sh.log
        sh.output(f"hvtest {stress}", timeout=timeout)
        # grep -c prints the count; it exits with 1 when that is 0.
        status, out = sh.run(f"dmesg | grep -cE '{DMESG_BAD}'")
        assert (status, out.strip()) == (1, "0"), out + sh.log
        sh.poweroff()
        b = Boot(sh.child.exitstatus, sh.log)
    bad = trouble(b.log)
    assert not bad, "\n".join(bad) + "\n" + b.log
    b.irqchip = irqchip
    return b


def check_run(b, smp):
    """What every run of hvtest prints, and hartvisor's counters."""
    log = b.log
    cpus = "1 CPU" if smp == 1 else f"{smp} CPUs"
    assert f"smp: Brought up 1 node, {cpus}" in log, log
    assert f"hartvisor guest init: Linux with {smp} CPUs online" in log, log
    for c in range(smp):
        assert f"PASS: a thread pinned on CPU {c} ran on CPU {c}" in log, log
    assert len(b.lines(r"^PASS: stress: ")) == 3, log
    for c in range(1, smp):
        assert f"PASS: hotplug: CPU {c} offline (ok)" in log, log
        assert f"PASS: hotplug: CPU {c} online again, a thread ran on it (ok)" in log, log
    assert "hvtest: all checks passed (0 failed)" in log, log
    assert "guest asked for shutdown: powering off" in log, log
    # Exits by cause, printed at shutdown: every vCPU ran.
    exits = b.lines(r"^\[h\d+\] vcpu\d+ exits \d+: ecall ([1-9]\d*), .* ipi (\d+), "
                    r"timer (\d+), external (\d+); waits: wfi (\d+), wrs\.nto (\d+) \(slept (\d+)\)$")
    assert len(exits) == smp, log
    if b.irqchip == "aia":
        # IPIs and device interrupts are MSIs into the guest files: no
        # external exits at all, and no IPI exits (hartvisor's own mail
        # reaches harts that sleep, or comes with no IPI to itself).
        assert all(int(m.group(4)) == 0 for m in exits), log
        assert all(int(m.group(2)) == 0 for m in exits), log
    # The guest's waits (hv/vcpu_wait.c). Where they exit, every vCPU
    # idled in wfi through hartvisor, and with more than one CPU some CPU
    # waited for another in wrs.nto (a TLB flush's answer, a lock). Where
    # they do not (no Zawrs: QEMU 7.2), none came.
    wfi = [int(m.group(5)) for m in exits]
    wrs = [int(m.group(6)) for m in exits]
    if b.lines(r"^\[h\d+\] guest waits: wfi and wrs\.nto exit"):
        assert all(wfi), log
        assert smp == 1 or sum(wrs), log
    else:
        assert not any(wfi + wrs), log


@pytest.mark.parametrize("smp,irqchip", [(1, "aia"), (2, "aia"), (4, "aia"), (8, "aia"),
                                         (1, "plic"), (4, "plic")])
def test_linux(smp, irqchip):
    """SMP 8 on AIA no longer runs alone: beside another QEMU it stalled
    in ticket-lock convoys (natively too), which hartvisor's sleeping
    waits end (hv/vcpu_wait.c), and then hit Linux 6.12's "Dying CPU not
    properly vacated!", which our kernel's build fixes (docs/interrupts.md)."""
    b = shell_run(smp, irqchip=irqchip)
    assert "Linux version 6.12" in b.log, b.log
    # QEMU 10's harts have Zawrs, and the guest its own stimecmp.
    assert b.lines(r"^\[h0\] guest waits: wfi and wrs\.nto exit"), b.log
    check_run(b, smp)


# QEMU's own OpenSBI (-bios default, or make's BIOS=), loaded at the start
# of RAM.
FIRMWARE = "/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"
# amoswap.d.aqrl a5, a5, (a0): OpenSBI 1.5's atomic_xchg, first run on
# every hart for sbi_init's cold-boot lottery.
XCHG = bytes.fromhex("af37f50e")


def boot_linux_on_hart(smp, hart, tmp_path, stress=10):
    """Linux as boot_linux, with OpenSBI's cold-boot lottery won by @hart
    (so hartvisor boots there), through QEMU's GDB stub: the first hart at
    the lottery's swap stops every hart; then @hart alone runs to it and
    through it, and all go on. Returns the Boot."""
    bios = os.environ.get("BIOS", "default")
    with open(FIRMWARE if bios == "default" else bios, "rb") as f:
        image = f.read()
    assert XCHG in image, f"{f.name}: no amoswap.d.aqrl a5,a5,(a0): not OpenSBI 1.5's lottery"
    xchg = 0x80000000 + image.index(XCHG)
    script = tmp_path / "lottery.gdb"
    script.write_text(f"""delete
hbreak *{xchg:#x}
continue
set scheduler-locking on
python
if gdb.selected_thread().num != {hart + 1}:
    gdb.execute("thread {hart + 1}")
    gdb.execute("continue")
end
stepi
delete
set scheduler-locking off
detach
""")
    port = free_port()
    env = dict(os.environ, SMP=str(smp), MEM="1G", CONFIG="linux", IRQCHIP="aia")
    cmd = [os.path.join(ROOT, "tools", "qemu-run"), "-gdb", f"tcp:127.0.0.1:{port}", "-S",
           "-device", f"{LOADER},bootargs=console=ttyS0 earlycon=sbi hvtest={stress}"]
    _, out, log = drive_with_gdb(cmd, port, ["-x", str(script)], env=env, wait=420)
    b = Boot(0, log.replace("\r", ""))
    b.irqchip = "aia"
    m = b.lines(r"^Boot HART ID\s*: (\d+)$")
    assert m and int(m[0].group(1)) == hart, out + log
    return b


@pytest.mark.parametrize("smp,hart", [(4, 3), (8, 6)])
def test_linux_boot_hart_not_0(smp, hart, tmp_path):
    """The firmware boots hartvisor on another hart than 0: vCPU 0's hart
    comes out of the firmware after the boot hart started vCPU 0. The start
    waits in its mailbox, and no IPI ends the guest's first run. (An IPI
    sent to a hart still in the firmware used to arrive once vCPU 0 ran:
    "ipi 1" in vCPU 0's exits, in 4 of 9 boots at SMP 8 and 2 of 5 at
    SMP 4.)"""
    b = boot_linux_on_hart(smp, hart, tmp_path)
    assert not trouble(b.log), b.log
    assert b.lines(rf"^\[h{hart}\] hartvisor \S+ booting on hart {hart},"), b.log
    check_run(b, smp)


@pytest.mark.parametrize("irqchip", ["aia", "plic"])
def test_linux_smp16(irqchip):
    """16 vCPUs need more than 1 GiB for 16 stress threads' stacks and
    page-cache work: MEM=2G, as the README says. Beside other tests, as
    test_linux[8-aia] (docs/interrupts.md)."""
    b = boot_linux(16, mem="2G", stress=10, timeout=600, irqchip=irqchip)
    assert "init: hvtest 10 ended: exit status 0" in b.log, b.log
    check_run(b, 16)


def test_linux_cpu_max():
    """-cpu max (QEMU 10: Smstateen, Smaia, Svadu and more): the guest DTB
    carries its ISA strings, Linux boots and passes its checks."""
    check_run(shell_run(4, cpu="max", stress=10), 4)


def test_linux_sbi_time_path():
    """No Sstc on the machine: the guest timer goes through SBI TIME and
    OpenSBI; the console is the SBI one (hvc0, polled)."""
    b = boot_linux(2, cpu="rv64,sstc=off", stress=10, console="hvc0")
    assert b.lines(r"guest timer: SBI set_timer -> OpenSBI -> hvip.VSTIP"), b.log
    assert "init: sh -c 'hvtest 10' on /dev/hvc0, then power-off" in b.log, b.log
    check_run(b, 2)


@pytest.mark.parametrize("irqchip", ["aia", "plic"])
def test_linux_suspend_to_ram(irqchip):
    """The guest's suspend is "echo mem > /sys/power/state": Linux finds
    SBI SUSP, takes CPUs 1-3 offline (HSM stop) and calls it; the VM
    sleeps until a key on the console (the UART's interrupt, kept on as a
    wake-up source) wakes vCPU 0, which resumes at Linux's resume address.
    Every CPU comes back, twice in a row, and suspend exits with 0."""
    with Shell(smp=4, irqchip=irqchip) as sh:
        sh.expect("SBI SUSP extension detected")
        sh.booted()
        for _ in range(2):
            sh.child.sendline('suspend; echo "[status $?]"')
            sh.expect("press a key on the console to wake the VM")
            sh.expect(r"\[h\d+\] vCPU 0 suspends the VM to RAM")
            # Asleep: nothing more comes until the key.
            sh.child.expect(pexpect.TIMEOUT, timeout=2)
            sh.child.send("\r")
            m = sh.expect(r"\[h\d+\] vCPU 0: the VM wakes up after (\d+) ms of suspend to RAM")
            assert int(m.group(1)) >= 2000, m.group(0)
            sh.expect(r"suspend: back after \d+ ms")
            m = sh.expect(r"(PASS|FAIL): suspend: the VM went to RAM and woke up \(([^)]*)\)")
            assert m.group(1) == "PASS", m.group(0)
            m = sh.expect(r"(PASS|FAIL): suspend: all 4 CPUs online again \((\d+)\)")
            assert m.group(1) == "PASS", m.group(0)
            assert sh.expect(r"\[status (\d+)\]").group(1) == "0", sh.log
            # The key is input too: an empty line, one more prompt.
            sh.expect(PROMPT)
            sh.expect(PROMPT)
        assert "PASS: a thread pinned on CPU 3 ran on CPU 3" in sh.output("cpus"), sh.log
        assert sh.output("nproc").strip() == "4", sh.log
        sh.poweroff()
        text = sh.log
    assert not trouble(text), text
    assert "SBI specification v3.0 detected" in text, text
    assert "PM: suspend entry (deep)" in text, text
    assert "PM: suspend exit" in text, text


def test_linux_shell_and_reboot():
    """A test word that is no number of seconds is refused with a line and
    the shell comes up instead; it answers typed commands over ttyS0 (its
    input interrupts through the vAPLIC); busybox's reboot has init end
    every process and Linux reboot through SRST, which boots Linux again
    under the same hypervisor; poweroff ends QEMU."""
    with Shell(smp=2, bootargs="console=ttyS0 earlycon=sbi hvtest=soon") as sh:
        for boot_no in (1, 2):
            sh.expect("hartvisor guest init: Linux with 2 CPUs online")
            sh.expect(r"init: hvtest=soon ignored: the shell, no checks")
            sh.booted()
            assert "PASS: a thread pinned on CPU 1 ran on CPU 1" in sh.output("cpus")
            m = re.search(r"isa\s+: rv64([a-z]+)", sh.output("cat /proc/cpuinfo"))
            assert m and "h" not in m.group(1), sh.log
            if boot_no == 1:
                sh.child.sendline("reboot")
                sh.expect("init: rebooting")
                sh.expect(r"guest asked for a reboot \(boot 2\): restarting it")
        sh.poweroff()
