package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress draws one line on a terminal while a large capture is read:
// bytes and frames so far (of the files' total size), calls seen, rate.
// It uses the wall clock, which is fine for a display; the analysis itself
// only ever uses capture time.
type progress struct {
	w     io.Writer
	total int64 // bytes of the input files, 0 if unknown (stdin, gzip)
	start time.Time
	last  time.Time
	drawn bool
}

// newProgress returns a progress display when stderr is a terminal and
// quiet is false, else nil.
func newProgress(stderr io.Writer, quiet bool, files []string) *progress {
	f, ok := stderr.(*os.File)
	if quiet || !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	p := &progress{w: stderr, start: time.Now()}
	for _, name := range files {
		if fi, err := os.Stat(name); err == nil && fi.Mode().IsRegular() {
			p.total += fi.Size()
		}
	}
	return p
}

// show redraws the line at most a few times a second.
func (p *progress) show(frames, bytes uint64, calls int) {
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	secs := now.Sub(p.start).Seconds()
	line := fmt.Sprintf("reading: %s", mib(bytes))
	if p.total > 0 && int64(bytes) <= p.total {
		line += fmt.Sprintf(" of %s (%d%%)", mib(uint64(p.total)), int64(bytes)*100/p.total)
	}
	line += fmt.Sprintf(", %d frames, %d calls", frames, calls)
	if secs > 0 {
		line += fmt.Sprintf(", %.0f MB/s", float64(bytes)/secs/1e6)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.drawn = true
}

// done clears the line.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
