package capfile

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"
)

// TestOpenInPlace: on Linux Open maps a capture file; its packets are the
// ones a stream read gives, their Data lie in the file's bytes until Close,
// and a compressed file is read as a stream.
func TestOpenInPlace(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	for _, path := range testdataFiles(t) {
		want := readBytes(t, path, mustRead(t, path))
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Stable() {
			t.Fatalf("%s: Stable() = false, want a mapped file", path)
		}
		var got []record
		var p Packet
		var data [][]byte
		for f.Next(&p) == nil {
			got = append(got, toRecord(&p))
			data = append(data, p.Data)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: mapped file gave %d frames, the stream %d or others", path, len(got), len(want))
		}
		for i, d := range data { // every earlier packet is still there
			if !f.Holds(d) || toRecord(&Packet{Data: d}).CRC != want[i].CRC {
				t.Fatalf("%s: frame %d's data no longer in the file's bytes", path, i+1)
			}
		}
		if f.Holds(bytes.Clone(data[0])) {
			t.Errorf("%s: Holds(a copy) = true", path)
		}
		f.Close()
		if f.Holds(data[0]) || f.Stable() {
			t.Errorf("%s: Holds or Stable after Close", path)
		}
	}

	gz := filepath.Join(t.TempDir(), "c.pcap.gz")
	if err := os.WriteFile(gz, gzipBytes(t, mustRead(t, testdataFiles(t)[0])), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(gz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Stable() {
		t.Error("a gzip file is Stable: its packets come through a read buffer")
	}
	if _, err := readAll(t, f); err != io.EOF {
		t.Errorf("gzip file: %v, want io.EOF", err)
	}
}

// TestSliceSourceRelease: pages are given back in page-aligned runs, in
// order, never within the margin behind the reading position nor from the
// offset the user keeps on; without KeepFrom nearly all are given back.
func TestSliceSourceRelease(t *testing.T) {
	data := make([]byte, 10<<20+123)
	var runs [][2]int
	s := &sliceSource{data: data, keep: len(data), release: func(from, to int) { runs = append(runs, [2]int{from, to}) }}
	f := &File{mapped: s, stable: true}
	next := 0
	for s.Buffered() > 0 {
		if s.pos > 4<<20 && s.pos < 6<<20 {
			f.KeepFrom(3 << 20) // a user still reading 3 MiB in
		} else if s.pos >= 6<<20 {
			f.KeepFrom(int64(s.pos))
		}
		n, _ := s.Discard(1500)
		if n == 0 {
			t.Fatal("Discard made no progress")
		}
		if len(runs) > 0 {
			r := runs[len(runs)-1]
			if r[1] > s.pos-releaseMargin || r[1] > s.keep {
				t.Fatalf("released up to %d at position %d, kept from %d: inside the margin or the kept bytes", r[1], s.pos, s.keep)
			}
		}
	}
	for _, r := range runs {
		if r[0] != next || r[1]%pageSize != 0 || r[1] <= r[0] {
			t.Fatalf("release runs %v: not contiguous and page-aligned", runs)
		}
		next = r[1]
	}
	if next < len(data)-releaseEvery-releaseMargin-pageSize {
		t.Errorf("released up to %d of %d bytes", next, len(data))
	}
}

// TestMappedFileCut: a mapped file cut shorter after Open faults when the
// lost bytes are read; with SetPanicOnFault the fault is a panic whose
// address HoldsAddr places in the file (decode turns it into an error).
func TestMappedFileCut(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	path := filepath.Join(t.TempDir(), "cut.pcap")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewPcapWriter(out, 1, 65535, false, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, 1000)
	for i := range 200 {
		if err := w.WritePacket(time.Unix(int64(i), 0), frame, len(frame)); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var addr uintptr
	func() {
		defer func() {
			if v := recover(); v != nil {
				if e, ok := v.(interface{ Addr() uintptr }); ok {
					addr = e.Addr()
				}
			}
		}()
		var p Packet
		for f.Next(&p) == nil {
		}
	}()
	if addr == 0 {
		t.Fatal("reading past the cut did not fault")
	}
	if !f.HoldsAddr(addr) {
		t.Errorf("fault address %#x not placed in the file", addr)
	}
}
