# SPDX-License-Identifier: BSD-2-Clause
"""Several static VMs (configs/pair.c): two VMs on one 4-hart machine, each
with its own harts, RAM, devices, G-stage table and VMID. Each guest sees
only what is its own (its harts from 0, its RAM; another VM's RAM and a
device it does not own are access faults; SBI refuses a hart beyond its
own), each console line says whose it is, one VM reboots and shuts down
while the other runs on, and the machine powers off with the last. A
config that cannot fit is refused with one line naming the VM."""
import os
import re
import subprocess

import pytest

from conftest import BUILD, ROOT, Boot, boot, drive_with_gdb, free_port, guest_has_sstc, hv_region
from linux_shell import IMAGE, trouble

LEFT_ADDR, RIGHT_ADDR = "0x81000000", "0x91000000"
TOOL = os.path.join(BUILD, "tools", "guest-dtb")


def loaders(left="partition", right="partition", left_args="", right_args="",
            right_addr=RIGHT_ADDR):
    """guest-loader options: @left's image in left's RAM, @right's (linked
    for 0x91000000, build/guest/hi/) in right's; None leaves one out."""
    out = []
    for name, sub, addr, args in ((left, "", LEFT_ADDR, left_args),
                                  (right, "hi", right_addr, right_args)):
        if name is None:
            continue
        img = os.path.join(BUILD, "guest", sub, f"{name}.bin")
        assert os.path.exists(img), f"{img} missing: make guests"
        out += ["-device", f"guest-loader,kernel={img},addr={addr}"
                + (f",bootargs={args}" if args else "")]
    return out


def vm_lines(b, vm, pattern):
    return b.lines(rf"^\[{vm}\] {pattern}")


def check_clean(b, warnings=0):
    assert b.returncode == 0, b.log
    fails = b.lines(r"FAIL: .*")
    assert not fails, "\n".join(m.group(0) for m in fails) + "\n" + b.log
    assert not b.lines(r"^\[h\d+\] error: "), b.log
    assert len(b.lines(r"^\[h\d+\] warning: ")) == warnings, b.log
    assert "PANIC" not in b.log
    # Every line a guest printed says which VM printed it.
    for line in b.log.splitlines():
        if re.match(r"(PASS|FAIL|RESULT|partition|dtb): ", line):
            pytest.fail(f"a guest line without its VM: {line}\n{b.log}")


@pytest.mark.parametrize("irqchip", ["aia", "plic"])
def test_two_vms_reboot_and_stop_alone(irqchip):
    """left reboots 3 times and shuts down while right runs on (its
    heartbeats come after left's reboots, for 10 s of its own time, far
    more than left's reboots take); then right shuts down and the machine
    powers off."""
    b = boot(4, config="pair", irqchip=irqchip, timeout=300, extra=loaders(
        left_args="peer=0x90000000 reboots=3",
        right_args="peer=0x80200000 uart=0 run=10000"))
    check_clean(b)
    assert b.lines(r"^\[h\d+\] \[left\] VM 0 \(VMID 1\): 2 vCPUs on harts 0-1$"), b.log
    assert b.lines(r"^\[h\d+\] \[right\] VM 1 \(VMID 2\): 2 vCPUs on harts 2-3$"), b.log
    # Each guest-loader image went to the VM whose RAM holds it.
    assert b.lines(r"^\[h\d+\] \[left\] guest kernel at 0x81000000-0x[0-9a-f]+ goes to VM 'left'$")
    assert b.lines(r"^\[h\d+\] \[right\] guest kernel at 0x91000000-0x[0-9a-f]+ goes to VM 'right'$")
    for vm, peer in (("left", "0x90000000"), ("right", "0x80200000")):
        assert vm_lines(b, vm, r"partition: 2 harts, "), b.log
        assert vm_lines(b, vm, rf"PASS: load from another VM's RAM \({peer}\): load access"), b.log
        assert vm_lines(b, vm, r"PASS: HSM start of hart n \(got -3, want -3\)"), b.log
        assert vm_lines(b, vm, r"PASS: hart 1 ran in this VM"), b.log
        assert vm_lines(b, vm, r"RESULT: \d+ passed, 0 failed$"), b.log
    assert vm_lines(b, "right", r"PASS: store to the UART, not ours"), b.log
    assert vm_lines(b, "left", r"partition: boot 4, running"), b.log
    reboots = b.lines(r"^\[h\d+\] \[left\] guest asked for a reboot \(boot (\d)\): restarting it$")
    assert [m.group(1) for m in reboots] == ["2", "3", "4"], b.log
    assert not b.lines(r"\[right\] guest asked for a reboot"), b.log

    log = b.log.splitlines()
    where = lambda pattern: next(i for i, l in enumerate(log) if re.search(pattern, l))
    left_off = where(r"\[left\] guest asked for shutdown: VM 'left' stops, 1 other VM runs on$")
    assert where(r"\[left\] VM 'left' is off$") > left_off
    right_off = where(r"\[right\] guest asked for shutdown: powering off$")
    # right runs on after left is off, and stops last.
    beats = [i for i, l in enumerate(log) if re.match(r"\[right\] partition: heartbeat \d+$", l)]
    assert beats and beats[-1] > left_off, b.log
    assert right_off > left_off
    assert not b.lines(r"\[left\] guest asked for shutdown: powering off"), b.log


def test_a_crashed_vm_stops_alone():
    """right points its trap vector at a page that is not RAM and jumps
    there: no trap can reach it again, natively it would spin for ever.
    hartvisor stops right alone with one warning that names it; left runs
    its 3 s on, and its shutdown powers the machine off."""
    b = boot(4, config="pair", timeout=300, extra=loaders(
        left_args="peer=0x90000000 run=3000",
        right_args="peer=0x80200000 uart=0 crash=1"))
    check_clean(b, warnings=1)
    crash = b.lines(r"^\[h\d+\] warning: \[right\] VM 'right' crashed: vCPU 0 cannot fetch "
                    r"its trap vector 0x1000: VM 'right' stops, 1 other VM runs on$")
    assert crash, b.log
    log = b.log.splitlines()
    where = lambda pattern: next(i for i, l in enumerate(log) if re.search(pattern, l))
    beats = [i for i, l in enumerate(log) if re.match(r"\[left\] partition: heartbeat \d+$", l)]
    assert beats and beats[-1] > where(r"VM 'right' crashed"), b.log
    assert where(r"\[left\] guest asked for shutdown: powering off$") > beats[-1]
    assert vm_lines(b, "left", r"RESULT: \d+ passed, 0 failed$"), b.log


def test_linux_runs_on_while_a_vm_reboots_ten_times():
    """configs/linux_rt.c: Linux on 3 harts runs its 20 s stress (hvtest)
    while rt, on the fourth, runs a second, reboots, 10 times, then shuts
    down (11 s of its own time, less than the stress alone); Linux passes
    every check with nothing wrong in its log, and its power-off is the
    machine's. rt's vCPU spins all the while, as a real-time guest may.
    rt is hostile too: it aims its vAPLIC at Linux's UART source and at
    harts beyond its own, turns its APLIC domain's interrupts off at every
    boot and stores into interrupt files that are not its own; each try
    reads 0 or faults, and Linux's ttyS0 keeps its interrupts (with the
    domain's IE written through, Linux's shell stalled)."""
    assert os.path.exists(IMAGE), f"{IMAGE} missing: make linux"
    # Linux on hvc0: whole lines through hartvisor, as rt's (its ttyS0,
    # the real UART, would interleave its bytes with rt's lines).
    b = boot(4, config="linux_rt", timeout=600, extra=[
        "-device", f"guest-loader,kernel={IMAGE},addr=0x80200000,"
                   "bootargs=console=hvc0 earlycon=sbi hvtest=20",
        *loaders(left=None, right_args="peer=0x80200000 uart=0 reboots=10 run=1000 hostile=1")])
    bad = trouble(b.log)
    assert not bad, "\n".join(bad) + "\n" + b.log
    assert b.returncode == 0, b.log
    assert b.lines(r"smp: Brought up 1 node, 3 CPUs$"), b.log
    assert "hartvisor guest init: Linux with 3 CPUs online" in b.log, b.log
    reboots = b.lines(r"^\[h\d+\] \[rt\] guest asked for a reboot \(boot (\d+)\): restarting it$")
    assert [int(m.group(1)) for m in reboots] == list(range(2, 12)), b.log
    assert vm_lines(b, "rt", r"RESULT: \d+ passed, 0 failed$"), b.log
    assert vm_lines(b, "rt", r"PASS: sourcecfg of a source it does not own reads 0"), b.log
    assert len(vm_lines(b, "rt", r"PASS: store to a host interrupt file's address")) == 8, b.log
    assert not b.lines(r"FAIL: "), b.log
    log = b.log.splitlines()
    where = lambda pattern: next(i for i, l in enumerate(log) if re.search(pattern, l))
    rt_off = where(r"\[rt\] guest asked for shutdown: VM 'rt' stops, 1 other VM runs on$")
    # rt rebooted and stopped while Linux ran: before its checks ended
    # (on a quiet machine during the stress; a busy one slows Linux's
    # boot, not rt's clock).
    assert where(r"hvtest: all checks passed \(0 failed\)") > rt_off
    assert where(r"\[linux\] guest asked for shutdown: powering off$") > rt_off


@pytest.mark.parametrize("irqchip", ["aia", "plic"])
def test_two_linux_vms_each_with_its_own_disk_and_network(tmp_path, irqchip):
    """configs/linux2.c: two Linux VMs of 2 harts, each with its own
    virtio-blk disk (8 and 16 MiB, on slots 0
    and 4) and virtio-net card (slots 1 and 5) and its own emulated
    ttyS0: each sees 2 CPUs, 256 MiB
    and its own disk, brings its eth0 up, passes hvtest, and powers off
    its own VM; the machine with the second. On the PLIC, right's disk
    and network interrupts reach right's vCPUs through its vPLIC (they
    once went to the vCPUs of left with the same numbers, and right's
    disk hung)."""
    assert os.path.exists(IMAGE), f"{IMAGE} missing: make linux"
    disks = []
    for name, mib in (("left", 8), ("right", 16)):
        disks.append(tmp_path / f"{name}.img")
        with open(disks[-1], "wb") as f:
            f.truncate(mib << 20)
    args = []
    # Each on its own emulated ttyS0, as configs/linux2.c says.
    for addr in ("0x80200000", "0x90200000"):
        args += ["-device", f"guest-loader,kernel={IMAGE},addr={addr},"
                            "bootargs=console=ttyS0 earlycon=sbi hvtest=5"]
    for i, (disk, slot) in enumerate(((disks[0], 0), (disks[1], 4))):
        args += ["-drive", f"file={disk},if=none,format=raw,id=d{i}",
                 "-device", f"virtio-blk-device,drive=d{i},bus=virtio-mmio-bus.{slot}",
                 "-netdev", f"user,id=n{i}",
                 "-device", f"virtio-net-device,netdev=n{i},bus=virtio-mmio-bus.{slot + 1}"]
    b = boot(4, config="linux2", timeout=600, extra=args, irqchip=irqchip)
    bad = trouble(b.log)
    assert not bad, "\n".join(bad) + "\n" + b.log
    assert b.returncode == 0, b.log
    assert len(b.lines(r"smp: Brought up 1 node, 2 CPUs$")) == 2, b.log
    assert vm_lines(b, "right", r"smp: Brought up 1 node, 2 CPUs$"), b.log
    assert len(b.lines(r"Memory: \d+K/262144K available")) == 2, b.log
    vda = {m.group(2): m.group(1) for m in b.lines(
        r"^\[(\w+)\] virtio_blk virtio\d: \[vda\] (\d+) 512-byte logical blocks")}
    assert vda == {"16384": "left", "32768": "right"}, b.log
    assert not b.lines(r"\[vdb\]"), b.log
    assert len(b.lines(r"init: eth0 10\.0\.2\.15 up$")) == 2, b.log
    assert vm_lines(b, "right", r"hvtest: all checks passed \(0 failed\)$"), b.log
    assert len(b.lines(r"hvtest: all checks passed \(0 failed\)$")) == 2, b.log
    assert len(b.lines(r"guest asked for shutdown: (VM '\w+' stops, 1 other VM runs on|"
                       r"powering off)$")) == 2, b.log


def test_each_vm_walks_its_own_dtb():
    """The dtb guest in both VMs: left has the UART and no virtio, right
    virtio slots 0-3 and no UART; each two cpus and its own memory."""
    b = boot(4, config="pair", timeout=300, extra=loaders("dtb", "dtb"))
    check_clean(b)
    left = vm_lines(b, "left", r"dtb: (\d+) cpus, sstc \w+, uart (\d+), virtio (\d+)$")
    right = vm_lines(b, "right", r"dtb: (\d+) cpus, sstc \w+, uart (\d+), virtio (\d+)$")
    assert [m.groups() for m in left] == [("2", "1", "0")], b.log
    assert [m.groups() for m in right] == [("2", "0", "4")], b.log
    assert vm_lines(b, "left", r"dtb: memory 0x80000000-0x90000000 \(256 MiB\)$"), b.log
    assert vm_lines(b, "right", r"dtb: memory 0x90000000-0xa0000000 \(256 MiB\)$"), b.log


@pytest.mark.parametrize("smp,extra,error", [
    (2, loaders(), "config 'pair': VM 'right' wants 2 vCPUs (harts up to index 3), "
                   "but this machine has 2 harts (SMP=4 or more)"),
    (4, loaders(right=None), "config 'pair': VM 'right' has no kernel: QEMU -device "
                             "guest-loader,kernel=FILE,addr=ADDR with ADDR in its RAM "
                             "0x90000000-0xa0000000"),
    (4, loaders(right_addr="0xa1000000"), "guest kernel at 0xa1000000-"),
])
def test_what_does_not_fit_is_refused(smp, extra, error):
    b = boot(smp, config="pair", extra=extra)
    assert b.returncode == 0, b.log
    errors = b.lines(r"^\[h\d+\] error: (.*)$")
    assert errors and errors[0].group(1).startswith(error), b.log
    assert "cannot run on this machine; powering off" in errors[-1].group(1), b.log
    assert not b.lines(r"partition: "), b.log


def test_tool_builds_each_vms_dtb(tmp_path):
    """make guest-dtb's tool writes one DTB per VM, each byte for byte the
    one the hypervisor built (GDB dumps the host DTB it received)."""
    port = free_port()
    env = dict(os.environ, SMP="4", HV=os.path.join(BUILD, "hartvisor.elf"),
               GDB_PORT=str(port), CONFIG="pair", IRQCHIP="aia")
    host = tmp_path / "host.dtb"
    _, out, log = drive_with_gdb(
        [os.path.join(ROOT, "tools", "qemu-run"), "--gdb", *loaders()], port,
        ["-ex", "break vm_boot", "-ex", "continue",
         "-ex", f"dump binary memory {host} host_dtb host_dtb + host_dtb_size",
         "-ex", "hvlog", "-ex", "kill"], env=env)
    log += out
    hv = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(
        r"\[(left|right)\] guest DTB at 0x[0-9a-f]+ \((\d+) bytes, crc32 (0x[0-9a-f]{8})\)", log)}
    assert set(hv) == {"left", "right"}, log
    start, end, _ = hv_region()
    tool = subprocess.run([TOOL, "--hv", f"{start:x}-{end:x}", "--sstc",
                           "on" if guest_has_sstc(Boot(0, log)) else "off",
                           str(host), str(tmp_path / "guest.dtb")],
                          capture_output=True, text=True, timeout=30)
    assert tool.returncode == 0, tool.stdout + tool.stderr
    for vm in ("left", "right"):
        t = re.search(rf"guest-{vm}\.dtb: (\d+) bytes, crc32 (0x[0-9a-f]{{8}}) "
                      rf"\(config pair, VM {vm}, 2 vCPUs", tool.stdout)
        assert t and (t.group(1), t.group(2)) == hv[vm], (tool.stdout, log)
        dts = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", str(tmp_path / f"guest-{vm}.dtb")],
                             capture_output=True, text=True, timeout=30)
        assert dts.returncode == 0, dts.stderr
        assert dts.stdout.count('device_type = "cpu"') == 2
        assert ("serial@10000000" in dts.stdout) == (vm == "left")
