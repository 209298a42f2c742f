package redact

import (
	"net/netip"
)

// maxIPv6Text bounds the run scanned for an IPv6 literal: 8 groups of 4
// hex digits and 7 colons, or 6 groups and a dotted quad.
const maxIPv6Text = 45

// run6 returns the length of the run of hex digits, colons and dots at
// b[i:], or 0 when it is longer than any IPv6 literal.
func run6(b []byte, i int) int {
	j := i
	for j < len(b) && (isHex(b[j]) || b[j] == ':' || b[j] == '.') {
		j++
		if j-i > maxIPv6Text {
			return 0
		}
	}
	return j - i
}

// rewrite6 rewrites an IPv6 literal at b[i:], keeping its textual shape
// (group widths, "::", letter case, a dotted IPv4 tail). The run must
// parse whole, up to one trailing '.' or ':' (the end of a sentence or a
// "host:port" separator), and must not be followed by a letter or digit.
func (r *Redactor) rewrite6(b []byte, i int) int {
	n := run6(b, i)
	if n < 2 || i+n < len(b) && isWordByte(b[i+n]) {
		return 0
	}
	for _, m := range []int{n, n - 1, portCut(b[i : i+n])} {
		if m < 2 || m == n-1 && b[i+n-1] != '.' && b[i+n-1] != ':' {
			continue
		}
		text := b[i : i+m]
		if !hasTwoColons(text) {
			return 0
		}
		a, err := netip.ParseAddr(string(text))
		if err != nil || !a.Is6() {
			continue
		}
		r.put6(text, a)
		return m
	}
	return 0
}

// portCut returns the length of run without a trailing ":port" (an
// unbracketed IPv6 literal followed by a port, as some SIP stacks write
// it), or 0.
func portCut(run []byte) int {
	k := len(run) - 1
	for k >= 0 && isDigit(run[k]) {
		k--
	}
	if k <= 0 || k == len(run)-1 || run[k] != ':' || run[k-1] == ':' || len(run)-k-1 > 5 {
		return 0
	}
	return k
}

func hasTwoColons(b []byte) bool {
	n := 0
	for _, c := range b {
		if c == ':' {
			n++
		}
	}
	return n >= 2
}

// put6 overwrites the IPv6 literal text (which parses as a) with the
// pseudonym of a in the same shape.
func (r *Redactor) put6(text []byte, a netip.Addr) {
	p := r.Addr(a)
	if a.Is4In6() || hasDot(text) {
		r.putTail4(text, a, p)
		return
	}
	pg := groups6(p)
	og := groups6(a)
	// Walk the text's groups left of "::" from group 0 and right of it
	// from group 7, rewriting each written group in its own width.
	left, right, dbl := splitDouble(text)
	putGroups(text[:left], pg[:], og[:], 0, 1)
	if dbl {
		putGroups(text[right:], pg[:], og[:], 7, -1)
	}
}

// splitDouble returns the end of the part before "::", the start of the
// part after it, and whether the text has one.
func splitDouble(t []byte) (int, int, bool) {
	for k := 0; k+1 < len(t); k++ {
		if t[k] == ':' && t[k+1] == ':' {
			return k, k + 2, true
		}
	}
	return len(t), len(t), false
}

// putGroups rewrites the colon-separated groups of seg with the pseudonym
// groups pg, starting at group index g and stepping by dir (-1 walks the
// segment from its end).
func putGroups(seg []byte, pg, og []uint16, g, dir int) {
	if len(seg) == 0 {
		return
	}
	// collect group boundaries
	var starts, ends []int
	s := 0
	for k := 0; k <= len(seg); k++ {
		if k == len(seg) || seg[k] == ':' {
			starts, ends = append(starts, s), append(ends, k)
			s = k + 1
		}
	}
	for n := range starts {
		idx := n
		if dir < 0 {
			idx = len(starts) - 1 - n
		}
		gi := g + dir*n
		if gi < 0 || gi > 7 {
			return
		}
		_ = og
		putHex(seg[starts[idx]:ends[idx]], pg[gi])
	}
}

// putHex writes v right-aligned and zero-padded into dst, keeping the
// letter case of dst's letters (upper when dst had an upper-case letter).
func putHex(dst []byte, v uint16) {
	upper := false
	for _, c := range dst {
		if c >= 'A' && c <= 'F' {
			upper = true
		}
	}
	digits := "0123456789abcdef"
	if upper {
		digits = "0123456789ABCDEF"
	}
	for k := len(dst) - 1; k >= 0; k-- {
		dst[k] = digits[v&0xF]
		v >>= 4
	}
}

func hasDot(b []byte) bool {
	for _, c := range b {
		if c == '.' {
			return true
		}
	}
	return false
}

// putTail4 rewrites a literal with a dotted IPv4 tail: the tail is the
// IPv4 pseudonym (IPv4-mapped addresses) or the last 32 bits of the IPv6
// pseudonym, written with the original octet widths when they fit, and the
// hex groups before it like put6.
func (r *Redactor) putTail4(text []byte, a, p netip.Addr) {
	k := len(text) - 1
	for k >= 0 && text[k] != ':' {
		k--
	}
	tail := text[k+1:]
	b := p.As16()
	v4 := [4]byte{b[12], b[13], b[14], b[15]}
	_, w, n, ok := scan4(tail, 0)
	if !ok || n != len(tail) || !fits4(v4, w) {
		// widths do not fit: derive the tail from the original's shape
		ob := a.As16()
		v4 = r.addr4([4]byte{ob[12], ob[13], ob[14], ob[15]})
	}
	if ok && n == len(tail) {
		put4(tail, v4, w)
	}
	head := text[:k+1]
	pg := groups6(p)
	left, right, dbl := splitDouble(head)
	putGroups(trimColon(head[:left]), pg[:], nil, 0, 1)
	if dbl && right < len(head) {
		putGroups(trimColon(head[right:]), pg[:], nil, 5, -1)
	}
}

func trimColon(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == ':' {
		return b[:len(b)-1]
	}
	return b
}

// fits4 reports whether each octet of a fits its width.
func fits4(a [4]byte, w [4]int) bool {
	for k, v := range a {
		if v >= 100 && w[k] < 3 || v >= 10 && w[k] < 2 {
			return false
		}
	}
	return true
}
