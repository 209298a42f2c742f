package capfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzOpenNext opens arbitrary bytes and reads every packet: no panic, no
// unbounded allocation, consistent frames, and an end that is io.EOF or a
// FileError naming the next frame. Seeds: the first KBs of each real
// capture, the crafted pcapng and a gzip copy of a real capture.
func FuzzOpenNext(f *testing.F) {
	var seeds [][]byte
	for _, path := range testdataFiles(f) {
		seeds = append(seeds, mustRead(f, path))
	}
	if files, _ := globCorpus(); len(files) > 0 {
		for _, path := range files {
			b := mustRead(f, path)
			seeds = append(seeds, b[:min(len(b), 2048)])
		}
	}
	seeds = append(seeds, craftedPcapng(), gzipBytes(f, seeds[0]))
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReaderWithLimits("fuzz", bytes.NewReader(data), Limits{MaxRecord: 1 << 16, MaxGzipRatio: 50})
		if err != nil {
			checkEnd(t, err, 0)
			return
		}
		var p Packet
		var frames uint64
		for {
			err := r.Next(&p)
			if err != nil {
				checkEnd(t, err, frames)
				return
			}
			frames++
			if p.Frame != frames || p.CaptureLength != len(p.Data) || len(p.Data) > 1<<16 {
				t.Fatalf("frame %d: %+v", frames, p)
			}
			if p.Interface < 0 || p.Interface >= len(r.Interfaces()) {
				t.Fatalf("frame %d: interface %d of %d", frames, p.Interface, len(r.Interfaces()))
			}
		}
	})
}

func checkEnd(t *testing.T, err error, frames uint64) {
	t.Helper()
	if err == io.EOF {
		return
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Frame != frames+1 || fe.Offset < 0 {
		t.Fatalf("after %d frames: error %v (%T), want io.EOF or a FileError for frame %d", frames, err, err, frames+1)
	}
}
