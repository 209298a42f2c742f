package redact

import (
	"encoding/binary"
	"hash/crc32"
)

// sum16 is the 32-bit accumulation of b as big-endian 16-bit words, an
// odd last byte padded with zero (RFC 1071 §4.1).
func sum16(b []byte) uint32 {
	var s uint32
	n := len(b) &^ 1
	for i := 0; i < n; i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
		s = s&0xFFFF + s>>16
	}
	if len(b)&1 != 0 {
		s += uint32(b[len(b)-1]) << 8
	}
	return s
}

// fold reduces a 32-bit accumulation to a 16-bit one's complement sum.
func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s&0xFFFF + s>>16
	}
	return uint16(s)
}

// delta is the change of a one's complement sum from old to new bytes
// (RFC 1624 §3: HC' = ~(~HC + ~m + m')), kept as the pair of folded sums.
type delta struct{ old, new uint16 }

// add accumulates the change between two byte ranges of equal length that
// start at an even offset from the start of the checksummed data.
func (d *delta) add(old, new []byte) {
	d.old = fold(uint32(d.old) + sum16(old))
	d.new = fold(uint32(d.new) + sum16(new))
}

// apply returns checksum cs updated by the change (RFC 1624 eqn. 3).
func (d delta) apply(cs uint16) uint16 {
	return ^fold(uint32(^cs) + uint32(^d.old) + uint32(d.new))
}

// ipv4HeaderChecksum recomputes the header checksum of the IPv4 header h
// (RFC 791 §3.1).
func ipv4HeaderChecksum(h []byte) {
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:], ^fold(sum16(h)))
}

// crc32c is the CRC-32C table of the SCTP checksum (RFC 9260 §6.8,
// Appendix A).
var crc32c = crc32.MakeTable(crc32.Castagnoli)

// sctpChecksum recomputes the CRC-32C of an SCTP packet p (common header
// and chunks), stored little-endian as RFC 9260 Appendix A specifies.
func sctpChecksum(p []byte) {
	p[8], p[9], p[10], p[11] = 0, 0, 0, 0
	binary.LittleEndian.PutUint32(p[8:], crc32.Checksum(p, crc32c))
}
