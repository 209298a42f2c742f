package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/diag"
)

// Memory bounds of one fuzz corpus entry analysed to the end (decode,
// SIP, ICE, findings, every renderer).
//
// The decoder and the session start with about 3 MiB of tables; over the
// 143 entries committed when this test was written (up to 40 KiB each)
// the heap peaked at most 3.9 MiB above the heap before and allocated as
// much. Entries are kept under 64 KiB, and every table they could grow is
// bounded (docs/limits.md), so fuzzEntryHeapBound, eight times that peak,
// leaves room for a larger entry while an input whose state grows past the
// limits still fails it. Allocation may exceed the live heap by the garbage
// of a damaged capture read to its end: a gzip stream may expand 1,000:1
// (64 MiB for 64 KiB) and pass through a few buffers, hence
// fuzzEntryAllocBound.
const (
	fuzzEntryHeapBound  = 32 << 20
	fuzzEntryAllocBound = 256 << 20
)

// fuzzCorpus is one committed corpus of an analysis-level fuzz target:
// where it is and how an entry becomes a capture file.
type fuzzCorpus struct {
	target, dir string
	capture     func(in []byte) ([]byte, error)
}

var fuzzCorpora = []fuzzCorpus{
	{"FuzzAnalyze", filepath.Join("testdata", "fuzz", "FuzzAnalyze"), asIs},
	{"FuzzPipeline", filepath.Join("..", "..", "decode", "testdata", "fuzz", "FuzzPipeline"), asIs},
	{"FuzzDecodeFrame", filepath.Join("..", "..", "decode", "testdata", "fuzz", "FuzzDecodeFrame"), framesToPcap},
}

// TestFuzzCorpusMemory runs every committed corpus entry of the
// analysis-level fuzz targets through the whole analysis and every
// renderer: none panics, and each stays under the memory bounds above
// (runtime.MemStats: the live heap sampled while it runs, TotalAlloc
// before and after).
func TestFuzzCorpusMemory(t *testing.T) {
	dir := t.TempDir()
	for _, c := range fuzzCorpora {
		ents, err := os.ReadDir(c.dir)
		if err != nil || len(ents) == 0 {
			t.Errorf("%s corpus: %d entries, %v", c.target, len(ents), err)
			continue
		}
		var packets uint64
		for _, e := range ents {
			t.Run(c.target+"/"+e.Name(), func(t *testing.T) {
				in, err := readCorpusEntry(filepath.Join(c.dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				data, err := c.capture(in)
				if err != nil {
					t.Fatalf("%s: %v", e.Name(), err)
				}
				path := filepath.Join(dir, c.target+"-"+e.Name())
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				heap, alloc, n := analyzeMeasured(t, path)
				packets += n
				if heap > fuzzEntryHeapBound || alloc > fuzzEntryAllocBound {
					t.Errorf("%s (%d bytes): heap peak +%d KiB (bound %d), allocated %d KiB (bound %d)",
						e.Name(), len(data), heap>>10, fuzzEntryHeapBound>>10, alloc>>10, fuzzEntryAllocBound>>10)
				}
				t.Logf("%d bytes: heap peak +%d KiB, allocated %d KiB", len(data), heap>>10, alloc>>10)
			})
		}
		if packets == 0 {
			t.Errorf("%s corpus: no entry held a single frame: the entries were not read as captures", c.target)
		}
	}
}

// analyzeMeasured analyses one capture to the end, rendering every
// format, and returns the peak heap above the heap before it and the bytes
// allocated, and the frames it read. A panic fails the test with the
// input's name.
func analyzeMeasured(t *testing.T, path string) (heap, alloc, packets uint64) {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, stop := sampleHeap()
	func() {
		defer func() {
			if p := recover(); p != nil {
				stop()
				t.Fatalf("analysis of %s panicked: %v", filepath.Base(path), p)
			}
		}()
		in, err := analyzeInput([]string{path}, &diag.Network{}, nil)
		if err != nil {
			return // not a capture at all: refused, as analyze refuses it
		}
		packets = in.Stats.Packets
		r := diag.Build(in)
		for _, f := range []string{diag.FormatText, diag.FormatJSON, diag.FormatMarkdown, diag.FormatHTML} {
			if err := diag.Render(io.Discard, r, f); err != nil {
				t.Errorf("Render(%s) = %v", f, err)
			}
		}
	}()
	peak := stop()
	runtime.ReadMemStats(&after)
	if peak > before.HeapAlloc {
		heap = peak - before.HeapAlloc
	}
	return heap, after.TotalAlloc - before.TotalAlloc, packets
}

// readCorpusEntry reads a corpus file of a fuzz target taking one []byte
// ("go test fuzz v1" and a []byte literal in Go syntax).
func readCorpusEntry(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, len(b)+1)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" {
		return nil, fmt.Errorf("%s: not a fuzz corpus file", path)
	}
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: no value", path)
	}
	lit, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "[]byte(")
	if lit, ok = strings.CutSuffix(lit, ")"); !ok {
		return nil, fmt.Errorf("%s: want one []byte value, got %.40q", path, sc.Text())
	}
	s, err := strconv.Unquote(lit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return []byte(s), nil
}

func asIs(in []byte) ([]byte, error) { return in, nil }

// decodeFrameLinks are the link types a FuzzDecodeFrame input picks with
// its first byte, in the order of decode's fuzzLinks.
var decodeFrameLinks = []uint16{decode.LinkEthernet, decode.LinkSLL, decode.LinkSLL2, decode.LinkNull,
	decode.LinkLoop, decode.LinkRaw, decode.LinkIPv4, decode.LinkIPv6}

// framesToPcap turns a FuzzDecodeFrame input (a link-type index, then
// frames as a big-endian u16 length and bytes; a length past the end takes
// what is left) into a pcap file, frames 700 ms apart as that target
// feeds them.
func framesToPcap(in []byte) ([]byte, error) {
	link := uint16(decode.LinkEthernet)
	if len(in) > 0 {
		link = decodeFrameLinks[int(in[0])%len(decodeFrameLinks)]
		in = in[1:]
	}
	var out bytes.Buffer
	w, err := capfile.NewPcapWriter(&out, link, 65535, false, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; len(in) >= 2; i++ {
		n := min(int(binary.BigEndian.Uint16(in)), len(in)-2)
		if err := w.WritePacket(ts.Add(time.Duration(i)*700*time.Millisecond), in[2:2+n], n); err != nil {
			return nil, err
		}
		in = in[2+n:]
	}
	return out.Bytes(), nil
}
