# SPDX-License-Identifier: BSD-2-Clause
"""VM configs (configs/*.c) and the guest's view of its device tree: the
dtb test guest walks the tree it was handed with libfdt and prints what it
found; these tests compare that with the machine, the config and the
hypervisor's log. Bad configs and command lines are refused with one clear
line, and QEMU exits."""
import os
import re
import subprocess

import pytest

from conftest import BUILD, ROOT, boot, guest_has_sstc, run_logged
from test_guests import SMPS, run_guest


def guest_ram(b):
    m = b.lines(r"^\[h\d+\] guest RAM (0x[0-9a-f]+)-(0x[0-9a-f]+) \((\d+) MiB\)$")
    assert len(m) == 1, b.log
    return m[0].group(1), m[0].group(2), int(m[0].group(3))


def seen(b):
    """What the dtb guest reports: (cpus, sstc, uarts, virtios, bootargs)."""
    m = b.lines(r"^dtb: (\d+) cpus, sstc (yes|no), uart (\d+), virtio (\d+)$")
    a = b.lines(r'^dtb: bootargs "(.*)"$')
    assert m and a, b.log
    g = m[0]
    # The guest's tree has sstc exactly when the hypervisor chose vstimecmp.
    assert (g.group(2) == "yes") == guest_has_sstc(b), b.log
    return int(g.group(1)), int(g.group(3)), int(g.group(4)), a[0].group(1)


@pytest.mark.parametrize("smp,irqchip", [(s, "aia") for s in SMPS] + [(4, "plic")])
def test_guest_walks_its_dtb(smp, irqchip):
    """The default config: every hart a vCPU, all RAM below the hypervisor,
    the UART and QEMU's 8 virtio slots; no h, no CLINT; the PLIC's contexts
    per vCPU, or an IMSIC page per vCPU and the APLIC."""
    b = run_guest("dtb", smp, irqchip=irqchip)
    assert b.lines(rf"^dtb: interrupt controller {irqchip.upper()}$"), b.log
    assert seen(b) == (smp, 1, 8, ""), b.log
    base, end, mib = guest_ram(b)
    assert b.lines(rf"^dtb: memory {base}-{end} \({mib} MiB\)$"), b.log
    assert b.lines(r"VM config 'default': ")
    assert len(b.lines(r"PASS: cpu \d+: riscv,isa \S+ has no h")) == smp


@pytest.mark.parametrize("smp", [4, 8])
def test_small_config_leaves_harts_idle(smp):
    """configs/small.c: 2 vCPUs on harts 0 and 1, 64 MiB, no virtio, its
    own bootargs; the other harts check in and stay idle. The guest may
    power off before a hart of a busy host has checked in: hartvisor then
    names it, and it ran nothing either."""
    b = run_guest("dtb", smp, config="small")
    assert seen(b) == (2, 1, 0, "small config"), b.log
    assert guest_ram(b) == ("0x80000000", "0x84000000", 64)
    assert b.lines(r"^dtb: memory 0x80000000-0x84000000 \(64 MiB\)$"), b.log
    assert b.lines(rf"entry 0x81000000, 2 vCPUs on {smp} harts$"), b.log
    idle = b.lines(r"online: slot \d+, .*idle \(no VM takes this hart\)")
    late = b.lines(r"hart \d+ had not checked in yet at power-off")
    assert len(idle) + len(late) == smp - 2, b.log
    assert len(b.lines(r"^\[h\d+\] vcpu\d+ exits")) == 2, b.log


def test_loader_bootargs_win_over_the_config():
    b = run_guest("dtb", 2, config="small", loader=",bootargs=from the loader")
    assert seen(b)[3] == "from the loader", b.log


def refusal(b):
    assert b.returncode == 0, b.log
    errors = b.lines(r"^\[h\d+\] error: (.*)$")
    assert errors and "cannot run on this machine; powering off" in errors[-1].group(1), b.log
    assert not b.lines(r"^dtb: "), b.log
    return errors[0].group(1)


def dtb_guest():
    return ["-device", f"guest-loader,kernel={os.path.join(BUILD, 'guest', 'dtb.bin')},"
                       "addr=0x81000000"]


def test_more_vcpus_than_harts_is_refused():
    b = boot(1, config="small", extra=dtb_guest())
    assert refusal(b) == "config 'small' wants 2 vCPUs (harts up to index 1), but this machine has 1 hart (SMP=2 or more)"


@pytest.mark.parametrize("append,error", [
    ("config=nope", "no VM config 'nope'; configs/ has: chan chan_trusted default linux linux2 linux2_trusted linux_rt linux_rt_trusted pair small"),
    ("config=", "unknown word 'config=' on hartvisor's command line (QEMU -append): it takes config=NAME"),
    ("verbose", "unknown word 'verbose' on hartvisor's command line (QEMU -append): it takes config=NAME"),
])
def test_bad_command_line_is_refused(append, error):
    b = boot(2, extra=["-append", append, *dtb_guest()])
    assert refusal(b) == error


def test_guest_outside_small_ram_is_refused():
    """The image at 0x88000000 is beyond small's 64 MiB of guest RAM."""
    img = os.path.join(BUILD, "guest", "dtb.bin")
    b = boot(2, config="small", extra=["-device", f"guest-loader,kernel={img},addr=0x88000000"])
    assert refusal(b).startswith("guest kernel at 0x88000000-"), b.log
    assert "is not in guest RAM" in b.log


def test_make_rejects_an_unknown_config():
    r = subprocess.run(["make", "-s", "--no-print-directory", "run", "CONFIG=nope",
                        f"O={os.path.relpath(BUILD, ROOT)}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "CONFIG=nope: no configs/nope.c (configs: chan chan_trusted default linux linux2 linux2_trusted linux_rt linux_rt_trusted pair small)" in r.stderr


@pytest.mark.parametrize("mem,top,gib,mib2", [
    ("1G", 0xc0000000, 0, 509), ("2G", 0x100000000, 0, 1021), ("4G", 0x180000000, 2, 1021)])
def test_hypervisor_at_the_top_whole_gibs_in_one_leaf(tmp_path, mem, top, gib, mib2):
    """hartvisor moves to the top 2 MiB of RAM; guest RAM starts at
    0x80000000 as natively (OpenSBI's memory in it, reserved), ends below
    the pristine copy, and every whole GiB of it is one 1 GiB G-stage
    leaf, but the one with the guest's image while its pages are
    read-only: until the guest first writes each, or hartvisor has saved
    them all in the background (4 KiB leaves in the 2 MiB the image
    starts in, the rest of that GiB 2 MiB leaves); then it is one leaf
    again. The dtb guest sees exactly that RAM."""
    img = os.path.join(BUILD, "guest", "dtb.bin")
    b = boot(2, mem=mem, extra=["-device", f"guest-loader,kernel={img},addr=0x81000000"])
    assert b.returncode == 0, b.log
    assert b.lines(rf"^\[h\d+\] hypervisor memory {top - 0x200000:#x}-{top:#x}$"), b.log
    end = top - 0x400000  # less the dtb guest's pristine copy (2 MiB)
    assert guest_ram(b) == ("0x80000000", f"{end:#x}", (end - 0x80000000) >> 20)
    assert b.lines(rf"^\[h\d+\] G-stage: guest RAM in {gib} x 1 GiB, {mib2} x 2 MiB "
                   r"and 512 x 4 KiB leaves$"), b.log
    whole = (top - 0x80000000) // 0x40000000 - 1
    assert b.lines(r"^\[h\d+\] guest images: every page saved \(\d+ on first write, \d+ in "
                   rf"the background\); G-stage leaves now {whole} x 1 GiB, "), b.log
    assert b.lines(rf"^dtb: memory 0x80000000-{end:#x} "), b.log
    assert not b.lines(r"^FAIL: "), b.log
