# SPDX-License-Identifier: BSD-2-Clause
"""Channels between VMs (configs/chan.h, guest/tests/chan.c): ping and
pong share the channel 'pp', other is no peer. The peers see the header
hartvisor keeps, may write only their own section, and ping-pong 2000
messages in order and intact over a reboot of ping, which pong sees in
ping's state word. A checked doorbell refuses every store that names no
other peer and costs one exit a ring; a trusted one (AIA) costs none.
Where ping has the channel, other gets access faults."""
import os
import re

import pytest

from conftest import BUILD, boot
from test_partition import check_clean

IMAGES = (("", "0x81000000"), ("hi", "0x91000000"), ("hi2", "0xa1000000"))


def loaders():
    out = []
    for sub, addr in IMAGES:
        img = os.path.join(BUILD, "guest", sub, "chan.bin")
        assert os.path.exists(img), f"{img} missing: make guests"
        out += ["-device", f"guest-loader,kernel={img},addr={addr}"]
    return out


def result(b, vm):
    m = b.lines(rf"^\[{vm}\] RESULT: (\d+) passed, (\d+) failed$")
    assert m, b.log
    return tuple(int(x) for x in m[-1].groups())


def round_trips(b, kind):
    """ping's reports: (round trips, MMIO exits per round trip), a boot each."""
    return [(int(m.group(1)), float(m.group(2))) for m in b.lines(
        rf"^\[ping\] chan: (\d+) round trips, {kind} doorbell: .* "
        r"\(MMIO (\d+\.\d+)\)$")]


def check_peers(b, kind, sent, refused):
    assert b.lines(rf"^\[h\d+\] \[ping\] channel 'pp': peer 0 of 2, 68 KiB at 0x8000000, "
                   rf"{re.escape(kind)} doorbell at 0x8011000, rung by source 64$"), b.log
    assert b.lines(rf"^\[h\d+\] \[pong\] channel 'pp': peer 1 of 2, 68 KiB at 0x9000000, "
                   rf"{re.escape(kind)} doorbell at 0x9011000, rung by source 70$"), b.log
    assert not b.lines(r"^\[h\d+\] \[other\] channel"), b.log
    # Two boots of ping, 1000 round trips each, every answer checked.
    assert result(b, "ping")[0] >= 19 and result(b, "ping")[1] == 0, b.log
    assert result(b, "pong")[0] >= 18 and result(b, "pong")[1] == 0, b.log
    assert result(b, "other") == (5, 0), b.log
    assert b.lines(r"^\[pong\] chan: peer 1 answered 2000 messages over 2 boots "
                   r"of peer 0 "), b.log
    # What hartvisor counted at the doorbells.
    assert b.lines(rf"^\[h\d+\] \[ping\] channel 'pp': peer 0, rings sent {sent[0]}, "
                   rf"refused {refused}$"), b.log
    assert b.lines(rf"^\[h\d+\] \[pong\] channel 'pp': peer 1, rings sent {sent[1]}, "
                   r"refused 0$"), b.log


@pytest.mark.parametrize("irqchip", ["aia", "plic"])
def test_checked_channel(irqchip):
    """ping's five bad doorbell stores a boot (its own number, 2, ~0, a
    byte, another offset) are refused, one warning said; each of ping's
    rings is exactly one MMIO exit on AIA (on the PLIC its claim and
    completion exit too)."""
    b = boot(4, config="chan", irqchip=irqchip, timeout=600, extra=loaders())
    check_clean(b, warnings=1)
    assert b.lines(r"^\[h\d+\] warning: \[ping\] channel 'pp': doorbell store of 0 "
                   r"names no other peer \(0-1, itself 0\): ignored$"), b.log
    check_peers(b, "checked", (2000, 2002), 10)
    trips = round_trips(b, "checked")
    assert [n for n, _ in trips] == [1000, 1000], b.log
    assert all(mmio == (1.0 if irqchip == "aia" else 4.0) for _, mmio in trips), b.log


def test_trusted_channel():
    """A ring is a store into the peer's interrupt file: hartvisor sees
    none (rings sent 0) and ping takes no MMIO exit at all."""
    b = boot(4, config="chan_trusted", irqchip="aia", timeout=600, extra=loaders())
    check_clean(b)
    check_peers(b, "trusted (no exit)", (0, 0), 0)
    assert round_trips(b, "trusted") == [(1000, 0.0), (1000, 0.0)], b.log


def test_trusted_channel_needs_aia():
    b = boot(4, config="chan_trusted", irqchip="plic", extra=loaders())
    assert b.returncode == 0, b.log
    errors = b.lines(r"^\[h\d+\] error: (.*)$")
    assert errors and errors[0].group(1).startswith(
        "config 'chan_trusted': VM 'ping': channel 'pp' rings with no exit "
        "(CHAN_DOORBELL_TRUSTED), which needs guest interrupt files"), b.log
    assert not b.lines(r"chan: "), b.log
