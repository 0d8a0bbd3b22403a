# SPDX-License-Identifier: BSD-2-Clause
#
# hartvisor: a type-1 RISC-V hypervisor for QEMU virt on OpenSBI.
#
#   make                 build $(O)/hartvisor.elf and $(O)/hartvisor.bin
#   make run SMP=4       boot it under QEMU
#   make debug           same, QEMU waits for GDB
#   make test            unit and QEMU tests
#   make check           clang-format and cppcheck
#   make bench           micro-benchmarks (null SBI call, IPI, hart_start)
#   make dtb SMP=4       dump and decompile QEMU's own device tree
#   make guest-dtb SMP=4 the guest DTB hartvisor derives from it
#
# Knobs: CROSS_COMPILE O V=1 DEBUG=1 SMP MEM CPU HV_MAX_HARTS VSTIMECMP QEMU_EXTRA
#        GDB_PORT TEST_JOBS

CROSS_COMPILE ?= riscv64-unknown-elf-
O ?= build
V ?= 0
DEBUG ?= 0
SMP ?= 4
MEM ?= 1G
CPU ?= rv64
HV_MAX_HARTS ?= 64
VSTIMECMP ?= auto
QEMU_EXTRA ?=
GDB_PORT ?= 1234
TEST_JOBS ?= 2

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
HOSTCC ?= gcc
PYTHON := /usr/bin/python3

LINUX_TARBALL := /usr/src/linux-source-6.1.tar.xz
LIBFDT_DIR ?= $(O)/libfdt
LIBFDT_SRCS := fdt.c fdt_ro.c fdt_rw.c fdt_wip.c fdt_sw.c fdt_strerror.c \
	fdt_addresses.c fdt_empty_tree.c
PICOLIBC := /usr/lib/picolibc/riscv64-unknown-elf
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# ---------------------------------------------------------------- hypervisor

HV_SRCS := $(wildcard hv/*.c)
ARCH_SRCS := $(wildcard arch/riscv/*.c arch/riscv/*.S)
OBJS := $(patsubst %,$(O)/obj/%.o,$(basename $(HV_SRCS) $(ARCH_SRCS)))
LIBFDT_OBJS := $(patsubst %.c,$(O)/obj/libfdt/%.o,$(LIBFDT_SRCS))

VSTIMECMP_off := 0
VSTIMECMP_on := 1
VSTIMECMP_auto := 2
ifeq ($(VSTIMECMP_$(VSTIMECMP)),)
$(error VSTIMECMP=$(VSTIMECMP): use on, off or auto)
endif

TARGET_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla
COMMON_CFLAGS := $(TARGET_FLAGS) -std=gnu11 -g -ffreestanding -fno-common \
	-fno-stack-protector -fno-pic -ffunction-sections -fdata-sections \
	-isystem $(PICOLIBC)/include -I$(LIBFDT_DIR) -Ihv/include \
	-Iarch/riscv/include -DHV_MAX_HARTS=$(HV_MAX_HARTS) -MMD -MP \
	-DHV_VSTIMECMP=$(VSTIMECMP_$(VSTIMECMP))

ifeq ($(DEBUG),1)
COMMON_CFLAGS += -Og -DHV_DEBUG
else
COMMON_CFLAGS += -O2
endif
HV_CFLAGS := $(COMMON_CFLAGS) $(WARNINGS) -DHV_VERSION='"$(VERSION)"'
LIBFDT_CFLAGS := $(COMMON_CFLAGS) -w
LDFLAGS := $(TARGET_FLAGS) -nostdlib -static -Wl,--gc-sections \
	-Wl,-T,arch/riscv/linker.ld -Wl,--no-warn-rwx-segments
# The rv64imac/lp64 multilibs of picolibc and libgcc, named explicitly.
LIBGCC := $(shell $(CC) -march=rv64imac -mabi=lp64 -print-libgcc-file-name 2>/dev/null)
LIBS := $(PICOLIBC)/lib/rv64imac/lp64/libc.a $(LIBGCC)

.PHONY: all setup run debug test unit guests bench check format dtb guest-dtb clean
all: $(O)/hartvisor.elf $(O)/hartvisor.bin

# Installs missing Debian packages; silent when all are there.
setup:
	$(Q)tools/setup.sh

$(LIBFDT_DIR)/.extracted: | setup
	@echo "  EXTRACT libfdt from $(LINUX_TARBALL)"
	$(Q)mkdir -p $(LIBFDT_DIR)
	$(Q)tar -xJf $(LINUX_TARBALL) -C $(LIBFDT_DIR) --strip-components=4 \
		linux-source-6.1/scripts/dtc/libfdt
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

$(O)/hartvisor.elf: $(OBJS) $(LIBFDT_OBJS) arch/riscv/linker.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LIBFDT_OBJS) $(LIBS)

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
	-Iguest/tests/lib -Ihv/include -Iarch/riscv/include $(WARNINGS) \
	-Wno-missing-prototypes
GUEST_LDFLAGS := -nostdlib -static -Wl,-T,guest/tests/lib/guest.ld -Wl,--no-warn-rwx-segments

$(O)/guest/%.elf: guest/tests/%.c $(GUEST_LIB) guest/tests/lib/guest.h \
		guest/tests/lib/guest.ld | setup
	@echo "  GUEST   $@"
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB) \
		$(LIBS)
$(O)/guest/%.bin: $(O)/guest/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

.PRECIOUS: $(O)/guest/%.elf
guests: $(patsubst %,$(O)/guest/%.bin,$(GUEST_TESTS))

# ---------------------------------------------------------------- QEMU

QEMU_ENV := SMP=$(SMP) MEM=$(MEM) CPU=$(CPU) HV=$(O)/hartvisor.elf
ifneq ($(GUEST),)
ifneq ($(filter $(GUEST),$(GUEST_TESTS)),)
GUEST_IMAGE := $(O)/guest/$(GUEST).bin
GUEST_ARGS := -device guest-loader,kernel=$(GUEST_IMAGE),addr=$(GUEST_ADDR)
else
$(error GUEST=$(GUEST): no such guest (test guests: $(GUEST_TESTS)))
endif
endif

run: all $(GUEST_IMAGE)
	$(Q)$(QEMU_ENV) tools/qemu-run $(GUEST_ARGS) $(QEMU_EXTRA)

debug: all $(GUEST_IMAGE)
	@echo "QEMU waits for GDB on localhost:$(GDB_PORT). In another terminal:"
	@echo "  gdb-multiarch $(O)/hartvisor.elf -ex 'target remote localhost:$(GDB_PORT)'"
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
HOST_TOOL_SRCS := tools/guest-dtb.c hv/platform.c hv/platform_devices.c \
	hv/platform_check.c hv/isa.c hv/errorf.c hv/guest_dtb.c \
	hv/guest_dtb_devices.c hv/vm_plan.c \
	hv/crc32.c
$(O)/tools/guest-dtb: $(HOST_TOOL_SRCS) $(wildcard hv/include/*.h) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Wno-missing-prototypes \
		-Ihv/include -o $@ $(HOST_TOOL_SRCS) -lfdt

# The hypervisor's image, for the tool: _start-_hv_end from the ELF.
HV_RANGE = $(shell $(CROSS_COMPILE)nm $(O)/hartvisor.elf | \
	awk '/ _start$$/{s=$$1} / _hv_end$$/{e=$$1} END{print s "-" e}')
GUEST_DTB_GUEST := $(if $(GUEST),$(GUEST),sbi_base)

# make guest-dtb SMP=N [GUEST=name]: QEMU's DTB for the same machine and
# guest images `make run` uses, rewritten as hartvisor would.
guest-dtb: all $(O)/tools/guest-dtb $(O)/guest/$(GUEST_DTB_GUEST).bin
	$(Q)$(QEMU_ENV) tools/qemu-run --dumpdtb $(O)/qemu-virt-smp$(SMP).dtb \
		-device guest-loader,kernel=$(O)/guest/$(GUEST_DTB_GUEST).bin,addr=$(GUEST_ADDR) \
		$(QEMU_EXTRA) 2>/dev/null
	$(Q)$(O)/tools/guest-dtb --hv $(HV_RANGE) \
		--sstc $(if $(filter on,$(VSTIMECMP)),on,off) \
		$(O)/qemu-virt-smp$(SMP).dtb $(O)/guest-smp$(SMP).dtb
	$(Q)dtc -q -I dtb -O dts -o $(O)/guest-smp$(SMP).dts $(O)/guest-smp$(SMP).dtb
	@echo "host DTB:  $(O)/qemu-virt-smp$(SMP).dtb (QEMU's, before OpenSBI's fix-ups)"
	@echo "guest DTB: $(O)/guest-smp$(SMP).dtb, decompiled: $(O)/guest-smp$(SMP).dts"

# ---------------------------------------------------------------- tests

FIX := $(O)/fixtures
FIXTURES := $(FIX)/virt-smp1.dtb $(FIX)/virt-smp2.dtb $(FIX)/virt-smp4.dtb \
	$(FIX)/virt-smp8.dtb $(FIX)/virt-smp4-nosstc.dtb \
	$(FIX)/virt-smp4-noh.dtb $(FIX)/virt-smp2-modules.dtb \
	$(patsubst dts/test/%.dts,$(FIX)/%.dtb,$(wildcard dts/test/*.dts))

$(FIX)/virt-smp%.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)SMP=$* tools/qemu-run --dumpdtb $@
$(FIX)/virt-smp4-nosstc.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)SMP=4 CPU=rv64,sstc=off tools/qemu-run --dumpdtb $@
$(FIX)/virt-smp4-noh.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)SMP=4 CPU=rv64,h=false tools/qemu-run --dumpdtb $@
$(FIX)/virt-smp2-modules.dtb: | setup
	@mkdir -p $(dir $@)
	$(Q)head -c 100000 /dev/zero > $(FIX)/kernel.img
	$(Q)head -c 5000 /dev/zero > $(FIX)/initrd.img
	$(Q)SMP=2 tools/qemu-run --dumpdtb $@ \
		-device guest-loader,kernel=$(FIX)/kernel.img,addr=0x80400000,bootargs="console=hvc0 quiet" \
		-device guest-loader,initrd=$(FIX)/initrd.img,addr=0x88000000
$(FIX)/%.dtb: dts/test/%.dts | setup
	@mkdir -p $(dir $@)
	$(Q)dtc -q -I dts -O dtb -o $@ $<

UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer $(WARNINGS) \
	-Ihv/include -Itests/unit
UNIT_PLATFORM_SRCS := hv/platform.c hv/platform_devices.c hv/platform_check.c \
	hv/platform_summary.c hv/isa.c hv/errorf.c
UNIT_BINS := $(O)/unit/test_platform $(O)/unit/test_platform_max4 \
	$(O)/unit/test_guest_dtb $(O)/unit/test_printf

$(O)/unit/test_platform: tests/unit/test_platform.c $(UNIT_PLATFORM_SRCS) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $^ -lfdt -lcmocka
$(O)/unit/test_platform_max4: tests/unit/test_platform_max4.c $(UNIT_PLATFORM_SRCS) | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -DHV_MAX_HARTS=4 -o $@ $^ -lfdt -lcmocka
$(O)/unit/test_guest_dtb: tests/unit/test_guest_dtb.c hv/guest_dtb.c \
		hv/guest_dtb_devices.c hv/isa.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $^ -lfdt -lcmocka
$(O)/unit/test_printf: tests/unit/test_printf.c hv/printf.c | setup
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -fno-builtin -Dvsnprintf=hv_vsnprintf \
		-Dsnprintf=hv_snprintf -o $@ $^ -lcmocka

unit: $(UNIT_BINS) $(FIXTURES)

test: all unit guests $(O)/tools/guest-dtb
	$(Q)O=$(O) TEST_JOBS=$(TEST_JOBS) $(PYTHON) tools/run-tests $(UNIT_BINS)

# Micro-benchmarks (bench guest): see tools/bench. RUNS=N repetitions.
bench: all $(O)/guest/bench.bin
	$(Q)O=$(O) $(PYTHON) tools/bench

# ---------------------------------------------------------------- style

STYLE_SRCS := $(wildcard hv/*.c hv/include/*.h arch/riscv/*.c tools/*.c \
	arch/riscv/include/arch/*.h tests/unit/*.c tests/unit/*.h \
	guest/tests/*.c guest/tests/lib/*.c guest/tests/lib/*.h)

check: | setup
	$(Q)clang-format --dry-run --Werror $(STYLE_SRCS)
	$(Q)cppcheck --quiet --error-exitcode=1 --std=c11 \
		--enable=warning,portability,performance \
		--suppress=missingIncludeSystem --inline-suppr \
		-Ihv/include -Iarch/riscv/include -D__riscv_xlen=64 \
		-DHV_MAX_HARTS=$(HV_MAX_HARTS) hv arch/riscv
	@echo "check: clang-format and cppcheck clean"

format: | setup
	$(Q)clang-format -i $(STYLE_SRCS)

clean:
	$(Q)rm -rf $(O)
