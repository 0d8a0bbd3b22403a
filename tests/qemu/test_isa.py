# SPDX-License-Identifier: BSD-2-Clause
"""The guest gets its hart's ISA extensions as a native kernel does. The
isa test guest (guest/tests/isa.c) runs, for every extension its device
tree names, an instruction or CSR access that needs it, in VS-mode and
VU-mode, on QEMU's rv64 and max CPUs; a hypervisor built to withhold the
CSR bits that Zicboz and Svpbmt need (henvcfg.CBZE, henvcfg.PBMTE) while
its tree still names them fails it by name. The tree names only what the
ISA table (hv/isa_ext.c) gives: the boot log lists what it left out."""
import os

import pytest

from conftest import BUILD, boot, build_variant
from test_guests import GUEST_ADDR, run_guest


def tried(b):
    """{extension: set of modes} that passed."""
    out = {}
    for m in b.lines(r"^PASS: isa: (\w+) in (VS|VU)-mode$"):
        out.setdefault(m.group(1), set()).add(m.group(2))
    return out


def left_out(b):
    m = b.lines(r"guest ISA: (\d+) of hart 0's (\d+) extensions; left out: (.*)$")
    assert m, b.log
    return m[0].group(3).split()


@pytest.mark.parametrize("cpu", ["rv64", "max"])
def test_isa(cpu):
    b = run_guest("isa", 1, cpu=cpu)
    got = tried(b)
    # What a distribution kernel uses from the first page it clears.
    for ext in ["i", "m", "a", "f", "d", "c", "zicbom", "zicboz", "zicntr", "zihpm"]:
        assert got.get(ext) == {"VS", "VU"}, (ext, b.log)
    for ext in ["sstc", "svadu", "ssaia"]:
        assert got.get(ext) == {"VS"}, (ext, b.log)
    out = left_out(b)
    for ext in ["h", "shgatpa", "smaia"]:
        assert ext in out, b.log
    if cpu == "max":
        for ext in ["v", "zve64d", "zvkned", "zvknhb", "zvksh", "zfh", "zicond",
                    "zacas", "zabha", "zimop", "zcb"]:
            assert got.get(ext) == {"VS", "VU"}, (ext, b.log)
        for ext in ["svpbmt", "svnapot", "svinval", "ssstateen", "ssnpm"]:
            assert got.get(ext) == {"VS"}, (ext, b.log)
        # Not for a guest: the seed CSR, CFI without FWFT, M-level names.
        for ext in ["zkr", "zicfilp", "zicfiss", "smstateen", "ssdbltrp"]:
            assert ext in out or "..." in out, b.log
        n = b.lines(r"^isa: (\d+) extensions tried")[0].group(1)
        assert int(n) >= 80, b.log


def test_isa_fails_when_withheld():
    """The check that the isa test can fail: the tree still names Zicboz
    and Svpbmt, the CSRs do not give them; exactly those fail."""
    hv = build_variant("isa-withheld", ISA_WITHHOLD="ISA_NEED_CBO_ZERO|ISA_NEED_PBMT")
    img = os.path.join(BUILD, "guest", "isa.bin")
    b = boot(1, cpu="max", hv=hv, timeout=240,
             extra=["-device", f"guest-loader,kernel={img},addr={GUEST_ADDR}"])
    fails = sorted((m.group(1), m.group(2))
                   for m in b.lines(r"^FAIL: isa: (\w+) in (\w+)-mode"))
    assert fails == [("svpbmt", "VS"), ("zicboz", "VS"), ("zicboz", "VU")], b.log
    assert b.lines(r"^RESULT: \d+ passed, 3 failed$"), b.log


@pytest.mark.parametrize("waits", ["sleep", "spin"])
def test_isa_zawrs_waits(waits):
    """Zawrs's wrs.nto works in VS-mode and VU-mode whether the guest's
    waits exit (WAITS=sleep, the default: hartvisor sleeps for each and
    counts it) or stay in the guest (WAITS=spin: none comes to hartvisor)."""
    hv = None if waits == "sleep" else build_variant("waits-spin", WAITS="spin")
    b = run_guest("isa", 1, hv=hv)
    assert tried(b).get("zawrs") == {"VS", "VU"}, b.log
    said = b.lines(r"^\[h0\] guest waits: wfi and wrs\.nto exit")
    m = b.lines(r"^\[h0\] vcpu0 exits .*; waits: wfi (\d+), wrs\.nto (\d+) \(slept (\d+)\)$")
    assert m, b.log
    wrs = int(m[0].group(2))
    if waits == "sleep":
        assert said and wrs >= 2, b.log
    else:
        assert not said and wrs == 0 and int(m[0].group(1)) == 0, b.log
