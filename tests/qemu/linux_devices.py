# SPDX-License-Identifier: BSD-2-Clause
"""Helpers for tests that boot the Linux guest with its devices: a
virtio-blk disk made by tools/mkdisk, a virtio-net card on QEMU's user
network with the guest's TCP echo server (port 7) forwarded to a host
port, and the host-side checks (debugfs, e2fsck, an echo round trip).

The guest's init prints, when it finds them:

    init: /dev/vda mounted on /mnt (ext4)
    init: eth0 10.0.2.15 up
    init: echo server on tcp port 7

and "init: no /dev/vda, no disk" / "init: no eth0, no network" when not.
"""
import os
import socket
import subprocess
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MKDISK = os.path.join(ROOT, "tools", "mkdisk")


def disk_image(path, bench=False):
    """Make a fresh ext4 image at @path (32 MiB with hello.txt and
    README.txt; @bench: 96 MiB with a 64 MiB big.bin too); return @path."""
    cmd = [MKDISK, *(["--bench"] if bench else []), path]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{' '.join(cmd)}:\n{r.stdout}{r.stderr}"
    return path


def qemu_device_args(disk, port):
    """QEMU arguments for the disk image @disk (virtio-blk, /dev/vda) and a
    virtio-net card whose TCP port 7 is 127.0.0.1:@port on the host (the
    same as `make run GUEST=linux DISK=... NET_PORT=...`)."""
    return ["-drive", f"file={disk},if=none,format=raw,id=hd0",
            "-device", "virtio-blk-device,drive=hd0",
            "-netdev", f"user,id=net0,hostfwd=tcp:127.0.0.1:{port}-:7",
            "-device", "virtio-net-device,netdev=net0"]


def debugfs_cat(img, path):
    """The contents of @path inside the image @img (as text), read with
    debugfs; FileNotFoundError when debugfs cannot read it. Power the guest
    off first: its init unmounts the disk, so nothing waits in a journal."""
    r = subprocess.run(["debugfs", "-R", f"cat {path}", img], capture_output=True,
                       text=True, errors="replace", timeout=60)
    # stderr holds the version banner, and the error when there is one.
    errors = [l for l in r.stderr.splitlines() if l and not l.startswith("debugfs ")]
    if r.returncode != 0 or errors:
        raise FileNotFoundError(f"debugfs: {path} in {img}: " + "\n".join(errors))
    return r.stdout


def e2fsck_clean(img):
    """True when `e2fsck -fn` finds nothing wrong in @img (read-only check,
    every pass forced); otherwise an AssertionError carrying its report."""
    r = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True,
                       errors="replace", timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"e2fsck -fn {img}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return True


def _send_all(sock, data):
    try:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the reader sees the connection end too


def _roundtrip_once(port, data, deadline):
    with socket.create_connection(("127.0.0.1", port),
                                  timeout=max(0.1, deadline - time.monotonic())) as sock:
        # Send from a thread: a large @data would otherwise fill both
        # directions' buffers while nothing reads the echo.
        sender = threading.Thread(target=_send_all, args=(sock, data), daemon=True)
        sender.start()
        got = bytearray()
        while True:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        sender.join(timeout=1)
        return bytes(got)


def echo_roundtrip(port, data, timeout=30):
    """Send @data (bytes) to the guest's echo server through 127.0.0.1:@port
    and return every byte it sends back before closing. Retries until
    @timeout s: QEMU accepts on the host port at once, and closes again
    while nothing in the guest listens yet. Raises TimeoutError."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            got = _roundtrip_once(port, data, deadline)
            if got or not data:
                return got
            last = "the connection closed with no echo (guest not listening yet?)"
        except OSError as e:  # refused, reset, timed out
            last = repr(e)
        time.sleep(0.2)
    raise TimeoutError(f"no echo on 127.0.0.1:{port} in {timeout} s: {last}")
