package decode

import "net/netip"

// icmp decodes ICMP (RFC 792) and ICMPv6 (RFC 4443) errors that quote a UDP
// or TCP packet: destination unreachable (port unreachable, administratively
// prohibited) and time exceeded. They tell which checks a firewall refused.
func (d *Decoder) icmp(v6 bool, reporter netip.Addr, b []byte) {
	if len(b) < 8 {
		d.problem("icmp", "header truncated")
		return
	}
	typ, code := b[0], b[1]
	isErr := (!v6 && (typ == 3 || typ == 11)) || (v6 && (typ == 1 || typ == 3))
	if !isErr {
		d.stats.OtherPackets++
		return
	}
	q := b[8:]
	var fl Flow
	var l4 []byte
	var proto uint8
	switch {
	case len(q) >= 20 && q[0]>>4 == 4:
		ihl := int(q[0]&0x0F) * 4
		if ihl < 20 || len(q) < ihl+4 {
			d.problem("icmp", "quoted packet truncated")
			return
		}
		proto, l4 = q[9], q[ihl:]
		fl.Src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(q[12:16])), be.Uint16(l4))
		fl.Dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(q[16:20])), be.Uint16(l4[2:]))
	case len(q) >= 44 && q[0]>>4 == 6:
		proto, l4 = q[6], q[40:]
		fl.Src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(q[8:24])), be.Uint16(l4))
		fl.Dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(q[24:40])), be.Uint16(l4[2:]))
	default:
		d.problem("icmp", "quoted packet truncated")
		return
	}
	switch proto {
	case 17:
		fl.Transport = UDP
	case 6:
		fl.Transport = TCP
	default:
		d.stats.OtherPackets++
		return
	}
	d.icmpInfo = ICMPInfo{V6: v6, Type: typ, Code: code, Quoted: fl, Reporter: reporter}
	ev := d.event(Flow{Src: netip.AddrPortFrom(reporter, 0), Dst: fl.Src, Transport: fl.Transport}, nil, KindICMP, b)
	ev.ICMP = &d.icmpInfo
	d.emit(ev)
}
