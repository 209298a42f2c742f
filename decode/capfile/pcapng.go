package capfile

import (
	"encoding/binary"
	"io"
	"time"
)

// pcapng block types (draft-ietf-opsawg-pcapng §10.1).
const (
	blockSHB = 0x0A0D0D0A // Section Header Block, §4.1
	blockIDB = 0x00000001 // Interface Description Block, §4.2
	blockPB  = 0x00000002 // obsolete Packet Block, Appendix A
	blockSPB = 0x00000003 // Simple Packet Block, §4.4
	blockEPB = 0x00000006 // Enhanced Packet Block, §4.3
)

const (
	byteOrderMagic = 0x1A2B3C4D
	minBlockLen    = 12 // type, total length, trailing total length
	minSHBLen      = 28
	minIDBLen      = 20
	minSPBLen      = 16
	minEPBLen      = 32 // also the obsolete Packet Block
	packetHdrLen   = 20 // EPB/PB fields between block header and data
)

// ngState is the pcapng reading state: the current section's byte order and
// where its interfaces start in the file-wide interface list.
type ngState struct {
	order    binary.ByteOrder
	sections int       // sections seen; the current one is sections-1
	base     int       // file-wide index of the current section's interface 0
	ts       []tsScale // timestamp scale per file-wide interface
}

// readSHB reads the first Section Header Block at the start of the stream.
func (f *File) readSHB(start int64) error {
	h, start, err := f.header(minBlockLen, "section header block")
	if err != nil {
		return err
	}
	return f.parseSHB(start, h)
}

// parseSHB reads the rest of a Section Header Block (§4.1) whose first 12
// bytes (type, total length, byte-order magic) are h, and starts a section
// with its own byte order and interface numbering.
func (f *File) parseSHB(start int64, h []byte) error {
	var o binary.ByteOrder
	switch {
	case binary.BigEndian.Uint32(h[8:]) == byteOrderMagic:
		o = binary.BigEndian
	case binary.LittleEndian.Uint32(h[8:]) == byteOrderMagic:
		o = binary.LittleEndian
	default:
		return f.fail(start, ErrBadBlock, "section header byte-order magic %#x is neither order of 0x1a2b3c4d", binary.BigEndian.Uint32(h[8:]))
	}
	total := o.Uint32(h[4:])
	if err := f.checkTotal(start, total, minSHBLen); err != nil {
		return err
	}
	b, err := f.body(start, int(total)-minBlockLen, minBlockLen, "block total length")
	if err != nil {
		return err
	}
	if err := f.checkTrailer(start, o, total, b); err != nil {
		return err
	}
	if major := o.Uint16(b); major != 1 {
		return f.fail(start, ErrBadBlock, "unsupported pcapng version %d.%d", major, o.Uint16(b[2:]))
	}
	f.ng.order = o
	f.ng.sections++
	f.ng.base = len(f.ifaces)
	return nil
}

// checkTotal validates a block total length (§3.1).
func (f *File) checkTotal(start int64, total, min uint32) error {
	switch {
	case total < min:
		return f.fail(start, ErrBadBlock, "block total length %d is below the minimum of %d", total, min)
	case total%4 != 0:
		return f.fail(start, ErrBadBlock, "block total length %d is not a multiple of 4", total)
	case uint64(total) > uint64(f.lim.MaxRecord)+BlockSlack:
		return f.fail(start, ErrTooLarge, "block total length %d exceeds the limit of %d bytes", total, f.lim.MaxRecord+BlockSlack)
	}
	return nil
}

// checkTrailer compares the trailing copy of the total length, the last four
// bytes of b, with the leading one.
func (f *File) checkTrailer(start int64, o binary.ByteOrder, total uint32, b []byte) error {
	if tail := o.Uint32(b[len(b)-4:]); tail != total {
		return f.fail(start, ErrBadBlock, "block total length %d differs from its trailing copy %d", total, tail)
	}
	return nil
}

// minLen is the smallest valid total length of a block type.
func minLen(typ uint32) uint32 {
	switch typ {
	case blockIDB:
		return minIDBLen
	case blockSPB:
		return minSPBLen
	case blockEPB, blockPB:
		return minEPBLen
	}
	return minBlockLen
}

// nextPcapng reads blocks until a packet block, handling section and
// interface blocks on the way and skipping every other block by its length.
func (f *File) nextPcapng(p *Packet) error {
	for {
		h, start, err := f.header(8, "block header")
		if err != nil {
			return err
		}
		typ := f.ng.order.Uint32(h)
		if typ == blockSHB {
			if err := f.nextSection(start); err != nil {
				return err
			}
			continue
		}
		total := f.ng.order.Uint32(h[4:])
		if err := f.checkTotal(start, total, minLen(typ)); err != nil {
			return err
		}
		done, err := f.block(p, start, typ, total)
		if done || err != nil {
			return err
		}
	}
}

// nextSection reads the byte-order magic of a further Section Header Block
// whose first 8 bytes are in f.hdr, then the block.
func (f *File) nextSection(start int64) error {
	got, err := f.fill(f.hdr[8:minBlockLen])
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return f.fail(start, ErrTruncatedFile, "section header block cut after %d of %d bytes", 8+got, minBlockLen)
	}
	if err != nil {
		return f.fail(start, err, "reading section header block: %v", err)
	}
	return f.parseSHB(start, f.hdr[:minBlockLen])
}

// block reads the body of one block after its 8-byte header. done reports
// that p holds a packet.
func (f *File) block(p *Packet, start int64, typ, total uint32) (done bool, err error) {
	switch typ {
	case blockIDB, blockEPB, blockPB, blockSPB:
	default:
		return false, f.skipBlock(start, total)
	}
	b, err := f.body(start, int(total)-8, 8, "block total length")
	if err != nil {
		return false, err
	}
	o := f.ng.order
	if err := f.checkTrailer(start, o, total, b); err != nil {
		return false, err
	}
	b = b[:len(b)-4]
	switch typ {
	case blockIDB:
		return false, f.addInterface(start, b)
	case blockSPB:
		return true, f.simplePacket(p, start, b)
	case blockPB:
		return true, f.packet(p, start, uint32(o.Uint16(b)), b)
	default:
		return true, f.packet(p, start, o.Uint32(b), b)
	}
}

// skipBlock discards a block this reader does not use (Name Resolution,
// Interface Statistics, Decryption Secrets, custom and unknown blocks) and
// checks its trailing length.
func (f *File) skipBlock(start int64, total uint32) error {
	if err := f.skip(start, int(total)-minBlockLen, 8, "block total length"); err != nil {
		return err
	}
	got, err := f.fill(f.hdr[8:minBlockLen])
	if err != nil {
		return f.readFailed(start, "block total length", int(total), int(total)-4+got, err)
	}
	return f.checkTrailer(start, f.ng.order, total, f.hdr[8:minBlockLen])
}

// iface maps a section-local interface id to the file-wide index.
func (f *File) iface(start int64, id uint32) (int, error) {
	n := len(f.ifaces) - f.ng.base
	if uint64(id) >= uint64(n) {
		return 0, f.fail(start, ErrBadBlock, "packet names interface %d but section %d has declared %d", id, f.ng.sections-1, n)
	}
	return f.ng.base + int(id), nil
}

// packet fills p from an Enhanced Packet Block (§4.3) or an obsolete Packet
// Block (Appendix A): b is the body after the block header, trailer removed.
func (f *File) packet(p *Packet, start int64, id uint32, b []byte) error {
	o := f.ng.order
	caplen, wire := o.Uint32(b[12:]), o.Uint32(b[16:])
	if uint64(caplen) > uint64(f.lim.MaxRecord) {
		return f.fail(start, ErrTooLarge, "captured length %d exceeds the limit of %d bytes", caplen, f.lim.MaxRecord)
	}
	if room := len(b) - packetHdrLen; uint64(caplen) > uint64(room) {
		return f.fail(start, ErrBadBlock, "captured length %d runs past the %d data bytes of its block", caplen, room)
	}
	i, err := f.iface(start, id)
	if err != nil {
		return err
	}
	ticks := uint64(o.Uint32(b[4:]))<<32 | uint64(o.Uint32(b[8:]))
	f.deliver(p, i, b[packetHdrLen:packetHdrLen+int(caplen)], int(wire))
	p.Timestamp = f.ng.ts[i].time(ticks)
	return nil
}

// simplePacket fills p from a Simple Packet Block (§4.4): it belongs to the
// section's first interface, has no timestamp, and its captured length is
// the original length bounded by the block and the interface's snaplen.
func (f *File) simplePacket(p *Packet, start int64, b []byte) error {
	i, err := f.iface(start, 0)
	if err != nil {
		return err
	}
	wire := f.ng.order.Uint32(b)
	caplen := uint64(len(b) - 4)
	if uint64(wire) < caplen {
		caplen = uint64(wire)
	}
	if snap := uint64(f.ifaces[i].Snaplen); snap != 0 && caplen > snap {
		caplen = snap
	}
	if caplen > uint64(f.lim.MaxRecord) {
		return f.fail(start, ErrTooLarge, "captured length %d exceeds the limit of %d bytes", caplen, f.lim.MaxRecord)
	}
	f.deliver(p, i, b[4:4+caplen], int(wire))
	p.Timestamp = f.ng.ts[i].time(0)
	return nil
}

// deliver counts a frame and fills p for interface i, but for the
// timestamp, field by field as pcapPacket does.
func (f *File) deliver(p *Packet, i int, data []byte, wire int) {
	f.frame++
	p.Data = data
	p.Timestamp = time.Time{}
	p.CaptureLength = len(data)
	p.Length = wire
	p.LinkType = f.ifaces[i].LinkType
	p.Interface = i
	p.Frame = f.frame
}
