package redact

// IPv4 pseudonyms. An address is split into its /24 prefix and its host
// octet. Each class of address (RFC 1918, RFC 6598, link-local, each
// documentation /24, benchmarking, public) fixes some leading octets and
// lets the others vary; the varying prefix octets and the host octet are
// permuted inside the set of values with the same number of decimal
// digits, so the dotted text keeps its length.

// class4 is an IPv4 address class: the octets it fixes and, for the first
// varying octet, the range it allows.
type class4 struct {
	name   string
	fixed  int  // leading octets kept
	lo, hi byte // range of the first varying prefix octet
	match  func(a [4]byte) bool
}

var classes4 = []class4{
	{"rfc1918-10", 1, 0, 255, func(a [4]byte) bool { return a[0] == 10 }},
	{"rfc1918-172", 1, 16, 31, func(a [4]byte) bool { return a[0] == 172 && a[1]&0xF0 == 16 }},
	{"rfc1918-192", 2, 0, 255, func(a [4]byte) bool { return a[0] == 192 && a[1] == 168 }},
	{"rfc6598", 1, 64, 127, func(a [4]byte) bool { return a[0] == 100 && a[1]&0xC0 == 64 }},
	{"link-local", 2, 0, 255, func(a [4]byte) bool { return a[0] == 169 && a[1] == 254 }},
	{"benchmark", 1, 18, 19, func(a [4]byte) bool { return a[0] == 198 && a[1]&0xFE == 18 }},
	{"doc-1", 3, 0, 255, func(a [4]byte) bool { return a[0] == 192 && a[1] == 0 && a[2] == 2 }},
	{"doc-2", 3, 0, 255, func(a [4]byte) bool { return a[0] == 198 && a[1] == 51 && a[2] == 100 }},
	{"doc-3", 3, 0, 255, func(a [4]byte) bool { return a[0] == 203 && a[1] == 0 && a[2] == 113 }},
}

// kept4 reports addresses that are not identifying and stay as they are:
// "this network" 0/8 (with the unspecified address), loopback 127/8,
// IETF protocol assignments 192.0.0/24, multicast 224/4 and the reserved
// 240/4 with the limited broadcast address (RFC 6890); and the Microsoft
// 365 media ranges (msMedia4), which name Microsoft's relays, not the
// company, and which icediag's findings quote.
func kept4(a [4]byte) bool {
	return a[0] == 0 || a[0] == 127 || a[0] >= 224 || (a[0] == 192 && a[1] == 0 && a[2] == 0) || msMedia4(a)
}

// msMedia4 reports the Microsoft 365 Teams media ranges 13.107.64.0/18,
// 52.112.0.0/14 and 52.122.0.0/15 (Microsoft 365 URLs and IP address
// ranges, "Optimize" endpoint set 11; MS-REFERENCE §5).
func msMedia4(a [4]byte) bool {
	switch a[0] {
	case 13:
		return a[1] == 107 && a[2]&0xC0 == 64
	case 52:
		return a[1]&0xFC == 112 || a[1]&0xFE == 122
	}
	return false
}

// classOf4 returns the class of a non-kept address; nil means public.
func classOf4(a [4]byte) *class4 {
	for i := range classes4 {
		if classes4[i].match(a) {
			return &classes4[i]
		}
	}
	return nil
}

// isPublic4 reports whether a is neither kept nor in a special class.
func isPublic4(a [4]byte) bool { return !kept4(a) && classOf4(a) == nil }

// digitRange returns the values of [lo, hi] with as many decimal digits
// as v: 0-9, 10-99 or 100-255.
func digitRange(v, lo, hi byte) (byte, byte) {
	dlo, dhi := byte(0), byte(9)
	switch {
	case v >= 100:
		dlo, dhi = 100, 255
	case v >= 10:
		dlo, dhi = 10, 99
	}
	return max(lo, dlo), min(hi, dhi)
}

// addr4 returns the pseudonym of an IPv4 address.
func (r *Redactor) addr4(a [4]byte) [4]byte {
	if kept4(a) {
		return a
	}
	c := classOf4(a)
	out := a
	if c == nil {
		out = r.prefix4(a, 0, 1, 255, "public", isPublic4)
	} else if c.fixed < 3 {
		out = r.prefix4(a, c.fixed, c.lo, c.hi, c.name, c.match)
	}
	out[3] = r.host4(a)
	return out
}

// prefix4 permutes octets from..2 of a: octet from within [lo, hi], the
// others within 0-255, each keeping its number of digits; ok is the class
// the result must stay in (cycle-walking, so the map stays a bijection of
// the class).
func (r *Redactor) prefix4(a [4]byte, from int, lo, hi byte, tweak string, ok func([4]byte) bool) [4]byte {
	var los, sizes [3]uint64
	n := uint64(1)
	idx := uint64(0)
	for i := from; i < 3; i++ {
		l, h := byte(0), byte(255)
		if i == from {
			l, h = lo, hi
		}
		dl, dh := digitRange(a[i], l, h)
		los[i], sizes[i] = uint64(dl), uint64(dh)-uint64(dl)+1
		if a[i] < dl || a[i] > dh {
			return a // not in the class: leave it (cannot happen for matched classes)
		}
		idx = idx*sizes[i] + uint64(a[i]) - los[i]
		n *= sizes[i]
	}
	tweak = tweak + string(digitShape(a[from:3]))
	for {
		idx = r.cycle(tweak, n, idx)
		out := a
		rest := idx
		for i := 2; i >= from; i-- {
			out[i] = byte(los[i] + rest%sizes[i])
			rest /= sizes[i]
		}
		if ok(out) || out == a {
			return out
		}
	}
}

// digitShape encodes the digit counts of some octets, so that prefixes of
// different shapes use different permutations.
func digitShape(b []byte) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = '1'
		if v >= 100 {
			out[i] = '3'
		} else if v >= 10 {
			out[i] = '2'
		}
	}
	return out
}

// host4 permutes the host octet inside its digit class, keyed by the
// original /24 so that each subnet has its own permutation. The octets 0
// and 255 (network and broadcast of a /24) are kept.
func (r *Redactor) host4(a [4]byte) byte {
	h := a[3]
	if h == 0 || h == 255 {
		return h
	}
	lo, hi := digitRange(h, 1, 254)
	tweak := "host4" + string(a[:3])
	return lo + byte(r.cycle(tweak, uint64(hi-lo)+1, uint64(h-lo)))
}
