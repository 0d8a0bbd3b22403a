# SPDX-License-Identifier: BSD-2-Clause
"""make debug: QEMU waits for GDB, and the printed command really attaches."""
import os
import re
import signal
import subprocess

from conftest import BUILD, ROOT

GDB_PORT = 23000 + os.getpid() % 1000


def test_make_debug_attaches_gdb():
    qemu = subprocess.Popen(
        ["make", "-s", "--no-print-directory", "debug", "SMP=2",
         f"O={os.path.relpath(BUILD, ROOT)}", f"GDB_PORT={GDB_PORT}"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True, text=True)
    try:
        hint = ""
        for _ in range(5):
            hint += qemu.stdout.readline()
            if "gdb-multiarch" in hint:
                break
        cmd = re.search(r"^\s*(gdb-multiarch .*)$", hint, re.M)
        assert cmd, hint
        assert f"target remote localhost:{GDB_PORT}" in cmd.group(1)
        # The printed command, in batch mode: stop at the boot hart's C
        # entry and read its hart ID argument.
        gdb = subprocess.run(
            ["gdb-multiarch", "-batch", "-nx",
             os.path.join(BUILD, "hartvisor.elf"),
             "-ex", f"target remote localhost:{GDB_PORT}",
             "-ex", "break hv_boot_main", "-ex", "continue",
             "-ex", "print/x $a0", "-ex", "info symbol $pc",
             "-ex", "kill"],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
        out = gdb.stdout + gdb.stderr
        assert "Breakpoint 1, hv_boot_main" in out, out
        assert "= 0x0" in out, out
        assert re.search(r"^hv_boot_main( \+ \d+)? in section \.text", out, re.M), out
    finally:
        os.killpg(qemu.pid, signal.SIGKILL)
        qemu.wait()
