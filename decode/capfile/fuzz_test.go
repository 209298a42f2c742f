package capfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
)

// FuzzOpenNext opens arbitrary bytes and reads every packet: no panic, no
// unbounded allocation, consistent frames, and an end that is io.EOF or a
// FileError naming the next frame; read in place (as a mapped file is),
// the same packets and the same end. Seeds: the first KBs of each real
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
		lim := Limits{MaxRecord: 1 << 16, MaxGzipRatio: 50}
		stream, serr := fuzzRead(t, func() (*File, error) { return NewReaderWithLimits("fuzz", bytes.NewReader(data), lim) })
		inPlace, perr := fuzzRead(t, func() (*File, error) { return newSource("fuzz", &sliceSource{data: data}, nil, lim) })
		if !slices.Equal(stream, inPlace) || fmt.Sprint(serr) != fmt.Sprint(perr) {
			t.Fatalf("in place: %d frames, %v; as a stream: %d frames, %v", len(inPlace), perr, len(stream), serr)
		}
	})
}

// fuzzRead opens a File with open and reads it to its end, checking every
// packet and the end; it returns the frames and the error that ended them.
func fuzzRead(t *testing.T, open func() (*File, error)) ([]record, error) {
	r, err := open()
	if err != nil {
		checkEnd(t, err, 0)
		return nil, err
	}
	var p Packet
	var out []record
	for {
		err := r.Next(&p)
		if err != nil {
			checkEnd(t, err, uint64(len(out)))
			return out, err
		}
		frames := uint64(len(out)) + 1
		if p.Frame != frames || p.CaptureLength != len(p.Data) || len(p.Data) > 1<<16 {
			t.Fatalf("frame %d: %+v", frames, p)
		}
		if p.Interface < 0 || p.Interface >= len(r.Interfaces()) {
			t.Fatalf("frame %d: interface %d of %d", frames, p.Interface, len(r.Interfaces()))
		}
		out = append(out, toRecord(&p))
	}
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
