//go:build unix

package decode_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth/callgen"
)

// benchSeed is the generator seed of every benchmark capture.
const benchSeed = 1

// benchSizeEnv overrides the size of the benchmark capture, in MiB.
const benchSizeEnv = "ICEDIAG_BENCH_MB"

// defaultBenchMB is the size of the benchmark capture when benchSizeEnv is
// not set: large enough that the readers' buffers and the decoder's tables
// reach their steady state, small enough to generate in about a second.
const defaultBenchMB = 64

// benchFile is the generated benchmark capture and what it holds.
type benchFile struct {
	path    string
	size    int64
	packets int
}

var (
	benchOnce   sync.Once
	benchCached benchFile
	benchErr    error
)

// benchCapture returns the benchmark capture, generating it on first use
// into the system temporary directory under a name keyed by the
// generator's version, seed and size, so that later runs reuse it.
func benchCapture(b *testing.B) benchFile {
	b.Helper()
	benchOnce.Do(func() {
		mb := defaultBenchMB
		if s := os.Getenv(benchSizeEnv); s != "" {
			if mb, benchErr = strconv.Atoi(s); benchErr != nil || mb <= 0 {
				benchErr = fmt.Errorf("%s=%q: want a positive number of MiB", benchSizeEnv, s)
				return
			}
		}
		name := fmt.Sprintf("icediag-bench-v%d-seed%d-%dMiB.pcap", callgen.Version, benchSeed, mb)
		benchCached, benchErr = cachedCapture(filepath.Join(os.TempDir(), name), int64(mb)<<20)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchCached
}

// cachedCapture generates the capture at path unless a readable one is
// already there, and counts its packets.
func cachedCapture(path string, size int64) (benchFile, error) {
	if n, err := countPackets(path); err == nil {
		st, err := os.Stat(path)
		if err == nil {
			return benchFile{path: path, size: st.Size(), packets: n}, nil
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return benchFile{}, err
	}
	defer os.Remove(tmp.Name())
	sum, err := callgen.Write(tmp, callgen.Config{Seed: benchSeed, Size: size})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return benchFile{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return benchFile{}, err
	}
	return benchFile{path: path, size: sum.Bytes, packets: sum.Frames}, nil
}

// countPackets reads a whole capture and returns its number of packets; a
// damaged or truncated file is an error.
func countPackets(path string) (int, error) {
	f, err := capfile.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var p capfile.Packet
	n := 0
	for {
		err := f.Next(&p)
		if err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
		n++
	}
}

// smallCapture generates a short capture in memory for the per-frame
// micro-benchmarks: calls of a few seconds so that every path appears.
func smallCapture(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	_, err := callgen.Write(&buf, callgen.Config{Seed: benchSeed, Size: 2 << 20,
		CallLength: 6 * time.Second, CallGap: 100 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
