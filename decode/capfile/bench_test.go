package capfile

import (
	"bytes"
	"testing"
)

// baselines holds other readers to compare with, by format. The pcapgo
// loops (bench_pcapgo_test.go, build tag pcapgo) need golang.org/x/net in
// go.sum, which gopacket's pcapgo imports for BPF.
var baselines = map[string]map[string]func(testing.TB, []byte) int{}

// BenchmarkRead reads a generated capture of 20,000 packets of 400 bytes
// with this package and with each baseline on the same bytes, reporting
// packets/s and allocations.
func BenchmarkRead(b *testing.B) {
	const n = 20000
	for _, format := range []string{"pcap", "pcapng"} {
		data := syntheticCapture(b, format, n, 400)
		b.Run(format+"/capfile", func(b *testing.B) {
			benchLoop(b, data, n, readCapfile)
		})
		b.Run(format+"/capfile-in-place", func(b *testing.B) {
			benchLoop(b, data, n, readInPlace)
		})
		b.Run(format+"/merger-in-place", func(b *testing.B) {
			benchLoop(b, data, n, mergeInPlace)
		})
		for name, read := range baselines[format] {
			b.Run(format+"/"+name, func(b *testing.B) {
				benchLoop(b, data, n, read)
			})
		}
	}
}

func benchLoop(b *testing.B, data []byte, n int, read func(testing.TB, []byte) int) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if got := read(b, data); got != n {
			b.Fatalf("read %d packets, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

func readCapfile(tb testing.TB, data []byte) int {
	f, err := NewReader("bench", bytes.NewReader(data))
	return countPackets(tb, f, err)
}

// readInPlace reads data as Open reads a mapped file.
func readInPlace(tb testing.TB, data []byte) int {
	f, err := openInPlace("bench", data)
	return countPackets(tb, f, err)
}

// countPackets reads f, which opening gave with err, to its end.
func countPackets(tb testing.TB, f *File, err error) int {
	if err != nil {
		tb.Fatal(err)
	}
	var p Packet
	n := 0
	for f.Next(&p) == nil {
		n++
	}
	return n
}

// mergeInPlace reads data in place through a Merger of one file, as
// decode does.
func mergeInPlace(tb testing.TB, data []byte) int {
	f, err := openInPlace("bench", data)
	if err != nil {
		tb.Fatal(err)
	}
	m := NewMerger([]*File{f})
	var p Packet
	n := 0
	for {
		if _, err := m.Next(&p); err != nil {
			return n
		}
		n++
	}
}
