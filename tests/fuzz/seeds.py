#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Seed inputs for the libFuzzer targets of tests/fuzz that read a list of
events (all but guest_dtb), a few small files each, spelled out so a
reader sees what each one does. The encodings are the targets' own: the
byte order of their setup() and pick_*() functions (fuzz_below(n) reads one
byte when n <= 256, else two; everything little-endian).

usage: tests/fuzz/seeds.py TARGET DIR
"""
import os
import struct
import sys


class Input:
    """Bytes in the order a target's fuzz_*() calls read them."""

    def __init__(self):
        self.b = bytearray()

    def u8(self, v):
        self.b += bytes([v & 0xff])
        return self

    def u16(self, v):
        self.b += struct.pack("<H", v & 0xffff)
        return self

    def u32(self, v):
        self.b += struct.pack("<I", v & 0xffffffff)
        return self

    def u64(self, v):
        self.b += struct.pack("<Q", v & 0xffffffffffffffff)
        return self

    def below(self, n, v):
        assert 0 <= v < n
        return self.u8(v) if n <= 256 else self.u16(v)

    def raw(self, data):
        self.b += data
        return self


# ---- vsbi (fuzz_vsbi.c) ----

# pick_eid(): the index into its table of EIDs.
EID = {n: i for i, n in enumerate(
    "BASE TIME IPI RFENCE HSM SRST DBCN HARTVISOR SUSP FWFT set_timer "
    "putchar getchar clear_ipi send_ipi fence_i sfence_vma sfence_vma_asid "
    "shutdown PMU".split())}


def sbi_vm(vcpus, console=b"", absent=0, late=0, lost=0):
    """setup(): @vcpus vCPUs (1-8), one idle hart, FWFT both features."""
    i = Input().u8(vcpus - 1).u8(absent).u8(late).u8(lost).u8(1).u8(0x5a)
    i.u8(0x11)                      # fwft: both features, none fails
    i.u8(0).u32(0x070200)           # mvendorid, marchid = mimpid
    return i.u8(len(console)).raw(console)


# pick_arg() selectors: (selector byte, following bytes).
def zero():
    return [(0, b"")]


def small(v):
    return [(1, bytes([v]))]


def vcpu(v):
    return [(2, bytes([v]))]


def all_ones():
    return [(6, b"")]


def ram0(off):
    return [(4, struct.pack("<H", off + 32))]


def ram1(off):
    return [(5, struct.pack("<H", off + 32))]


def size(v):
    return [(9, struct.pack("<H", v))]


def u64(v):
    return [(7, struct.pack("<Q", v))]


def mask_word(k):
    """A pointer to word k of RAM range 1, which holds k % 16."""
    return [(11, struct.pack("<H", k))]


def suspend_type(non_retentive):
    """Selector 10; 142 is 10 too (mod 12), with bit 7: 0x80000000."""
    return [(142 if non_retentive else 10, b"\0")]


def call(i, eid, fid, *args, caller=0):
    """An SBI call from the @caller-th running vCPU: op, then pick_*()."""
    i.u8(3).u8(caller).u8(EID[eid]).u8(fid)
    args = list(args) + [zero()] * (6 - len(args))
    for a in args:
        for sel, extra in a:
            i.u8(sel).raw(extra)
    return i


def mail(i, v):
    return i.u8(16 * v)


def interrupt(i, v):
    return i.u8(16 * v + 2)


def vsbi_seeds():
    s = {}
    i = sbi_vm(4)
    call(i, "BASE", 0)
    call(i, "BASE", 3, u64(0x48534D))                  # probe HSM
    call(i, "HSM", 0, vcpu(1), ram0(0x2000), small(7))  # start vCPU 1
    call(i, "HSM", 2, vcpu(1))                          # START_PENDING
    mail(i, 1)
    call(i, "HSM", 2, vcpu(1))                          # STARTED
    call(i, "IPI", 0, zero(), all_ones())               # base -1: all
    call(i, "RFENCE", 1, small(3), zero(), ram0(0x3000), size(0x2000))
    call(i, "RFENCE", 2, vcpu(1), vcpu(1), zero(), zero(), small(5))
    call(i, "HSM", 1, caller=1)                         # vCPU 1 stops
    s["hsm-ipi-rfence"] = i

    i = sbi_vm(2, console=b"typed\n")
    call(i, "DBCN", 0, size(5), ram0(0x5000))
    call(i, "DBCN", 1, size(16), ram0(0x6000))          # reads "typed\n"
    call(i, "DBCN", 2, small(0x41))
    call(i, "DBCN", 0, size(16), ram0(0x10))            # firmware: refused
    call(i, "putchar", 0, small(0x42))
    call(i, "getchar", 0)
    s["dbcn-console"] = i

    i = sbi_vm(3)
    call(i, "HSM", 0, vcpu(2), ram1(0x100))
    mail(i, 2)
    call(i, "send_ipi", 0, mask_word(6))                # mask 6: 1 and 2
    call(i, "clear_ipi", 0)
    call(i, "fence_i", 0, zero())
    call(i, "sfence_vma", 0, mask_word(5), ram0(0x1000), size(0x1800))
    call(i, "sfence_vma_asid", 0, zero(), ram0(0), size(64), small(9))
    call(i, "send_ipi", 0, u64(0xffffffff80000000))     # faults
    s["legacy"] = i

    i = sbi_vm(2)
    call(i, "HSM", 3, suspend_type(False))              # retentive
    interrupt(i, 0)
    call(i, "HSM", 3, suspend_type(True), ram0(0x2000), small(1))
    interrupt(i, 0)
    call(i, "TIME", 0, u64(123456))
    call(i, "set_timer", 0, u64(99))
    call(i, "HARTVISOR", 0, small(1))
    s["suspend-timer"] = i

    i = sbi_vm(2, late=2)                               # vCPU 1 is late
    call(i, "HSM", 0, vcpu(1), ram0(0x2000))
    call(i, "SRST", 0, small(1), zero())                # cold reboot
    mail(i, 0)
    call(i, "FWFT", 0, small(0), small(1), small(1))    # set and lock
    call(i, "FWFT", 1, small(0))
    call(i, "FWFT", 0, small(0), small(0), zero())      # locked
    call(i, "SUSP", 0, zero(), ram0(0x2000))
    s["srst-fwft-susp"] = i

    i = sbi_vm(1)
    call(i, "SRST", 0, zero(), small(1))                # shutdown, failure
    s["shutdown"] = i

    # PMU: event_idx (type << 16 | code) and flags as u64 arguments. This
    # VM's vCPU 0 (fv_pmu_setup() from 0x5a and 0x11) has hardware
    # counters 0x3fffd and firmware counters 18-41.
    fw = lambda code: u64(0xf << 16 | code)
    i = sbi_vm(2)
    call(i, "PMU", 0)                                   # num_counters
    call(i, "PMU", 1, small(3))                         # get_info
    call(i, "PMU", 2, small(18), u64(0xff), u64(6), fw(5))  # SET_TIMER
    call(i, "TIME", 0, u64(1000))
    call(i, "PMU", 5, small(18))                        # fw_read: 1
    call(i, "PMU", 2, zero(), u64(0x3fffd), u64(0x64), small(1))  # cycles
    call(i, "PMU", 3, small(3), small(1), small(1), u64(5))
    call(i, "PMU", 4, zero(), u64(0x3fffd), small(1))   # stop, RESET
    call(i, "PMU", 8, ram1(0x400), zero(), small(4))    # event_get_info
    call(i, "PMU", 7, ram1(0x1000))                     # no snapshot
    call(i, "HSM", 1)                                   # stop: all reset
    s["pmu"] = i
    return s


# ---- mmio (fuzz_mmio.c) ----

def mmio_case(insn, store, htinst_sel=0, device=0x12345678, fetch_ok=True):
    """One case: a fault in the window, htinst selector (0: fetch)."""
    flags = (0x80 if store else 0) | (0x01 if fetch_ok else 0)
    i = Input().u8(flags).u32(insn).u16(0xbeef).u8(htinst_sel)
    i.u8(0).u32(0x100)                 # htval: the window + 0x100
    return i.u32(device).u64(0x0123456789abcdef).u16(0x80)


def mmio_seeds():
    lw = 0x0045a503                    # lw a0, 4(a1)
    sw = 0x00a5a023                    # sw a0, 0(a1)
    ld = 0x0005b503                    # ld a0, 0(a1)
    c_lw = 0x4188                      # c.lw a0, 0(a1)
    c_sw = 0xc188                      # c.sw a0, 0(a1)
    return {
        "lw-sw": Input().raw(mmio_case(lw, False).b + mmio_case(sw, True).b),
        "compressed": Input().raw(mmio_case(c_lw, False).b +
                                  mmio_case(c_sw, True).b),
        "htinst": Input().raw(mmio_case(lw, False, htinst_sel=2).b +
                              mmio_case(ld, False, htinst_sel=1).b),
        "refused": Input().raw(mmio_case(sw, False).b +
                               mmio_case(lw, False, fetch_ok=False).b),
    }


# ---- vplic (fuzz_vplic.c) ----

def vplic_vm(vcpus, ndev, owned):
    i = Input().u8(vcpus - 1).u8(0).below(1100, ndev - 1)
    i.u8(len(owned))
    for src in owned:
        i.below(ndev + 3, src)
    return i


def plic_access(i, op, vcpu, sel, extra, value=None):
    i.u8(op).u8(vcpu).u8(sel).raw(extra).u8(0)        # width 4
    if value is not None:
        i.u8(1).u32(value)
    return i


def plic_read(i, vcpu, sel, extra):
    return plic_access(i, 0, vcpu, sel, extra)


def plic_write(i, vcpu, sel, extra, value):
    return plic_access(i, 6, vcpu, sel, extra, value)


def vplic_seeds():
    s = {}
    i = vplic_vm(2, 31, [1, 5, 10])
    plic_write(i, 0, 0, bytes([10]), 3)                # priority 10 = 3
    plic_write(i, 0, 2, bytes([1, 0]), 1 << 10)        # ctx 1 enables 10
    plic_write(i, 0, 3, bytes([1]), 1)                 # threshold 1
    i.u8(12 | 0x80).u8(9)                               # line 10 up
    i.u8(14).u8(0)                                      # vCPU 0's hart
    plic_read(i, 0, 1, bytes([0]))                     # pending
    plic_read(i, 0, 4, bytes([1]))                     # claim: 10
    i.u8(12).u8(9)                                      # line 10 down
    plic_write(i, 0, 4, bytes([1]), 10)                # complete
    s["claim-complete"] = i

    i = vplic_vm(4, 95, [3, 33, 95])
    plic_write(i, 1, 2, bytes([5, 1]), ~0)              # ctx 5, word 1
    plic_write(i, 1, 2, bytes([7, 2]), ~0)              # ctx 7, word 2
    plic_write(i, 2, 0, bytes([33]), 7)
    i.u8(12 | 0x80).u8(32).u8(14).u8(2)
    plic_write(i, 2, 2, bytes([5, 1]), 0)               # moved while held
    plic_read(i, 3, 4, bytes([7]))
    i.u8(0x1e).u8(1).u8(20).u8(1)                       # a stuck stray
    i.u8(0xff)                                          # reset
    s["route-reset"] = i

    i = vplic_vm(1, 1023, [1023])
    plic_read(i, 0, 5, struct.pack("<I", 0x200008))    # reserved word
    plic_read(i, 0, 8, bytes([0]) + struct.pack("<H", 1))  # misaligned
    s["edges"] = i
    return s


# ---- vaplic (fuzz_vaplic.c) ----

def vaplic_vm(vcpus, phys, owned, absent=0):
    i = Input().u8(vcpus - 1).u8(absent).u32(0x9e3779b9)
    i.below(1100, phys - 1).u16(8)                      # hart index 8 + v
    i.u8(len(owned))
    for src in owned:
        i.below(phys + 3, src)
    return i


def aplic_access(i, op, vcpu, sel, extra, value=None):
    i.u8(op).u8(vcpu).u8(sel).raw(extra).u8(0)
    if value is not None:
        i.u8(0).u32(value)
    return i


def vaplic_seeds():
    s = {}
    i = vaplic_vm(4, 96, [10, 1, 2, 8])
    aplic_access(i, 3, 0, 0, b"", 0x100)                  # domaincfg.IE
    aplic_access(i, 3, 0, 1, bytes([10]), 6)              # sourcecfg 10
    aplic_access(i, 3, 0, 5, bytes([10]), 2 << 18 | 33)   # to vCPU 2
    aplic_access(i, 3, 1, 3, b"", 10)                     # setipnum (12 * 0)
    aplic_access(i, 3, 1, 3 + 12 * 4, b"", 10)            # setipnum_le
    aplic_access(i, 3, 1, 4, b"", 1 << 18 | 7)            # genmsi
    aplic_access(i, 0, 2, 5, bytes([10]))                 # target 10
    aplic_access(i, 0, 2, 2, bytes([0]))                  # setip word 0
    s["msi-setup"] = i

    i = vaplic_vm(2, 1023, [1023, 31, 32], absent=2)
    aplic_access(i, 3, 0, 5, struct.pack("<H", 31), 1 << 18 | 5)  # absent
    aplic_access(i, 3, 0, 5, struct.pack("<H", 32), 1 << 12 | 5)  # guest 1
    aplic_access(i, 3, 0, 6, b"", 1)                      # msiaddrcfg
    aplic_access(i, 0, 0, 7, struct.pack("<H", 0x18))     # an IDC
    i.u8(7).u16(31).u8(0xff)                              # pending, reset
    s["refused"] = i
    return s


SEEDS = {"vsbi": vsbi_seeds, "mmio": mmio_seeds, "vplic": vplic_seeds,
         "vaplic": vaplic_seeds}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in SEEDS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(SEEDS)}}} DIR")
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, data in SEEDS[sys.argv[1]]().items():
        with open(os.path.join(sys.argv[2], name), "wb") as f:
            f.write(bytes(data.b))


if __name__ == "__main__":
    main()
