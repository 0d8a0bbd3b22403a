# SPDX-License-Identifier: BSD-2-Clause
#
# hartvisor: a type-1 RISC-V hypervisor for QEMU virt on OpenSBI.
#
#   make                 build $(O)/hartvisor.elf and $(O)/hartvisor.bin
#   make run SMP=4       boot it under QEMU
#   make debug           same, QEMU waits for GDB
#   make test            unit and QEMU tests
#   make check           clang-format and cppcheck
#   make bench           every guest natively and under hartvisor, 11 rounds (tools/bench)
#   make soak-boot N=100 Linux booted N times natively and under hartvisor, counted (tools/soak-boot)
#   make busy-qemu       a neighbour for tests on a busy machine: Linux SMP 4 stress natively, until Ctrl-C
#   make dtb SMP=4       dump and decompile QEMU's own device tree
#   make guest-dtb SMP=4 the guest DTB hartvisor derives from it
#   make fuzz            each libFuzzer target of tests/fuzz for FUZZ_SECONDS
#
# Knobs: CROSS_COMPILE O V=1 DEBUG=1 SMP MEM CPU HV_MAX_HARTS VSTIMECMP WAITS
#        QEMU_EXTRA GDB_PORT TEST_JOBS QEMU (the emulator; another one than
#        QEMU 10 from bookworm-backports: setup installs no QEMU or OpenSBI)
#        BIOS (firmware: default, QEMU's own OpenSBI) IRQCHIP (aia: -M
#        virt,aia=aplic-imsic,aia-guests=1, guest interrupt files and the
#        vAPLIC, the default; plic: the vPLIC, and the default for the PLIC
#        test guest irq) WAITS (sleep: the guest's wfi and wrs.nto exit and
#        sleep, giving the host CPU away, the default; spin: they stay in
#        the guest, as natively)
# GUEST=linux: DISK (raw image for virtio-blk; default $(O)/linux/disk.img,
#        made once by tools/mkdisk), NET_PORT (5555: 127.0.0.1 port forwarded
#        to the guest's TCP echo server on port 7)
# GUEST=debian: DEBIAN_KERNEL (trixie or sid), DEBIAN_BOOT (direct, or
#        u-boot: Debian's U-Boot and the system's extlinux.conf), DISK (default
#        $(O)/debian/disk.img, a copy of the cached system), NET_PORT (the
#        127.0.0.1 port forwarded to the guest's port 22)

# Only the rules below: no built-in chains (they would try to remake .d files).
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

CROSS_COMPILE ?= riscv64-unknown-elf-
O ?= build
V ?= 0
DEBUG ?= 0
SMP ?= 4
# 2G: the least RAM with a whole GiB of guest RAM below hartvisor (it keeps
# the top of RAM), so the G-stage maps 0x80000000-0xc0000000 (the kernel,
# its first allocations) with one 1 GiB leaf; at 1G every walk is 2 MiB.
MEM ?= 2G
CPU ?= rv64
HV_MAX_HARTS ?= 64
VSTIMECMP ?= auto
WAITS ?= sleep
IRQCHIP ?= $(if $(filter irq,$(GUEST)),plic,aia)
ifeq ($(filter aia plic,$(IRQCHIP)),)
$(error IRQCHIP=$(IRQCHIP): aia or plic)
endif
QEMU_EXTRA ?=
GDB_PORT ?= 1234
TEST_JOBS ?= 2
QEMU ?= qemu-system-riscv64
BIOS ?= default

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
HOSTCC ?= gcc
PYTHON := /usr/bin/python3

LINUX_TARBALL := /usr/src/linux-source-6.12.tar.xz
LIBFDT_DIR ?= $(O)/libfdt
LIBFDT_SRCS := fdt.c fdt_ro.c fdt_rw.c fdt_wip.c fdt_sw.c fdt_strerror.c \
	fdt_addresses.c fdt_empty_tree.c
PICOLIBC := /usr/lib/picolibc/riscv64-unknown-elf
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# ---------------------------------------------------------------- hypervisor

HV_SRCS := $(wildcard hv/*.c)
# The guest DTB rewrite: the walk, its writer, reading the host tree, the
# /cpus scan, devices and memory (listed for the host builds below).
GUEST_DTB_SRCS := hv/guest_dtb.c hv/guest_dtb_write.c hv/guest_dtb_read.c \
	hv/guest_dtb_cpus.c hv/guest_dtb_devices.c
ARCH_SRCS := $(wildcard arch/riscv/*.c arch/riscv/*.S)
# Every VM config is built in; `-append config=NAME` picks one at boot.
CONFIG_SRCS := $(sort $(wildcard configs/*.c))
CONFIG_NAMES := $(basename $(notdir $(CONFIG_SRCS)))
CONFIG_TABLE := $(O)/gen/vm_configs.c
OBJS := $(patsubst %,$(O)/obj/%.o,$(basename $(HV_SRCS) $(ARCH_SRCS) \
	$(CONFIG_SRCS))) $(O)/obj/gen/vm_configs.o
LIBFDT_OBJS := $(patsubst %.c,$(O)/obj/libfdt/%.o,$(LIBFDT_SRCS))

VSTIMECMP_off := 0
VSTIMECMP_on := 1
VSTIMECMP_auto := 2
ifeq ($(VSTIMECMP_$(VSTIMECMP)),)
$(error VSTIMECMP=$(VSTIMECMP): use on, off or auto)
endif

WAITS_spin := 0
WAITS_sleep := 1
ifeq ($(WAITS_$(WAITS)),)
$(error WAITS=$(WAITS): use sleep or spin)
endif

TARGET_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla
COMMON_CFLAGS := $(TARGET_FLAGS) -std=gnu11 -g -ffreestanding -fno-common \
	-fno-stack-protector -fno-pic -ffunction-sections -fdata-sections \
	-isystem $(PICOLIBC)/include -I$(LIBFDT_DIR) -Ihv/include \
	-Iarch/riscv/include -DHV_MAX_HARTS=$(HV_MAX_HARTS) -MMD -MP \
	-DHV_VSTIMECMP=$(VSTIMECMP_$(VSTIMECMP)) -DHV_WAIT_EXITS=$(WAITS_$(WAITS))

ifeq ($(DEBUG),1)
COMMON_CFLAGS += -Og -DHV_DEBUG
else
COMMON_CFLAGS += -O2
endif
HV_CFLAGS := $(COMMON_CFLAGS) $(WARNINGS) -DHV_VERSION='"$(VERSION)"'
# For the isa test only: a build whose CSR set-up withholds these ISA needs
# (e.g. ISA_NEED_CBO_ZERO) while the guest's device tree still names the
# extensions that need them. The isa guest must fail on it.
ifneq ($(ISA_WITHHOLD),)
HV_CFLAGS += -DHV_ISA_WITHHOLD='($(ISA_WITHHOLD))'
endif
LIBFDT_CFLAGS := $(COMMON_CFLAGS) -w
# Loaded at HV_LINK_BASE by QEMU, then moved by the boot hart to the top of
# RAM: linked position-independent
# (a static PIE, with Debian's riscv64-linux-gnu-ld: the bare-metal ld has
# no -pie), its .rela.dyn applied by head.S.
HV_LD := riscv64-linux-gnu-ld
LDFLAGS := -static -pie --no-dynamic-linker -z notext --gc-sections \
	-T $(O)/hartvisor.ld \
	--no-warn-rwx-segments
# The rv64imac/lp64 multilibs of picolibc and libgcc, named explicitly.
LIBGCC = $(shell $(CC) -march=rv64imac -mabi=lp64 -print-libgcc-file-name 2>/dev/null)
LIBS = $(PICOLIBC)/lib/rv64imac/lp64/libc.a $(LIBGCC)

.PHONY: all setup run debug test unit guests bench check format dtb guest-dtb \
	fuzz fuzz-build clean
all: $(O)/hartvisor.elf $(O)/hartvisor.bin

# Installs missing Debian packages; silent when all are there.
setup:
	$(Q)QEMU=$(QEMU) tools/setup.sh

$(LIBFDT_DIR)/.extracted: | setup
	@echo "  EXTRACT libfdt from $(LINUX_TARBALL)"
	$(Q)mkdir -p $(LIBFDT_DIR)
	$(Q)tar -xJf $(LINUX_TARBALL) -C $(LIBFDT_DIR) --strip-components=4 \
		linux-source-6.12/scripts/dtc/libfdt
	$(Q)touch $@

$(LIBFDT_DIR)/%.c: $(LIBFDT_DIR)/.extracted ;
.PRECIOUS: $(LIBFDT_DIR)/%.c

$(O)/obj/libfdt/%.o: $(LIBFDT_DIR)/%.c | $(LIBFDT_DIR)/.extracted
	@echo "  CC      $@"
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LIBFDT_CFLAGS) -c $< -o $@

$(O)/obj/%.o: %.c | $(LIBFDT_DIR)/.extracted
	@echo "  CC      $<"
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(O)/obj/%.o: %.S | $(LIBFDT_DIR)/.extracted
	@echo "  AS      $<"
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HV_CFLAGS) -D__ASSEMBLER__ -c $< -o $@

# The version string lives in main.o: rebuild it when HEAD moves.
$(O)/obj/hv/main.o: $(wildcard .git/HEAD .git/index)

# The table of configs: configs/NAME.c defines vm_config_NAME.
$(CONFIG_TABLE): $(CONFIG_SRCS) Makefile
	@mkdir -p $(dir $@)
	$(Q){ echo '/* Generated by the Makefile from the files in configs/. */'; \
	  echo '#include "vm_config.h"'; \
	  for c in $(CONFIG_NAMES); do \
	    echo "extern const struct vm_config vm_config_$$c;"; done; \
	  echo 'const struct vm_config *const vm_configs[] = {'; \
	  for c in $(CONFIG_NAMES); do echo "	&vm_config_$$c,"; done; \
	  echo '};'; \
	  echo 'const unsigned int nr_vm_configs = $(words $(CONFIG_NAMES));'; \
	} > $@
$(O)/obj/gen/vm_configs.o: $(CONFIG_TABLE)
	@echo "  CC      $<"
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(O)/hartvisor.ld: arch/riscv/hartvisor.lds arch/riscv/include/arch/layout.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -E -P -x c -Iarch/riscv/include -o $@ $<

$(O)/hartvisor.elf: $(OBJS) $(LIBFDT_OBJS) $(O)/hartvisor.ld
	@echo "  LD      $@"
	$(Q)$(HV_LD) $(LDFLAGS) -o $@ $(OBJS) $(LIBFDT_OBJS) $(LIBS)

$(O)/hartvisor.bin: $(O)/hartvisor.elf
	@echo "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O binary $< $@

-include $(OBJS:.o=.d)

# ---------------------------------------------------------------- guests

# Bare-metal test guests: guest/tests/NAME.c -> $(O)/guest/NAME.bin, run
# from 0x81000000 with `make run GUEST=NAME`.
GUEST_TESTS := $(basename $(notdir $(wildcard guest/tests/*.c)))
GUEST_ADDR := 0x81000000
GUEST_LIB := guest/tests/lib/start.S guest/tests/lib/guest.c hv/printf.c \
	arch/riscv/sbi_call.c
GUEST_CFLAGS := $(TARGET_FLAGS) -std=gnu11 -O2 -g -ffreestanding \
	-fno-common -fno-stack-protector -fno-pic -isystem $(PICOLIBC)/include \
	-Iguest/tests/lib -Ihv/include -Iarch/riscv/include -I$(LIBFDT_DIR) \
	$(WARNINGS) -Wno-missing-prototypes
# Every header a guest may include (one gcc command builds each guest from
# several sources, so -MMD cannot name them).
GUEST_HEADERS := $(wildcard guest/tests/lib/*.h hv/include/*.h \
	arch/riscv/include/*.h arch/riscv/include/arch/*.h)
GUEST_LDFLAGS := -nostdlib -static -Wl,-T,guest/tests/lib/guest.ld -Wl,--no-warn-rwx-segments

# What a guest links besides the runtime: the dtb guest walks its tree
# with libfdt (the hypervisor's objects: same flags), hv/isa.c and hv/isa_ext.c.
GUEST_EXTRA_dtb := hv/isa.c hv/isa_ext.c $(LIBFDT_OBJS)
GUEST_EXTRA_isa := $(LIBFDT_OBJS)
GUEST_EXTRA_fwft := $(LIBFDT_OBJS)
GUEST_EXTRA_ipistorm := $(LIBFDT_OBJS)
GUEST_EXTRA_partition := $(LIBFDT_OBJS)
GUEST_EXTRA_rtlat := $(LIBFDT_OBJS)
GUEST_EXTRA_chan := $(LIBFDT_OBJS)

.SECONDEXPANSION:
$(O)/guest/%.elf: guest/tests/%.c $(GUEST_LIB) $(GUEST_HEADERS) \
		guest/tests/lib/guest.ld $$(GUEST_EXTRA_$$*) | setup
	@echo "  GUEST   $@"
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB) \
		$(GUEST_EXTRA_$*) $(LIBS)
$(O)/guest/%.bin: $(O)/guest/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@
# The same guests for the VMs whose RAM starts at 0x90000000 (the
# configs "pair", "chan") and 0xa0000000 ("chan"): $(O)/guest/hi/NAME.bin
# runs from 0x91000000, $(O)/guest/hi2/NAME.bin from 0xa1000000.
define guest_at
$(O)/guest/$(1)/%.elf: guest/tests/%.c $(GUEST_LIB) $$(GUEST_HEADERS) \
		guest/tests/lib/guest.ld $$$$(GUEST_EXTRA_$$$$*) | setup
	@echo "  GUEST   $$@"
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$(GUEST_CFLAGS) $$(GUEST_LDFLAGS) -Wl,-Ttext=$(2) \
		-o $$@ $$< $$(GUEST_LIB) $$(GUEST_EXTRA_$$*) $$(LIBS)
endef
GUEST_HI_ADDR := 0x91000000
GUEST_HI2_ADDR := 0xa1000000
$(eval $(call guest_at,hi,$(GUEST_HI_ADDR)))
$(eval $(call guest_at,hi2,$(GUEST_HI2_ADDR)))

.PRECIOUS: $(O)/guest/%.elf $(O)/guest/hi/%.elf $(O)/guest/hi2/%.elf
guests: $(patsubst %,$(O)/guest/%.bin,$(GUEST_TESTS)) $(O)/guest/hi/partition.bin $(O)/guest/hi/dtb.bin \
	$(O)/guest/hi/rtlat.bin $(O)/guest/hi/chan.bin $(O)/guest/hi2/chan.bin

# ---------------------------------------------------------------- Linux guest

# guest/linux (config fragment, init program) on Debian's linux-source-6.12,
# built by tools/build-linux and cached by a hash of its inputs in
# LINUX_CACHE; $(O)/linux/Image is a copy. LINUX_IMAGE=/path/Image boots
# your own kernel instead.
LINUX_CACHE ?= $(HOME)/.cache/hartvisor
OUR_LINUX := $(O)/linux/Image
LINUX_IMAGE ?= $(OUR_LINUX)
LINUX_ADDR := 0x80200000
INITRD ?=
INITRD_ADDR := 0x88000000
BOOTARGS ?=
comma := ,

# Always asked: the script is quick when the cached Image is current.
$(OUR_LINUX): FORCE | setup
	$(Q)LINUX_CACHE=$(LINUX_CACHE) tools/build-linux $@
.PHONY: FORCE linux
FORCE:
linux: $(OUR_LINUX)

# The Linux guest's virtio-blk disk (/dev/vda, mounted on /mnt): made once
# by tools/mkdisk (32 MiB ext4 with hello.txt; delete it for a fresh one),
# or DISK=your.img. Its virtio-net card is on QEMU's user network, with
# 127.0.0.1:NET_PORT forwarded to the guest's echo server (TCP port 7).
OUR_DISK := $(O)/linux/disk.img
DISK ?= $(if $(filter debian,$(GUEST)),$(O)/debian/disk.img,$(OUR_DISK))
NET_PORT ?= 5555
$(OUR_DISK) $(O)/linux/disk-right.img: | setup
	$(Q)tools/mkdisk $@

# ---------------------------------------------------------------- Debian guest

# Debian 13 with systemd on a virtio-blk disk, Debian's own kernels (trixie's
# and sid's) and initramfs: built by tools/build-debian from Debian's
# packages, cached in LINUX_CACHE by a hash of its inputs. $(O)/debian has
# links to the cached, pristine system (pristine.img, trixie/ and sid/ with
# vmlinux and initrd.img) and disk.img, make run's own copy (delete it for
# a fresh one). DEBIAN_KERNEL picks the kernel.
DEBIAN_DIR := $(O)/debian
DEBIAN_KERNEL ?= trixie
ifeq ($(filter trixie sid,$(DEBIAN_KERNEL)),)
$(error DEBIAN_KERNEL=$(DEBIAN_KERNEL): trixie or sid)
endif
# DEBIAN_BOOT=u-boot boots Debian's S-mode U-Boot for QEMU instead, which
# boots the system as boards do: the extlinux.conf in /boot (its menu's
# first entry is the newest kernel, sid's; DEBIAN_KERNEL does not apply).
DEBIAN_BOOT ?= direct
ifeq ($(filter direct u-boot,$(DEBIAN_BOOT)),)
$(error DEBIAN_BOOT=$(DEBIAN_BOOT): direct or u-boot)
endif
DEBIAN_BOOTARGS := root=/dev/vda1 ro console=ttyS0 earlycon=sbi
DEBIAN_BUILD := LINUX_CACHE=$(LINUX_CACHE) QEMU=$(QEMU) BIOS=$(BIOS) \
	tools/build-debian $(DEBIAN_DIR)
.PHONY: debian
debian: | setup
	$(Q)$(DEBIAN_BUILD)

# Both guest systems, side by side: what make test and make bench need. On
# a new machine Debian's build is the longer, and its VM keeps one core
# busy, mostly with one thread (dpkg): the kernel's build runs beside it at
# nice 19, on what that leaves.
.PHONY: linux-and-debian
linux-and-debian: | setup
	$(Q)$(DEBIAN_BUILD) & debian=$$!; \
	LINUX_CACHE=$(LINUX_CACHE) nice -n 19 tools/build-linux $(OUR_LINUX); linux=$$?; \
	wait $$debian; debian=$$?; [ $$linux = 0 ] && [ $$debian = 0 ]

# ---------------------------------------------------------------- QEMU

# GUEST=NAME runs in configs/NAME.c when there is one; CONFIG= overrides.
CONFIG ?= $(if $(filter debian,$(GUEST)),linux,$(if $(filter $(GUEST),$(CONFIG_NAMES)),$(GUEST)))
ifneq ($(CONFIG),)
ifeq ($(filter $(CONFIG),$(CONFIG_NAMES)),)
$(error CONFIG=$(CONFIG): no configs/$(CONFIG).c (configs: $(CONFIG_NAMES)))
endif
endif
QEMU_ENV := SMP=$(SMP) MEM=$(MEM) CPU=$(CPU) HV=$(O)/hartvisor.elf \
	CONFIG=$(CONFIG) QEMU=$(QEMU) BIOS=$(BIOS) IRQCHIP=$(IRQCHIP)
ifeq ($(GUEST),linux)
ifneq ($(LINUX_IMAGE),$(OUR_LINUX))
ifeq ($(wildcard $(LINUX_IMAGE)),)
$(error LINUX_IMAGE=$(LINUX_IMAGE): no such file)
endif
endif
# Linux: the kernel (ours, or LINUX_IMAGE=) at the start of guest RAM, 2 MiB
# aligned as RISC-V Linux wants; bootargs from BOOTARGS= or configs/linux.c.
GUEST_IMAGE := $(LINUX_IMAGE)
GUEST_ARGS := -device 'guest-loader,kernel=$(LINUX_IMAGE),addr=$(LINUX_ADDR)$(if $(BOOTARGS),$(comma)bootargs=$(BOOTARGS))'
ifneq ($(INITRD),)
GUEST_ARGS += -device 'guest-loader,initrd=$(INITRD),addr=$(INITRD_ADDR)'
endif
ifneq ($(DISK),$(OUR_DISK))
ifeq ($(wildcard $(DISK)),)
$(error DISK=$(DISK): no such file (tools/mkdisk $(DISK) makes one))
endif
endif
GUEST_DISK := $(DISK)
GUEST_ARGS += -drive file=$(DISK),if=none,format=raw,id=hd0 \
	-device virtio-blk-device,drive=hd0 \
	-netdev user,id=net0,hostfwd=tcp:127.0.0.1:$(NET_PORT)-:7 \
	-device virtio-net-device,netdev=net0
else ifeq ($(GUEST),debian)
# Debian: its kernel and initramfs where GUEST=linux puts them, its disk
# (a copy: the cached image stays as built) and network as for Linux, with
# 127.0.0.1:NET_PORT forwarded to the guest's port 22 (no server there
# unless you install one).
GUEST_IMAGE := debian
ifeq ($(DEBIAN_BOOT),u-boot)
GUEST_ARGS := -device guest-loader,kernel=$(DEBIAN_DIR)/u-boot/u-boot.bin,addr=$(LINUX_ADDR)
else
GUEST_ARGS := -device 'guest-loader,kernel=$(DEBIAN_DIR)/$(DEBIAN_KERNEL)/vmlinux,addr=$(LINUX_ADDR),bootargs=$(or $(BOOTARGS),$(DEBIAN_BOOTARGS))' \
	-device guest-loader,initrd=$(DEBIAN_DIR)/$(DEBIAN_KERNEL)/initrd.img,addr=$(INITRD_ADDR)
endif
GUEST_ARGS += -drive file=$(DISK),if=none,format=raw,id=hd0 \
	-device virtio-blk-device,drive=hd0 \
	-netdev user,id=net0,hostfwd=tcp:127.0.0.1:$(NET_PORT)-:22 \
	-device virtio-net-device,netdev=net0
else ifeq ($(GUEST)-$(CONFIG),-pair)
# The config of two VMs: the partition test guest in each, left's at
# 0x81000000 and right's at 0x90000000 + 16 MiB; each VM's bootargs are
# in configs/pair.c.
GUEST_IMAGE := $(O)/guest/partition.bin $(O)/guest/hi/partition.bin
GUEST_ARGS := -device guest-loader,kernel=$(O)/guest/partition.bin,addr=$(GUEST_ADDR) \
	-device guest-loader,kernel=$(O)/guest/hi/partition.bin,addr=$(GUEST_HI_ADDR)
else ifneq ($(filter -chan -chan_trusted,$(GUEST)-$(CONFIG)),)
# A channel between ping and pong, and other that is no peer
# (configs/chan.h): the channel test guest in each VM.
GUEST_IMAGE := $(O)/guest/chan.bin $(O)/guest/hi/chan.bin \
	$(O)/guest/hi2/chan.bin
GUEST_ARGS := -device guest-loader,kernel=$(O)/guest/chan.bin,addr=$(GUEST_ADDR) \
	-device guest-loader,kernel=$(O)/guest/hi/chan.bin,addr=$(GUEST_HI_ADDR) \
	-device guest-loader,kernel=$(O)/guest/hi2/chan.bin,addr=$(GUEST_HI2_ADDR)
else ifneq ($(filter -linux_rt -linux_rt_trusted,$(GUEST)-$(CONFIG)),)
# Linux on harts 0-2 (to its shell on ttyS0) beside the chan test guest
# on hart 3, which answers Linux's "vmchan ping" over the channel 'rt'
# until Linux powers off (configs/linux_rt.h). INITRD= as with GUEST=linux.
GUEST_IMAGE := $(LINUX_IMAGE) $(O)/guest/hi/chan.bin
GUEST_ARGS := -device guest-loader,kernel=$(LINUX_IMAGE),addr=$(LINUX_ADDR) \
	-device guest-loader,kernel=$(O)/guest/hi/chan.bin,addr=$(GUEST_HI_ADDR) \
	$(if $(INITRD),-device 'guest-loader$(comma)initrd=$(INITRD)$(comma)addr=$(INITRD_ADDR)')
else ifneq ($(filter -linux2 -linux2_trusted,$(GUEST)-$(CONFIG)),)
# Two Linux VMs (configs/linux2.h): left's shell on its ttyS0 with DISK
# and NET_PORT on virtio slots 0-1; right's kernel at 0x90200000, its
# shell on its own ttyS0 (lines marked [right]) with its own disk and
# network on slots 4-5. Input goes to left; Ctrl-] then "console right"
# moves it.
GUEST_IMAGE := $(LINUX_IMAGE)
GUEST_DISK := $(DISK) $(O)/linux/disk-right.img
GUEST_ARGS := -device guest-loader,kernel=$(LINUX_IMAGE),addr=$(LINUX_ADDR) \
	-device guest-loader,kernel=$(LINUX_IMAGE),addr=0x90200000 \
	-drive file=$(DISK),if=none,format=raw,id=hd0 \
	-device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0 \
	-netdev user,id=net0,hostfwd=tcp:127.0.0.1:$(NET_PORT)-:7 \
	-device virtio-net-device,netdev=net0,bus=virtio-mmio-bus.1 \
	-drive file=$(O)/linux/disk-right.img,if=none,format=raw,id=hd1 \
	-device virtio-blk-device,drive=hd1,bus=virtio-mmio-bus.4 \
	-netdev user,id=net1 -device virtio-net-device,netdev=net1,bus=virtio-mmio-bus.5
else ifneq ($(GUEST),)
ifneq ($(filter $(GUEST),$(GUEST_TESTS)),)
GUEST_IMAGE := $(O)/guest/$(GUEST).bin
GUEST_ARGS := -device guest-loader,kernel=$(GUEST_IMAGE),addr=$(GUEST_ADDR)$(if $(BOOTARGS),$(comma)bootargs=$(BOOTARGS))
else
$(error GUEST=$(GUEST): no such guest (linux, debian, or a test guest: $(GUEST_TESTS)))
endif
endif

run: all $(GUEST_IMAGE) $(GUEST_DISK)
	$(Q)$(QEMU_ENV) tools/qemu-run $(GUEST_ARGS) $(QEMU_EXTRA)

debug: all $(GUEST_IMAGE) $(GUEST_DISK)
	@echo "QEMU waits for GDB on 127.0.0.1:$(GDB_PORT). In another terminal:"
	@echo "  gdb-multiarch $(O)/hartvisor.elf -x tools/hartvisor.gdb -ex 'target remote 127.0.0.1:$(GDB_PORT)'"
	$(Q)$(QEMU_ENV) GDB_PORT=$(GDB_PORT) tools/qemu-run --gdb $(GUEST_ARGS) \
		$(QEMU_EXTRA)

dtb: | setup
	$(Q)mkdir -p $(O)
	$(Q)$(QEMU_ENV) tools/qemu-run --dumpdtb $(O)/qemu-virt-smp$(SMP).dtb \
		$(QEMU_EXTRA)
	$(Q)dtc -q -I dtb -O dts -o $(O)/qemu-virt-smp$(SMP).dts \
		$(O)/qemu-virt-smp$(SMP).dtb
	@echo "host device tree: $(O)/qemu-virt-smp$(SMP).dtb"
	@echo "decompiled:       $(O)/qemu-virt-smp$(SMP).dts"

# The guest DTB on the host: the hypervisor's own rewrite code, host libfdt.
HOST_TOOL_SRCS := tools/guest-dtb.c hv/platform.c hv/platform_scan.c hv/platform_devices.c \
	hv/platform_check.c hv/isa.c hv/isa_ext.c hv/errorf.c hv/dtb_check.c \
	$(GUEST_DTB_SRCS) hv/vm_plan.c hv/vm_plan_chan.c hv/vm_config.c hv/irqchip_plan.c \
	hv/crc32.c $(CONFIG_SRCS) $(CONFIG_TABLE)
$(O)/tools/guest-dtb: $(HOST_TOOL_SRCS) $(wildcard hv/include/*.h) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Wno-missing-prototypes \
		-Ihv/include -o $@ $(HOST_TOOL_SRCS) -lfdt

# The hypervisor's image, for the tool: _start-_hv_end from the ELF.
HV_RANGE = $(shell $(CROSS_COMPILE)nm $(O)/hartvisor.elf | \
	awk '/ _start$$/{s=$$1} / _hv_end$$/{e=$$1} END{print s "-" e}')
GUEST_DTB_IMAGES := $(if $(GUEST_IMAGE),$(filter-out debian,$(GUEST_IMAGE)),$(O)/guest/sbi_base.bin)
GUEST_DTB_LOADERS := $(if $(GUEST_IMAGE),$(GUEST_ARGS),-device guest-loader,kernel=$(O)/guest/sbi_base.bin,addr=$(GUEST_ADDR))

# make guest-dtb SMP=N [GUEST=name] [CONFIG=name]: QEMU's DTB for the same
# machine and guest images `make run` uses, rewritten as hartvisor would;
# with several VMs, one guest DTB each (guest-smpN-VM.dtb).
guest-dtb: all $(O)/tools/guest-dtb $(GUEST_DTB_IMAGES)
	$(Q)$(QEMU_ENV) tools/qemu-run --dumpdtb $(O)/qemu-virt-smp$(SMP).dtb \
		$(GUEST_DTB_LOADERS) $(QEMU_EXTRA) 2>/dev/null
	$(Q)rm -f $(O)/guest-smp$(SMP).dtb $(O)/guest-smp$(SMP)-*.dtb
	$(Q)$(O)/tools/guest-dtb --hv $(HV_RANGE) \
		--sstc $(if $(filter on,$(VSTIMECMP)),on,off) \
		$(O)/qemu-virt-smp$(SMP).dtb $(O)/guest-smp$(SMP).dtb
	@echo "host DTB:  $(O)/qemu-virt-smp$(SMP).dtb (QEMU's, before OpenSBI's fix-ups)"
	$(Q)for f in $(O)/guest-smp$(SMP).dtb $(O)/guest-smp$(SMP)-*.dtb; do \
	  [ -f $$f ] || continue; \
	  dtc -q -I dtb -O dts -o $${f%.dtb}.dts $$f || exit 1; \
	  echo "guest DTB: $$f, decompiled: $${f%.dtb}.dts"; done

# ---------------------------------------------------------------- tests

FIX := $(O)/fixtures
FIXTURES := $(FIX)/virt-smp1.dtb $(FIX)/virt-smp2.dtb $(FIX)/virt-smp4.dtb \
	$(FIX)/virt-smp8.dtb $(FIX)/virt-smp4-nosstc.dtb $(FIX)/virt-aia-smp4.dtb \
	$(FIX)/virt-aia-smp8.dtb \
	$(FIX)/virt-smp4-noh.dtb $(FIX)/virt-smp2-modules.dtb \
	$(patsubst dts/test/%.dts,$(FIX)/%.dtb,$(wildcard dts/test/*.dts))

# QEMU's trees: plain virt (the PLIC), and virt-aia (IMSICs, APLIC).
$(FIX)/virt-smp%.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)IRQCHIP=plic SMP=$* tools/qemu-run --dumpdtb $@
$(FIX)/virt-aia-smp%.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)IRQCHIP=aia SMP=$* tools/qemu-run --dumpdtb $@
$(FIX)/virt-smp4-nosstc.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)IRQCHIP=plic SMP=4 CPU=rv64,sstc=off tools/qemu-run --dumpdtb $@
$(FIX)/virt-smp4-noh.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)IRQCHIP=plic SMP=4 CPU=rv64,h=false tools/qemu-run --dumpdtb $@
$(FIX)/virt-smp2-modules.dtb: Makefile | setup
	@mkdir -p $(dir $@)
	$(Q)head -c 100000 /dev/zero > $(FIX)/kernel.img
	$(Q)head -c 5000 /dev/zero > $(FIX)/initrd.img
	$(Q)IRQCHIP=plic SMP=2 tools/qemu-run --dumpdtb $@ \
		-device guest-loader,kernel=$(FIX)/kernel.img,addr=0x80200000,bootargs="console=hvc0 quiet" \
		-device guest-loader,initrd=$(FIX)/initrd.img,addr=0x88000000
$(FIX)/%.dtb: dts/test/%.dts | setup
	@mkdir -p $(dir $@)
	$(Q)dtc -q -I dts -O dtb -o $@ $<

UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer $(WARNINGS) \
	-Ihv/include -Itests/unit
UNIT_PLATFORM_SRCS := hv/platform.c hv/platform_scan.c hv/platform_devices.c hv/platform_check.c \
	hv/platform_summary.c hv/isa.c hv/isa_ext.c hv/errorf.c hv/dtb_check.c
UNIT_BINS := $(O)/unit/test_platform $(O)/unit/test_platform_max4 \
	$(O)/unit/test_guest_dtb $(O)/unit/test_guest_dtb_input \
	$(O)/unit/test_vm_plan $(O)/unit/test_printf \
	$(O)/unit/test_mmio_decode $(O)/unit/test_vplic $(O)/unit/test_vaplic \
	$(O)/unit/test_string $(O)/unit/test_vuart

$(O)/unit/test_platform: tests/unit/test_platform.c $(UNIT_PLATFORM_SRCS) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $^ -lfdt -lcmocka
$(O)/unit/test_platform_max4: tests/unit/test_platform_max4.c $(UNIT_PLATFORM_SRCS) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -DHV_MAX_HARTS=4 -o $@ $^ -lfdt -lcmocka
$(O)/unit/test_guest_dtb $(O)/unit/test_guest_dtb_input: $(O)/unit/%: \
		tests/unit/%.c tests/unit/guest_dtb_test.h $(GUEST_DTB_SRCS) \
		hv/isa.c hv/isa_ext.c hv/dtb_check.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^) -lfdt -lcmocka
$(O)/unit/test_vm_plan: tests/unit/test_vm_plan.c $(UNIT_PLATFORM_SRCS) \
		hv/vm_plan.c hv/vm_plan_chan.c hv/vm_config.c $(GUEST_DTB_SRCS) hv/irqchip_plan.c \
		$(CONFIG_SRCS) $(CONFIG_TABLE) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $^ -lfdt -lcmocka
$(O)/unit/test_printf: tests/unit/test_printf.c hv/printf.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -fno-builtin -Dvsnprintf=hv_vsnprintf \
		-Dsnprintf=hv_snprintf -o $@ $^ -lcmocka
$(O)/unit/test_vuart: tests/unit/test_vuart.c hv/vuart.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $^ -lcmocka
$(O)/unit/test_mmio_decode: tests/unit/test_mmio_decode.c hv/mmio_decode.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $^ -lcmocka
$(O)/unit/test_string: tests/unit/test_string.c hv/string.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -fno-builtin -Dmemcpy=hv_memcpy \
		-Dmemmove=hv_memmove -Dmemset=hv_memset -c -o $@.o hv/string.c
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ tests/unit/test_string.c $@.o -lcmocka
$(O)/unit/test_vplic: tests/unit/test_vplic.c tests/unit/fakes.c hv/vplic.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -DHV_DEBUG -o $@ $^ -lcmocka

$(O)/unit/test_vaplic: tests/unit/test_vaplic.c tests/unit/fakes.c hv/vaplic.c \
		hv/irqchip_plan.c \
		$(UNIT_PLATFORM_SRCS) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -DHV_DEBUG -o $@ $^ -lfdt -lcmocka

unit: $(UNIT_BINS) $(FIXTURES)

# libFuzzer on what a host DTB or a guest feeds the hypervisor
# (tests/fuzz): its own code, built with clang, ASan and UBSan, one binary
# per target, $(O)/fuzz/fuzz_TARGET:
#
#   guest_dtb  the DTB rewrite, with the extracted libfdt; seeds: the
#              fixtures, packed, plus one asking for the small config
#   vsbi       vsbi_handle() and every extension (FUZZ_VSBI_SRCS), with
#              hv/vm.c, on the fake vCPUs and arch hooks of
#              tests/fuzz/fake_vsbi.c
#   mmio       the MMIO load/store decoder and the guest-page-fault path
#   vplic      the vPLIC register model, a fake PLIC behind it
#   vaplic     the vAPLIC register model, a fake APLIC domain behind it
#
# The other targets' seeds come from tests/fuzz/seeds.py. A crash, once
# fixed, goes in tests/fuzz/regress/TARGET/ and make test runs it.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := guest_dtb vsbi mmio vplic vaplic
FUZZ_HV_SRCS := hv/platform.c hv/platform_scan.c hv/platform_devices.c hv/platform_check.c \
	hv/isa.c hv/isa_ext.c hv/errorf.c hv/dtb_check.c $(GUEST_DTB_SRCS) \
	hv/vm_plan.c hv/vm_plan_chan.c hv/vm_config.c hv/irqchip_plan.c $(CONFIG_SRCS)
# The vSBI: the dispatcher and one file per extension. A new extension
# goes here; whatever new it calls (vcpu_*, arch_*) gets a fake in
# tests/fuzz/fake_vsbi.c.
FUZZ_VSBI_SRCS := hv/vsbi.c hv/vsbi_base.c hv/vsbi_dbcn.c \
	hv/vsbi_hartvisor.c hv/vsbi_hsm.c hv/vsbi_ipi.c hv/vsbi_legacy.c \
	hv/vsbi_rfence.c hv/vsbi_srst.c hv/vsbi_time.c hv/vsbi_susp.c \
	hv/vsbi_fwft.c hv/vsbi_pmu.c hv/vcpu_stats.c
FUZZ_COMMON := tests/fuzz/fuzz_common.c
FUZZ_SRCS_guest_dtb := tests/fuzz/fuzz_guest_dtb.c
FUZZ_SRCS_vsbi := tests/fuzz/fuzz_vsbi.c tests/fuzz/fuzz_vsbi_check.c \
	tests/fuzz/fuzz_vsbi_ext.c tests/fuzz/fuzz_vsbi_legacy.c \
	tests/fuzz/fuzz_vsbi_pmu.c \
	tests/fuzz/fake_vsbi.c $(FUZZ_COMMON) \
	$(FUZZ_VSBI_SRCS) hv/vm.c hv/vm_life.c hv/vm_console.c hv/vuart.c hv/sbi_error.c \
	hv/crc32.c
FUZZ_SRCS_mmio := tests/fuzz/fuzz_mmio.c $(FUZZ_COMMON) hv/mmio_decode.c \
	hv/vcpu_mmio.c
FUZZ_SRCS_vplic := tests/fuzz/fuzz_vplic.c $(FUZZ_COMMON) hv/vplic.c
FUZZ_SRCS_vaplic := tests/fuzz/fuzz_vaplic.c $(FUZZ_COMMON) hv/vaplic.c
# vm.c's guest DTB rebuild (an SRST reboot) goes to a fake, not the
# rewrite: the fuzzer's VM has no host DTB.
FUZZ_LDFLAGS_vsbi := -Wl,--wrap=vm_plan_guest_dtb
# Inputs up to 64 KiB for the DTB, 4 KiB (some hundred events) elsewhere.
FUZZ_MAX_LEN_guest_dtb := 65536
FUZZ_MAX_LEN_DEFAULT := 4096
FUZZ_RUNS := $(foreach t,$(FUZZ_TARGETS),\
	$(t):$(or $(FUZZ_MAX_LEN_$(t)),$(FUZZ_MAX_LEN_DEFAULT)))
# The DTB path's objects as an archive: each target links only those it
# uses.
FUZZ_LIB := $(O)/fuzz/libhv.a
FUZZ_LIB_OBJS := $(patsubst %.c,$(O)/fuzz/obj/%.o,$(FUZZ_HV_SRCS)) \
	$(O)/fuzz/obj/gen/vm_configs.o \
	$(patsubst %.c,$(O)/fuzz/obj/libfdt/%.o,$(LIBFDT_SRCS))
fuzz_objs = $(patsubst %.c,$(O)/fuzz/obj/%.o,$(FUZZ_SRCS_$(1)))
FUZZ_OBJS := $(FUZZ_LIB_OBJS) \
	$(sort $(foreach t,$(FUZZ_TARGETS),$(call fuzz_objs,$(t))))
FUZZ_BINS := $(patsubst %,$(O)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SEED_DONE := $(patsubst %,$(O)/fuzz/seeds-%/.done,$(FUZZ_TARGETS))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -Ihv/include -I$(LIBFDT_DIR) -MMD -MP

# The other targets' own code is mostly checks, loops of comparisons:
# traced for libFuzzer, they would take half the time and guide nothing
# (the hypervisor's code is traced).
FUZZ_HARNESS_OBJS := $(filter-out %/fuzz_guest_dtb.o,$(filter \
	$(O)/fuzz/obj/tests/fuzz/%,$(FUZZ_OBJS)))
$(FUZZ_HARNESS_OBJS): FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp

$(O)/fuzz/obj/libfdt/%.o: $(LIBFDT_DIR)/%.c | $(LIBFDT_DIR)/.extracted
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -w -c $< -o $@
$(O)/fuzz/obj/gen/%.o: $(O)/gen/%.c
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) $(WARNINGS) -c $< -o $@
$(O)/fuzz/obj/%.o: %.c | $(LIBFDT_DIR)/.extracted
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) $(WARNINGS) -Wno-missing-prototypes -c $< -o $@
$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
$(FUZZ_BINS): $(O)/fuzz/fuzz_%: $$(call fuzz_objs,$$*) $(FUZZ_LIB)
	@echo "  FUZZER  $@"
	$(Q)clang -fsanitize=fuzzer,address,undefined $(FUZZ_LDFLAGS_$*) \
		-o $@ $(filter %.o,$^) $(FUZZ_LIB)
$(O)/fuzz/seeds-guest_dtb/.done: $(FIXTURES)
	@mkdir -p $(dir $@)
	$(Q)for f in $(FIXTURES); do \
		dtc -q -I dtb -O dtb -o $(dir $@)$$(basename $$f) $$f; done
	$(Q)cp $(dir $@)virt-smp4.dtb $(dir $@)virt-smp4-small.dtb
	$(Q)fdtput -t s $(dir $@)virt-smp4-small.dtb /chosen bootargs config=small
	$(Q)touch $@
$(O)/fuzz/seeds-%/.done: tests/fuzz/seeds.py
	$(Q)rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(Q)$(PYTHON) tests/fuzz/seeds.py $* $(dir $@)
	$(Q)touch $@
-include $(FUZZ_OBJS:.o=.d)

fuzz-build: $(FUZZ_BINS) $(FUZZ_SEED_DONE)

# make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS=vsbi]: each target in turn
# for FUZZ_SECONDS, so 5 x FUZZ_SECONDS in all (50 minutes by default);
# one that crashes fails the run once the others ran too. Each corpus
# grows in $(O)/fuzz/corpus-TARGET, from its seeds and regression inputs;
# crashes land in $(O)/fuzz/ as TARGET-crash-*, an input taking 10 s is
# one too (a hang).
fuzz: fuzz-build
	$(Q)cd $(O)/fuzz; rc=0; for tl in $(FUZZ_RUNS); do \
		t=$${tl%:*}; len=$${tl#*:}; \
		echo "  FUZZ    $$t for $(FUZZ_SECONDS) s"; \
		mkdir -p corpus-$$t; \
		./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$len \
			-timeout=10 -print_final_stats=1 -artifact_prefix=$$t- \
			corpus-$$t seeds-$$t \
			$$(ls -d $(CURDIR)/tests/fuzz/regress/$$t 2>/dev/null) || \
			{ rc=1; echo "  FUZZ    $$t FAILED"; }; \
	done; exit $$rc

test: all unit guests $(O)/tools/guest-dtb fuzz-build linux-and-debian
	$(Q)O=$(O) TEST_JOBS=$(TEST_JOBS) QEMU=$(QEMU) BIOS=$(BIOS) \
		$(PYTHON) tools/run-tests $(UNIT_BINS)

# Native against hartvisor, interleaved: see tools/bench. BENCH="handover
# linux" runs only those sections (all by default). ROUNDS=N rounds
# (11); MEM for every run but memwalk's (MEMWALK_MEMS, 2G and 4G).
bench: all guests linux-and-debian
	$(Q)O=$(O) IRQCHIP=$(IRQCHIP) QEMU=$(QEMU) BIOS=$(BIOS) MEM=$(MEM) \
		LINUX_ADDR=$(LINUX_ADDR) $(PYTHON) tools/bench

# A benchmark, not a test: N Linux boots (100) each natively and under
# hartvisor, interleaved, at SMP; see tools/soak-boot. MEM is 1G, the
# tests', unless given (make's 2G default is make run's).
.PHONY: soak-boot
soak-boot: all $(OUR_LINUX)
	$(Q)O=$(O) N=$(or $(N),100) SMP=$(SMP) IRQCHIP=$(IRQCHIP) QEMU=$(QEMU) \
		BIOS=$(BIOS) MEM=$(if $(filter file,$(origin MEM)),1G,$(MEM)) \
		LINUX_ADDR=$(LINUX_ADDR) $(PYTHON) tools/soak-boot

# Not a test: one other QEMU (our Linux natively at SMP 4, its stress, over
# and over) to run tests and benchmarks beside; see tools/busy-qemu.
.PHONY: busy-qemu
busy-qemu: $(OUR_LINUX)
	$(Q)O=$(O) QEMU=$(QEMU) IRQCHIP=$(IRQCHIP) tools/busy-qemu

# ---------------------------------------------------------------- style

STYLE_SRCS := $(wildcard hv/*.c hv/include/*.h arch/riscv/*.c tools/*.c configs/*.[ch] \
	arch/riscv/include/arch/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c \
	guest/tests/*.c guest/tests/lib/*.c guest/tests/lib/*.h guest/linux/*.[ch])

check: | setup
	$(Q)clang-format --dry-run --Werror $(STYLE_SRCS)
	$(Q)cppcheck --quiet --error-exitcode=1 --std=c11 \
		--enable=warning,portability,performance \
		--suppress=missingIncludeSystem --inline-suppr \
		-Ihv/include -Iarch/riscv/include -D__riscv_xlen=64 \
		-DHV_MAX_HARTS=$(HV_MAX_HARTS) -DHV_WAIT_EXITS=1 hv arch/riscv configs
	@echo "check: clang-format and cppcheck clean"

format: | setup
	$(Q)clang-format -i $(STYLE_SRCS)

clean:
	$(Q)rm -rf $(O)
