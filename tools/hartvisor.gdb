# GDB for hartvisor: follow the image to where the boot hart moves it.
#
#   gdb-multiarch build/hartvisor.elf -x tools/hartvisor.gdb \
#       -ex 'target remote localhost:1234'
#
# QEMU loads hartvisor at its link address (0x8f000000); the boot hart
# copies it to the top of RAM and jumps there from hv_move_jump (head.S),
# with s2 = how far it moved. Here the symbols are loaded again at that
# offset: breakpoints set by name before it (break hv_boot_main) move with
# them. After the move, `info symbol $pc` names the moved code.
tbreak hv_move_jump
commands
silent
python
import gdb
delta = int(gdb.parse_and_eval("$s2")) & (2**64 - 1)
elf = gdb.current_progspace().filename
gdb.execute("symbol-file -o %#x %s" % (delta, elf), to_string=True)
print("hartvisor moved by %#x: symbols reloaded" % delta)
end
continue
end
