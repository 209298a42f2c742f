package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// starts returns the offset where each record or block of l begins, and the
// start of each packet record.
func starts(l layout) (all, packets []int) {
	prev := 0
	for _, e := range l.ends {
		all = append(all, prev)
		if _, ok := slices.BinarySearch(l.packetEnds, e); ok {
			packets = append(packets, prev)
		}
		prev = e
	}
	return all, packets
}

type damage struct {
	name     string
	file     string
	mutate   func(b []byte, pk []int) []byte // pk: packet record starts
	sentinel error
	frame    func(n int) uint64             // n: frames in the good file
	offset   func(b []byte, pk []int) int64 // in the good file
	reason   string                         // substring of the reason
}

var (
	le        = binary.LittleEndian
	firstPkt  = func(_ []byte, pk []int) int64 { return int64(pk[0]) }
	lastPkt   = func(_ []byte, pk []int) int64 { return int64(pk[len(pk)-1]) }
	endOfFile = func(b []byte, _ []int) int64 { return int64(len(b)) }
	atStart   = func([]byte, []int) int64 { return 0 }
	frame1    = func(int) uint64 { return 1 }
	frameLast = func(n int) uint64 { return uint64(n) }
	frameNext = func(n int) uint64 { return uint64(n + 1) }
)

func put32(off int, v uint32) func([]byte, []int) []byte {
	return func(b []byte, _ []int) []byte { le.PutUint32(b[off:], v); return b }
}

func putPkt(field int, v func(old uint32) uint32, last bool) func([]byte, []int) []byte {
	return func(b []byte, pk []int) []byte {
		s := pk[0]
		if last {
			s = pk[len(pk)-1]
		}
		le.PutUint32(b[s+field:], v(le.Uint32(b[s+field:])))
		return b
	}
}

func set(v uint32) func(uint32) uint32 { return func(uint32) uint32 { return v } }
func add(d uint32) func(uint32) uint32 { return func(o uint32) uint32 { return o + d } }

func appendBytes(s string) func([]byte, []int) []byte {
	return func(b []byte, _ []int) []byte { return append(b, s...) }
}

const (
	ngFile   = "ntop-nDPI__stun_msteams_unidir.pcapng"
	pcapFile = "arkime__stun.pcap"
)

var damages = []damage{
	{"block total below 12", ngFile, putPkt(4, set(8), false), ErrBadBlock, frame1, firstPkt, "below the minimum"},
	{"block total not a multiple of 4", ngFile, putPkt(4, add(2), false), ErrBadBlock, frame1, firstPkt, "multiple of 4"},
	{"trailing length differs", ngFile, func(b []byte, pk []int) []byte {
		s := pk[0]
		total := le.Uint32(b[s+4:])
		le.PutUint32(b[s+int(total)-4:], total+4)
		return b
	}, ErrBadBlock, frame1, firstPkt, "trailing copy"},
	{"block total over limit", ngFile, putPkt(4, set(0x7ffffff0), false), ErrTooLarge, frame1, firstPkt, "exceeds the limit"},
	{"last block runs past end", ngFile, putPkt(4, add(1000), true), ErrTruncatedFile, frameLast, lastPkt, "runs past the end of the file"},
	{"EPB captured length over limit", ngFile, putPkt(20, set(300000), false), ErrTooLarge, frame1, firstPkt, "captured length 300000"},
	{"EPB captured length beyond block", ngFile, putPkt(20, add(64), false), ErrBadBlock, frame1, firstPkt, "data bytes of its block"},
	{"EPB names unknown interface", ngFile, putPkt(8, set(7), false), ErrBadBlock, frame1, firstPkt, "interface 7"},
	{"garbage after last block", ngFile, appendBytes("garbage!garbage!"), ErrBadBlock, frameNext, endOfFile, "not a multiple of 4"},
	{"block header cut after last block", ngFile, appendBytes("\x06\x00\x00"), ErrTruncatedFile, frameNext, endOfFile, "cut after 3 of 8 bytes"},
	{"section header cut after last block", ngFile, appendBytes("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c"), ErrTruncatedFile, frameNext, endOfFile, "section header block cut after 10 of 12 bytes"},
	{"second section byte-order magic", ngFile, appendBytes("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00abcd"), ErrBadBlock, frameNext, endOfFile, "byte-order magic"},
	{"SHB byte-order magic", ngFile, put32(8, 0x01020304), ErrBadBlock, frame1, atStart, "byte-order magic"},
	{"pcapng major version 2", ngFile, func(b []byte, _ []int) []byte { le.PutUint16(b[12:], 2); return b }, ErrBadBlock, frame1, atStart, "version 2.0"},
	{"pcap captured length over limit", pcapFile, putPkt(8, set(300000), false), ErrTooLarge, frame1, firstPkt, "exceeds the limit"},
	{"pcap record runs past end", pcapFile, putPkt(8, add(1000), true), ErrTruncatedFile, frameLast, lastPkt, "runs past the end of the file"},
	{"pcap garbage after last record", pcapFile, appendBytes("garbage"), ErrTruncatedFile, frameNext, endOfFile, "record header cut after 7 of 16 bytes"},
	{"pcap major version 3", pcapFile, func(b []byte, _ []int) []byte { le.PutUint16(b[4:], 3); return b }, ErrBadBlock, frame1, atStart, "version 3.4"},
	{"not a capture", pcapFile, func([]byte, []int) []byte { return []byte("hello, world") }, ErrNotCapture, frame1, atStart, "magic"},
	{"empty", pcapFile, func([]byte, []int) []byte { return nil }, ErrTruncatedFile, frame1, atStart, "empty"},
	{"three bytes", pcapFile, func(b []byte, _ []int) []byte { return b[:3] }, ErrTruncatedFile, frame1, atStart, "cut after 3 bytes"},
	{"gzip magic without gzip", pcapFile, func([]byte, []int) []byte { return []byte("\x1f\x8bxxxxxxxxxxxxxxxxxx") }, ErrNotCapture, frame1, atStart, "gzip"},
}

// TestDamage corrupts real captures one field at a time: every earlier
// packet must be delivered, then a FileError naming the next frame, the
// damaged record's offset and the reason.
func TestDamage(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			good := mustRead(t, filepath.Join("testdata", d.file))
			full := readBytes(t, d.file, good)
			_, pk := starts(walkLayout(t, good))
			bad := d.mutate(bytes.Clone(good), pk)
			frame, off := d.frame(len(full)), d.offset(good, pk)
			got, err := readUntilError(t, d.file, bad)
			if !slices.Equal(got, full[:frame-1]) {
				t.Fatalf("read %d frames before the damage, want %d", len(got), frame-1)
			}
			fe := wantFileError(t, err, d.sentinel, frame, off)
			if !strings.Contains(fe.Reason, d.reason) || fe.File != d.file {
				t.Errorf("error = %q in %q, want reason containing %q in %q", fe.Reason, fe.File, d.reason, d.file)
			}
		})
	}
}

// readUntilError opens b and reads it; it returns the frames and the first
// error, from opening or Next. Read as a stream and in place, both must
// give the same frames and the same error.
func readUntilError(t *testing.T, name string, b []byte) ([]record, error) {
	t.Helper()
	var recs []record
	var err error
	for i, o := range openers {
		r, e := readOnce(t, name, b, o.open)
		if i == 0 {
			recs, err = r, e
			continue
		}
		if !slices.Equal(r, recs) || fmt.Sprint(e) != fmt.Sprint(err) {
			t.Errorf("%s: %d frames and %v, the stream gave %d and %v", o.name, len(r), e, len(recs), err)
		}
	}
	return recs, err
}

func readOnce(t *testing.T, name string, b []byte, open func(string, []byte) (*File, error)) ([]record, error) {
	t.Helper()
	f, err := open(name, b)
	if err != nil {
		return nil, err
	}
	recs, err := readAll(t, f)
	if err2 := f.Next(new(Packet)); err2 != err {
		t.Errorf("Next after %v = %v, want the same error again", err, err2)
	}
	return recs, err
}

func TestFileErrorMessage(t *testing.T) {
	e := &FileError{File: "capture.pcap", Frame: 1234, Offset: 56789, Reason: "captured length 70000 runs past the end of the file (16 bytes left)", Err: ErrTruncatedFile}
	want := "capture.pcap: frame 1234 (byte offset 56789): captured length 70000 runs past the end of the file (16 bytes left)"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, ErrTruncatedFile) || errors.Is(e, ErrBadBlock) {
		t.Errorf("errors.Is(%v) does not follow Err", e)
	}
}

// TestIDBOptionOverrun: an if_name option longer than its block.
func TestIDBOptionOverrun(t *testing.T) {
	b := &ngBuilder{}
	b.shb(binary.LittleEndian)
	b.block(blockIDB, b.u16(1), b.u16(0), b.u32(0), b.u16(optIfName), b.u16(200), []byte("eth0"))
	f, err := NewReader("idb", bytes.NewReader(b.buf.Bytes()))
	if err != nil {
		t.Fatalf("NewReader = %v", err)
	}
	wantFileError(t, f.Next(new(Packet)), ErrBadBlock, 1, minSHBLen)
}

// TestLimits: a smaller MaxRecord rejects a real packet that fits the default.
func TestLimits(t *testing.T) {
	path := filepath.Join("testdata", pcapFile)
	f, err := NewReaderWithLimits(pcapFile, bytes.NewReader(mustRead(t, path)), Limits{MaxRecord: 64})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readAll(t, f)
	_, pk := starts(walkLayout(t, mustRead(t, path)))
	wantFileError(t, err, ErrTooLarge, 1, int64(pk[0])) // frame 1 holds 90 bytes
}

func TestNextAfterClose(t *testing.T) {
	f, err := Open(filepath.Join("testdata", pcapFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := f.Next(new(Packet)); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close = %v, want ErrClosed", err)
	}
}
