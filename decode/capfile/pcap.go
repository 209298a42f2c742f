package capfile

import (
	"encoding/binary"
	"time"
)

// pcap magic numbers as they appear in the first four bytes, read big-endian
// (draft-ietf-opsawg-pcap §4). The modified format of Alexey Kuznetzov's
// patched libpcap (a1b2cd34) adds 8 bytes to each record header.
const (
	magicMicro     = 0xa1b2c3d4
	magicNano      = 0xa1b23c4d
	magicKuznetzov = 0xa1b2cd34
)

const (
	pcapFileHeaderLen = 24
	pcapRecordLen     = 16
	kuznetzovExtra    = 8
)

// pcapState is what the file header fixes for every record.
type pcapState struct {
	order    binary.ByteOrder
	fracMult int64 // nanoseconds per fraction unit: 1000 (µs) or 1 (ns)
	recLen   int   // record header length
	linkType uint16
}

// pcapMagic reports whether m starts with a pcap magic number in either byte order.
func pcapMagic(m []byte) bool {
	switch binary.BigEndian.Uint32(m) {
	case magicMicro, magicNano, magicKuznetzov:
		return true
	}
	switch binary.LittleEndian.Uint32(m) {
	case magicMicro, magicNano, magicKuznetzov:
		return true
	}
	return false
}

// readPcapHeader reads the 24-byte pcap file header
// (draft-ietf-opsawg-pcap §4): magic, version, snaplen and link type.
func (f *File) readPcapHeader() error {
	h, _, err := f.header(pcapFileHeaderLen, "pcap file header")
	if err != nil {
		return err // readMagic has peeked four bytes: never a clean EOF
	}
	st := &f.pcap
	magic := binary.BigEndian.Uint32(h)
	st.order = binary.ByteOrder(binary.BigEndian)
	if !isPcapMagic(magic) {
		st.order = binary.LittleEndian
		magic = binary.LittleEndian.Uint32(h)
	}
	st.fracMult, st.recLen, f.label = 1000, pcapRecordLen, "pcap"
	switch magic {
	case magicNano:
		st.fracMult, f.label = 1, "pcap-ns"
	case magicKuznetzov:
		st.recLen += kuznetzovExtra
	}
	if major := st.order.Uint16(h[4:]); major != 2 {
		return f.fail(0, ErrBadBlock, "unsupported pcap version %d.%d", major, st.order.Uint16(h[6:]))
	}
	// Bits 0-15 of the link-type field are the LINKTYPE_ value; the upper
	// bits carry FCS information (draft-ietf-opsawg-pcap §4).
	st.linkType = uint16(st.order.Uint32(h[20:]))
	f.ifaces = append(f.ifaces, Interface{LinkType: st.linkType, Snaplen: st.order.Uint32(h[16:])})
	return nil
}

func isPcapMagic(m uint32) bool {
	return m == magicMicro || m == magicNano || m == magicKuznetzov
}

// nextPcap reads one pcap record (draft-ietf-opsawg-pcap §5): a 16-byte
// header with seconds, fraction, captured and original length, then data.
func (f *File) nextPcap(p *Packet) error {
	st := &f.pcap
	h, start, err := f.header(st.recLen, "record header")
	if err != nil {
		return err
	}
	sec := st.order.Uint32(h[0:])
	frac := st.order.Uint32(h[4:])
	caplen := st.order.Uint32(h[8:])
	wire := st.order.Uint32(h[12:])
	if uint64(caplen) > uint64(f.lim.MaxRecord) {
		return f.fail(start, ErrTooLarge, "captured length %d exceeds the limit of %d bytes", caplen, f.lim.MaxRecord)
	}
	data, err := f.body(start, int(caplen), 0, "captured length")
	if err != nil {
		return err
	}
	f.frame++
	*p = Packet{
		Data:          data,
		Timestamp:     time.Unix(int64(sec), int64(frac)*st.fracMult).UTC(),
		CaptureLength: int(caplen),
		Length:        int(wire),
		LinkType:      st.linkType,
		Frame:         f.frame,
	}
	return nil
}
