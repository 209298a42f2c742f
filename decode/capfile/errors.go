package capfile

import (
	"errors"
	"fmt"
)

// Sentinel errors. A *FileError wraps one of them (or an I/O error), so
// callers branch with errors.Is and never match error strings.
var (
	// ErrNotCapture means the input starts with none of the pcap
	// (draft-ietf-opsawg-pcap §4), pcapng (draft-ietf-opsawg-pcapng §4.1) or
	// gzip (RFC 1952 §2.3.1) magic numbers.
	ErrNotCapture = errors.New("not a pcap, pcapng or gzip file")
	// ErrTruncatedFile means the file ends inside a header, record or block.
	ErrTruncatedFile = errors.New("capture file is truncated")
	// ErrBadBlock means a header, record or block breaks the format: a pcapng
	// block total length below 12, not a multiple of 4 or different from its
	// trailing copy (draft-ietf-opsawg-pcapng §3.1), an option that runs past
	// its block (§3.5), a packet that names an unknown interface.
	ErrBadBlock = errors.New("malformed capture record")
	// ErrTooLarge means a record, block or decompressed stream exceeds the
	// Limits the file was opened with.
	ErrTooLarge = errors.New("capture record exceeds limit")
	// ErrClosed is returned by Next after Close.
	ErrClosed = errors.New("capture file closed")
	// ErrWriterArg means a writer was asked to write something the format
	// cannot hold (unknown interface, timestamp out of range, data longer
	// than its original length).
	ErrWriterArg = errors.New("invalid argument to capture writer")
)

// FileError locates damage in a capture file: the file name, the frame that
// would have come next (1-based, as Wireshark numbers it), the byte offset of
// the header, record or block that is damaged (in the decompressed stream for
// gzip files) and a human-readable reason. Err is a sentinel of this package
// or the underlying I/O error.
type FileError struct {
	File   string
	Frame  uint64
	Offset int64
	Reason string
	Err    error
}

// Error formats the location and reason, for example
// "capture.pcap: frame 1234 (byte offset 56789): record length 70000 runs
// past the end of the file".
func (e *FileError) Error() string {
	return fmt.Sprintf("%s: frame %d (byte offset %d): %s", e.File, e.Frame, e.Offset, e.Reason)
}

// Unwrap returns the sentinel or I/O error behind e.
func (e *FileError) Unwrap() error { return e.Err }

// Limits bound what a reader accepts, so that a damaged or hostile file fails
// with ErrTooLarge instead of exhausting memory. Zero fields take defaults.
type Limits struct {
	// MaxRecord is the largest captured packet length accepted (default
	// 262144, Wireshark's largest snapshot length). A pcapng block may be
	// up to MaxRecord+BlockSlack bytes to leave room for headers and options.
	MaxRecord int
	// MaxGzipRatio bounds decompressed bytes per compressed byte read,
	// checked as the stream is read (default 1000).
	MaxGzipRatio int
}

// Defaults for Limits.
const (
	DefaultMaxRecord    = 262144
	DefaultMaxGzipRatio = 1000
	// BlockSlack is the room a pcapng block may take beyond Limits.MaxRecord
	// for its own header, padding and options.
	BlockSlack = 65536
)

func (l Limits) withDefaults() Limits {
	if l.MaxRecord <= 0 {
		l.MaxRecord = DefaultMaxRecord
	}
	if l.MaxGzipRatio <= 0 {
		l.MaxGzipRatio = DefaultMaxGzipRatio
	}
	return l
}
