package decode

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/icediag/icediag/decode/capfile"
)

// Run decodes the capture files at paths ("-" is standard input) as one
// incident: their packets are merged by timestamp and decoded in that order.
// A file that cannot be opened or that is damaged part-way is recorded in
// Stats.Files (and as a "capture" problem) while the others are still
// decoded. Run returns an error only when no file could be read at all.
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
// not nil) is set. With ahead the files are read on a goroutine of their
// own (readahead.go).
func (d *Decoder) runFiles(paths []string, quit *atomic.Bool, ahead bool) error {
	s := &d.stats
	s.Files = make([]FileStats, len(paths))
	var files []*capfile.File
	var index []int // merger position -> input index
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
		files = append(files, f)
		index = append(index, i)
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if len(files) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no capture files given")
		}
		return fmt.Errorf("no capture could be read: %w", firstErr)
	}
	merger := capfile.NewMerger(files)
	var m packetSource = merger
	if ahead {
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
			for j, f := range files {
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
