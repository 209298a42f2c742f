package decode

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
)

// readAheadCapture writes a pcap of n packets whose sizes cycle through
// sizes, each filled with its frame number, and returns its path; cut
// bytes are removed from the end.
func readAheadCapture(t *testing.T, name string, n int, sizes []int, cut int) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := capfile.NewPcapWriter(&buf, 1, 0, true, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Unix(1700000000, 0)
	for i := range n {
		data := bytes.Repeat([]byte{byte(i)}, sizes[i%len(sizes)])
		if err := w.WritePacket(start.Add(time.Duration(i)*time.Millisecond), data, len(data)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes()[:buf.Len()-cut], 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// drain reads every packet of src, one line each, then src's errors.
func drain(t *testing.T, src packetSource) []string {
	t.Helper()
	var out []string
	var p capfile.Packet
	for {
		k, err := src.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next = %v", err)
		}
		out = append(out, fmt.Sprintf("file %d frame %d %v len %d/%d data %x", k, p.Frame, p.Timestamp, len(p.Data), p.Length, p.Data[:min(len(p.Data), 4)]))
		if len(p.Data) > 0 && p.Data[len(p.Data)-1] != p.Data[0] {
			out = append(out, "data changed under the reader")
		}
	}
	for _, err := range src.Errors() {
		out = append(out, "error "+err.Error())
	}
	return out
}

func openAll(t *testing.T, lim capfile.Limits, paths ...string) *capfile.Merger {
	t.Helper()
	var files []*capfile.File
	for _, p := range paths {
		f, err := capfile.OpenWithLimits(p, lim)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		files = append(files, f)
	}
	return capfile.NewMerger(files)
}

// TestReadAheadSamePackets: the read-ahead delivers the Merger's packets
// in the Merger's order, with the same bytes and the same file errors,
// across batches ended by count and by arena space, with packets larger
// than an arena.
func TestReadAheadSamePackets(t *testing.T) {
	lim := capfile.Limits{MaxRecord: 1 << 20}
	var sizes []int // mostly small, a few larger than an arena
	for i := range 300 {
		sizes = append(sizes, []int{60, 1500, 0, 9000, 172}[i%5])
	}
	sizes[100], sizes[101], sizes[102], sizes[103] = 200000, readArenaBytes, readArenaBytes+1, 300000
	a := readAheadCapture(t, "a.pcap", 3000, sizes, 0)
	b := readAheadCapture(t, "b.pcap", 500, []int{200, 1400}, 700) // cut inside its last record
	want := drain(t, openAll(t, lim, a, b))
	r := startReadAhead(openAll(t, lim, a, b), nil)
	got := drain(t, r)
	r.close()
	if len(got) != len(want) {
		t.Fatalf("read-ahead gave %d lines, the Merger %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: read-ahead %q, Merger %q", i, got[i], want[i])
		}
	}
	if last := want[len(want)-1]; len(want) < 3500 || last[:6] != "error " {
		t.Errorf("the Merger gave %d lines ending %q; want 3,500 packets less the cut one, then its error", len(want), last)
	}
}

// TestReadAheadStopsEarly: closing the read-ahead while batches are
// pending ends its goroutine.
func TestReadAheadStopsEarly(t *testing.T) {
	a := readAheadCapture(t, "a.pcap", 20000, []int{1000}, 0)
	r := startReadAhead(openAll(t, capfile.Limits{}, a), nil)
	var p capfile.Packet
	for range 10 {
		if _, err := r.Next(&p); err != nil {
			t.Fatalf("Next = %v", err)
		}
	}
	stopped := make(chan struct{})
	go func() { r.close(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("close did not return: the reading goroutine is stuck")
	}
}
