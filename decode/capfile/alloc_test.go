package capfile

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
	"time"
)

// syntheticCapture writes n packets of size bytes in the given format
// ("pcap" or "pcapng"; pcapng alternates two interfaces).
func syntheticCapture(t testing.TB, format string, n, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i)
	}
	base := time.Unix(1700000000, 0)
	var write func(i int) error
	flush := func() error { return nil }
	switch format {
	case "pcap":
		w, err := NewPcapWriter(&buf, 1, 0, true, binary.LittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		write = func(i int) error { return w.WritePacket(base.Add(time.Duration(i)*time.Microsecond), data, 0) }
	default:
		w, err := NewPcapngWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w.AddInterface(1, 0, "eth0")
		w.AddInterface(113, 0, "any")
		flush = w.Flush
		write = func(i int) error { return w.WritePacket(i%2, base.Add(time.Duration(i)*time.Microsecond), data, 0) }
	}
	for i := 0; i < n; i++ {
		if err := write(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNextAllocs proves Next allocates nothing per packet once warm, for
// pcap, pcapng and gzip input.
func TestNextAllocs(t *testing.T) {
	for _, tt := range []struct {
		format string
		gzip   bool
	}{{"pcap", false}, {"pcapng", false}, {"pcap", true}, {"pcapng", true}} {
		b := func() []byte {
			b := syntheticCapture(t, tt.format, 3000, 300)
			if tt.gzip {
				return gzipBytes(t, b)
			}
			return b
		}()
		f, err := NewReader(tt.format, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var p Packet
		for i := 0; i < 100; i++ {
			f.Next(&p)
		}
		allocs := testing.AllocsPerRun(2000, func() {
			if err := f.Next(&p); err != nil {
				t.Fatalf("Next = %v", err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s gzip=%v: Next allocates %.1f times per packet, want 0", tt.format, tt.gzip, allocs)
		}
		if err := f.Next(&p); err == io.EOF {
			t.Fatalf("ran out of packets")
		}
	}
}

// TestMergerAllocs proves Merger.Next allocates nothing per packet.
func TestMergerAllocs(t *testing.T) {
	var files []*File
	for _, format := range []string{"pcap", "pcapng"} {
		f, err := NewReader(format, bytes.NewReader(syntheticCapture(t, format, 3000, 200)))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	m := NewMerger(files)
	var p Packet
	for i := 0; i < 100; i++ {
		m.Next(&p)
	}
	allocs := testing.AllocsPerRun(2000, func() {
		if _, err := m.Next(&p); err != nil {
			t.Fatalf("Merger.Next = %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("Merger.Next allocates %.1f times per packet, want 0", allocs)
	}
}
