package synth

import (
	"encoding/binary"
	"hash/crc32"
	"net/netip"
)

// Endpoint is a transport address: an IP address and a UDP or TCP port.
type Endpoint = netip.AddrPort

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
const (
	ProtoTCP      = 6
	ProtoUDP      = 17
	ProtoFragment = 44 // IPv6 Fragment extension header, RFC 8200 §4.5
)

// defaultTTL is the IPv4 TTL and IPv6 hop limit of every built packet.
const defaultTTL = 64

// UDP returns an IPv4 or IPv6 packet (no link header) carrying a UDP datagram
// from src to dst, with correct IPv4 header and UDP checksums (RFC 768,
// RFC 791, RFC 8200 §8.1). The IPv4 identification is derived from the
// addresses and payload, so equal inputs give equal bytes. It returns nil
// when src and dst are not of the same address family or the payload does
// not fit in one IP packet.
func UDP(src, dst netip.AddrPort, payload []byte) []byte {
	seg := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(seg[0:2], src.Port())
	binary.BigEndian.PutUint16(seg[2:4], dst.Port())
	binary.BigEndian.PutUint16(seg[4:6], uint16(len(seg)))
	copy(seg[8:], payload)
	return ipPacket(src.Addr(), dst.Addr(), ProtoUDP, seg, 6, 0)
}

// ipPacket wraps an upper-layer segment in an IPv4 or IPv6 header and fills
// the transport checksum found at segment offset csumAt. flags holds the
// IPv4 flag bits (0x4000 = Don't Fragment).
func ipPacket(src, dst netip.Addr, proto uint8, seg []byte, csumAt int, flags uint16) []byte {
	src, dst = src.Unmap(), dst.Unmap()
	if !src.IsValid() || src.Is4() != dst.Is4() || len(seg) > 0xFFFF-40 {
		return nil
	}
	sum := pseudoHeaderSum(src, dst, proto, len(seg))
	binary.BigEndian.PutUint16(seg[csumAt:], 0)
	c := finishChecksum(sumBytes(sum, seg))
	if c == 0 && proto == ProtoUDP {
		c = 0xFFFF // RFC 768: a computed zero is sent as all ones
	}
	binary.BigEndian.PutUint16(seg[csumAt:], c)
	if src.Is4() {
		return ipv4Packet(src, dst, proto, seg, flags)
	}
	return ipv6Packet(src, dst, proto, seg)
}

// ipv4Packet prepends a 20-byte IPv4 header (RFC 791 §3.1) to seg.
func ipv4Packet(src, dst netip.Addr, proto uint8, seg []byte, flags uint16) []byte {
	p := make([]byte, 20+len(seg))
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:4], uint16(len(p)))
	binary.BigEndian.PutUint16(p[4:6], packetID(src, dst, seg))
	binary.BigEndian.PutUint16(p[6:8], flags)
	p[8] = defaultTTL
	p[9] = proto
	s4, d4 := src.As4(), dst.As4()
	copy(p[12:16], s4[:])
	copy(p[16:20], d4[:])
	setIPv4Checksum(p[:20])
	copy(p[20:], seg)
	return p
}

// ipv6Packet prepends a 40-byte IPv6 header (RFC 8200 §3) to seg.
func ipv6Packet(src, dst netip.Addr, proto uint8, seg []byte) []byte {
	p := make([]byte, 40+len(seg))
	p[0] = 0x60
	binary.BigEndian.PutUint16(p[4:6], uint16(len(seg)))
	p[6] = proto
	p[7] = defaultTTL
	s16, d16 := src.As16(), dst.As16()
	copy(p[8:24], s16[:])
	copy(p[24:40], d16[:])
	copy(p[40:], seg)
	return p
}

// packetID derives a deterministic 16-bit identification from a packet's
// addresses and contents.
func packetID(src, dst netip.Addr, seg []byte) uint16 {
	h := crc32.NewIEEE()
	s, d := src.As16(), dst.As16()
	h.Write(s[:])
	h.Write(d[:])
	h.Write(seg)
	v := h.Sum32()
	return uint16(v>>16) ^ uint16(v)
}

// setIPv4Checksum computes the IPv4 header checksum (RFC 791) in place.
func setIPv4Checksum(hdr []byte) {
	hdr[10], hdr[11] = 0, 0
	binary.BigEndian.PutUint16(hdr[10:12], finishChecksum(sumBytes(0, hdr)))
}

// pseudoHeaderSum is the unfolded one's-complement sum of the TCP/UDP
// pseudo-header (RFC 768, RFC 793 §3.1, RFC 8200 §8.1).
func pseudoHeaderSum(src, dst netip.Addr, proto uint8, length int) uint32 {
	var sum uint32
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		sum = sumBytes(sumBytes(0, s[:]), d[:])
	} else {
		s, d := src.As16(), dst.As16()
		sum = sumBytes(sumBytes(0, s[:]), d[:])
	}
	return sum + uint32(proto) + uint32(length)
}

// sumBytes adds b to the running one's-complement sum as 16-bit words.
func sumBytes(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

// finishChecksum folds the carries and complements the sum (RFC 1071).
func finishChecksum(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xFFFF + sum>>16
	}
	return ^uint16(sum)
}
