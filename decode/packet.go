package decode

import (
	"encoding/binary"
	"net/netip"
)

// Link types (LINKTYPE_* of the pcap/pcapng specification).
const (
	LinkNull     = 0
	LinkEthernet = 1
	LinkRaw      = 101
	LinkLoop     = 108
	LinkSLL      = 113
	LinkIPv4     = 228
	LinkIPv6     = 229
	LinkSLL2     = 276
	linkRawBSD   = 12 // OpenBSD's LINKTYPE value for raw IP
	linkRawAlt   = 14 // another raw-IP value seen in old files
	maxTunnels   = 4  // IP-in-IP / GRE / ERSPAN nesting we follow
	etherIPv4    = 0x0800
	etherIPv6    = 0x86DD
	etherVLAN    = 0x8100
	etherQinQ    = 0x88A8
	etherQinQOld = 0x9100
	etherERSPAN2 = 0x88BE
	etherERSPAN3 = 0x22EB
	etherTEB     = 0x6558 // transparent Ethernet bridging inside GRE
)

var be = binary.BigEndian

// frame decodes one captured frame of the given link type.
func (d *Decoder) frame(link uint16, b []byte) {
	switch link {
	case LinkEthernet:
		d.ethernet(b, 0)
	case LinkSLL:
		if len(b) < 16 {
			d.problem("link", "Linux SLL header truncated")
			return
		}
		d.network(be.Uint16(b[14:]), b[16:], 0)
	case LinkSLL2:
		// Linux cooked capture v2: protocol(2) reserved(2) ifindex(4)
		// hatype(2) pkttype(1) addrlen(1) addr(8).
		if len(b) < 20 {
			d.problem("link", "Linux SLL2 header truncated")
			return
		}
		d.network(be.Uint16(b[0:]), b[20:], 0)
	case LinkNull, LinkLoop:
		d.loopback(link, b)
	case LinkRaw, linkRawBSD, linkRawAlt, LinkIPv4, LinkIPv6:
		d.rawIP(b, 0)
	default:
		d.problem("link", "unsupported link type")
	}
}

func (d *Decoder) ethernet(b []byte, depth int) {
	if len(b) < 14 {
		d.problem("link", "Ethernet header truncated")
		return
	}
	etype := be.Uint16(b[12:])
	off := 14
	for etype == etherVLAN || etype == etherQinQ || etype == etherQinQOld {
		if len(b) < off+4 {
			d.problem("link", "802.1Q tag truncated")
			return
		}
		etype = be.Uint16(b[off+2:])
		off += 4
	}
	d.network(etype, b[off:], depth)
}

// loopback decodes BSD loopback (DLT_NULL, family in the capturing host's
// byte order) and OpenBSD loop (network byte order).
func (d *Decoder) loopback(link uint16, b []byte) {
	if len(b) < 4 {
		d.problem("link", "loopback header truncated")
		return
	}
	var fam uint32
	if link == LinkLoop || (b[0] == 0 && b[1] == 0) {
		fam = be.Uint32(b)
	} else {
		fam = binary.LittleEndian.Uint32(b)
	}
	switch fam {
	case 2:
		d.ipv4(b[4:], 0)
	case 10, 24, 28, 30: // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, macOS
		d.ipv6(b[4:], 0)
	default:
		d.stats.OtherPackets++
	}
}

func (d *Decoder) rawIP(b []byte, depth int) {
	if len(b) == 0 {
		d.problem("ip", "empty packet")
		return
	}
	switch b[0] >> 4 {
	case 4:
		d.ipv4(b, depth)
	case 6:
		d.ipv6(b, depth)
	default:
		d.problem("ip", "unknown IP version")
	}
}

func (d *Decoder) network(etype uint16, b []byte, depth int) {
	switch etype {
	case etherIPv4:
		d.ipv4(b, depth)
	case etherIPv6:
		d.ipv6(b, depth)
	default:
		d.stats.OtherPackets++ // ARP, LLDP, ...: not ours, not a problem
	}
}

// ipv4 decodes an IPv4 header (RFC 791), reassembles fragments and passes
// the payload on.
func (d *Decoder) ipv4(b []byte, depth int) {
	if len(b) < 20 || b[0]>>4 != 4 {
		d.problem("ipv4", "header truncated or not IPv4")
		return
	}
	ihl := int(b[0]&0x0F) * 4
	total := int(be.Uint16(b[2:]))
	if ihl < 20 || len(b) < ihl || total < ihl {
		d.problem("ipv4", "bad header length")
		return
	}
	if total > len(b) {
		if !d.curTrunc {
			d.problem("ipv4", "total length past end of frame")
		}
		d.curTrunc = true
		total = len(b)
	}
	b = b[:total] // drop Ethernet padding
	if depth == 0 && d.dedup.seen(b, false, d.curInPlace, d.curTime) {
		d.stats.Duplicates++
		d.skipFrame = true
		return
	}
	d.stats.IPv4++
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	proto := b[9]
	fragWord := be.Uint16(b[6:])
	payload := b[ihl:]
	if fragWord&0x3FFF != 0 { // MF set or offset non-zero
		d.stats.Fragments++
		k := fragKey{src: src, dst: dst, id: uint32(be.Uint16(b[4:])), proto: proto}
		whole, ok := d.frag.add(d, k, int(fragWord&0x1FFF)*8, fragWord&0x2000 != 0, payload, proto)
		if !ok {
			return
		}
		d.stats.Reassembled++
		payload, proto = whole, k.proto
	}
	d.transport(proto, src, dst, payload, depth)
}

// ipv6 decodes an IPv6 header (RFC 8200) and its extension headers,
// reassembles fragments and passes the payload on.
func (d *Decoder) ipv6(b []byte, depth int) {
	if len(b) < 40 || b[0]>>4 != 6 {
		d.problem("ipv6", "header truncated or not IPv6")
		return
	}
	plen := int(be.Uint16(b[4:]))
	if 40+plen > len(b) {
		if !d.curTrunc {
			d.problem("ipv6", "payload length past end of frame")
		}
		d.curTrunc = true
		plen = len(b) - 40
	}
	if plen == 0 && len(b) > 40 {
		plen = len(b) - 40 // jumbogram or a capture that zeroed the length
	}
	b = b[:40+plen]
	if depth == 0 && d.dedup.seen(b, true, d.curInPlace, d.curTime) {
		d.stats.Duplicates++
		d.skipFrame = true
		return
	}
	d.stats.IPv6++
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	next := b[6]
	p := b[40:]
	for {
		switch next {
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, destination, mobility, HIP, shim6
			if len(p) < 8 || len(p) < (int(p[1])+1)*8 {
				d.problem("ipv6", "extension header truncated")
				return
			}
			next, p = p[0], p[(int(p[1])+1)*8:]
			continue
		case 51: // authentication header: length in 4-octet units minus 2
			if len(p) < 8 || len(p) < (int(p[1])+2)*4 {
				d.problem("ipv6", "authentication header truncated")
				return
			}
			next, p = p[0], p[(int(p[1])+2)*4:]
			continue
		case 44: // fragment header
			if len(p) < 8 {
				d.problem("ipv6", "fragment header truncated")
				return
			}
			d.stats.Fragments++
			off := int(be.Uint16(p[2:]) &^ 7)
			more := p[3]&1 != 0
			k := fragKey{src: src, dst: dst, id: be.Uint32(p[4:]), v6: true}
			whole, ok := d.frag.add(d, k, off, more, p[8:], p[0])
			if !ok {
				return
			}
			d.stats.Reassembled++
			next, p = d.frag.lastProto, whole
			continue
		}
		break
	}
	d.transport(next, src, dst, p, depth)
}

func (d *Decoder) transport(proto uint8, src, dst netip.Addr, b []byte, depth int) {
	switch proto {
	case 17:
		d.udp(src, dst, b)
	case 6:
		d.tcp(src, dst, b)
	case 132:
		d.sctp(src, dst, b)
	case 1:
		d.icmp(false, src, b)
	case 58:
		d.icmp(true, src, b)
	case 4, 41, 47:
		if depth >= maxTunnels {
			d.problem("ip", "too many nested tunnels")
			return
		}
		switch proto {
		case 4:
			d.ipv4(b, depth+1)
		case 41:
			d.ipv6(b, depth+1)
		default:
			d.gre(b, depth+1)
		}
	default:
		d.stats.OtherPackets++
	}
}

// gre decodes GRE (RFC 2784/2890) and the ERSPAN type II and III headers
// that Cisco mirror sessions put behind it.
func (d *Decoder) gre(b []byte, depth int) {
	if len(b) < 4 {
		d.problem("gre", "header truncated")
		return
	}
	flags := be.Uint16(b)
	proto := be.Uint16(b[2:])
	off := 4
	if flags&0x8000 != 0 { // checksum present
		off += 4
	}
	if flags&0x2000 != 0 { // key present
		off += 4
	}
	if flags&0x1000 != 0 { // sequence number present
		off += 4
	}
	if len(b) < off {
		d.problem("gre", "header truncated")
		return
	}
	b = b[off:]
	switch proto {
	case etherERSPAN2:
		if flags&0x1000 == 0 { // ERSPAN type I: no ERSPAN header
			d.ethernet(b, depth)
			return
		}
		if len(b) < 8 {
			d.problem("gre", "ERSPAN header truncated")
			return
		}
		d.ethernet(b[8:], depth)
	case etherERSPAN3:
		if len(b) < 12 {
			d.problem("gre", "ERSPAN header truncated")
			return
		}
		n := 12
		if b[11]&1 != 0 { // optional platform-specific subheader
			n += 8
		}
		if len(b) < n {
			d.problem("gre", "ERSPAN header truncated")
			return
		}
		d.ethernet(b[n:], depth)
	case etherTEB:
		d.ethernet(b, depth)
	default:
		d.network(proto, b, depth)
	}
}

func (d *Decoder) udp(src, dst netip.Addr, b []byte) {
	if len(b) < 8 {
		d.problem("udp", "header truncated")
		return
	}
	d.stats.UDPPackets++
	n := int(be.Uint16(b[4:]))
	switch {
	case n < 8:
		d.problem("udp", "bad length")
		return
	case n > len(b):
		if !d.curTrunc {
			d.problem("udp", "length past end of packet")
		}
		d.curTrunc = true
		n = len(b)
	}
	fl := Flow{
		Src:       netip.AddrPortFrom(src, be.Uint16(b)),
		Dst:       netip.AddrPortFrom(dst, be.Uint16(b[2:])),
		Transport: UDP,
	}
	d.datagram(fl, b[8:n])
}
