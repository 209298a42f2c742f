package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"
)

// pcapOf writes packets at the given offsets (ms) from base, each packet's
// first byte identifying it.
func pcapOf(t *testing.T, base time.Time, ids []byte, ms []int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, 1, 0, true, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if err := w.WritePacket(base.Add(time.Duration(ms[i])*time.Millisecond), []byte{id, 0, 0, 0}, 0); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func openAll(t *testing.T, files ...[]byte) []*File {
	t.Helper()
	var out []*File
	for i, b := range files {
		f, err := NewReader(string(rune('a'+i)), bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

type merged struct {
	file  int
	id    byte
	frame uint64
}

func mergeAll(t *testing.T, m *Merger) []merged {
	t.Helper()
	var out []merged
	var p Packet
	for {
		i, err := m.Next(&p)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Merger.Next = %v", err)
		}
		out = append(out, merged{i, p.Data[0], p.Frame})
	}
}

// TestMergerInterleaves merges an Edge's internal and external captures
// whose timestamps interleave, with a tie resolved by file order.
func TestMergerInterleaves(t *testing.T) {
	base := time.Unix(1700000000, 0)
	internal := pcapOf(t, base, []byte{'a', 'b', 'c', 'd'}, []int{0, 10, 20, 35})
	external := pcapOf(t, base, []byte{'W', 'X', 'Y'}, []int{5, 20, 30})
	got := mergeAll(t, NewMerger(openAll(t, internal, external)))
	want := []merged{{0, 'a', 1}, {1, 'W', 1}, {0, 'b', 2}, {0, 'c', 3}, {1, 'X', 2}, {1, 'Y', 3}, {0, 'd', 4}}
	if len(got) != len(want) {
		t.Fatalf("merged %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("merged %v, want %v", got, want)
		}
	}
}

// TestMergerDamagedFile: a truncated file stops, the other continues, and
// the error is kept.
func TestMergerDamagedFile(t *testing.T) {
	base := time.Unix(1700000000, 0)
	good := pcapOf(t, base, []byte{'a', 'b', 'c'}, []int{0, 10, 20})
	cut := pcapOf(t, base, []byte{'X', 'Y', 'Z'}, []int{5, 15, 25})
	cut = cut[:len(cut)-3]
	m := NewMerger(openAll(t, good, cut))
	got := mergeAll(t, m)
	want := []merged{{0, 'a', 1}, {1, 'X', 1}, {0, 'b', 2}, {1, 'Y', 2}, {0, 'c', 3}}
	if len(got) != len(want) {
		t.Fatalf("merged %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("merged %v, want %v", got, want)
		}
	}
	errs := m.Errors()
	var fe *FileError
	if len(errs) != 1 || !errors.As(errs[0], &fe) || fe.File != "b" || fe.Frame != 3 || !errors.Is(fe, ErrTruncatedFile) {
		t.Fatalf("Errors() = %v, want one truncation of b at frame 3", errs)
	}
	if _, err := m.Next(new(Packet)); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}
}

func TestMergerEmpty(t *testing.T) {
	if _, err := NewMerger(nil).Next(new(Packet)); err != io.EOF {
		t.Errorf("NewMerger(nil).Next = %v, want io.EOF", err)
	}
}
