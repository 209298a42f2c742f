package capfile

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// ngBuilder writes pcapng blocks byte by byte, independently of
// PcapngWriter, to craft files the writer never produces.
type ngBuilder struct {
	buf bytes.Buffer
	o   byteOrder
}

// byteOrder is satisfied by binary.LittleEndian and binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func (b *ngBuilder) u16(v uint16) []byte { return b.o.AppendUint16(nil, v) }
func (b *ngBuilder) u32(v uint32) []byte { return b.o.AppendUint32(nil, v) }

// block writes a block with its body padded to 32 bits.
func (b *ngBuilder) block(typ uint32, body ...[]byte) {
	payload := bytes.Join(body, nil)
	for len(payload)%4 != 0 {
		payload = append(payload, 0)
	}
	total := uint32(12 + len(payload))
	b.buf.Write(b.u32(typ))
	b.buf.Write(b.u32(total))
	b.buf.Write(payload)
	b.buf.Write(b.u32(total))
}

func (b *ngBuilder) shb(o byteOrder) {
	b.o = o
	b.block(blockSHB, b.u32(byteOrderMagic), b.u16(1), b.u16(0), o.AppendUint64(nil, ^uint64(0)))
}

// opt encodes one option with padding.
func (b *ngBuilder) opt(code uint16, v []byte) []byte {
	out := append(b.u16(code), b.u16(uint16(len(v)))...)
	out = append(out, v...)
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	return out
}

func (b *ngBuilder) idb(link uint16, snap uint32, opts ...[]byte) {
	head := append(append(b.u16(link), 0, 0), b.u32(snap)...)
	if len(opts) > 0 {
		opts = append(opts, b.opt(optEnd, nil))
	}
	b.block(blockIDB, append([][]byte{head}, opts...)...)
}

func (b *ngBuilder) epb(iface uint32, ticks uint64, data []byte, wire uint32) {
	b.block(blockEPB, b.u32(iface), b.u32(uint32(ticks>>32)), b.u32(uint32(ticks)),
		b.u32(uint32(len(data))), b.u32(wire), data)
}

func (b *ngBuilder) pb(iface uint16, ticks uint64, data []byte, wire uint32) {
	b.block(blockPB, b.u16(iface), b.u16(0), b.u32(uint32(ticks>>32)), b.u32(uint32(ticks)),
		b.u32(uint32(len(data))), b.u32(wire), data)
}

func (b *ngBuilder) spb(wire uint32, data []byte) {
	b.block(blockSPB, b.u32(wire), data)
}

func fill(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }

// craftedPcapng builds two sections in opposite byte orders with every
// packet block type, four timestamp resolutions and offsets, and blocks the
// reader must skip.
func craftedPcapng() []byte {
	b := &ngBuilder{}
	b.shb(binary.LittleEndian)
	b.idb(1, 0, b.opt(optIfName, []byte("eth0")), b.opt(optIfDesc, []byte("outside\x00")), b.opt(optIfTsresol, []byte{9}))
	b.idb(101, 65535, b.opt(optIfTsresol, []byte{0x80 | 20}), b.opt(optIfTsoffset, b.o.AppendUint64(nil, 100)))
	b.block(0x0BAD0001, fill(10, 0xee))
	b.epb(0, 1700000000123456789, fill(60, 1), 60)
	b.epb(1, 1600000000<<20|1<<19|3, fill(41, 2), 41)
	b.block(5, b.u32(0), b.u32(0), b.u32(0)) // Interface Statistics Block
	b.pb(1, 1600000001<<20, fill(40, 3), 100)
	b.shb(binary.BigEndian)
	b.idb(113, 64)
	b.block(4, b.u16(0), b.u16(0)) // Name Resolution Block, only opt_endofrecord
	b.spb(100, fill(64, 4))        // data is min(original length, snaplen), §4.4
	b.epb(0, 1500000000000001, fill(50, 5), 50)
	return b.buf.Bytes()
}

// TestCrafted checks each packet of the crafted file against values worked
// out from the pcapng specification.
func TestCrafted(t *testing.T) {
	f, err := NewReader("crafted", bytes.NewReader(craftedPcapng()))
	if err != nil {
		t.Fatalf("NewReader = %v", err)
	}
	got, err := readAll(t, f)
	if err != io.EOF {
		t.Fatalf("Next = %v, want io.EOF", err)
	}
	want := []struct {
		epoch       string
		caplen, len int
		link        uint16
		iface       int
	}{
		{"1700000000.123456789", 60, 60, 1, 0},
		{"1600000100.500002861", 41, 41, 101, 1}, // 2^-20 s ticks, +100 s offset
		{"1600000101.000000000", 40, 100, 101, 1},
		{"0.000000000", 64, 100, 113, 2}, // SPB: no timestamp, snaplen 64
		{"1500000000.000001000", 50, 50, 113, 2},
	}
	if len(got) != len(want) {
		t.Fatalf("read %d frames, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Frame != uint64(i+1) || g.Epoch != w.epoch || g.CaptureLength != w.caplen || g.Length != w.len || g.LinkType != w.link || g.Interface != w.iface {
			t.Errorf("frame %d = %v, want %+v", i+1, g, w)
		}
	}
	wantIf := []Interface{
		{LinkType: 1, Name: "eth0", Description: "outside", Section: 0},
		{LinkType: 101, Snaplen: 65535, Section: 0},
		{LinkType: 113, Snaplen: 64, Section: 1},
	}
	if got := f.Interfaces(); !slices.Equal(got, wantIf) {
		t.Errorf("Interfaces() = %+v, want %+v", got, wantIf)
	}
}

// TestCraftedTshark checks that tshark reads the crafted file the same way.
func TestCraftedTshark(t *testing.T) {
	data := craftedPcapng()
	path := filepath.Join(t.TempDir(), "crafted.pcapng")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	compareTshark(t, readBytes(t, path, data), tsharkRecords(t, path))
}

func TestTsScale(t *testing.T) {
	tests := []struct {
		resol byte
		ticks uint64
		want  string
	}{
		{6, 1_000_001, "1.000001000"},
		{9, 1_999_999_999, "1.999999999"},
		{0, 42, "42.000000000"},
		{12, 1_000_000_000_001_999, "1000.000000001"},
		{19, 10_000_000_000_000_000_000, "1.000000000"},
		{0x80 | 0, 7, "7.000000000"},
		{0x80 | 10, 1024 + 512, "1.500000000"},
		{0x80 | 63, 1 << 62, "0.500000000"},
		{0x80 | 63, 1<<63 | 1<<62, "1.500000000"},
	}
	for _, tt := range tests {
		s, err := newTsScale(tt.resol)
		if err != nil {
			t.Fatalf("newTsScale(%#x) = %v", tt.resol, err)
		}
		ts := s.time(tt.ticks)
		if got := fmtEpoch(ts); got != tt.want {
			t.Errorf("tsScale(%#x).time(%d) = %s, want %s", tt.resol, tt.ticks, got, tt.want)
		}
	}
	for _, bad := range []byte{20, 0x7f, 0x80 | 64, 0xff} {
		if _, err := newTsScale(bad); err == nil {
			t.Errorf("newTsScale(%#x) = nil error, want an error", bad)
		}
	}
}

func fmtEpoch(ts time.Time) string {
	return toRecord(&Packet{Timestamp: ts}).Epoch
}
