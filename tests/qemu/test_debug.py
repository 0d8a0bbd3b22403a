# SPDX-License-Identifier: BSD-2-Clause
"""make debug: QEMU waits for GDB, and the printed command really attaches."""
import os
import re

from conftest import BUILD, ROOT, drive_with_gdb, free_port


def gdb_session(commands):
    """Start make debug, check the command it prints, and run
    gdb-multiarch with @commands against it. Returns (GDB's output,
    QEMU's serial log)."""
    port = free_port()

    def read_hint(qemu):
        hint = ""
        for _ in range(5):
            hint += qemu.stdout.readline()
            if "gdb-multiarch" in hint:
                break
        cmd = re.search(r"^\s*(gdb-multiarch .*)$", hint, re.M)
        assert cmd, hint
        assert f"target remote 127.0.0.1:{port}" in cmd.group(1)

    _, out, log = drive_with_gdb(
        ["make", "-s", "--no-print-directory", "debug", "SMP=2",
         f"O={os.path.relpath(BUILD, ROOT)}", f"GDB_PORT={port}"],
        port, commands, before=read_hint)
    return out, log


def test_make_debug_attaches_gdb():
    # The printed command, in batch mode: stop at the boot hart's C entry
    # and read its hart ID argument.
    out, _ = gdb_session(["-ex", "break hv_boot_main", "-ex", "continue",
                                "-ex", "print/x $a0", "-ex", "info symbol $pc",
                                "-ex", "kill"])
    assert re.search(r"Breakpoint \d+, hv_boot_main", out), out
    assert re.search(r"^\$1 = 0x[01]$", out, re.M), out
    assert re.search(r"^hv_boot_main( \+ \d+)? in section \.text", out, re.M), out


def test_hypervisor_fault_panics_cleanly():
    """A trap in HS-mode (here: a jump to address 0, forced through GDB)
    prints the reason, registers and trap CSRs, and powers the machine off:
    QEMU exits by itself."""
    out, log = gdb_session(["-ex", "break hv_boot_main", "-ex", "continue",
                                  "-ex", "set $pc = 0", "-ex", "continue"])
    assert re.search(r"Breakpoint \d+, hv_boot_main", out), out
    assert re.search(r"^\[h\d+\] error: unexpected trap in HS-mode: instruction access fault "
                     r"\(scause 0x1\) at 0x0, stval 0x0$", log, re.M), log
    assert re.search(r"^\[h\d+\] error: PANIC: hypervisor invariant broken; stopping every hart$",
                     log, re.M), log
    assert re.search(r"error: scause  0000000000000001  sepc    0000000000000000", log), log
    assert re.search(r"error: zero 0{16}  ra   [0-9a-f]{16}  sp   [0-9a-f]{16}", log), log
    assert "QEMU still running" not in log
