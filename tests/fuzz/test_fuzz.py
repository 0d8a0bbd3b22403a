# SPDX-License-Identifier: BSD-2-Clause
"""A short libFuzzer run of each target of tests/fuzz inside make test (30 s
each, FUZZ_TEST_SECONDS); `make fuzz` runs longer. A target aborts on any
sanitizer report or broken invariant, so a clean exit after many inputs is
the pass. Each target's regression inputs, tests/fuzz/regress/TARGET/ (the
crashes found so far), run first, once each."""
import glob
import os
import re
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FUZZ = os.path.join(ROOT, os.environ.get("O", "build"), "fuzz")
REGRESS = os.path.join(ROOT, "tests", "fuzz", "regress")
SECONDS = int(os.environ.get("FUZZ_TEST_SECONDS", "30"))

# Target: (-max_len, the fewest seeds fuzz-build makes), as the Makefile's
# FUZZ_MAX_LEN_* and seed rules say.
TARGETS = {
    "guest_dtb": (65536, 8),
    "vsbi": (4096, 4),
    "mmio": (4096, 4),
    "vplic": (4096, 3),
    "vaplic": (4096, 2),
}


def tail(r):
    return "\n".join(r.stderr.splitlines()[-40:])


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz(target):
    max_len, min_seeds = TARGETS[target]
    binary = os.path.join(FUZZ, f"fuzz_{target}")
    assert os.path.exists(binary), f"{binary} missing: make fuzz-build"
    seeds = glob.glob(os.path.join(FUZZ, f"seeds-{target}", "*"))
    assert len(seeds) >= min_seeds, f"no seeds for {target}: make fuzz-build"

    regress = sorted(glob.glob(os.path.join(REGRESS, target, "*")))
    if regress:
        r = subprocess.run([binary, "-timeout=10"] + regress, cwd=FUZZ,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, tail(r)

    corpus = f"corpus-{target}"
    os.makedirs(os.path.join(FUZZ, corpus), exist_ok=True)
    r = subprocess.run([binary, f"-max_total_time={SECONDS}",
                        f"-max_len={max_len}", "-timeout=10",
                        "-print_final_stats=1", f"-artifact_prefix={target}-",
                        corpus, f"seeds-{target}"],
                       cwd=FUZZ, capture_output=True, text=True,
                       timeout=SECONDS + 120)
    assert r.returncode == 0, tail(r)
    runs = re.search(r"^Done (\d+) runs in", r.stderr, re.M)
    assert runs and int(runs.group(1)) >= 1000, tail(r)
