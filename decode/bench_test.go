//go:build unix

package decode_test

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket/pcapgo"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/wire"
)

// The whole-file benchmarks read the generated capture (benchCapture) once
// per iteration and report packets/s, MB/s and allocations per packet, so
// that the readers, the bare DecodingLayerParser baseline and the decode
// path can be compared on the same bytes. Run them with `make bench`.
// Besides wall time they report the process's CPU time per packet
// (cpu-ns/pkt), which stays meaningful on a machine shared with other work.

// benchFilePass runs pass, which must process every packet of f and return
// how many it saw, and reports the per-packet metrics.
func benchFilePass(b *testing.B, f benchFile, pass func(b *testing.B) int) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime(b)
	for b.Loop() {
		if n := pass(b); n != f.packets {
			b.Fatalf("read %d packets, want %d", n, f.packets)
		}
	}
	cpu := cpuTime(b) - cpu0
	runtime.ReadMemStats(&after)
	secs := b.Elapsed().Seconds()
	packets := float64(f.packets) * float64(b.N)
	b.ReportMetric(packets/secs, "pkts/s")
	b.ReportMetric(float64(f.size)*float64(b.N)/1e6/secs, "MB/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/packets, "allocs/pkt")
	b.ReportMetric(float64(cpu.Nanoseconds())/packets, "cpu-ns/pkt")
}

// cpuTime returns the user and system CPU time the process has used
// (getrusage(2)).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReadPcapgo is the plain gopacket/pcapgo read loop
// (ZeroCopyReadPacketData) over the benchmark capture, through the same
// 64 KiB buffered reader size capfile uses.
func BenchmarkReadPcapgo(b *testing.B) {
	f := benchCapture(b)
	benchFilePass(b, f, func(b *testing.B) int {
		file, err := os.Open(f.path)
		if err != nil {
			b.Fatal(err)
		}
		defer file.Close()
		r, err := pcapgo.NewReader(bufio.NewReaderSize(file, 1<<16))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, _, err := r.ZeroCopyReadPacketData()
			if err == io.EOF {
				return n
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	})
}

// BenchmarkReadCapfile is the decode/capfile read loop (File.Next) over the
// benchmark capture.
func BenchmarkReadCapfile(b *testing.B) {
	f := benchCapture(b)
	benchFilePass(b, f, func(b *testing.B) int {
		return capfileLoop(b, f.path, func(*capfile.Packet) {})
	})
}

// capfileLoop reads every packet of the capture at path with capfile and
// passes it to fn.
func capfileLoop(b *testing.B, path string, fn func(*capfile.Packet)) int {
	file, err := capfile.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	var p capfile.Packet
	n := 0
	for {
		err := file.Next(&p)
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		fn(&p)
		n++
	}
}

// BenchmarkDLP is the baseline of the decode target: a gopacket
// DecodingLayerParser over Ethernet, IPv4, IPv6, UDP and TCP (decoding into
// reused layer structs, gopacket's fastest mode) on every packet read by
// capfile.
func BenchmarkDLP(b *testing.B) {
	f := benchCapture(b)
	parse := decode.NewBaselineParser()
	benchFilePass(b, f, func(b *testing.B) int {
		transport := 0
		n := capfileLoop(b, f.path, func(p *capfile.Packet) {
			ok, err := parse(p.Data)
			if err != nil {
				b.Fatalf("DecodeLayers: %v", err)
			}
			if ok {
				transport++
			}
		})
		if transport != n {
			b.Fatalf("DecodeLayers found UDP or TCP in %d of %d packets", transport, n)
		}
		return n
	})
}

// BenchmarkDecode is the whole decode path: decode.Run over the benchmark
// capture with a handler that only counts events.
func BenchmarkDecode(b *testing.B) {
	f := benchCapture(b)
	benchFilePass(b, f, func(b *testing.B) int {
		events := 0
		st, err := decode.Run([]string{f.path}, decode.Options{}, func(*decode.Event) { events++ })
		if err != nil {
			b.Fatal(err)
		}
		if p := st.Problems(); len(p) != 0 {
			b.Fatalf("decode problems: %+v", p)
		}
		if events < int(st.Packets) {
			b.Fatalf("%d events from %d packets, want at least one per packet", events, st.Packets)
		}
		return int(st.Packets)
	})
}

// frameKinds are the frames of the per-frame benchmarks, each picked as the
// first frame of the small generated capture that yields such an event.
var frameKinds = []struct {
	name  string
	match func(*decode.Event) bool
}{
	{"RTP", func(ev *decode.Event) bool { return ev.Kind == decode.KindRTP && ev.Relay == nil }},
	{"STUN check", func(ev *decode.Event) bool {
		return ev.Kind == decode.KindSTUN && ev.Relay == nil && ev.STUN.Op == wire.OpBinding &&
			ev.STUN.Class == wire.ClassRequest
	}},
	{"ChannelData RTP", func(ev *decode.Event) bool {
		return ev.Kind == decode.KindRTP && ev.Relay != nil && ev.Relay.Via == decode.ViaChannelData
	}},
}

// BenchmarkDecodeFrame measures Decoder.Decode of one Ethernet frame: an RTP
// packet, an ICE connectivity check and a ChannelData message carrying RTP.
// The decoder first decodes the capture up to that frame, so that it knows
// the TURN server and the channel binding, then decodes the frame again and
// again with the capture time advancing 20 ms each time (so that it is not
// dropped as a duplicate).
func BenchmarkDecodeFrame(b *testing.B) {
	frames := readFrames(b, smallCapture(b))
	for _, fk := range frameKinds {
		b.Run(fk.name, func(b *testing.B) {
			at := -1
			matched := 0
			d := decode.New(func(ev *decode.Event) {
				if fk.match(ev) {
					matched++
				}
			}, decode.Options{})
			for i := range frames {
				d.Decode(0, &frames[i])
				if matched > 0 {
					at = i
					break
				}
			}
			if at < 0 {
				b.Fatalf("no %s frame in the capture", fk.name)
			}
			p := frames[at]
			b.ReportAllocs()
			b.SetBytes(int64(len(p.Data)))
			for b.Loop() {
				p.Timestamp = p.Timestamp.Add(20 * time.Millisecond)
				p.Frame++
				d.Decode(0, &p)
			}
			if matched != b.N+1 {
				b.Fatalf("%d %s events from %d frames", matched, fk.name, b.N+1)
			}
		})
	}
}

// readFrames reads every frame of a capture held in memory into owned
// copies.
func readFrames(b *testing.B, data []byte) []capfile.Packet {
	f, err := capfile.NewReader("bench", bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	var out []capfile.Packet
	var p capfile.Packet
	for f.Next(&p) == nil {
		p.Data = bytes.Clone(p.Data)
		out = append(out, p)
	}
	return out
}
