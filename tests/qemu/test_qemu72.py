# SPDX-License-Identifier: BSD-2-Clause
"""The compat lane: Debian 12's own QEMU 7.2 and OpenSBI 1.1, unpacked
from their packages into the cache by tools/get-qemu-7.2 (never
installed). The SBI test guests at SMP 1 and 4 and Linux at SMP 4 pass
there too, on the QEMU <= 7.2 workarounds the hypervisor picks by itself
(the forwarded timer), on the PLIC: QEMU 7.2's APLIC mishandles level
re-triggers in MSI mode (the aia guest sees them storm), and hartvisor
says so when it finds AIA there."""
import os
import subprocess

import pytest

from conftest import BUILD, ROOT, boot, qemu_version
from test_guests import check_timer, run_guest
from test_linux import boot_linux, check_run

GUESTS = ["sbi_base", "hsm", "ipi", "rfence", "timer", "console", "isolation", "irq"]


@pytest.fixture(scope="session")
def qemu72():
    r = subprocess.run([os.path.join(ROOT, "tools", "get-qemu-7.2")], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    qemu, bios = r.stdout.split()
    assert qemu_version(qemu)[:2] == (7, 2), qemu
    return qemu, bios


def on_72(b):
    """The run really was QEMU 7.2 with OpenSBI 1.1, and the hypervisor
    took the QEMU 7.2 timer."""
    assert "OpenSBI v1.1" in b.log, b.log
    assert b.lines(r"guest timer: SBI set_timer -> stimecmp -> hvip\.VSTIP "
                   r"\(QEMU <= 7\.2 loses vstimecmp interrupts"), b.log


@pytest.mark.parametrize("smp", [1, 4])
@pytest.mark.parametrize("guest", GUESTS)
def test_guest_on_qemu72(qemu72, guest, smp):
    b = run_guest(guest, smp, emu=qemu72, irqchip="plic")
    on_72(b)
    if guest == "timer":
        check_timer(b, smp, "forwarded")


def test_aia_warned_on_qemu72(qemu72):
    """AIA on QEMU 7.2 works for IPIs, but the hypervisor warns that its
    APLIC gets level re-triggers wrong."""
    img = os.path.join(BUILD, "guest", "sbi_base.bin")
    b = boot(2, emu=qemu72, irqchip="aia",
             extra=["-device", f"guest-loader,kernel={img},addr=0x81000000"])
    assert b.lines(r"^RESULT: \d+ passed, 0 failed$"), b.log
    assert b.lines(r"^\[h\d+\] warning: QEMU 7\.2's APLIC re-triggers level interrupts "
                   r"wrongly in MSI mode \(fixed in 9\.0\): IRQCHIP=plic for devices$"), b.log


def test_linux_on_qemu72(qemu72):
    b = boot_linux(4, emu=qemu72, irqchip="plic")
    on_72(b)
    assert "Linux version 6.12" in b.log, b.log
    check_run(b, 4)
