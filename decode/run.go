package decode

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"sync/atomic"

	"github.com/icediag/icediag/decode/capfile"
)

// Run decodes the capture files at paths ("-" is standard input) as one
// incident: their packets are merged by timestamp and decoded in that order.
// A file that cannot be opened or that is damaged part-way is recorded in
// Stats.Files (and as a "capture" problem) while the others are still
// decoded. Run returns an error only when no file could be read at all,
// or when a file mapped into memory was cut shorter while it was read.
//
// With two or more processors (GOMAXPROCS), the files are read and decoded
// on a goroutine of their own while h runs on the calling goroutine; h
// then receives copies of the decoder's events, in the same order, and
// Options.Progress is called on the calling goroutine too. The events, the
// Stats and the error are the same either way.
func Run(paths []string, o Options, h Handler) (*Stats, error) {
	if h != nil && usePipeline() {
		return runPipelined(paths, o, h)
	}
	d := New(h, o)
	if err := d.RunFiles(paths); err != nil {
		return d.Stats(), err
	}
	return d.Stats(), nil
}

// RunFiles decodes the given capture files into d and finishes it.
func (d *Decoder) RunFiles(paths []string) error { return d.runFiles(paths, nil, false) }

// packetSource is where runFiles takes packets from: a capfile.Merger, or
// a readAhead running one.
type packetSource interface {
	Next(p *capfile.Packet) (file int, err error)
	Errors() []error
}

// runFiles is RunFiles; it stops reading, without finishing, once quit (if
// not nil) is set. With ahead, files that are read as streams are read on
// a goroutine of their own (readahead.go); files mapped into memory cost
// little more than a look at each record header, which the decoder does
// itself. The files are closed on return unless d.keepOpen is set, for a
// handler that still reads their bytes (pipeline.go).
//
// A mapped file cut shorter while it is read makes reading its lost bytes
// fault; the fault ends the run with an error naming the file and frame.
func (d *Decoder) runFiles(paths []string, quit *atomic.Bool, ahead bool) (err error) {
	s := &d.stats
	s.Files = make([]FileStats, len(paths))
	d.inPlace = make([]bool, len(paths))
	var firstErr error
	for i, p := range paths {
		s.Files[i].Name = p
		f, err := capfile.OpenWithLimits(p, d.opt.Capture)
		if err != nil {
			s.Files[i].Err = err.Error()
			d.problemAt("capture", "file could not be read", FrameRef{File: i})
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		s.Files[i].Format = f.Format()
		d.files = append(d.files, f)
		d.fileIndex = append(d.fileIndex, i)
		d.inPlace[i] = f.Stable()
	}
	// A read-ahead reads the files when one of them is a stream; the
	// decoder and the handler then see its copies, not the files' bytes.
	d.aheadOn = ahead && slices.ContainsFunc(d.files, streamed)
	defer func() { d.aheadOn = false }()
	if d.aheadOn {
		clear(d.inPlace)
	} else if d.keepOpen {
		for _, f := range d.files {
			f.KeepFrom(0) // the handler reads behind; the pipeline says how far (keepFrom)
		}
	}
	if !d.keepOpen {
		defer d.closeFiles()
	}
	if len(d.files) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no capture files given")
		}
		return fmt.Errorf("no capture could be read: %w", firstErr)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			fe := d.faultError(v, d.cur)
			if fe == nil {
				panic(v)
			}
			err = fe
		}
	}()
	index := d.fileIndex // merger position -> input index
	merger := capfile.NewMerger(d.files)
	var m packetSource = merger
	if d.aheadOn {
		r := startReadAhead(merger, quit)
		defer r.close() // before the files are closed
		m = r
	}
	var p capfile.Packet
	for quit == nil || !quit.Load() {
		k, err := m.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			continue // damaged file: the merger keeps the error and goes on
		}
		i := index[k]
		fs := &s.Files[i]
		fs.Packets++
		fs.Bytes += uint64(len(p.Data))
		if fs.First.IsZero() {
			fs.First = p.Timestamp
		}
		fs.Last = p.Timestamp
		d.Decode(i, &p)
		if d.opt.Progress != nil && s.Packets%ProgressEvery == 0 {
			d.opt.Progress(s.Packets, s.Bytes)
		}
	}
	if quit != nil && quit.Load() {
		return nil
	}
	if d.opt.Progress != nil {
		d.opt.Progress(s.Packets, s.Bytes)
	}
	for _, err := range m.Errors() {
		var fe *capfile.FileError
		if errors.As(err, &fe) {
			for j, f := range d.files {
				if f.Name() == fe.File && s.Files[index[j]].Err == "" {
					s.Files[index[j]].Err = err.Error()
					d.problemAt("capture", "file damaged, rest of file skipped", FrameRef{File: index[j], Frame: fe.Frame})
					break
				}
			}
			continue
		}
		d.problem("capture", "read error")
	}
	d.Finish()
	return nil
}

// closeFiles closes the capture files of the run; nothing may read the
// bytes of their packets afterwards.
func (d *Decoder) closeFiles() {
	for _, f := range d.files {
		f.Close()
	}
	d.files, d.fileIndex = nil, nil
}

// fileOffsets appends the reading offset of each file of the run to dst;
// nothing while a read-ahead reads them, as events then hold copies.
func (d *Decoder) fileOffsets(dst []int64) []int64 {
	if d.aheadOn {
		return dst
	}
	for _, f := range d.files {
		dst = append(dst, f.Offset())
	}
	return dst
}

// keepFrom tells the files of the run from which offsets (as fileOffsets
// gave them) their bytes may still be read.
func (d *Decoder) keepFrom(offsets []int64) {
	for j, f := range d.files {
		if j < len(offsets) {
			f.KeepFrom(offsets[j])
		}
	}
}

// holds reports whether b lies in the bytes of a capture file that stay
// valid until the run's files are closed.
func (d *Decoder) holds(b []byte) bool {
	for _, f := range d.files {
		if f.Holds(b) {
			return true
		}
	}
	return false
}

// faultError turns a panic value v into the error of a memory fault in a
// mapped capture file, which means the file was cut shorter while it was
// read; nil when v is anything else. at is the frame being decoded or
// handled. The files must still be open.
func (d *Decoder) faultError(v any, at FrameRef) error {
	e, ok := v.(interface{ Addr() uintptr })
	if !ok {
		return nil
	}
	for j, f := range d.files {
		if !f.HoldsAddr(e.Addr()) {
			continue
		}
		i := d.fileIndex[j]
		if at.File != i {
			at = FrameRef{File: i}
		}
		reason := "file cut shorter while it was read"
		d.stats.Files[i].Err = reason
		d.problemAt("capture", reason, at)
		return fmt.Errorf("%s: frame %d: the file was cut shorter while it was read; analyse a copy nothing writes to", f.Name(), at.Frame)
	}
	return nil
}

// streamed reports whether f is read through a read buffer rather than
// mapped.
func streamed(f *capfile.File) bool { return !f.Stable() }
