package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sample packets from a real capture, to write back out.
func samplePackets(t testing.TB) []Packet {
	t.Helper()
	f, err := Open(filepath.Join("testdata", pcapFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Packet
	var p Packet
	for i := 0; f.Next(&p) == nil; i++ {
		p.Data = bytes.Clone(p.Data)
		// Nanosecond detail that a microsecond file must drop.
		p.Timestamp = p.Timestamp.Add(time.Duration(i*137) * time.Nanosecond)
		out = append(out, p)
	}
	return out
}

// checkWritten reads a written file back, compares it with the packets,
// and has tshark read it too.
func checkWritten(t *testing.T, data []byte, want []Packet, res time.Duration, format string) {
	t.Helper()
	f, err := NewReader("written", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewReader = %v", err)
	}
	if f.Format() != format {
		t.Errorf("Format() = %q, want %q", f.Format(), format)
	}
	got, err := readAll(t, f)
	if err != io.EOF || len(got) != len(want) {
		t.Fatalf("read %d frames, %v; want %d, EOF", len(got), err, len(want))
	}
	for i, w := range want {
		w.Timestamp = w.Timestamp.Truncate(res)
		w.Frame = uint64(i + 1)
		if r := toRecord(&w); got[i] != r {
			t.Errorf("frame %d = %v, want %v", i+1, got[i], r)
		}
	}
	path := filepath.Join(t.TempDir(), "written")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	compareTshark(t, got, tsharkRecords(t, path))
}

func TestPcapWriterRoundTrip(t *testing.T) {
	pkts := samplePackets(t)
	pkts[1].Length += 500 // a snaplen-truncated packet
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, nano := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/nano=%v", order, nano), func(t *testing.T) {
				var buf bytes.Buffer
				w, err := NewPcapWriter(&buf, 1, 65535, nano, order)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range pkts {
					if err := w.WritePacket(p.Timestamp, p.Data, p.Length); err != nil {
						t.Fatalf("WritePacket = %v", err)
					}
				}
				res, format := time.Microsecond, "pcap"
				if nano {
					res, format = time.Nanosecond, "pcap-ns"
				}
				checkWritten(t, buf.Bytes(), pkts, res, format)
			})
		}
	}
}

// TestPcapngWriterRoundTrip writes two sections (little- then big-endian),
// the first with two interfaces of different link types.
func TestPcapngWriterRoundTrip(t *testing.T) {
	pkts := samplePackets(t)
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd := func(link uint16, snap uint32, name string) int {
		id, err := w.AddInterface(link, snap, name)
		if err != nil {
			t.Fatalf("AddInterface = %v", err)
		}
		return id
	}
	eth, raw := mustAdd(1, 0, "eth0"), mustAdd(101, 100, "")
	var want []Packet
	for i, p := range pkts {
		if i == 5 {
			if err := w.NewSection(binary.BigEndian); err != nil {
				t.Fatal(err)
			}
			eth, raw = mustAdd(113, 0, "any"), -1
		}
		iface, global := eth, map[bool]int{true: 0, false: 2}[i < 5]
		if i%2 == 1 && raw >= 0 {
			// Raw IP: write from the IP header; snaplen 100 cuts the data.
			iface, global = raw, 1
			p.Data, p.Length = p.Data[14:], p.Length-14
		}
		if err := w.WritePacket(iface, p.Timestamp, p.Data, p.Length); err != nil {
			t.Fatalf("WritePacket = %v", err)
		}
		p.LinkType = [...]uint16{1, 101, 113}[global]
		p.Interface = global
		if global == 1 {
			p.Data = p.Data[:min(len(p.Data), 100)]
		}
		p.CaptureLength = len(p.Data)
		want = append(want, p)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	checkWritten(t, buf.Bytes(), want, time.Nanosecond, "pcapng")
	f, _ := NewReader("written", bytes.NewReader(buf.Bytes()))
	readAll(t, f)
	ifs := f.Interfaces()
	if len(ifs) != 3 || ifs[0].Name != "eth0" || ifs[1].Snaplen != 100 || ifs[2].Section != 1 || ifs[2].LinkType != 113 {
		t.Errorf("Interfaces() = %+v", ifs)
	}
}

func TestWriterErrors(t *testing.T) {
	pw, _ := NewPcapWriter(io.Discard, 1, 0, false, binary.LittleEndian)
	ng, _ := NewPcapngWriter(io.Discard)
	ng.AddInterface(1, 0, "")
	ts := time.Unix(1700000000, 0)
	tests := []struct {
		name string
		err  error
	}{
		{"pcap before 1970", pw.WritePacket(time.Unix(-1, 0), nil, 0)},
		{"pcap after 2106", pw.WritePacket(time.Unix(1<<33, 0), nil, 0)},
		{"pcap origLen below data", pw.WritePacket(ts, make([]byte, 10), 5)},
		{"pcapng unknown interface", ng.WritePacket(1, ts, nil, 0)},
		{"pcapng negative interface", ng.WritePacket(-1, ts, nil, 0)},
		{"pcapng before 1970", ng.WritePacket(0, time.Unix(-5, 0), nil, 0)},
		{"pcapng after 2262", ng.WritePacket(0, time.Unix(1<<34, 0), nil, 0)},
		{"pcapng origLen below data", ng.WritePacket(0, ts, make([]byte, 10), 9)},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, ErrWriterArg) {
			t.Errorf("%s: error = %v, want ErrWriterArg", tt.name, tt.err)
		}
	}
}
