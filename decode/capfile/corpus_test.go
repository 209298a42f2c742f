package capfile

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// TestCorpusMatchesTshark reads every shared real capture and compares each
// frame's number, timestamp (to the nanosecond), caplen and len with tshark.
func TestCorpusMatchesTshark(t *testing.T) {
	for _, path := range append(corpusFiles(t), testdataFiles(t)...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			f, err := Open(path)
			if err != nil {
				t.Fatalf("Open(%q) = %v", path, err)
			}
			defer f.Close()
			got, err := readAll(t, f)
			if err != io.EOF {
				t.Fatalf("Next = %v after %d frames, want io.EOF", err, len(got))
			}
			compareTshark(t, got, tsharkRecords(t, path))
		})
	}
}

// TestCorpusFormat checks that the format comes from the magic number, not
// the extension (several nDPI .pcap files are pcapng).
func TestCorpusFormat(t *testing.T) {
	for _, path := range corpusFiles(t) {
		b := mustRead(t, path)
		want := "pcap"
		if bytes.HasPrefix(b, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
			want = "pcapng"
		}
		f, err := NewReader(path, bytes.NewReader(b))
		if err != nil {
			t.Fatalf("NewReader(%q) = %v", path, err)
		}
		if got := f.Format(); got != want {
			t.Errorf("Format(%q) = %q, want %q", filepath.Base(path), got, want)
		}
		if len(f.Interfaces()) == 0 && want == "pcap" {
			t.Errorf("Interfaces(%q) is empty", filepath.Base(path))
		}
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	if _, err := z.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCorpusGzip reads a gzip copy of every capture and expects the same
// packets, data included, as from the plain file.
func TestCorpusGzip(t *testing.T) {
	for _, path := range append(corpusFiles(t), testdataFiles(t)...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			plain := mustRead(t, path)
			want := readBytes(t, path, plain)
			gz := gzipBytes(t, plain)
			f, err := NewReader(path+".gz", bytes.NewReader(gz))
			if err != nil {
				t.Fatalf("NewReader(gzip) = %v", err)
			}
			if !bytes.HasSuffix([]byte(f.Format()), []byte("+gzip")) {
				t.Errorf("Format() = %q, want a +gzip suffix", f.Format())
			}
			got, err := readAll(t, f)
			if err != io.EOF || !slices.Equal(got, want) {
				t.Fatalf("gzip read %d frames, %v; plain %d frames", len(got), err, len(want))
			}
		})
	}
}

// cutPoints picks offsets to cut a file of layout l at: every header and
// record end (up to a bound), one byte before and after them, the middle of
// record headers, and a spread of other offsets.
func cutPoints(l layout, size int) []int {
	set := map[int]bool{0: true, 1: true, 3: true, 5: true, 11: true, 23: true}
	step := max(1, len(l.ends)/25)
	for i := 0; i < len(l.ends); i += step {
		e := l.ends[i]
		for _, c := range []int{e - 1, e, e + 1, e + 7, e + 15, e + 17} {
			set[c] = true
		}
	}
	for c := 0; c < size; c += max(1, size/30) {
		set[c] = true
	}
	set[size-1] = true
	var out []int
	for c := range set {
		if c >= 0 && c < size {
			out = append(out, c)
		}
	}
	sort.Ints(out)
	return out
}

// TestCorpusTruncated cuts every capture at many offsets: each cut must give
// the packets that end before it, then io.EOF exactly at a record boundary
// or ErrTruncatedFile naming the next frame and the cut record's offset.
func TestCorpusTruncated(t *testing.T) {
	for _, path := range append(corpusFiles(t), testdataFiles(t)...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			b := mustRead(t, path)
			full := readBytes(t, path, b)
			l := walkLayout(t, b)
			if len(l.packetEnds) != len(full) {
				t.Fatalf("layout has %d packets, reader %d", len(l.packetEnds), len(full))
			}
			for _, cut := range cutPoints(l, len(b)) {
				checkCut(t, b[:cut], l, full)
			}
		})
	}
}

// checkCut reads a capture cut at len(b), as a stream and in place.
func checkCut(t *testing.T, b []byte, l layout, full []record) {
	t.Helper()
	for _, o := range openers {
		checkCutWith(t, o.name, o.open, b, l, full)
	}
}

func checkCutWith(t *testing.T, how string, open func(string, []byte) (*File, error), b []byte, l layout, full []record) {
	t.Helper()
	cut := len(b)
	// The record holding the cut starts at the last end at or before it.
	start, boundary := 0, false
	for _, e := range l.ends {
		if e <= cut {
			start, boundary = e, e == cut
		}
	}
	n, _ := slices.BinarySearch(l.packetEnds, cut+1)
	f, err := open("cut", b)
	if cut < l.ends[0] {
		wantFileError(t, err, ErrTruncatedFile, 1, 0)
		return
	}
	if err != nil {
		t.Fatalf("%s, cut at %d: open = %v", how, cut, err)
	}
	got, err := readAll(t, f)
	if !slices.Equal(got, full[:n]) {
		t.Fatalf("%s, cut at %d: read %d frames, want the first %d", how, cut, len(got), n)
	}
	if boundary {
		if err != io.EOF {
			t.Fatalf("%s, cut at boundary %d: Next = %v, want io.EOF", how, cut, err)
		}
		return
	}
	wantFileError(t, err, ErrTruncatedFile, uint64(n+1), int64(start))
}

// TestStdin reads a capture through Open("-").
func TestStdin(t *testing.T) {
	path := filepath.Join("testdata", "arkime__stun.pcap")
	want := readBytes(t, path, mustRead(t, path))
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	old := os.Stdin
	os.Stdin = in
	defer func() { os.Stdin = old }()
	f, err := Open("-")
	if err != nil {
		t.Fatalf(`Open("-") = %v`, err)
	}
	got, err := readAll(t, f)
	if err != io.EOF || !slices.Equal(got, want) || f.Name() != "stdin" {
		t.Fatalf(`Open("-") read %d frames, %v, name %q; want %d frames, EOF, "stdin"`, len(got), err, f.Name(), len(want))
	}
	if err := f.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
}
