package redact

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// addrClass names the class an address must keep under Addr.
func addrClass(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsMulticast():
		return "multicast"
	case a.IsLinkLocalUnicast():
		return "link-local"
	}
	for _, c := range []struct{ name, pfx string }{
		{"rfc1918", "10.0.0.0/8"}, {"rfc1918", "172.16.0.0/12"}, {"rfc1918", "192.168.0.0/16"},
		{"rfc6598", "100.64.0.0/10"}, {"benchmark", "198.18.0.0/15"}, {"doc-1", "192.0.2.0/24"},
		{"doc-2", "198.51.100.0/24"}, {"doc-3", "203.0.113.0/24"}, {"doc6", "2001:db8::/32"},
		{"ula", "fc00::/7"}, {"kept4", "0.0.0.0/8"}, {"kept4", "240.0.0.0/4"}, {"kept4", "192.0.0.0/24"},
		{"special6", "2001::/23"}, {"special6", "2002::/16"}, {"special6", "3fff::/20"},
		{"ms365", "13.107.64.0/18"}, {"ms365", "52.112.0.0/14"}, {"ms365", "52.122.0.0/15"},
		{"ms365", "2603:1063::/38"},
	} {
		if netip.MustParsePrefix(c.pfx).Contains(a) {
			return c.name
		}
	}
	if a.Is4() {
		return "public4"
	}
	if netip.MustParsePrefix("2000::/3").Contains(a) {
		return "public6"
	}
	return "other6"
}

func TestAddrKeepsClassAndLength(t *testing.T) {
	r := New([]byte("test key"))
	for _, s := range []string{
		"10.0.1.20", "10.255.255.254", "172.16.0.1", "172.31.200.9", "192.168.1.50", "192.168.0.1",
		"100.64.0.1", "100.127.255.254", "169.254.10.20", "198.18.0.5", "192.0.2.1", "198.51.100.77",
		"203.0.113.10", "8.8.8.8", "52.114.250.123", "1.1.1.1", "223.255.255.254", "11.0.0.1",
		"0.0.0.0", "127.0.0.1", "255.255.255.255", "224.0.0.251", "239.255.255.250", "192.0.0.170",
		"2001:db8::1", "2001:db8:85a3::8a2e:370:7334", "fd12:3456:789a:1::1", "fe80::1ff:fe23:4567:890a",
		"2a01:111:f400:7c09::2", "2600:1f18:abc::10", "::1", "::", "ff02::fb", "::ffff:10.0.0.1",
		"::ffff:52.114.250.5", "fe80::1%eth0", "2001:4860:4860::8888", "13.107.64.2", "13.107.128.9",
		"52.123.1.1", "52.124.1.1", "2603:1063:2::1", "2603:1063:400::1", "2603:1064::1",
	} {
		t.Run(s, func(t *testing.T) {
			a := netip.MustParseAddr(s)
			p := r.Addr(a)
			if got, want := addrClass(p), addrClass(a); got != want {
				t.Errorf("Addr(%s) = %s, class %s, want class %s", a, p, got, want)
			}
			if len(p.String()) != len(a.String()) {
				t.Errorf("Addr(%s) = %s, length %d, want %d", a, p, len(p.String()), len(a.String()))
			}
			kept := map[string]bool{"unspecified": true, "loopback": true, "multicast": true, "kept4": true, "ms365": true}
			if kept[addrClass(a)] != (p == a) {
				t.Errorf("Addr(%s) = %s, kept %v, want kept %v", a, p, p == a, kept[addrClass(a)])
			}
			if p2 := New([]byte("test key")).Addr(a); p2 != p {
				t.Errorf("Addr(%s) with the same key = %s, then %s", a, p, p2)
			}
			if p3 := New([]byte("other key")).Addr(a); p3 == p && !kept[addrClass(a)] {
				t.Errorf("Addr(%s) = %s with both keys", a, p)
			}
		})
	}
}

// randomAddr draws addresses from every class, clustered so that many
// share a /24 or /64.
func randomAddr(rng *rand.Rand) netip.Addr {
	bases := []string{"10.0.0.0", "172.16.0.0", "192.168.0.0", "100.64.0.0", "169.254.0.0", "203.0.113.0",
		"52.114.0.0", "52.96.0.0", "13.107.0.0", "8.8.0.0", "1.2.0.0", "2001:db8::", "fd00::", "fe80::", "2a01:111::", "2600::"}
	b := netip.MustParseAddr(bases[rng.IntN(len(bases))]).As16()
	if netip.AddrFrom16(b).Unmap().Is4() {
		v := netip.AddrFrom16(b).Unmap().As4()
		if v[1] == 0 || v[0] == 52 || v[0] == 13 {
			v[1] += byte(rng.IntN(4))
		}
		if v[0] != 203 {
			v[2] = byte(rng.IntN(12))
		}
		v[3] = byte(rng.IntN(256))
		return netip.AddrFrom4(v)
	}
	b[7] = byte(rng.IntN(3))
	if rng.IntN(2) == 0 {
		b[15] = byte(rng.IntN(256))
	} else {
		for i := 8; i < 16; i++ {
			b[i] = byte(rng.IntN(256))
		}
	}
	return netip.AddrFrom16(b)
}

func TestAddrInjectiveAndSubnets(t *testing.T) {
	r := New([]byte("sample"))
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[netip.Addr]netip.Addr{}
	for len(seen) < 20000 {
		a := randomAddr(rng)
		if _, ok := seen[a]; ok {
			continue
		}
		p := r.Addr(a)
		if addrClass(p) != addrClass(a) || len(p.String()) != len(a.String()) {
			t.Fatalf("Addr(%s) = %s: class %s, want %s", a, p, addrClass(p), addrClass(a))
		}
		seen[a] = p
	}
	inverse := map[netip.Addr]netip.Addr{}
	for a, p := range seen {
		if o, ok := inverse[p]; ok {
			t.Fatalf("Addr(%s) = Addr(%s) = %s", a, o, p)
		}
		inverse[p] = a
	}
	// subnet sharing: the pseudonym prefixes pair one to one with the
	// original prefixes
	orig2pseudo, pseudo2orig := map[netip.Prefix]netip.Prefix{}, map[netip.Prefix]netip.Prefix{}
	for a, p := range seen {
		bits := 64
		if a.Is4() {
			bits = 24
		}
		oa, _ := a.Prefix(bits)
		pp, _ := p.Prefix(bits)
		if q, ok := orig2pseudo[oa]; ok && q != pp {
			t.Fatalf("%s and another address of %s map to %s and %s", a, oa, pp, q)
		}
		if q, ok := pseudo2orig[pp]; ok && q != oa {
			t.Fatalf("pseudonyms in %s come from %s and %s", pp, oa, q)
		}
		orig2pseudo[oa], pseudo2orig[pp] = pp, oa
	}
}

func TestAddrPortKeepsPort(t *testing.T) {
	r := New([]byte("k"))
	for _, s := range []string{"10.0.1.20:50000", "203.0.113.10:3478", "[2001:db8::1]:443"} {
		ap := netip.MustParseAddrPort(s)
		got := r.AddrPort(ap)
		if got.Port() != ap.Port() || got.Addr() != r.Addr(ap.Addr()) {
			t.Errorf("AddrPort(%s) = %s, want port %d and address %s", ap, got, ap.Port(), r.Addr(ap.Addr()))
		}
	}
	if got := r.AddrPort(netip.AddrPort{}); got.IsValid() {
		t.Errorf("AddrPort(invalid) = %s, want invalid", got)
	}
}

// TestCycleIsDerangement checks the keyed permutation on small domains:
// a bijection without fixed points.
func TestCycleIsDerangement(t *testing.T) {
	r := New([]byte("k"))
	for _, n := range []uint64{2, 3, 9, 10, 90, 156, 1000} {
		seen := map[uint64]bool{}
		for x := uint64(0); x < n; x++ {
			y := r.cycle("t", n, x)
			if y >= n || y == x || seen[y] {
				t.Fatalf("cycle(n=%d, %d) = %d: out of range, fixed or repeated", n, x, y)
			}
			seen[y] = true
		}
	}
}
