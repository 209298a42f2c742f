package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/live"
	"github.com/icediag/icediag/diag"
)

// liveSession is one running capture: frames from the merger are
// numbered as the written files will number them, teed to disk and
// decoded into the analysis session.
type liveSession struct {
	merger  *live.Merger
	sources []live.Source
	dec     *decode.Decoder
	sess    *diag.Session
	out     *captureWriter
	files   []decode.FileStats
	names   []string // base names frame references use
	frame   uint64   // frames so far without --write
	werr    error
	// streamed are the calls already printed as they ended; the final
	// jsonl report leaves them out.
	streamed map[string]bool
	// lastTS is the timestamp of the last frame, lastWall when it came:
	// capture time goes on from there while no frame arrives.
	lastTS, lastWall time.Time
	format           string
	stdout           io.Writer
	stderr           io.Writer
}

// runCapture captures until ctx is done, then prints the final report.
func runCapture(ctx context.Context, f *liveFlags, network *diag.Network, sources []live.Source, stdout, stderr io.Writer) int {
	s, err := newLiveSession(f, network, sources, stdout, stderr)
	if err != nil {
		for _, src := range sources {
			src.Close()
		}
		fmt.Fprintf(stderr, "icediag live: %v\n", err)
		return exitFailure
	}
	s.merger.Start(ctx)
	s.loop(f, stdout, stderr)
	for _, src := range sources {
		src.Close()
	}
	if err := s.merger.Err(); err != nil {
		fmt.Fprintf(stderr, "icediag live: capture stopped: %v\n", err)
	}
	return s.finish(f, network, stdout, stderr)
}

func newLiveSession(f *liveFlags, network *diag.Network, sources []live.Source, stdout, stderr io.Writer) (*liveSession, error) {
	s := &liveSession{merger: live.NewMerger(sources, 0), sources: sources, streamed: map[string]bool{},
		format: f.format, stdout: stdout, stderr: stderr}
	var infos []live.Interface
	for _, src := range sources {
		infos = append(infos, src.Info())
	}
	if f.write != "" {
		w, err := newCaptureWriter(f.write, f.sizeBytes, f.rotateCount, infos, live.DefaultSnaplen)
		if err != nil {
			return nil, err
		}
		s.out = w
		s.names = baseNames(w.names())
	} else {
		names := make([]string, len(infos))
		for i, in := range infos {
			names[i] = in.Name
		}
		s.names = []string{"live:" + strings.Join(names, ",")}
		s.files = []decode.FileStats{{Name: s.names[0], Format: "live"}}
	}
	so := diag.SessionOptions{}
	opt := decode.Options{}
	if f.limits != nil {
		so, opt = f.limits.Session(), f.limits.Decode()
	}
	so.Net, so.OnCall = network, s.callDone
	so.Retire = diag.RetirePolicy{Stream: true, After: f.callIdle, Timeout: f.callTimeout}
	s.sess = diag.NewSession(s.names, so)
	s.dec = decode.New(s.sess.Add, opt)
	return s, nil
}

// loop handles frames until the merger closes its channel, printing a
// summary line every f.every and flushing the written file every second.
func (s *liveSession) loop(f *liveFlags, stdout, stderr io.Writer) {
	var report <-chan time.Time
	if f.every > 0 {
		t := time.NewTicker(f.every)
		defer t.Stop()
		report = t.C
	}
	flush := time.NewTicker(time.Second)
	defer flush.Stop()
	packets := s.merger.Packets()
	for {
		select {
		case p, ok := <-packets:
			if !ok {
				return
			}
			s.handle(p, stderr)
			s.merger.Release(p)
		case <-report:
			s.summary(f.format, stdout, stderr)
		case now := <-flush.C:
			if s.out != nil {
				s.out.Flush()
			}
			if !s.lastTS.IsZero() {
				s.sess.Advance(s.lastTS.Add(now.Sub(s.lastWall)))
			}
		}
	}
}

// handle numbers, writes and decodes one frame.
func (s *liveSession) handle(p *live.Packet, stderr io.Writer) {
	file := 0
	if s.out != nil && s.werr == nil {
		i, n, err := s.out.write(&p.Packet)
		if err != nil {
			s.werr = err
			fmt.Fprintf(stderr, "icediag live: writing %s: %v; analysis goes on, frames are numbered as captured from now on\n", s.out.name(s.out.index), err)
		} else {
			file, p.Frame = i, n
		}
	}
	if s.out == nil || s.werr != nil {
		s.frame++
		p.Frame = s.frame
		file = max(0, len(s.files)-1)
	}
	s.count(file, p)
	s.lastTS, s.lastWall = p.Timestamp, time.Now()
	s.dec.Decode(file, &p.Packet)
}

// count keeps the per-file statistics an offline read of the written
// files records.
func (s *liveSession) count(file int, p *live.Packet) {
	for len(s.files) <= file {
		s.files = append(s.files, decode.FileStats{Name: s.out.name(len(s.files)), Format: "pcapng"})
	}
	fs := &s.files[file]
	fs.Packets++
	fs.Bytes += uint64(len(p.Data))
	if fs.First.IsZero() {
		fs.First = p.Timestamp
	}
	fs.Last = p.Timestamp
}

// finish flushes the decoder, closes the output and prints the report.
func (s *liveSession) finish(f *liveFlags, network *diag.Network, stdout, stderr io.Writer) int {
	s.dec.Finish()
	if s.out != nil {
		if err := s.out.Close(); err != nil {
			fmt.Fprintf(stderr, "icediag live: closing %s: %v\n", s.out.name(s.out.index), err)
		}
	}
	st := s.dec.Stats()
	st.Files = s.files
	names := make([]string, len(s.files))
	for i, fs := range s.files {
		names[i] = filepath.Base(fs.Name)
	}
	r := diag.Build(s.sess.Input(names, st, network))
	kernel := s.merger.Stats()
	var err error
	if f.format == formatJSONL {
		err = writeJSONL(stdout, r, s.sources, kernel, s.streamed)
	} else {
		err = diag.Render(stdout, r, f.format)
		writeKernelStats(stderr, s.sources, kernel)
	}
	if err != nil {
		fmt.Fprintf(stderr, "icediag live: %v\n", err)
		return exitFailure
	}
	if f.failOn != "never" && r.Worst().Rank() >= diag.Severity(f.failOn).Rank() {
		return exitFindings
	}
	return exitOK
}

// writeKernelStats prints what each interface's kernel counters say.
func writeKernelStats(w io.Writer, sources []live.Source, st []live.Stats) {
	for i, src := range sources {
		if i < len(st) {
			fmt.Fprintf(w, "icediag live: %s: %d frames passed the filter, %d dropped by the kernel, %d by the interface\n",
				src.Info().Name, st[i].Received, st[i].Dropped, st[i].IfDropped)
		}
	}
}
