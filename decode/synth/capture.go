package synth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"time"
)

// Frame is one captured frame: its capture time, the index of the pcapng
// interface it was captured on (ignored by WritePcap) and its bytes.
type Frame struct {
	Time  time.Time
	Iface int
	Data  []byte
}

// ErrBadInterface reports a frame whose interface index is not declared in
// its pcapng section.
var ErrBadInterface = errors.New("synth: frame interface not declared in section")

// snapLen is the snapshot length written into file and interface headers.
const snapLen = 262144

// WritePcap writes a little-endian, microsecond-resolution libpcap file
// (draft-ietf-opsawg-pcap §4, §5) with the given link type and frames. Link
// types above 255 (such as LinkTypeLinuxSLL2) are supported.
func WritePcap(w io.Writer, linkType uint32, frames []Frame) error {
	var buf bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:4], 0xA1B2C3D4)
	le.PutUint16(hdr[4:6], 2)
	le.PutUint16(hdr[6:8], 4)
	le.PutUint32(hdr[16:20], snapLen)
	le.PutUint32(hdr[20:24], linkType)
	buf.Write(hdr)
	for _, f := range frames {
		rec := make([]byte, 16)
		le.PutUint32(rec[0:4], uint32(f.Time.Unix()))
		le.PutUint32(rec[4:8], uint32(f.Time.Nanosecond()/1000))
		le.PutUint32(rec[8:12], uint32(len(f.Data)))
		le.PutUint32(rec[12:16], uint32(len(f.Data)))
		buf.Write(rec)
		buf.Write(f.Data)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Interface describes one pcapng capture interface (Interface Description
// Block, draft-ietf-opsawg-pcapng §4.2).
type Interface struct {
	Name        string
	Description string
	LinkType    uint16
}

// Section is one pcapng section: a Section Header Block with the given
// options, its interfaces, then its frames as Enhanced Packet Blocks
// (draft-ietf-opsawg-pcapng §4.1, §4.3).
type Section struct {
	Hardware, OS, Application, Comment string
	Interfaces                         []Interface
	Frames                             []Frame
}

// pcapng block types and option codes (draft-ietf-opsawg-pcapng).
const (
	blockSHB        = 0x0A0D0D0A
	blockIDB        = 0x00000001
	blockEPB        = 0x00000006
	optComment      = 1
	optSHBHardware  = 2
	optSHBOS        = 3
	optSHBUserAppl  = 4
	optIfName       = 2
	optIfDescr      = 3
	byteOrderMagic  = 0x1A2B3C4D
	sectionLenUnset = 0xFFFFFFFFFFFFFFFF
)

// WritePcapNG writes a little-endian pcapng file of one or more sections.
// Timestamps use the default microsecond resolution (no if_tsresol option).
func WritePcapNG(w io.Writer, sections ...Section) error {
	var buf bytes.Buffer
	for _, s := range sections {
		if err := writeSection(&buf, s); err != nil {
			return err
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeSection appends one section's blocks to buf.
func writeSection(buf *bytes.Buffer, s Section) error {
	le := binary.LittleEndian
	body := le.AppendUint32(nil, byteOrderMagic)
	body = le.AppendUint16(body, 1)
	body = le.AppendUint16(body, 0)
	body = le.AppendUint64(body, sectionLenUnset)
	body = appendOptions(body, []option{{optComment, s.Comment}, {optSHBHardware, s.Hardware},
		{optSHBOS, s.OS}, {optSHBUserAppl, s.Application}})
	writeBlock(buf, blockSHB, body)
	for _, ifc := range s.Interfaces {
		body := le.AppendUint16(nil, ifc.LinkType)
		body = le.AppendUint16(body, 0)
		body = le.AppendUint32(body, snapLen)
		body = appendOptions(body, []option{{optIfName, ifc.Name}, {optIfDescr, ifc.Description}})
		writeBlock(buf, blockIDB, body)
	}
	for _, f := range s.Frames {
		if f.Iface < 0 || f.Iface >= len(s.Interfaces) {
			return ErrBadInterface
		}
		us := uint64(f.Time.UnixMicro())
		body := le.AppendUint32(nil, uint32(f.Iface))
		body = le.AppendUint32(body, uint32(us>>32))
		body = le.AppendUint32(body, uint32(us))
		body = le.AppendUint32(body, uint32(len(f.Data)))
		body = le.AppendUint32(body, uint32(len(f.Data)))
		writeBlock(buf, blockEPB, pad4(append(body, f.Data...)))
	}
	return nil
}

// option is one pcapng string option; empty values are not written.
type option struct {
	code  uint16
	value string
}

// appendOptions appends the non-empty options and opt_endofopt.
func appendOptions(b []byte, opts []option) []byte {
	le := binary.LittleEndian
	wrote := false
	for _, o := range opts {
		if o.value == "" {
			continue
		}
		wrote = true
		b = le.AppendUint16(b, o.code)
		b = le.AppendUint16(b, uint16(len(o.value)))
		b = pad4(append(b, o.value...))
	}
	if wrote {
		b = le.AppendUint32(b, 0)
	}
	return b
}

// writeBlock writes a block: type, total length, body, total length.
func writeBlock(buf *bytes.Buffer, typ uint32, body []byte) {
	le := binary.LittleEndian
	n := uint32(12 + len(body))
	buf.Write(le.AppendUint32(le.AppendUint32(nil, typ), n))
	buf.Write(body)
	buf.Write(le.AppendUint32(nil, n))
}

// pad4 zero-pads b to a multiple of 4 bytes.
func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
