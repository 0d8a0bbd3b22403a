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

# hvlog: the log lines hartvisor holds back during its boot, not written
# to the console yet (hv/log.c): stopped in the boot, the log is there.
python
class HvLog(gdb.Command):
    """Print the log lines hartvisor holds back (hv/log.c held[])."""

    def __init__(self):
        super().__init__("hvlog", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        start = int(gdb.parse_and_eval("held_out"))
        end = int(gdb.parse_and_eval("held_len"))
        addr = int(gdb.parse_and_eval("(unsigned long)&held"))
        if end > start:
            data = gdb.selected_inferior().read_memory(addr + start, end - start)
            gdb.write(data.tobytes().decode(errors="replace"))


HvLog()
end
