package capfile

import (
	"bufio"
	"io"
	"unsafe"
)

// source is what a File reads its bytes through: a bufio.Reader over a
// stream, or a sliceSource over a file mapped into memory.
type source interface {
	Peek(n int) ([]byte, error)
	Discard(n int) (int, error)
	Buffered() int
	Size() int
	Read(p []byte) (int, error)
}

var _ source = (*bufio.Reader)(nil)

// Mapped files give their pages back behind the reading position: every
// releaseEvery bytes, all but the last releaseMargin bytes read, and none
// from the offset their user still reads from on (File.KeepFrom). Bytes
// handed out earlier stay readable after a release (the kernel reads them
// in again from the page cache), but a page read again stays resident
// until Close: a user that reads far behind must say so with KeepFrom.
const (
	releaseEvery  = 2 << 20
	releaseMargin = 2 << 20
)

// sliceSource reads from bytes that stay in place until the File is
// closed: returned slices alias them and are never overwritten, unlike a
// read buffer's.
type sliceSource struct {
	data     []byte
	pos      int
	released int
	keep     int                // no page from this offset on is given back
	release  func(from, to int) // gives the pages of data[from:to] back; nil for none
	unmap    func() error       // undoes the mapping; nil for none
}

// Peek returns the next n bytes without consuming them, or what is left
// with io.EOF.
func (s *sliceSource) Peek(n int) ([]byte, error) {
	if left := len(s.data) - s.pos; n > left {
		return s.data[s.pos:], io.EOF
	}
	return s.data[s.pos : s.pos+n], nil
}

// Discard consumes n bytes, or what is left with io.EOF.
func (s *sliceSource) Discard(n int) (int, error) {
	left := len(s.data) - s.pos
	var err error
	if n > left {
		n, err = left, io.EOF
	}
	s.pos += n
	if s.release != nil && min(s.pos-releaseMargin, s.keep)-s.released >= releaseEvery {
		end := min(s.pos-releaseMargin, s.keep) &^ (pageSize - 1)
		s.release(s.released, end)
		s.released = end
	}
	return n, err
}

// Buffered is what is left: all of it is at hand.
func (s *sliceSource) Buffered() int { return len(s.data) - s.pos }

// Size is the whole input, so every record fits and is returned in place.
func (s *sliceSource) Size() int { return len(s.data) }

// Read copies the next bytes into p.
func (s *sliceSource) Read(p []byte) (int, error) {
	if s.pos == len(s.data) {
		return 0, io.EOF
	}
	n, _ := s.Discard(min(len(p), len(s.data)-s.pos))
	copy(p, s.data[s.pos-n:s.pos])
	return n, nil
}

// holds reports whether b lies within the source's bytes.
func (s *sliceSource) holds(b []byte) bool {
	if len(b) == 0 || len(s.data) == 0 {
		return false
	}
	return s.holdsAddr(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) &&
		s.holdsAddr(uintptr(unsafe.Pointer(unsafe.SliceData(b)))+uintptr(len(b)-1))
}

// holdsAddr reports whether the address a lies within the source's bytes.
func (s *sliceSource) holdsAddr(a uintptr) bool {
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s.data)))
	return a >= start && a-start < uintptr(len(s.data))
}

// close undoes the mapping, if any. Nothing may use the bytes afterwards.
func (s *sliceSource) close() error {
	s.data = nil
	if s.unmap == nil {
		return nil
	}
	u := s.unmap
	s.unmap = nil
	return u()
}
