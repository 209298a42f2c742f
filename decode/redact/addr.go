package redact

import "net/netip"

// Addr returns the pseudonym of an address: private stays private (RFC
// 1918/6598/ULA/link-local/loopback keep their range), public stays
// public (never becomes a private or documentation address by accident),
// two addresses share a /24 (IPv4) or /64 (IPv6) exactly when their
// pseudonyms do, and the textual form of the pseudonym has the same
// length as the original's (so text can be rewritten in place).
// Unspecified, loopback and broadcast addresses are kept, and so are
// multicast addresses; a zone is kept; an IPv4-mapped IPv6 address maps
// its IPv4 address. The map is a bijection within each class.
func (r *Redactor) Addr(a netip.Addr) netip.Addr {
	if !a.IsValid() {
		return a
	}
	r.mu.Lock()
	p, ok := r.addrs[a]
	r.mu.Unlock()
	if ok {
		return p
	}
	p = r.addrUncached(a)
	r.mu.Lock()
	r.addrs[a] = p
	r.mu.Unlock()
	return p
}

func (r *Redactor) addrUncached(a netip.Addr) netip.Addr {
	zone := a.Zone()
	var p netip.Addr
	switch {
	case a.Is4():
		p = netip.AddrFrom4(r.addr4(a.As4()))
	case a.Is4In6():
		p = netip.AddrFrom16(netip.AddrFrom4(r.addr4(a.Unmap().As4())).As16())
	default:
		p = r.addr6(a.WithZone(""))
	}
	if zone != "" {
		p = p.WithZone(zone)
	}
	return p
}

// AddrPort is Addr with the port kept (ports are diagnostic: 3478, 443,
// 50000-59999).
func (r *Redactor) AddrPort(ap netip.AddrPort) netip.AddrPort {
	if !ap.IsValid() {
		return ap
	}
	return netip.AddrPortFrom(r.Addr(ap.Addr()), ap.Port())
}

// Prefix returns the pseudonym of a network prefix: its address mapped by
// Addr and masked to the same length.
func (r *Redactor) Prefix(p netip.Prefix) netip.Prefix {
	if !p.IsValid() {
		return p
	}
	return netip.PrefixFrom(r.Addr(p.Addr()), p.Bits()).Masked()
}
