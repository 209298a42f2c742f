package capfile

import (
	"bufio"
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
	big      bool  // order is big-endian; u32 reads record fields without the interface call
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
	st.order, st.big = binary.ByteOrder(binary.BigEndian), true
	if !isPcapMagic(magic) {
		st.order, st.big = binary.LittleEndian, false
		magic = binary.LittleEndian.Uint32(h)
	}
	st.fracMult, f.label = 1000, "pcap"
	variants := standardVariants
	switch magic {
	case magicNano:
		st.fracMult, f.label = 1, "pcap-ns"
	case magicKuznetzov:
		variants = modifiedVariants
	}
	if major := st.order.Uint16(h[4:]); major != 2 {
		return f.fail(0, ErrBadBlock, "unsupported pcap version %d.%d", major, st.order.Uint16(h[6:]))
	}
	// Bits 0-15 of the link-type field are the LINKTYPE_ value; the upper
	// bits carry FCS information (draft-ietf-opsawg-pcap §4).
	st.linkType = uint16(st.order.Uint32(h[20:]))
	f.ifaces = append(f.ifaces, Interface{LinkType: st.linkType, Snaplen: st.order.Uint32(h[16:])})
	st.recLen = f.pickRecordLen(variants)
	return nil
}

// Record header lengths of the pcap variants that share a magic number, in
// order of preference, as old patched libpcaps wrote them: standard (16),
// Nokia (20) and Red Hat 6.1 (24) with the standard magic; Kuznetzov's
// modified format (24) and SuSE 6.3 (28) with a1b2cd34.
var (
	standardVariants = []int{pcapRecordLen, pcapRecordLen + 4, pcapRecordLen + kuznetzovExtra}
	modifiedVariants = []int{pcapRecordLen + kuznetzovExtra, pcapRecordLen + 12}
)

// pickRecordLen returns the first record header length under which the
// first two records look sane, or the preferred one when none does.
func (f *File) pickRecordLen(variants []int) int {
	for _, n := range variants {
		if f.plausible(n) {
			return n
		}
	}
	return variants[0]
}

// plausible peeks at up to two records with header length hl and checks
// that the captured length fits the original length and the limit, and that
// the fraction is below one second. What cannot be peeked counts as sane,
// so a short or truncated file keeps the preferred variant.
func (f *File) plausible(hl int) bool {
	o, off := f.pcap.order, 0
	for range 2 {
		h, err := f.r.Peek(off + hl)
		if err == bufio.ErrBufferFull || len(h) < off+hl {
			return true // past the buffer or the end: nothing contradicts hl
		}
		h = h[off:]
		caplen, wire := o.Uint32(h[8:]), o.Uint32(h[12:])
		if caplen > wire || uint64(caplen) > uint64(f.lim.MaxRecord) ||
			int64(o.Uint32(h[4:]))*f.pcap.fracMult >= 1e9 {
			return false
		}
		off += hl + int(caplen)
	}
	return true
}

// peekPcap is nextPcap for a record that is already whole in the read
// buffer: header and data are taken in place. It never reads from the
// underlying stream, so a read error stays pending for nextPcap, and it
// consumes nothing and reports false for anything else (a record that
// crosses the end of the buffered bytes, a length over the limit), which
// nextPcap then reads the careful way.
func (f *File) peekPcap(p *Packet) bool {
	st := &f.pcap
	var at []byte // the bytes at hand
	if f.stable {
		at = f.mapped.data[f.mapped.pos:]
	} else {
		at, _ = f.r.Peek(f.r.Buffered())
	}
	if len(at) < st.recLen {
		return false
	}
	caplen := st.u32(at[8:])
	n := st.recLen + int(caplen)
	if uint64(caplen) > uint64(f.lim.MaxRecord) || n > len(at) {
		return false
	}
	if f.stable { // cannot fail: the bytes are at hand
		f.mapped.Discard(n)
	} else {
		f.r.Discard(n)
	}
	f.off += int64(n)
	f.pcapPacket(p, at, at[st.recLen:n:n])
	return true
}

// u32 reads a record header field in the file's byte order.
func (st *pcapState) u32(b []byte) uint32 {
	if st.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// pcapPacket fills p from a record header h and its data. It assigns field
// by field: a composite literal is built on the stack and then copied,
// and on this path, once per packet, the copy stalls on the stores just
// made.
func (f *File) pcapPacket(p *Packet, h, data []byte) {
	st := &f.pcap
	f.frame++
	p.Data = data
	p.Timestamp = time.Unix(int64(st.u32(h[0:])), int64(st.u32(h[4:]))*st.fracMult).UTC()
	p.CaptureLength = len(data)
	p.Length = int(st.u32(h[12:]))
	p.LinkType = st.linkType
	p.Interface = 0
	p.Frame = f.frame
}

func isPcapMagic(m uint32) bool {
	return m == magicMicro || m == magicNano || m == magicKuznetzov
}

// nextPcap reads one pcap record (draft-ietf-opsawg-pcap §5): a 16-byte
// header with seconds, fraction, captured and original length, then data.
func (f *File) nextPcap(p *Packet) error {
	st := &f.pcap
	if f.peekPcap(p) {
		return nil
	}
	h, start, err := f.header(st.recLen, "record header")
	if err != nil {
		return err
	}
	caplen := st.order.Uint32(h[8:])
	if uint64(caplen) > uint64(f.lim.MaxRecord) {
		return f.fail(start, ErrTooLarge, "captured length %d exceeds the limit of %d bytes", caplen, f.lim.MaxRecord)
	}
	data, err := f.body(start, int(caplen), 0, "captured length") // leaves h (f.hdr) alone
	if err != nil {
		return err
	}
	f.pcapPacket(p, h, data)
	return nil
}
