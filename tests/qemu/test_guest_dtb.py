# SPDX-License-Identifier: BSD-2-Clause
"""The host tool behind `make guest-dtb` builds, byte for byte, the guest
DTB the hypervisor builds at boot from the same host DTB: GDB stops the
hypervisor at vm_boot and dumps the host DTB it received (OpenSBI's
fixed-up tree, with this run's rng-seed), the tool rewrites that dump, and
both CRC-32s must match. dtc decompiles the result without a warning."""
import os
import re
import subprocess

import pytest

from conftest import (BUILD, ROOT, Boot, drive_with_gdb, free_port, guest_has_sstc,
                      hv_region)

TOOL = os.path.join(BUILD, "tools", "guest-dtb")


@pytest.mark.parametrize("smp,config,vcpus,irqchip", [
    (1, "", 1, "aia"), (2, "", 2, "aia"), (4, "", 4, "aia"), (8, "", 8, "aia"),
    (4, "small", 2, "aia"), (4, "", 4, "plic"), (4, "small", 2, "plic")])
def test_tool_builds_the_hypervisors_bytes(smp, config, vcpus, irqchip, tmp_path):
    port = free_port()
    img = os.path.join(BUILD, "guest", "sbi_base.bin")
    env = dict(os.environ, SMP=str(smp), HV=os.path.join(BUILD, "hartvisor.elf"),
               GDB_PORT=str(port), CONFIG=config, IRQCHIP=irqchip)
    host = tmp_path / "host.dtb"
    _, out, log = drive_with_gdb(
        [os.path.join(ROOT, "tools", "qemu-run"), "--gdb", "-device",
         f"guest-loader,kernel={img},addr=0x81000000"],
        port,
        ["-ex", "break vm_boot", "-ex", "continue",
         "-ex", f"dump binary memory {host} host_dtb host_dtb + host_dtb_size",
         "-ex", "hvlog", "-ex", "kill"],
        env=env)
    assert re.search(r"Breakpoint \d+, vm_boot", out), out
    # The boot's lines are still held there: GDB's hvlog prints them.
    log += out
    m = re.search(r"guest DTB at 0x[0-9a-f]+ \((\d+) bytes, crc32 (0x[0-9a-f]{8})\), "
                  rf"entry 0x81000000, {vcpus} vCPUs on {smp} harts", log)
    assert m, log

    start, end, _ = hv_region()
    out = tmp_path / "guest.dtb"
    tool = subprocess.run([TOOL, "--hv", f"{start:x}-{end:x}", "--sstc",
                           "on" if guest_has_sstc(Boot(0, log)) else "off",
                           str(host), str(out)], capture_output=True, text=True, timeout=30)
    assert tool.returncode == 0, tool.stdout + tool.stderr
    t = re.search(r": (\d+) bytes, crc32 (0x[0-9a-f]{8}) \(config (\w+), (\d+) vCPUs", tool.stdout)
    assert t, tool.stdout
    assert (t.group(1), t.group(2)) == (m.group(1), m.group(2)), (tool.stdout, m.group(0))
    assert (t.group(3), int(t.group(4))) == (config or "default", vcpus)

    dts = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", str(out)],
                         capture_output=True, text=True, timeout=30)
    assert dts.returncode == 0 and dts.stderr == "", dts.stderr
    assert dts.stdout.count('device_type = "cpu"') == vcpus
    assert "clint" not in dts.stdout
    assert re.search(r'riscv,isa = "rv64imafdc_', dts.stdout)
    # OpenSBI's memory lies in guest RAM, reserved and unmapped, as natively.
    assert re.search(r"mmode_resv\d@80000000 \{[^}]*no-map;", dts.stdout), dts.stdout
    # The guest's interrupt controller, and nothing of the other kind.
    assert ("riscv,imsics" in dts.stdout) == (irqchip == "aia")
    assert ("riscv,plic0" in dts.stdout) == (irqchip == "plic")


def test_make_guest_dtb():
    """The README's command: files written, the path printed."""
    r = subprocess.run(["make", "-s", "--no-print-directory", "guest-dtb", "SMP=2",
                        f"O={os.path.relpath(BUILD, ROOT)}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"guest-smp2\.dtb: \d+ bytes, crc32 0x[0-9a-f]{8} \(config default, 2 vCPUs", r.stdout), r.stdout
    assert "guest DTB: " in r.stdout and os.path.exists(os.path.join(BUILD, "guest-smp2.dts"))
