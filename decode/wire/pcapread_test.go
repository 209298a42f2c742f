package wire

import (
	"encoding/binary"
	"errors"

	"github.com/google/gopacket/layers"
)

// record is one captured frame with its link type.
type record struct {
	link layers.LinkType
	data []byte
}

var errCapture = errors.New("not a pcap or pcapng file, or truncated")

// splitCapture splits a whole pcap or pcapng file into frames. It is a
// test helper: gopacket's pcapgo needs a module this repository does not
// depend on.
func splitCapture(b []byte) ([]record, error) {
	if len(b) < 24 {
		return nil, errCapture
	}
	if binary.BigEndian.Uint32(b) == 0x0a0d0d0a {
		return splitPcapng(b)
	}
	return splitPcap(b)
}

// splitPcap reads the classic pcap format (either byte order, µs or ns).
func splitPcap(b []byte) ([]record, error) {
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil, errCapture
	}
	link := layers.LinkType(bo.Uint32(b[20:24]) & 0xFFFF)
	var out []record
	for off := 24; off < len(b); {
		if len(b)-off < 16 {
			return nil, errCapture
		}
		n := int(bo.Uint32(b[off+8 : off+12]))
		if n > len(b)-off-16 {
			return nil, errCapture
		}
		out = append(out, record{link: link, data: b[off+16 : off+16+n]})
		off += 16 + n
	}
	return out, nil
}

// splitPcapng reads pcapng section, interface, enhanced and simple packet
// blocks.
func splitPcapng(b []byte) ([]record, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	var links []layers.LinkType
	var out []record
	for off := 0; off < len(b); {
		if len(b)-off < 12 {
			return nil, errCapture
		}
		if binary.BigEndian.Uint32(b[off:]) == 0x0a0d0d0a {
			bo = binary.LittleEndian
			if binary.LittleEndian.Uint32(b[off+8:]) != 0x1a2b3c4d {
				bo = binary.BigEndian
			}
			links = links[:0]
		}
		typ, n := bo.Uint32(b[off:]), int(bo.Uint32(b[off+4:]))
		if n < 12 || n > len(b)-off {
			return nil, errCapture
		}
		blk := b[off : off+n]
		switch typ {
		case 1:
			links = append(links, layers.LinkType(bo.Uint16(blk[8:10])))
		case 6:
			if n < 32 || len(links) == 0 {
				return nil, errCapture
			}
			ifc, capLen := int(bo.Uint32(blk[8:12])), int(bo.Uint32(blk[20:24]))
			if ifc >= len(links) || 28+capLen > n {
				return nil, errCapture
			}
			out = append(out, record{link: links[ifc], data: blk[28 : 28+capLen]})
		case 3:
			if len(links) == 0 || n < 16 {
				return nil, errCapture
			}
			out = append(out, record{link: links[0], data: blk[12 : n-4]})
		}
		off += n
	}
	return out, nil
}
