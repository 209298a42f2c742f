package capfile

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"
)

// Packet is one captured frame. Data aliases the File's buffer and is valid
// only until the next call to Next, unless the File is Stable; callers that
// keep bytes copy them.
type Packet struct {
	Data          []byte    // captured bytes; aliases the reader's buffer until the next Next call
	Timestamp     time.Time // UTC; the Unix epoch for pcapng Simple Packet Blocks, which carry none
	CaptureLength int       // len(Data)
	Length        int       // original length on the wire (> CaptureLength when snaplen-truncated)
	LinkType      uint16    // LINKTYPE_* value of the packet's interface
	Interface     int       // interface index within the file, unique across pcapng sections (0 for pcap)
	Frame         uint64    // 1-based frame number as Wireshark shows for this file
}

// Interface describes one capture interface: the pcap file header
// (draft-ietf-opsawg-pcap §4) or a pcapng Interface Description Block
// (draft-ietf-opsawg-pcapng §4.2). Section is the 0-based pcapng section
// that declared it.
type Interface struct {
	LinkType          uint16
	Name, Description string
	Snaplen           uint32
	Section           int
}

type format uint8

const (
	formatPcap format = iota
	formatPcapng
)

const readBufSize = 1 << 16

// File reads packets from a pcap or pcapng stream, optionally gzip
// compressed. It reads through one buffer and allocates nothing per packet
// once the buffer has grown to the largest record. A File is not safe for
// concurrent use.
type File struct {
	name   string
	kind   format
	label  string
	lim    Limits
	r      source
	mapped *sliceSource // the file's bytes in memory (mmap), nil when read as a stream
	stable bool         // packet data aliases mapped and stays valid until Close
	closer io.Closer
	off    int64  // bytes consumed from the (decompressed) stream
	frame  uint64 // packets delivered so far
	err    error  // sticky end-of-file or damage
	buf    []byte
	hdr    [32]byte
	ifaces []Interface
	pcap   pcapState
	ng     ngState
}

// Open opens the capture at path ("-" reads standard input) with default
// Limits. The format is detected from the magic number, never the file name:
// gzip (1f 8b) first, then pcap or pcapng inside. A regular file is mapped
// into memory where the system allows it (see Stable), and read otherwise.
func Open(path string) (*File, error) {
	return OpenWithLimits(path, Limits{})
}

// OpenWithLimits is Open with explicit Limits.
func OpenWithLimits(path string, l Limits) (*File, error) {
	if path == "-" {
		return newReader("stdin", os.Stdin, nil, l)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var f *File
	if m := mapFile(fh); m != nil {
		f, err = newSource(path, m, fh, l)
		if err != nil {
			m.close()
		}
	} else {
		f, err = newReader(path, fh, fh, l)
	}
	if err != nil {
		fh.Close()
		return nil, err
	}
	return f, nil
}

// NewReader reads a capture from r with default Limits; name labels errors.
// Closing the File does not close r.
func NewReader(name string, r io.Reader) (*File, error) {
	return newReader(name, r, nil, Limits{})
}

// NewReaderWithLimits is NewReader with explicit Limits.
func NewReaderWithLimits(name string, r io.Reader, l Limits) (*File, error) {
	return newReader(name, r, nil, l)
}

func newReader(name string, r io.Reader, c io.Closer, l Limits) (*File, error) {
	return newSource(name, bufio.NewReaderSize(r, readBufSize), c, l)
}

// newSource reads a capture from r. When r is a sliceSource, the File owns
// it and undoes its mapping on Close.
func newSource(name string, r source, c io.Closer, l Limits) (*File, error) {
	f := &File{name: name, lim: l.withDefaults(), closer: c, r: r}
	if m, ok := r.(*sliceSource); ok {
		f.mapped = m
	}
	gz, err := f.detectGzip()
	if err != nil {
		return nil, err
	}
	if err := f.readMagic(); err != nil {
		return nil, err
	}
	if gz {
		f.label += "+gzip"
	}
	f.stable = f.mapped != nil && !gz // gzip data comes through a read buffer
	return f, nil
}

// readMagic dispatches on the first four bytes of the stream.
func (f *File) readMagic() error {
	m, err := f.r.Peek(4)
	if len(m) < 4 {
		if len(m) == 0 && err == io.EOF {
			return f.fail(0, ErrTruncatedFile, "the file is empty")
		}
		if err != nil && err != io.EOF {
			return f.fail(0, err, "reading the file header: %v", err)
		}
		return f.fail(0, ErrTruncatedFile, "file header cut after %d bytes", len(m))
	}
	if binary.BigEndian.Uint32(m) == blockSHB {
		f.kind, f.label = formatPcapng, "pcapng"
		return f.readSHB(0)
	}
	if pcapMagic(m) {
		f.kind = formatPcap
		return f.readPcapHeader()
	}
	return f.fail(0, ErrNotCapture, "unknown magic number %#x", binary.BigEndian.Uint32(m))
}

// Name returns the name given to Open or NewReader ("stdin" for "-").
func (f *File) Name() string { return f.name }

// Format returns "pcap", "pcap-ns" or "pcapng", followed by "+gzip" when
// the file was compressed.
func (f *File) Format() string { return f.label }

// Interfaces returns the interfaces seen so far. A pcap file has one; pcapng
// interfaces appear as their blocks are read, numbered across sections.
func (f *File) Interfaces() []Interface {
	out := make([]Interface, len(f.ifaces))
	copy(out, f.ifaces)
	return out
}

// Offset returns the byte offset of the next record or block in the
// (decompressed) stream.
func (f *File) Offset() int64 { return f.off }

// Next reads the next packet into p. It returns io.EOF at a clean end of
// file and a *FileError when the file is damaged; every good packet before
// the damage is returned first. After an error every call returns it again.
func (f *File) Next(p *Packet) error {
	if f.err != nil {
		return f.err
	}
	if f.kind == formatPcap {
		return f.nextPcap(p)
	}
	return f.nextPcapng(p)
}

// Stable reports whether the Data of every packet stays valid until Close,
// rather than until the next call to Next: true for a file Open mapped into
// memory, unless it is compressed.
func (f *File) Stable() bool { return f.stable }

// Holds reports whether b lies within the bytes of a Stable file, as the
// Data of its packets and every slice of them do.
func (f *File) Holds(b []byte) bool { return f.stable && f.mapped.holds(b) }

// KeepFrom says that the bytes of a Stable file from offset off on (see
// Offset) may still be read, so their pages are not given back to the
// kernel yet. By default a page is given back soon after reading moved
// past it; a user that hands packets to another goroutine calls KeepFrom(0)
// first and then the offset before which it is done, as it goes on.
func (f *File) KeepFrom(off int64) {
	if f.stable {
		f.mapped.keep = int(min(max(off, 0), int64(len(f.mapped.data))))
	}
}

// HoldsAddr reports whether the memory address a lies within the file's
// mapped bytes. A memory fault at such an address means the file was cut
// shorter after it was opened.
func (f *File) HoldsAddr(a uintptr) bool { return f.mapped != nil && f.mapped.holdsAddr(a) }

// Close releases the underlying file (not standard input nor a reader
// passed to NewReader). The Data of packets of a Stable file become
// invalid: nothing may read them afterwards.
func (f *File) Close() error {
	if f.err == nil {
		f.err = ErrClosed
	}
	var err error
	if f.mapped != nil {
		err = f.mapped.close()
		f.mapped, f.stable = nil, false
	}
	if f.closer == nil {
		return err
	}
	c := f.closer
	f.closer = nil
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// fail records and returns a FileError for the frame that would come next.
func (f *File) fail(start int64, err error, format string, args ...any) error {
	fe := &FileError{File: f.name, Frame: f.frame + 1, Offset: start,
		Reason: fmt.Sprintf(format, args...), Err: err}
	f.err = fe
	return fe
}

// eof records a clean end of file.
func (f *File) eof() error {
	f.err = io.EOF
	return io.EOF
}

// fill reads exactly len(b) bytes, advancing the offset by what was read.
func (f *File) fill(b []byte) (int, error) {
	n, err := io.ReadFull(f.r, b)
	f.off += int64(n)
	return n, err
}

// readFailed turns a short read of a record starting at start into a
// FileError; want is the length the record declares as what, got the bytes
// of it that were there.
func (f *File) readFailed(start int64, what string, want, got int, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return f.fail(start, ErrTruncatedFile, "%s %d runs past the end of the file (%d bytes left)", what, want, got)
	}
	return f.fail(start, err, "reading %s: %v", what, err)
}

// header reads the n-byte header of the record at f.off into f.hdr. At a
// clean end of file it returns io.EOF, on a cut a FileError.
func (f *File) header(n int, what string) (h []byte, start int64, err error) {
	start = f.off
	h = f.hdr[:n]
	got, rerr := f.fill(h)
	if rerr == nil {
		return h, start, nil
	}
	if got == 0 && rerr == io.EOF {
		return nil, start, f.eof()
	}
	if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
		return nil, start, f.fail(start, ErrTruncatedFile, "%s cut after %d of %d bytes", what, got, n)
	}
	return nil, start, f.fail(start, rerr, "reading %s: %v", what, rerr)
}

// body returns the n bytes that follow a record's pre-byte header: in the
// read buffer when they fit it, else copied into the reusable buffer, which
// grows at most to the largest record seen. what names the length field in
// errors, which count the header too.
func (f *File) body(start int64, n, pre int, what string) ([]byte, error) {
	if n <= f.r.Size() {
		return f.peekBody(start, n, pre, what)
	}
	if cap(f.buf) < n {
		f.buf = make([]byte, n, growCap(n))
	}
	b := f.buf[:n]
	got, err := f.fill(b)
	if err != nil {
		return nil, f.readFailed(start, what, n+pre, got+pre, err)
	}
	return b, nil
}

// peekBody is body for a record that fits the read buffer: the bytes are
// returned in place, without a copy, and stay valid until the next read.
func (f *File) peekBody(start int64, n, pre int, what string) ([]byte, error) {
	b, err := f.r.Peek(n)
	got, _ := f.r.Discard(len(b))
	f.off += int64(got)
	if got < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, f.readFailed(start, what, n+pre, got+pre, err)
	}
	return b[:n:n], nil
}

// skip discards the n bytes that follow a record's pre-byte header.
func (f *File) skip(start int64, n, pre int, what string) error {
	got, err := f.r.Discard(n)
	f.off += int64(got)
	if err != nil {
		return f.readFailed(start, what, n+pre, got+pre, err)
	}
	return nil
}

func growCap(n int) int {
	c := 2048
	for c < n {
		c *= 2
	}
	return c
}
