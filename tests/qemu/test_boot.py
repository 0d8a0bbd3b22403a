# SPDX-License-Identifier: BSD-2-Clause
"""Foundation: hartvisor boots on every hart, reads the host DTB, refuses
machines it cannot run on with one clear line, and QEMU always exits."""
import os
import re

import pytest

from conftest import BUILD, ROOT, boot, build_variant, hv_region, run_logged

SUMMARY = re.compile(
    r"^\[h(\d+)\] hartvisor: (\d+) harts \(([^)]*)\), RAM 0x80000000\+(?:1024|2048) MiB, "
    r"timebase 10000000 Hz, (?:PLIC @0xc000000 ndev 9[56]|"
    r"IMSIC @0x28000000 guest files 1, APLIC @0xd000000 sources 96), UART @0x10000000, ext:(.*)$")


def summary(b):
    found = b.lines(SUMMARY.pattern)
    assert len(found) == 1, b.log
    return found[0]


@pytest.mark.parametrize("smp,irqchip", [(1, "aia"), (2, "aia"), (4, "aia"), (8, "aia"),
                                         (4, "plic"), (8, "plic")])
def test_every_hart_checks_in(smp, irqchip):
    b = boot(smp, irqchip=irqchip)
    assert b.returncode == 0, b.log
    online = sorted(int(m.group(1)) for m in b.lines(r"^\[h(\d+)\] online: slot (\d+)"))
    assert online == list(range(smp)), b.log
    s = summary(b)
    assert int(s.group(2)) == smp
    assert s.group(3) == ("0" if smp == 1 else f"0-{smp - 1}")
    assert s.group(4) == " h sstc"
    # Each hart's own line carries its own prefix, and its PLIC S context
    # (QEMU lists M then S per hart) or its IMSIC hart index.
    plic = b.lines(r"^\[h(\d+)\] online: slot (\d+), PLIC S-mode context (\d+)")
    imsic = b.lines(r"^\[h(\d+)\] online: slot (\d+), IMSIC hart index (\d+)")
    assert len(plic if irqchip == "plic" else imsic) == smp, b.log
    for m in plic:
        assert m.group(1) == m.group(2)
        assert int(m.group(3)) == 2 * int(m.group(1)) + 1
    for m in imsic:
        assert m.group(1) == m.group(2) == m.group(3)
    assert ("IMSIC @0x28000000" in s.group(0)) == (irqchip == "aia")
    assert "no guest kernel (QEMU -device guest-loader,kernel=FILE,addr=ADDR): nothing to run" in b.log
    assert "] powering off" in b.log
    assert "error" not in b.log.lower(), b.log


def test_hv_lines_never_interleave():
    b = boot(8)
    for line in b.hv_lines():
        # A line that got another hart's output spliced in would carry a
        # second "[hN]" prefix or be cut short.
        assert len(re.findall(r"\[h\d+\]", line)) == 1, line
    assert len(b.lines(r"^\[h\d+\] online: ")) == 8


def test_no_h_extension_is_refused():
    b = boot(4, cpu="rv64,h=false")
    assert b.returncode == 0, b.log
    assert re.search(r"^\[h\d+\] error: no H extension on hart 0 \(riscv,isa = rv64imafdc\.\.\.\): "
                     r"run QEMU with -cpu rv64,h=true$", b.log, re.M), b.log
    assert "hartvisor cannot run on this machine; powering off" in b.log
    assert not b.lines(r"online: slot"), b.log


def test_no_sstc_is_reported():
    b = boot(2, cpu="rv64,sstc=off")
    assert b.returncode == 0, b.log
    assert summary(b).group(4) == " h"


def test_guest_module_is_found():
    img = os.path.join(BUILD, "guest", "sbi_base.bin")
    size = os.path.getsize(img)
    b = boot(2, extra=["-device", f"guest-loader,kernel={img},addr=0x81000000,"
                                  "bootargs=console=hvc0 earlycon=sbi"])
    assert b.returncode == 0, b.log
    assert re.search(rf'^\[h\d+\] guest kernel at 0x81000000-{0x81000000 + size:#x} '
                     rf'\({size // 1024} KiB\), bootargs "console=hvc0 earlycon=sbi"$',
                     b.log, re.M), b.log
    summary(b)
    assert "RESULT: " in b.log


def test_guest_module_over_hypervisor_memory_is_refused(tmp_path):
    """QEMU itself refuses to load over the ELF; the top of RAM, where the
    boot hart moves the hypervisor, is memory QEMU does not know about.
    The refusal comes before the move, and nothing else runs."""
    _, _, (base, top) = hv_region()
    img = tmp_path / "kernel.img"
    img.write_bytes(b"\0" * 4096)
    b = boot(2, extra=["-device", f"guest-loader,kernel={img},addr={top - 4096:#x}"])
    assert b.returncode == 0, b.log
    errors = b.lines(r"^\[h\d+\] error: (.*)$")
    assert errors and (f"overlaps hypervisor memory {base:#x}-{top:#x} at the top of RAM: "
                       "load it lower" in errors[0].group(1)), b.log
    assert not b.lines(r"online: slot"), b.log
    assert not b.lines(r"booting on hart"), b.log


@pytest.mark.parametrize("addr,what", [
    # OpenSBI 1.1 reserves 0x80000000-0x80080000, 1.5 0x80000000-0x80040000
    # and 0x80040000-0x80060000 (QEMU itself refuses to load over its image).
    ("0x80050000", r"overlaps reserved \(firmware\) memory 0x800[04]0000-0x800[68]0000"),
    ("0xc0000000", "is not in RAM"),
])
def test_guest_module_in_the_wrong_place_is_refused(tmp_path, addr, what):
    img = tmp_path / "kernel.img"
    img.write_bytes(b"\0" * 4096)
    b = boot(2, extra=["-device", f"guest-loader,kernel={img},addr={addr}"])
    assert b.returncode == 0, b.log
    errors = b.lines(r"^\[h\d+\] error: (.*)$")
    assert errors and re.search(what, errors[0].group(1)), b.log
    assert not b.lines(r"online: slot"), b.log


def test_too_many_harts_for_the_build():
    """A build for 4 harts refuses an 8-hart machine, and says how to fix it."""
    hv = build_variant("max4", HV_MAX_HARTS=4)
    b = boot(8, hv=hv)
    assert b.returncode == 0, b.log
    assert ("error: the device tree has 8 usable harts; this build supports at most 4 "
            "(rebuild with make HV_MAX_HARTS=8)") in b.log, b.log
    assert boot(4, hv=hv).lines(r"hartvisor: 4 harts")


def test_make_run():
    """The README's command, as a user types it."""
    b = run_logged(["make", "-s", "--no-print-directory", "run", "SMP=4",
                    f"O={os.path.relpath(BUILD, ROOT)}"], timeout=120)
    assert b.returncode == 0, b.log
    assert summary(b).group(2) == "4"


def test_make_run_smp64():
    """64 harts, the most QEMU's virt machine and HV_MAX_HARTS allow. The
    guest starts without waiting for the secondaries. OpenSBI 1.5 leaves a
    few of them hung in the firmware at this size (natively too: Linux
    reports CPUs that fail to come online); at power-off hartvisor names
    every hart that never checked in: with a warning once its 20 s to check
    in are over, before that with how long ago it was started (it may only
    be slow). The guest's checks all pass."""
    b = run_logged(["make", "-s", "--no-print-directory", "run", "SMP=64", "GUEST=sbi_base",
                    f"O={os.path.relpath(BUILD, ROOT)}"], timeout=300)
    assert b.returncode == 0, b.log
    s = summary(b)
    assert (s.group(2), s.group(3)) == ("64", "0-63"), b.log
    online = {int(m.group(1)) for m in b.lines(r"^\[h\d+\] online: slot (\d+), ")}
    hung = {int(m.group(1)) for m in b.lines(
        r"^\[h\d+\] warning: hart (\d+) never checked in: still in the firmware at power-off$")}
    slow = {int(m.group(1)) for m in b.lines(
        r"^\[h\d+\] hart (\d+) had not checked in yet at power-off, \d+ ms after it was started$")}
    late = hung | slow
    assert not hung & slow, b.log
    assert online | late == set(range(64)) and not online & late, b.log
    up = b.lines(r"^\[h\d+\] 63 secondary harts up in ")
    assert bool(up) == (not late), b.log
    assert len(b.lines(r"^\[h\d+\] warning: ")) == len(hung), b.log
    assert b.lines(r"^RESULT: \d+ passed, 0 failed$"), b.log
