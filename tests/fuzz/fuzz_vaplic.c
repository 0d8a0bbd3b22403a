// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the vAPLIC (hv/vaplic.c). The input picks a VM (the
 * real domain's sources, vCPUs and their harts' IMSIC indexes, absent
 * vCPUs, the owned sources) and then a list of events: guest loads and
 * stores of any offset and width from any vCPU, devices (the VM's or
 * not) raising pending bits, and reset. A fake real APLIC domain stands
 * behind arch_aplic_*, with other owners' values in every register, and a
 * fake IMSIC behind arch_imsic_send. Checked, for every event:
 *
 * - what reached the real domain is exactly what a reference model of
 *   the guest's store says (one write or none), and never anything the
 *   header forbids: a source the VM does not own, a bit of one in a
 *   bitmap word, delegation, a reserved source mode, setipnum_le/be or
 *   genmsi of the real domain, an IDC, msiaddrcfg, a target naming a
 *   hart outside the VM or a guest file other than the VM's;
 * - an MSI from genmsi goes only to the file of a vCPU that exists;
 * - loads give what the model says: 0 for bad offsets and widths and for
 *   sources not owned, owned bits only from the bitmaps, the guest's own
 *   target and genmsi, domaincfg with its read-only bits;
 * - for every owned source the real target is the guest's, translated
 *   (its vCPU's hart index, guest file 1, same EIID); refused stores
 *   change nothing.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "vaplic.h"

const char *const fuzz_target = "vaplic";

#define BASE 0x0d000000UL
#define SIZE 0x8000UL
#define MAX_OWNED 12
#define MAX_LOG (2 * MAX_OWNED + 4)
#define FILE_BASE 0x28000000UL

static struct vaplic a, snap;
static uint32_t hart_index[HV_MAX_HARTS];
static paddr_t guest_file[HV_MAX_HARTS];

/* ---- The fake real domain and IMSICs. ---- */

struct hw_write {
	uint64_t off;
	uint32_t val;
};

static struct {
	uint32_t regs[SIZE / 4]; /* last written, or another owner's value */
	uint32_t pending[VAPLIC_WORDS], input[VAPLIC_WORDS];
	uint32_t enabled[VAPLIC_WORDS];
	struct hw_write log[MAX_LOG];
	unsigned int nr_log;
	paddr_t msi_file;
	uint32_t msi_eiid;
	unsigned int nr_msi;
} hw;

static bool owned(uint32_t src)
{
	return src >= 1 && src <= a.nsrc &&
	       (a.owned[src / 32] >> (src % 32) & 1);
}

static bool valid_vcpu(uint32_t v)
{
	return v < a.nr_vcpus && guest_file[v];
}

static uint32_t hw_target(uint32_t vcpu, uint32_t eiid)
{
	return hart_index[vcpu] << 18 | VAPLIC_GUEST_INDEX << 12 | eiid;
}

static void set_bits(uint32_t *map, uint32_t src, bool on)
{
	if (on)
		map[src / 32] |= 1U << (src % 32);
	else
		map[src / 32] &= ~(1U << (src % 32));
}

/* Is (@off, @val) something the vAPLIC may ever write to the real domain? */
static void check_hw_write(uint64_t off, uint32_t val)
{
	uint32_t src, w;

	fuzz_check(off % 4 == 0, "real write at 0x%lx", (unsigned long)off);
	if (off == APLIC_DOMAINCFG) {
		fuzz_check((val & ~APLIC_DOMAINCFG_IE) == APLIC_DOMAINCFG_DM,
			   "real domaincfg 0x%x", val);
	} else if (off >= APLIC_SOURCECFG && off < APLIC_SOURCECFG + 4 * 1023) {
		src = (off - APLIC_SOURCECFG) / 4 + 1;
		fuzz_check(owned(src) && val <= 7 && val != 2 && val != 3,
			   "real sourcecfg %u = 0x%x (owned %d)", src, val,
			   owned(src));
	} else if (off >= APLIC_TARGET && off < APLIC_TARGET + 4 * 1023) {
		bool ok = false;

		src = (off - APLIC_TARGET) / 4 + 1;
		for (uint32_t v = 0; v < a.nr_vcpus; v++)
			ok |= (valid_vcpu(v) || (!v && !(val & 0x7ff))) &&
			      (val & ~0x7ffU) == hw_target(v, 0);
		fuzz_check(owned(src) && ok,
			   "real target %u = 0x%x (owned %d): no vCPU's file",
			   src, val, owned(src));
	} else if (off >= APLIC_SETIP && off < APLIC_CLRIENUM + 4 &&
		   (off & 0xff) < 0x80) {
		w = (off & 0xff) / 4;
		fuzz_check(val && !(val & ~a.owned[w]),
			   "real bitmap word at 0x%lx = 0x%x, owned 0x%x",
			   (unsigned long)off, val, a.owned[w]);
	} else if (off == APLIC_SETIPNUM || off == APLIC_CLRIPNUM ||
		   off == APLIC_SETIENUM || off == APLIC_CLRIENUM) {
		fuzz_check(owned(val), "real %lx = source %u, not owned",
			   (unsigned long)off, val);
	} else {
		fuzz_fail(
			"real write 0x%x at 0x%lx: no register the VM may write",
			val, (unsigned long)off);
	}
}

void arch_aplic_write(uint64_t off, uint32_t val)
{
	check_hw_write(off, val);
	fuzz_check(hw.nr_log < MAX_LOG, "more than %d real writes", MAX_LOG);
	hw.log[hw.nr_log++] = (struct hw_write){ off, val };
	hw.regs[off / 4] = val;
	if (off == APLIC_SETIPNUM)
		set_bits(hw.pending, val, true);
	if (off == APLIC_CLRIPNUM)
		set_bits(hw.pending, val, false);
	if (off == APLIC_SETIENUM)
		set_bits(hw.enabled, val, true);
	if (off == APLIC_CLRIENUM)
		set_bits(hw.enabled, val, false);
	if (off >= APLIC_SETIP && off < APLIC_SETIP + 128)
		hw.pending[(off - APLIC_SETIP) / 4] |= val;
	if (off >= APLIC_IN_CLRIP && off < APLIC_IN_CLRIP + 128)
		hw.pending[(off - APLIC_IN_CLRIP) / 4] &= ~val;
	if (off >= APLIC_SETIE && off < APLIC_SETIE + 128)
		hw.enabled[(off - APLIC_SETIE) / 4] |= val;
	if (off >= APLIC_CLRIE && off < APLIC_CLRIE + 128)
		hw.enabled[(off - APLIC_CLRIE) / 4] &= ~val;
}

uint32_t arch_aplic_read(uint64_t off)
{
	fuzz_check(off % 4 == 0 && off < SIZE, "real read at 0x%lx",
		   (unsigned long)off);
	if (off >= APLIC_SOURCECFG && off < APLIC_SOURCECFG + 4 * 1023)
		fuzz_check(owned((off - APLIC_SOURCECFG) / 4 + 1),
			   "real read of sourcecfg %lu, not owned",
			   (unsigned long)(off - APLIC_SOURCECFG) / 4 + 1);
	if (off >= APLIC_SETIP && off < APLIC_SETIP + 128)
		return hw.pending[(off - APLIC_SETIP) / 4];
	if (off >= APLIC_IN_CLRIP && off < APLIC_IN_CLRIP + 128)
		return hw.input[(off - APLIC_IN_CLRIP) / 4];
	if (off >= APLIC_SETIE && off < APLIC_SETIE + 128)
		return hw.enabled[(off - APLIC_SETIE) / 4];
	return hw.regs[off / 4];
}

void arch_imsic_send(paddr_t file, uint32_t eiid)
{
	bool ok = false;

	for (uint32_t v = 0; v < a.nr_vcpus; v++)
		ok |= valid_vcpu(v) && file == guest_file[v];
	fuzz_check(ok && eiid <= APLIC_TARGET_EIID_MASK,
		   "MSI %u to 0x%lx: no vCPU's file", eiid,
		   (unsigned long)file);
	hw.msi_file = file;
	hw.msi_eiid = eiid;
	hw.nr_msi++;
}

/* ---- The reference model of one guest access. ---- */

struct expect {
	unsigned int nr_writes;
	struct hw_write write;
	bool msi;
	paddr_t msi_file;
	uint32_t msi_eiid;
};

static unsigned int words(void)
{
	return a.nsrc / 32 + 1;
}

/* The bitmap word @off names (setip, in_clrip, setie, clrie), or -1. */
static int bitmap_word(uint64_t off)
{
	if (off < APLIC_SETIP || off >= APLIC_CLRIE + 128 ||
	    (off & 0xff) >= 128)
		return -1;
	return (int)(off & 0xff) / 4;
}

static bool num_reg(uint64_t off)
{
	return off == APLIC_SETIPNUM || off == APLIC_CLRIPNUM ||
	       off == APLIC_SETIENUM || off == APLIC_CLRIENUM ||
	       off == APLIC_SETIPNUM_LE || off == APLIC_SETIPNUM_BE;
}

static uint32_t ref_read(uint64_t off, unsigned int width)
{
	int w = bitmap_word(off);
	uint32_t src;

	if (width != 4 || off % 4)
		return 0;
	if (off == APLIC_DOMAINCFG)
		return APLIC_DOMAINCFG_RDONLY | APLIC_DOMAINCFG_DM |
		       snap.domaincfg;
	if (off >= APLIC_SOURCECFG && off < APLIC_SOURCECFG + 4 * 1023) {
		src = (off - APLIC_SOURCECFG) / 4 + 1;
		return owned(src) ? hw.regs[off / 4] : 0;
	}
	if (off >= APLIC_TARGET && off < APLIC_TARGET + 4 * 1023) {
		src = (off - APLIC_TARGET) / 4 + 1;
		return owned(src) ? snap.target[src] : 0;
	}
	if (off == APLIC_GENMSI)
		return snap.genmsi;
	/* clrie reads 0; the bitmaps past nsrc are read-as-zero. */
	if (w >= 0 && (unsigned int)w < words() && off < APLIC_CLRIE)
		return arch_aplic_read(off) & a.owned[w];
	return 0;
}

/* What a store must do; @snap gets the state it must leave. */
static struct expect ref_write(uint64_t off, unsigned int width, uint32_t val)
{
	struct expect e = { 0 };
	int w = bitmap_word(off);
	uint32_t src, hart, sm;

	if (width != 4 || off % 4)
		return e;
	if (off == APLIC_DOMAINCFG) {
		snap.domaincfg = val & APLIC_DOMAINCFG_IE;
		e.nr_writes = 1;
		e.write = (struct hw_write){ off, APLIC_DOMAINCFG_DM |
							  snap.domaincfg };
	} else if (off >= APLIC_SOURCECFG && off < APLIC_SOURCECFG + 4 * 1023) {
		src = (off - APLIC_SOURCECFG) / 4 + 1;
		sm = val & 7;
		if ((val & APLIC_SOURCECFG_D) || sm == 2 || sm == 3)
			sm = 0;
		e.nr_writes = owned(src);
		e.write = (struct hw_write){ off, sm };
	} else if (off >= APLIC_TARGET && off < APLIC_TARGET + 4 * 1023) {
		src = (off - APLIC_TARGET) / 4 + 1;
		hart = val >> 18;
		if (owned(src) && valid_vcpu(hart) && !(val >> 12 & 0x3f)) {
			snap.target[src] = val & ~0x3f800U;
			e.nr_writes = 1;
			e.write = (struct hw_write){
				off, hw_target(hart, val & 0x7ff)
			};
		}
	} else if (off == APLIC_GENMSI) {
		hart = val >> 18;
		if (valid_vcpu(hart)) {
			snap.genmsi = val & ~0x3f800U;
			e.msi = true;
			e.msi_file = guest_file[hart];
			e.msi_eiid = val & 0x7ff;
		}
	} else if (num_reg(off)) {
		src = off == APLIC_SETIPNUM_BE ? __builtin_bswap32(val) : val;
		e.nr_writes = owned(src);
		e.write = (struct hw_write){
			off >= APLIC_SETIPNUM_LE ? APLIC_SETIPNUM : off, src
		};
	} else if (w >= 0 && (unsigned int)w < words()) {
		e.nr_writes = (val & a.owned[w]) != 0;
		e.write = (struct hw_write){ off, val & a.owned[w] };
	}
	return e;
}

static void check_state(void)
{
	fuzz_check(!fuzz_lock_depth, "a lock left held");
	fuzz_check(!(a.domaincfg & ~APLIC_DOMAINCFG_IE), "domaincfg 0x%x",
		   a.domaincfg);
	fuzz_check(!a.genmsi || (valid_vcpu(a.genmsi >> 18) &&
				 !(a.genmsi & 0x3f800)),
		   "genmsi 0x%x", a.genmsi);
	for (uint32_t src = 0; src < VAPLIC_MAX_SOURCES; src++) {
		uint32_t t = a.target[src];

		if (!owned(src)) {
			fuzz_check(!t, "target %u = 0x%x, not owned", src, t);
			continue;
		}
		fuzz_check(!(t & 0x3f800) && (!t || valid_vcpu(t >> 18)),
			   "target %u = 0x%x", src, t);
		fuzz_check(hw.regs[(APLIC_TARGET + 4 * (src - 1)) / 4] ==
				   hw_target(t >> 18, t & 0x7ff),
			   "real target %u = 0x%x, the guest's 0x%x", src,
			   hw.regs[(APLIC_TARGET + 4 * (src - 1)) / 4], t);
	}
}

/* ---- Events. ---- */

static uint32_t pick_src(struct fuzz_in *in)
{
	return fuzz_below(in, a.nsrc + 3);
}

static uint64_t pick_offset(struct fuzz_in *in)
{
	static const uint64_t nums[] = { APLIC_SETIPNUM,    APLIC_CLRIPNUM,
					 APLIC_SETIENUM,    APLIC_CLRIENUM,
					 APLIC_SETIPNUM_LE, APLIC_SETIPNUM_BE };
	uint8_t sel = fuzz_u8(in);

	switch (sel % 12) {
	case 0:
		return APLIC_DOMAINCFG;
	case 1:
		return APLIC_SOURCECFG + 4 * (pick_src(in) - 1);
	case 2:
		return APLIC_SETIP + 0x100 * (sel / 12 % 4) +
		       4 * fuzz_below(in, VAPLIC_WORDS + 2);
	case 3:
		return nums[sel / 12 % ARRAY_SIZE(nums)];
	case 4:
		return APLIC_GENMSI;
	case 5:
		return APLIC_TARGET + 4 * (pick_src(in) - 1);
	case 6:
		return 0x1bc0 + 4 * (sel / 12 % 4);
	case 7:
		return 0x4000 + fuzz_u16(in) % 0x4000;
	case 8:
		return fuzz_u16(in) % SIZE;
	case 9:
		return fuzz_u64(in);
	case 10:
		return APLIC_TARGET + 4 * (pick_src(in) - 1) + 1 + sel / 12 % 3;
	default:
		return fuzz_u16(in) & 0x3ffc;
	}
}

static unsigned int pick_width(struct fuzz_in *in)
{
	static const unsigned int widths[8] = { 4, 4, 4, 4, 4, 1, 2, 8 };

	return widths[fuzz_u8(in) % 8];
}

static uint32_t pick_value(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	uint32_t v;

	switch (sel % 6) {
	case 0:
		return fuzz_u32(in);
	case 1:
		return pick_src(in);
	case 2:
		return __builtin_bswap32(pick_src(in));
	case 3: /* a target or genmsi: vCPU, guest index, EIID */
		v = fuzz_below(in, a.nr_vcpus + 2) << 18;
		if (sel & 0x80)
			v |= fuzz_below(in, 64) << 12;
		return v | (fuzz_u16(in) & 0xfff);
	case 4:
		v = a.owned[fuzz_below(in, VAPLIC_WORDS)];
		return v ^ (sel & 0x40 ? fuzz_u32(in) : 0);
	default:
		return fuzz_u8(in) | (sel & 0x80 ? ~0U << 8 : 0);
	}
}

static void guest_read(struct fuzz_in *in)
{
	unsigned int vcpu = fuzz_below(in, a.nr_vcpus);
	uint64_t off = pick_offset(in);
	unsigned int width = pick_width(in);
	uint32_t val, want;

	snap = a;
	want = ref_read(off, width);
	hw.nr_log = hw.nr_msi = 0;
	val = vaplic_read(&a, vcpu, off, width);
	if (fuzz_verbose())
		fprintf(stderr, "vcpu%u: load of %u bytes at 0x%lx: 0x%x\n",
			vcpu, width, (unsigned long)off, val);
	fuzz_check(val == want, "load of %u bytes at 0x%lx: 0x%x, want 0x%x",
		   width, (unsigned long)off, val, want);
	fuzz_check(!hw.nr_log && !hw.nr_msi, "a load wrote");
	snap.lock = a.lock;
	snap.warned_access = a.warned_access;
	fuzz_check(!memcmp(&a, &snap, sizeof(a)), "a load changed the state");
}

static void guest_write(struct fuzz_in *in)
{
	unsigned int vcpu = fuzz_below(in, a.nr_vcpus);
	uint64_t off = pick_offset(in);
	unsigned int width = pick_width(in);
	uint32_t val = pick_value(in);
	struct expect e;

	snap = a;
	e = ref_write(off, width, val);
	hw.nr_log = hw.nr_msi = 0;
	if (fuzz_verbose())
		fprintf(stderr, "vcpu%u: store of %u bytes at 0x%lx: 0x%x\n",
			vcpu, width, (unsigned long)off, val);
	vaplic_write(&a, vcpu, off, width, val);
	fuzz_check(
		hw.nr_log == e.nr_writes &&
			(!e.nr_writes || (hw.log[0].off == e.write.off &&
					  hw.log[0].val == e.write.val)),
		"store 0x%x (%u bytes) at 0x%lx: %u real writes (first 0x%x at 0x%lx), want %u (0x%x at 0x%lx)",
		val, width, (unsigned long)off, hw.nr_log, hw.log[0].val,
		(unsigned long)hw.log[0].off, e.nr_writes, e.write.val,
		(unsigned long)e.write.off);
	fuzz_check(hw.nr_msi == e.msi &&
			   (!e.msi || (hw.msi_file == e.msi_file &&
				       hw.msi_eiid == e.msi_eiid)),
		   "genmsi 0x%x: %u MSIs (0x%lx, %u), want %d", val, hw.nr_msi,
		   (unsigned long)hw.msi_file, hw.msi_eiid, e.msi);
	snap.lock = a.lock;
	snap.warned_access = a.warned_access;
	snap.warned_target = a.warned_target;
	fuzz_check(!memcmp(&a, &snap, sizeof(a)),
		   "store 0x%x at 0x%lx: state not as the model says", val,
		   (unsigned long)off);
}

static void reset(void)
{
	unsigned int n = 1;

	hw.nr_log = 0;
	vaplic_reset(&a);
	fuzz_check(hw.log[0].off == APLIC_DOMAINCFG &&
			   hw.log[0].val == APLIC_DOMAINCFG_DM,
		   "reset: domaincfg");
	for (uint32_t src = 1; src <= a.nsrc; src++) {
		if (!owned(src))
			continue;
		fuzz_check(n + 2 <= hw.nr_log &&
				   hw.log[n].off ==
					   APLIC_SOURCECFG + 4 * (src - 1) &&
				   !hw.log[n].val &&
				   hw.log[n + 1].off ==
					   APLIC_TARGET + 4 * (src - 1),
			   "reset: source %u", src);
		n += 2;
	}
	fuzz_check(n == hw.nr_log && !a.domaincfg && !a.genmsi,
		   "reset: %u real writes, %u expected", hw.nr_log, n);
}

static void setup(struct fuzz_in *in)
{
	uint32_t own[MAX_OWNED], phys, nr_own, seed, hart0;
	uint8_t sel = fuzz_u8(in), absent = fuzz_u8(in);
	bool in_range = false;

	memset(&hw, 0, sizeof(hw));
	seed = fuzz_u32(in) | 1;
	for (unsigned int i = 0; i < SIZE / 4; i++)
		hw.regs[i] = seed * (i + 1) ^ (seed >> 7); /* someone's */
	for (unsigned int w = 0; w < VAPLIC_WORDS; w++) {
		hw.pending[w] = seed * (w + 3);
		hw.input[w] = seed * (w + 5);
		hw.enabled[w] = seed * (w + 7);
	}
	phys = 1 + fuzz_below(in, 1100);
	hart0 = fuzz_u16(in);
	for (unsigned int v = 0; v < HV_MAX_HARTS; v++) {
		hart_index[v] = (hart0 + v) & APLIC_TARGET_HART_MASK;
		guest_file[v] = absent >> (v % 8) & 1 ?
					0 :
					FILE_BASE + v * 0x2000UL + 0x1000;
	}
	nr_own = fuzz_below(in, MAX_OWNED + 1);
	for (unsigned int i = 0; i < nr_own; i++)
		own[i] = fuzz_below(in, phys + 3);
	vaplic_init(&a, BASE, SIZE, phys,
		    1 + (sel < 224 ? sel % 8 : sel % HV_MAX_HARTS), hart_index,
		    guest_file, own, nr_own);

	/* nsrc: the highest owned source the domain has, at least 1. */
	phys = MIN(phys, VAPLIC_MAX_SOURCES - 1);
	fuzz_check(a.nsrc >= 1 && a.nsrc <= phys, "nsrc %u of %u", a.nsrc,
		   phys);
	for (unsigned int i = 0; i < nr_own; i++) {
		fuzz_check(own[i] > phys || own[i] <= a.nsrc,
			   "source %u owned, past nsrc %u", own[i], a.nsrc);
		in_range |= own[i] == a.nsrc;
	}
	fuzz_check(a.nsrc == 1 || in_range, "nsrc %u owned by no one", a.nsrc);
	for (unsigned int src = 1; src < VAPLIC_MAX_SOURCES; src++) {
		bool listed = false;

		for (unsigned int i = 0; i < nr_own; i++)
			listed |= own[i] == src;
		fuzz_check(owned(src) == (listed && src <= a.nsrc),
			   "source %u: owned %d, listed %d", src, owned(src),
			   listed);
	}
	fuzz_check(vaplic_contains(&a, BASE) &&
			   vaplic_contains(&a, BASE + SIZE - 1) &&
			   !vaplic_contains(&a, BASE + SIZE) &&
			   !vaplic_contains(&a, BASE - 1),
		   "vaplic_contains at the window's edges");
	hw.nr_log = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	setup(&in);
	check_state();
	while (fuzz_more(&in)) {
		uint8_t op = fuzz_u8(&in);

		switch (op % 8) {
		case 0 ... 2:
			guest_read(&in);
			break;
		case 3 ... 6:
			guest_write(&in);
			break;
		default:
			if (op == 0xff) {
				reset();
			} else {
				/* A device, the VM's or not, raises its line. */
				uint32_t src = fuzz_below(&in, 1024);

				set_bits(hw.pending, src, true);
				set_bits(hw.input, src, op & 0x80);
			}
			break;
		}
		check_state();
	}
	return 0;
}
