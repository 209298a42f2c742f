package synth

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"testing"
	"time"

	"encoding/binary"
)

// TestWritePcapReadBack walks a written pcap's records.
func TestWritePcapReadBack(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 123456000, time.UTC)
	ip := UDP(netip.MustParseAddrPort("10.0.1.20:50000"), netip.MustParseAddrPort("203.0.113.10:3478"), []byte("abc"))
	frames := []Frame{{Time: t0, Data: Ethernet(DocMAC, DocMAC, nil, ip)}, {Time: t0.Add(1500 * time.Microsecond), Data: Ethernet(DocMAC, DocMAC, []uint16{7}, ip)}}
	var buf bytes.Buffer
	if err := WritePcap(&buf, LinkTypeEthernet, frames); err != nil {
		t.Fatalf("WritePcap = %v", err)
	}
	b := buf.Bytes()
	le := binary.LittleEndian
	if le.Uint32(b) != 0xA1B2C3D4 || le.Uint32(b[20:]) != LinkTypeEthernet {
		t.Fatalf("file header = %x", b[:24])
	}
	off := 24
	for i, f := range frames {
		ts := time.Unix(int64(le.Uint32(b[off:])), int64(le.Uint32(b[off+4:]))*1000).UTC()
		n := int(le.Uint32(b[off+8:]))
		data := b[off+16 : off+16+n]
		if !ts.Equal(f.Time) || !bytes.Equal(data, f.Data) || le.Uint32(b[off+12:]) != uint32(n) {
			t.Errorf("frame %d = %v %x, want %v %x", i, ts, data, f.Time, f.Data)
		}
		off += 16 + n
	}
	if off != len(b) {
		t.Errorf("file has %d trailing bytes", len(b)-off)
	}
}

// TestWritePcapNGReadBack walks the blocks of a two-interface, two-section
// pcapng file.
func TestWritePcapNGReadBack(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ip := UDP(netip.MustParseAddrPort("172.16.0.10:3478"), netip.MustParseAddrPort("172.16.0.20:50000"), []byte("abcde"))
	s1 := Section{Application: "gen", Interfaces: []Interface{{Name: "int", LinkType: LinkTypeEthernet}, {Name: "ext", LinkType: LinkTypeLinuxSLL}},
		Frames: []Frame{{Time: t0, Iface: 0, Data: Ethernet(DocMAC, DocMAC, []uint16{10}, ip)}, {Time: t0.Add(time.Millisecond), Iface: 1, Data: SLL(ip, PacketOutgoing)}}}
	s2 := Section{Comment: "second", Interfaces: []Interface{{Name: "int", LinkType: LinkTypeEthernet}},
		Frames: []Frame{{Time: t0.Add(time.Second), Data: Ethernet(DocMAC, DocMAC, nil, ip)}}}
	var buf bytes.Buffer
	if err := WritePcapNG(&buf, s1, s2); err != nil {
		t.Fatalf("WritePcapNG = %v", err)
	}
	b, le := buf.Bytes(), binary.LittleEndian
	want := append(append([]Frame(nil), s1.Frames...), s2.Frames...)
	var types []uint32
	var got []Frame
	for off := 0; off+12 <= len(b); {
		typ, n := le.Uint32(b[off:]), int(le.Uint32(b[off+4:]))
		if n < 12 || n%4 != 0 || off+n > len(b) || le.Uint32(b[off+n-4:]) != uint32(n) {
			t.Fatalf("bad block at %d: type %#x length %d", off, typ, n)
		}
		types = append(types, typ)
		if typ == blockEPB {
			us := int64(le.Uint32(b[off+12:]))<<32 | int64(le.Uint32(b[off+16:]))
			cl := int(le.Uint32(b[off+20:]))
			got = append(got, Frame{Time: time.UnixMicro(us).UTC(), Iface: int(le.Uint32(b[off+8:])), Data: b[off+28 : off+28+cl]})
		}
		off += n
	}
	wantTypes := []uint32{blockSHB, blockIDB, blockIDB, blockEPB, blockEPB, blockSHB, blockIDB, blockEPB}
	if len(types) != len(wantTypes) {
		t.Fatalf("block types = %#x, want %#x", types, wantTypes)
	}
	for i, f := range want {
		if !got[i].Time.Equal(f.Time) || got[i].Iface != f.Iface || !bytes.Equal(got[i].Data, f.Data) {
			t.Errorf("frame %d = %+v, want %+v", i, got[i], f)
		}
	}
	bad := Section{Frames: []Frame{{Iface: 1}}}
	if err := WritePcapNG(io.Discard, bad); !errors.Is(err, ErrBadInterface) {
		t.Errorf("WritePcapNG(undeclared interface) = %v, want ErrBadInterface", err)
	}
}
