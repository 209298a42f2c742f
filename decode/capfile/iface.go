package capfile

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// Interface Description Block option codes (draft-ietf-opsawg-pcapng §4.2).
const (
	optEnd         = 0
	optIfName      = 2
	optIfDesc      = 3
	optIfTsresol   = 9
	optIfTsoffset  = 14
	defaultTsresol = 6 // microseconds when if_tsresol is absent
)

// tsScale converts pcapng timestamp ticks of one interface to time: if_tsresol
// is 10^-exp or, with its top bit set, 2^-exp seconds per tick, and
// if_tsoffset seconds are added (§4.2).
type tsScale struct {
	pow2   bool
	exp    uint8
	div    uint64 // ticks per second for powers of ten
	offset int64
}

var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// newTsScale validates an if_tsresol value.
func newTsScale(v byte) (tsScale, error) {
	if v&0x80 != 0 {
		e := v & 0x7f
		if e > 63 {
			return tsScale{}, fmt.Errorf("if_tsresol 2^-%d does not fit 64-bit ticks", e)
		}
		return tsScale{pow2: true, exp: e}, nil
	}
	if int(v) >= len(pow10) {
		return tsScale{}, fmt.Errorf("if_tsresol 10^-%d does not fit 64-bit ticks", v)
	}
	return tsScale{exp: v, div: pow10[v]}, nil
}

// time converts ticks, truncating below the nanosecond as Wireshark does.
func (s tsScale) time(ticks uint64) time.Time {
	var sec, nsec uint64
	switch {
	case s.pow2:
		sec = ticks >> s.exp
		hi, lo := bits.Mul64(ticks&(1<<s.exp-1), 1e9)
		nsec = lo >> s.exp
		if s.exp > 0 {
			nsec |= hi << (64 - s.exp)
		}
	case s.exp <= 9:
		sec, nsec = ticks/s.div, ticks%s.div*(1e9/s.div)
	default:
		sec, nsec = ticks/s.div, ticks%s.div/(s.div/1e9)
	}
	return time.Unix(int64(sec)+s.offset, int64(nsec)).UTC()
}

// addInterface parses an Interface Description Block body b (trailer
// removed): link type, snaplen and the options this reader uses.
func (f *File) addInterface(start int64, b []byte) error {
	o := f.ng.order
	in := Interface{LinkType: o.Uint16(b), Snaplen: o.Uint32(b[4:]), Section: f.ng.sections - 1}
	ts, _ := newTsScale(defaultTsresol)
	err := walkOptions(o, b[8:], func(code uint16, v []byte) error {
		return ifaceOption(&in, &ts, o, code, v)
	})
	if err != nil {
		return f.fail(start, ErrBadBlock, "interface description: %v", err)
	}
	f.ifaces = append(f.ifaces, in)
	f.ng.ts = append(f.ng.ts, ts)
	return nil
}

// ifaceOption applies one Interface Description Block option.
func ifaceOption(in *Interface, ts *tsScale, o binary.ByteOrder, code uint16, v []byte) error {
	switch code {
	case optIfName:
		in.Name = strings.TrimRight(string(v), "\x00")
	case optIfDesc:
		in.Description = strings.TrimRight(string(v), "\x00")
	case optIfTsresol:
		if len(v) < 1 {
			return fmt.Errorf("empty if_tsresol")
		}
		s, err := newTsScale(v[0])
		if err != nil {
			return err
		}
		s.offset = ts.offset
		*ts = s
	case optIfTsoffset:
		if len(v) < 8 {
			return fmt.Errorf("if_tsoffset of %d bytes, want 8", len(v))
		}
		ts.offset = int64(o.Uint64(v))
	}
	return nil
}

// walkOptions calls fn for each option of a block's option list (§3.5):
// code, length, value padded to 32 bits, ended by opt_endofopt or the end
// of the block. An option longer than what remains is an error.
func walkOptions(o binary.ByteOrder, b []byte, fn func(code uint16, v []byte) error) error {
	for len(b) >= 4 {
		code, n := o.Uint16(b), int(o.Uint16(b[2:]))
		if code == optEnd {
			return nil
		}
		b = b[4:]
		if n > len(b) {
			return fmt.Errorf("option %d of %d bytes runs past the block (%d left)", code, n, len(b))
		}
		if err := fn(code, b[:n]); err != nil {
			return err
		}
		b = b[min((n+3)&^3, len(b)):]
	}
	return nil
}
