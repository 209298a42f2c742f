package capfile

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"time"
)

var zeroPad [4]byte

// PcapWriter writes a pcap file (draft-ietf-opsawg-pcap §4-5) in either byte
// order and either timestamp resolution. It writes straight through to the
// underlying writer, one header and one data write per packet; wrap the
// writer in a bufio.Writer for speed.
type PcapWriter struct {
	w        io.Writer
	order    binary.ByteOrder
	nano     bool
	snaplen  uint32
	scratch  [pcapRecordLen]byte
	linkType uint16
}

// NewPcapWriter writes the 24-byte pcap file header: magic a1b2c3d4 (µs) or
// a1b23c4d (ns) in the given byte order, version 2.4, snaplen and link type.
func NewPcapWriter(w io.Writer, linkType uint16, snaplen uint32, nanosecond bool, order binary.ByteOrder) (*PcapWriter, error) {
	var h [pcapFileHeaderLen]byte
	magic := uint32(magicMicro)
	if nanosecond {
		magic = magicNano
	}
	order.PutUint32(h[0:], magic)
	order.PutUint16(h[4:], 2)
	order.PutUint16(h[6:], 4)
	order.PutUint32(h[16:], snaplen)
	order.PutUint32(h[20:], uint32(linkType))
	if _, err := w.Write(h[:]); err != nil {
		return nil, err
	}
	return &PcapWriter{w: w, order: order, nano: nanosecond, snaplen: snaplen, linkType: linkType}, nil
}

// WritePacket writes one record. origLen is the length on the wire; 0 means
// len(data). Data beyond the snaplen is cut (origLen keeps the full length).
// The timestamp must fall between 1970 and 2106, the range of the format's
// unsigned 32-bit seconds.
func (w *PcapWriter) WritePacket(ts time.Time, data []byte, origLen int) error {
	wire, err := checkOrigLen(data, origLen)
	if err != nil {
		return err
	}
	sec := ts.Unix()
	if sec < 0 || sec > math.MaxUint32 {
		return fmt.Errorf("%w: timestamp %v outside the pcap range", ErrWriterArg, ts)
	}
	frac := uint32(ts.Nanosecond())
	if !w.nano {
		frac /= 1000
	}
	if w.snaplen != 0 && uint64(len(data)) > uint64(w.snaplen) {
		data = data[:w.snaplen]
	}
	h := w.scratch[:]
	w.order.PutUint32(h[0:], uint32(sec))
	w.order.PutUint32(h[4:], frac)
	w.order.PutUint32(h[8:], uint32(len(data)))
	w.order.PutUint32(h[12:], wire)
	if _, err := w.w.Write(h); err != nil {
		return err
	}
	_, err = w.w.Write(data)
	return err
}

// checkOrigLen validates the original length of a packet to write.
func checkOrigLen(data []byte, origLen int) (uint32, error) {
	if origLen == 0 {
		origLen = len(data)
	}
	if origLen < len(data) || uint64(origLen) > math.MaxUint32 {
		return 0, fmt.Errorf("%w: original length %d with %d captured bytes", ErrWriterArg, origLen, len(data))
	}
	return uint32(origLen), nil
}

// PcapngWriter writes a pcapng file (draft-ietf-opsawg-pcapng): sections,
// Interface Description Blocks with nanosecond if_tsresol, and Enhanced
// Packet Blocks. Output is buffered: call Flush at the end.
type PcapngWriter struct {
	w       *bufio.Writer
	order   binary.ByteOrder
	snaplen []uint32 // per interface of the current section
	scratch [64]byte
}

// NewPcapngWriter starts a little-endian section by writing its Section
// Header Block.
func NewPcapngWriter(w io.Writer) (*PcapngWriter, error) {
	pw := &PcapngWriter{w: bufio.NewWriterSize(w, readBufSize)}
	if err := pw.NewSection(binary.LittleEndian); err != nil {
		return nil, err
	}
	return pw, nil
}

// NewSection ends the current section and starts another in the given byte
// order (§4.1). Interface ids start again at 0.
func (w *PcapngWriter) NewSection(order binary.ByteOrder) error {
	w.order = order
	w.snaplen = w.snaplen[:0]
	b := w.scratch[:minSHBLen]
	order.PutUint32(b[0:], blockSHB)
	order.PutUint32(b[4:], minSHBLen)
	order.PutUint32(b[8:], byteOrderMagic)
	order.PutUint16(b[12:], 1)
	order.PutUint16(b[14:], 0)
	order.PutUint64(b[16:], math.MaxUint64) // section length unknown
	order.PutUint32(b[24:], minSHBLen)
	_, err := w.w.Write(b)
	return err
}

// AddInterface writes an Interface Description Block (§4.2) with if_name
// (when name is not empty) and if_tsresol 9 (nanoseconds), and returns its
// id within the current section.
func (w *PcapngWriter) AddInterface(linkType uint16, snaplen uint32, name string) (int, error) {
	if len(name) > math.MaxUint16 {
		return 0, fmt.Errorf("%w: interface name of %d bytes", ErrWriterArg, len(name))
	}
	nameLen := 0
	if name != "" {
		nameLen = 4 + pad4(len(name))
	}
	total := minIDBLen + nameLen + 8 + 4 // options: name, tsresol, end
	o := w.order
	b := w.scratch[:16]
	o.PutUint32(b[0:], blockIDB)
	o.PutUint32(b[4:], uint32(total))
	o.PutUint16(b[8:], linkType)
	o.PutUint16(b[10:], 0) // reserved
	o.PutUint32(b[12:], snaplen)
	w.w.Write(b)
	if name != "" {
		w.option(optIfName, []byte(name))
	}
	w.option(optIfTsresol, []byte{9})
	b = w.scratch[:8]
	o.PutUint32(b[0:], optEnd)
	o.PutUint32(b[4:], uint32(total))
	if _, err := w.w.Write(b); err != nil {
		return 0, err
	}
	w.snaplen = append(w.snaplen, snaplen)
	return len(w.snaplen) - 1, nil
}

// option writes one option with its padding; errors surface on the next
// checked write of the bufio.Writer.
func (w *PcapngWriter) option(code uint16, v []byte) {
	b := w.scratch[:4]
	w.order.PutUint16(b[0:], code)
	w.order.PutUint16(b[2:], uint16(len(v)))
	w.w.Write(b)
	w.w.Write(v)
	w.w.Write(zeroPad[:pad4(len(v))-len(v)])
}

// WritePacket writes an Enhanced Packet Block (§4.3) for interface iface of
// the current section, with a nanosecond timestamp. origLen is the length on
// the wire; 0 means len(data). Data beyond the interface's snaplen is cut.
func (w *PcapngWriter) WritePacket(iface int, ts time.Time, data []byte, origLen int) error {
	if iface < 0 || iface >= len(w.snaplen) {
		return fmt.Errorf("%w: interface %d not added", ErrWriterArg, iface)
	}
	wire, err := checkOrigLen(data, origLen)
	if err != nil {
		return err
	}
	if sec := ts.Unix(); sec < 0 || sec >= math.MaxInt64/1_000_000_000 {
		return fmt.Errorf("%w: timestamp %v outside the nanosecond range", ErrWriterArg, ts)
	}
	if snap := w.snaplen[iface]; snap != 0 && uint64(len(data)) > uint64(snap) {
		data = data[:snap]
	}
	total := minEPBLen + pad4(len(data))
	o := w.order
	b := w.scratch[:28]
	o.PutUint32(b[0:], blockEPB)
	o.PutUint32(b[4:], uint32(total))
	o.PutUint32(b[8:], uint32(iface))
	ns := uint64(ts.UnixNano())
	o.PutUint32(b[12:], uint32(ns>>32))
	o.PutUint32(b[16:], uint32(ns))
	o.PutUint32(b[20:], uint32(len(data)))
	o.PutUint32(b[24:], wire)
	w.w.Write(b)
	w.w.Write(data)
	w.w.Write(zeroPad[:pad4(len(data))-len(data)])
	b = w.scratch[:4]
	o.PutUint32(b, uint32(total))
	_, err = w.w.Write(b)
	return err
}

// Flush writes buffered blocks to the underlying writer.
func (w *PcapngWriter) Flush() error { return w.w.Flush() }

func pad4(n int) int { return (n + 3) &^ 3 }
