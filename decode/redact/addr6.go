package redact

import (
	"encoding/binary"
	"net/netip"
)

// IPv6 pseudonyms. The address is eight 16-bit groups; a group keeps its
// number of significant hex digits (zero stays zero), so every textual
// form, compressed or not, keeps its length and its "::". The /64 prefix
// and the interface identifier are permuted separately, the interface
// identifier keyed by the original prefix.

// groupRange returns the values with as many hex digits as g: 0, 1-f,
// 10-ff, 100-fff or 1000-ffff.
func groupRange(g uint16) (uint64, uint64) {
	switch {
	case g == 0:
		return 0, 0
	case g < 0x10:
		return 1, 0xF
	case g < 0x100:
		return 0x10, 0xFF
	case g < 0x1000:
		return 0x100, 0xFFF
	}
	return 0x1000, 0xFFFF
}

// kept6 reports IPv6 addresses that stay as they are: unspecified,
// loopback and multicast (RFC 4291 §2.7), and the Microsoft 365 media
// range (msMedia6).
func kept6(a netip.Addr) bool {
	return a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() || msMedia6(groups6(a))
}

// msMedia6 reports the Microsoft 365 Teams media range 2603:1063::/38
// (as msMedia4).
func msMedia6(g [8]uint16) bool { return g[0] == 0x2603 && g[1] == 0x1063 && g[2]&0xFC00 == 0 }

// groups6 splits an address into its groups.
func groups6(a netip.Addr) [8]uint16 {
	b := a.As16()
	var g [8]uint16
	for i := range g {
		g[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return g
}

func fromGroups6(g [8]uint16) netip.Addr {
	var b [16]byte
	for i, v := range g {
		binary.BigEndian.PutUint16(b[2*i:], v)
	}
	return netip.AddrFrom16(b)
}

// class6 returns how many leading groups an address class keeps and the
// test the permuted prefix must pass: documentation 2001:db8::/32 keeps
// two, ULA fc00::/7 and link-local fe80::/10 keep their first group (ULA
// then permutes the rest of its /48 and subnet), global unicast 2000::/3
// permutes all four groups and must stay global.
func class6(g [8]uint16) (string, int, func([8]uint16) bool) {
	any := func([8]uint16) bool { return true }
	switch {
	case g[0] == 0x2001 && g[1] == 0x0db8:
		return "doc6", 2, any
	case g[0]&0xFE00 == 0xFC00:
		return "ula", 1, any
	case g[0]&0xFFC0 == 0xFE80:
		return "link-local6", 4, any
	case g[0]&0xE000 == 0x2000:
		return "global6", 0, isGlobal6
	}
	return "other6", 1, any
}

// isGlobal6 reports a global unicast prefix that is not special-purpose:
// 2000::/3 without 2001::/23 (IETF protocol assignments, Teredo),
// 2001:db8::/32, 2002::/16 (6to4) and 3fff::/20 (documentation, RFC 9637).
func isGlobal6(g [8]uint16) bool {
	switch {
	case g[0]&0xE000 != 0x2000:
		return false
	case g[0] == 0x2001 && g[1] < 0x200, g[0] == 0x2001 && g[1] == 0x0db8:
		return false
	case g[0] == 0x2002, g[0] == 0x3fff && g[1] < 0x1000, msMedia6(g):
		return false
	}
	return true
}

// addr6 returns the pseudonym of an IPv6 address that is not an
// IPv4-mapped one.
func (r *Redactor) addr6(a netip.Addr) netip.Addr {
	if kept6(a) {
		return a
	}
	g := groups6(a)
	name, keep, ok := class6(g)
	out := g
	if keep < 4 {
		out = r.groups(name, g, keep, 4, ok)
	}
	b := a.As16()
	iid := r.groups("iid6"+string(b[:8]), g, 4, 8, func([8]uint16) bool { return true })
	copy(out[4:], iid[4:])
	return fromGroups6(out)
}

// groups permutes groups from..to-1 of g, each within its hex-digit
// class; the first group of a global prefix stays in 2000-3fff. It
// cycle-walks until ok accepts the result.
func (r *Redactor) groups(tweak string, g [8]uint16, from, to int, ok func([8]uint16) bool) [8]uint16 {
	var los, sizes [8]uint64
	n, idx := uint64(1), uint64(0)
	for i := from; i < to; i++ {
		lo, hi := groupRange(g[i])
		if tweak == "global6" && i == 0 {
			lo, hi = 0x2000, 0x3FFF
		}
		los[i], sizes[i] = lo, hi-lo+1
		idx = idx*sizes[i] + uint64(g[i]) - lo
		n *= sizes[i] // at most 61440^4 < 2^64
	}
	var shape []byte
	for i := from; i < to; i++ {
		lo, _ := groupRange(g[i])
		shape = append(shape, byte(lo>>8), byte(lo))
	}
	tweak += string(shape)
	for {
		idx = r.cycle(tweak, n, idx)
		out, rest := g, idx
		for i := to - 1; i >= from; i-- {
			out[i] = uint16(los[i] + rest%sizes[i])
			rest /= sizes[i]
		}
		if ok(out) || out == g {
			return out
		}
	}
}
