# SPDX-License-Identifier: BSD-2-Clause
"""A short libFuzzer run of the host DTB -> guest DTB path
(tests/fuzz/fuzz_guest_dtb.c) inside make test; `make fuzz` runs longer.
The fuzzer aborts on any sanitizer report or broken result, so a clean
exit after many inputs is the pass."""
import glob
import os
import re
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FUZZ = os.path.join(ROOT, os.environ.get("O", "build"), "fuzz")
SECONDS = int(os.environ.get("FUZZ_TEST_SECONDS", "30"))


def test_guest_dtb_rewrite_survives_fuzzing():
    binary = os.path.join(FUZZ, "fuzz_guest_dtb")
    assert os.path.exists(binary), f"{binary} missing: make fuzz-build"
    seeds = glob.glob(os.path.join(FUZZ, "seeds", "*.dtb"))
    assert len(seeds) >= 8, "no seed DTBs: make fuzz-build"
    os.makedirs(os.path.join(FUZZ, "corpus"), exist_ok=True)
    r = subprocess.run([binary, f"-max_total_time={SECONDS}", "-max_len=65536",
                        "-print_final_stats=1", "corpus", "seeds"],
                       cwd=FUZZ, capture_output=True, text=True, timeout=SECONDS + 120)
    tail = "\n".join(r.stderr.splitlines()[-40:])
    assert r.returncode == 0, tail
    runs = re.search(r"^Done (\d+) runs in", r.stderr, re.M)
    assert runs and int(runs.group(1)) >= 1000, tail
