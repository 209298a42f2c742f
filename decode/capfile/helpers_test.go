package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusDir holds the shared real captures (see testdata/README.md);
// ICEDIAG_CAPTURES overrides it.
func corpusDir() string {
	if d := os.Getenv("ICEDIAG_CAPTURES"); d != "" {
		return d
	}
	return "/work/shared/captures/files"
}

// corpusFiles lists the shared captures, skipping the test when absent.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, _ := globCorpus()
	if len(files) == 0 {
		t.Skipf("no captures in %s", corpusDir())
	}
	return files
}

func globCorpus() ([]string, error) {
	return filepath.Glob(filepath.Join(corpusDir(), "*"))
}

// testdataFiles lists the captures checked in under testdata.
func testdataFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, ext := range []string{"*.pcap", "*.pcapng"} {
		m, _ := filepath.Glob(filepath.Join("testdata", ext))
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no captures under testdata")
	}
	return out
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// record is what a test compares of one packet; Data is summarised by CRC.
type record struct {
	Frame         uint64
	Epoch         string // seconds.nanoseconds, as tshark's frame.time_epoch
	CaptureLength int
	Length        int
	LinkType      uint16
	Interface     int
	CRC           uint32
}

func (r record) String() string {
	return fmt.Sprintf("#%d %s %d/%d link %d if %d crc %08x", r.Frame, r.Epoch, r.CaptureLength, r.Length, r.LinkType, r.Interface, r.CRC)
}

func toRecord(p *Packet) record {
	return record{
		Frame:         p.Frame,
		Epoch:         fmt.Sprintf("%d.%09d", p.Timestamp.Unix(), p.Timestamp.Nanosecond()),
		CaptureLength: p.CaptureLength,
		Length:        p.Length,
		LinkType:      p.LinkType,
		Interface:     p.Interface,
		CRC:           crc32.ChecksumIEEE(p.Data),
	}
}

// readAll reads every packet of f and returns them with the final error.
func readAll(t testing.TB, f *File) ([]record, error) {
	t.Helper()
	var out []record
	var p Packet
	for {
		err := f.Next(&p)
		if err != nil {
			return out, err
		}
		if p.CaptureLength != len(p.Data) {
			t.Fatalf("frame %d: CaptureLength %d, len(Data) %d", p.Frame, p.CaptureLength, len(p.Data))
		}
		out = append(out, toRecord(&p))
	}
}

// readBytes opens b as a capture and reads it to the end, which must be
// io.EOF, both as a stream and in place (as a mapped file is read); the
// two must give the same packets.
func readBytes(t testing.TB, name string, b []byte) []record {
	t.Helper()
	var first []record
	for _, o := range openers {
		f, err := o.open(name, b)
		if err != nil {
			t.Fatalf("%s %s: open = %v", o.name, name, err)
		}
		recs, err := readAll(t, f)
		if err != io.EOF {
			t.Fatalf("%s %s: Next = %v after %d frames, want io.EOF", o.name, name, err, len(recs))
		}
		if first == nil {
			first = recs
		} else if !slices.Equal(recs, first) {
			t.Fatalf("%s %s: %d frames differ from the stream's %d", o.name, name, len(recs), len(first))
		}
	}
	return first
}

// openers open a capture held in memory the two ways a File reads: as a
// stream through its read buffer, and in place, as Open reads a mapped
// file.
var openers = []struct {
	name string
	open func(name string, b []byte) (*File, error)
}{
	{"stream", func(name string, b []byte) (*File, error) { return NewReader(name, bytes.NewReader(b)) }},
	{"in place", openInPlace},
}

// openInPlace reads b as Open reads a mapped file.
func openInPlace(name string, b []byte) (*File, error) {
	return newSource(name, &sliceSource{data: b}, nil, Limits{})
}

// tsharkRecords runs tshark on path and returns its frame list, skipping the
// test when tshark is not installed.
func tsharkRecords(t testing.TB, path string) []record {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	cmd := exec.Command(bin, "-n", "--disable-protocol", "ALL", "-r", path, "-T", "fields", "-e", "frame.number",
		"-e", "frame.time_epoch", "-e", "frame.cap_len", "-e", "frame.len")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v: %s", path, err, stderr.String())
	}
	var recs []record
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		recs = append(recs, parseTsharkLine(t, line))
	}
	return recs
}

// compareTshark checks frame number, timestamp, caplen and len against tshark.
func compareTshark(t *testing.T, got, want []record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d frames, tshark %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Frame != w.Frame || g.Epoch != w.Epoch || g.CaptureLength != w.CaptureLength || g.Length != w.Length {
			t.Fatalf("frame %d = %v, tshark %v", i+1, g, w)
		}
	}
}

// layout walks a capture's records independently of the reader: ends holds
// the byte offset where each header, record or block ends; packetEnds the
// offsets where packet records end.
type layout struct {
	ends       []int
	packetEnds []int
}

func walkLayout(t testing.TB, b []byte) layout {
	t.Helper()
	if binary.BigEndian.Uint32(b) == blockSHB {
		return walkPcapng(t, b)
	}
	var o binary.ByteOrder = binary.LittleEndian
	if binary.BigEndian.Uint32(b) == magicMicro || binary.BigEndian.Uint32(b) == magicNano {
		o = binary.BigEndian
	}
	l := layout{ends: []int{pcapFileHeaderLen}}
	for off := pcapFileHeaderLen; off+pcapRecordLen <= len(b); {
		off += pcapRecordLen + int(o.Uint32(b[off+8:]))
		if off > len(b) {
			break
		}
		l.ends = append(l.ends, off)
		l.packetEnds = append(l.packetEnds, off)
	}
	return l
}

func walkPcapng(t testing.TB, b []byte) layout {
	var l layout
	var o binary.ByteOrder = binary.LittleEndian
	for off := 0; off+12 <= len(b); {
		typ := binary.LittleEndian.Uint32(b[off:])
		if typ == blockSHB {
			o = binary.LittleEndian
			if binary.BigEndian.Uint32(b[off+8:]) == byteOrderMagic {
				o = binary.BigEndian
			}
		} else {
			typ = o.Uint32(b[off:])
		}
		n := int(o.Uint32(b[off+4:]))
		if n < 12 || off+n > len(b) {
			t.Fatalf("walkPcapng: bad block at %d", off)
		}
		off += n
		l.ends = append(l.ends, off)
		if typ == blockEPB || typ == blockSPB || typ == blockPB {
			l.packetEnds = append(l.packetEnds, off)
		}
	}
	return l
}

// wantFileError checks that err is a *FileError wrapping sentinel at frame
// and offset.
func wantFileError(t *testing.T, err, sentinel error, frame uint64, offset int64) *FileError {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want *FileError", err, err)
	}
	if !errors.Is(err, sentinel) || fe.Frame != frame || fe.Offset != offset {
		t.Fatalf("error = %v (frame %d, offset %d), want %v at frame %d offset %d", err, fe.Frame, fe.Offset, sentinel, frame, offset)
	}
	return fe
}

// parseTsharkLine parses "number<TAB>epoch<TAB>caplen<TAB>len". tshark
// leaves the epoch empty for packets without a timestamp (pcapng Simple
// Packet Blocks), which this package reports as the Unix epoch.
func parseTsharkLine(t testing.TB, line string) record {
	t.Helper()
	fields := strings.Split(line, "\t")
	if len(fields) != 4 {
		t.Fatalf("tshark line %q: want 4 fields", line)
	}
	if fields[1] == "" {
		fields[1] = "0.000000000"
	}
	var r record
	r.Epoch = fields[1]
	if _, err := fmt.Sscanf(fields[0]+" "+fields[2]+" "+fields[3], "%d %d %d", &r.Frame, &r.CaptureLength, &r.Length); err != nil {
		t.Fatalf("tshark line %q: %v", line, err)
	}
	return r
}
