package synth

import (
	"encoding/binary"
	"hash/crc32"
)

// Fragment splits an IPv4 packet (RFC 791 §2.3) or an IPv6 packet (with a
// Fragment extension header, RFC 8200 §4.5) into fragments of at most mtu
// bytes each. A packet that already fits is returned unchanged as the single
// element. IPv4 fragments copy the header (options included) and clear Don't
// Fragment; IPv6 fragments keep the 40-byte base header as the unfragmentable
// part and use an identification derived from the packet. It returns nil for
// input that is not a well-formed IPv4 or IPv6 packet or an mtu too small to
// carry 8 bytes of payload per fragment.
func Fragment(ipPacket []byte, mtu int) [][]byte {
	if len(ipPacket) <= mtu && len(ipPacket) > 0 {
		if v := ipPacket[0] >> 4; v == 4 || v == 6 {
			return [][]byte{ipPacket}
		}
	}
	if len(ipPacket) == 0 {
		return nil
	}
	switch ipPacket[0] >> 4 {
	case 4:
		return fragment4(ipPacket, mtu)
	case 6:
		return fragment6(ipPacket, mtu)
	}
	return nil
}

// fragment4 cuts an IPv4 packet into fragments.
func fragment4(p []byte, mtu int) [][]byte {
	if len(p) < 20 {
		return nil
	}
	ihl := int(p[0]&0x0F) * 4
	total := int(binary.BigEndian.Uint16(p[2:4]))
	if ihl < 20 || total < ihl || total > len(p) {
		return nil
	}
	chunk := (mtu - ihl) &^ 7
	if chunk < 8 {
		return nil
	}
	hdr, data := p[:ihl], p[ihl:total]
	baseOff := int(binary.BigEndian.Uint16(p[6:8])&0x1FFF) * 8
	moreAfter := binary.BigEndian.Uint16(p[6:8])&0x2000 != 0
	var out [][]byte
	for off := 0; off < len(data); off += chunk {
		n := min(chunk, len(data)-off)
		f := make([]byte, ihl+n)
		copy(f, hdr)
		copy(f[ihl:], data[off:off+n])
		binary.BigEndian.PutUint16(f[2:4], uint16(len(f)))
		fo := uint16((baseOff+off)/8) & 0x1FFF
		if off+n < len(data) || moreAfter {
			fo |= 0x2000
		}
		binary.BigEndian.PutUint16(f[6:8], fo)
		setIPv4Checksum(f[:ihl])
		out = append(out, f)
	}
	return out
}

// fragment6 cuts an IPv6 packet into fragments, inserting a Fragment header
// after the base header.
func fragment6(p []byte, mtu int) [][]byte {
	if len(p) < 40 {
		return nil
	}
	plen := int(binary.BigEndian.Uint16(p[4:6]))
	if 40+plen > len(p) {
		return nil
	}
	chunk := (mtu - 48) &^ 7
	if chunk < 8 {
		return nil
	}
	next, data := p[6], p[40:40+plen]
	id := crc32.ChecksumIEEE(p[:40+plen])
	var out [][]byte
	for off := 0; off < len(data); off += chunk {
		n := min(chunk, len(data)-off)
		f := make([]byte, 48+n)
		copy(f, p[:40])
		binary.BigEndian.PutUint16(f[4:6], uint16(8+n))
		f[6] = ProtoFragment
		f[40] = next
		fo := uint16(off) // offset in 8-octet units, shifted left by 3
		if off+n < len(data) {
			fo |= 1
		}
		binary.BigEndian.PutUint16(f[42:44], fo)
		binary.BigEndian.PutUint32(f[44:48], id)
		copy(f[48:], data[off:off+n])
		out = append(out, f)
	}
	return out
}
