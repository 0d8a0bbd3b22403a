# SPDX-License-Identifier: BSD-2-Clause
"""The Linux guest's busybox (tools/build-busybox): a static riscv64
binary from Debian's source package, built once and then taken from the
cache, with the config lines of guest/linux/busybox.config and the
applets the tests and the README use."""
import os
import struct
import subprocess

from conftest import ROOT

SCRIPT = os.path.join(ROOT, "tools", "build-busybox")
EM_RISCV = 243
PT_INTERP = 3


def build_busybox():
    r = subprocess.run([SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.strip(), r.stderr


def test_busybox_cached_static_with_its_applets():
    folder, _ = build_busybox()  # built here if make linux has not
    again, log = build_busybox()
    assert again == folder, (folder, again)
    assert "building" not in log and "fetching" not in log, log
    with open(os.path.join(folder, "busybox"), "rb") as f:
        elf = f.read()
    # ELF64, little-endian, RISC-V, executable, no program interpreter.
    assert elf[:6] == b"\x7fELF\x02\x01", elf[:6]
    e_type, e_machine = struct.unpack_from("<HH", elf, 16)
    assert (e_type, e_machine) == (2, EM_RISCV), (e_type, e_machine)
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    types = [struct.unpack_from("<I", elf, phoff + i * phentsize)[0] for i in range(phnum)]
    assert PT_INTERP not in types, types
    with open(os.path.join(folder, "busybox.links")) as f:
        links = set(f.read().split())
    for applet in ("/bin/sh", "/bin/ps", "/usr/bin/top", "/bin/dmesg", "/usr/bin/free",
                   "/sbin/ip", "/usr/bin/nproc", "/usr/bin/wc", "/sbin/poweroff",
                   "/sbin/reboot", "/bin/stty"):
        assert applet in links, applet
    # PID 1 is ours: no busybox init to shadow it.
    assert "/sbin/init" not in links and "/linuxrc" not in links
    with open(os.path.join(folder, ".config")) as f:
        config = f.read().splitlines()
    with open(os.path.join(ROOT, "guest", "linux", "busybox.config")) as f:
        wanted = [l for l in f.read().splitlines() if l.startswith(("CONFIG_", "# CONFIG_"))]
    assert wanted and all(l in config for l in wanted), wanted
