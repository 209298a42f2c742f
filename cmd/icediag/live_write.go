package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/live"
)

// maxRotatedFiles bounds the number of files one rotating run writes (the
// five digits of the file names).
const maxRotatedFiles = 99999

// errRotationExhausted stops writing after maxRotatedFiles files.
var errRotationExhausted = errors.New("rotation reached 99999 files; writing stopped")

// captureWriter tees captured frames to pcapng (draft-ietf-opsawg-pcapng):
// one Interface Description Block per captured interface, an Enhanced
// Packet Block per frame with its kernel timestamp, nothing rewritten.
// With a rotation size it starts a new file, NAME_00001.pcapng,
// NAME_00002.pcapng, ..., once a file has grown past it, and keeps the
// newest count files (0 keeps all).
type captureWriter struct {
	path   string
	size   int64
	count  int
	ifaces []live.Interface
	snap   uint32

	f       *os.File
	w       *capfile.PcapngWriter
	written int64
	index   int      // 0-based index of the current file
	paths   []string // every file opened, oldest first
	frame   uint64   // frames in the current file
}

func newCaptureWriter(path string, size int64, count int, ifaces []live.Interface, snaplen int) (*captureWriter, error) {
	w := &captureWriter{path: path, size: size, count: count, ifaces: ifaces, snap: uint32(snaplen), index: -1}
	if err := w.next(); err != nil {
		return nil, err
	}
	return w, nil
}

// rotating reports whether the writer splits its output.
func (w *captureWriter) rotating() bool { return w.size > 0 }

// name is the path of file i (0-based).
func (w *captureWriter) name(i int) string {
	if !w.rotating() {
		return w.path
	}
	ext := filepath.Ext(w.path)
	return fmt.Sprintf("%s_%05d%s", strings.TrimSuffix(w.path, ext), i+1, ext)
}

// names returns the paths every file of the run will have, for frame
// references: just the one path without rotation.
func (w *captureWriter) names() []string {
	if !w.rotating() {
		return []string{w.path}
	}
	out := make([]string, maxRotatedFiles)
	for i := range out {
		out[i] = w.name(i)
	}
	return out
}

// next closes the current file and opens the following one with its
// section and interface headers, deleting the oldest beyond count.
func (w *captureWriter) next() error {
	if err := w.closeFile(); err != nil {
		return err
	}
	if w.index+1 >= maxRotatedFiles {
		return errRotationExhausted
	}
	w.index++
	f, err := os.Create(w.name(w.index))
	if err != nil {
		return err
	}
	pw, err := capfile.NewPcapngWriter(f)
	if err != nil {
		f.Close()
		return err
	}
	for _, in := range w.ifaces {
		if _, err := pw.AddInterface(in.LinkType, w.snap, in.Name); err != nil {
			f.Close()
			return err
		}
	}
	w.f, w.w, w.written, w.frame = f, pw, 0, 0
	w.paths = append(w.paths, w.name(w.index))
	if w.count > 0 && len(w.paths) > w.count {
		os.Remove(w.paths[len(w.paths)-w.count-1])
	}
	return nil
}

// write appends one frame and returns the file index and frame number it
// has in the written files.
func (w *captureWriter) write(p *capfile.Packet) (int, uint64, error) {
	if w.rotating() && w.written >= w.size && w.frame > 0 {
		if err := w.next(); err != nil {
			return 0, 0, err
		}
	}
	if w.w == nil {
		return 0, 0, errRotationExhausted
	}
	if err := w.w.WritePacket(p.Interface, p.Timestamp, p.Data, p.Length); err != nil {
		return 0, 0, err
	}
	w.written += int64(32 + (len(p.Data)+3)&^3) // Enhanced Packet Block size
	w.frame++
	return w.index, w.frame, nil
}

// Flush writes buffered blocks to the current file.
func (w *captureWriter) Flush() error {
	if w.w == nil {
		return nil
	}
	return w.w.Flush()
}

func (w *captureWriter) closeFile() error {
	if w.f == nil {
		return nil
	}
	err := w.w.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f, w.w = nil, nil
	return err
}

// Close flushes and closes the current file.
func (w *captureWriter) Close() error { return w.closeFile() }
