package decode

import (
	"bufio"
	"errors"
	"io"
	"os"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// The baselines are what the speed of the whole analysis is measured
// against (scripts/benchcmp, docs/performance.md): the cost of reading a
// capture, and of reading it and parsing every frame's link, network and
// transport headers in gopacket's fastest mode. They live here because
// decode is the only package that imports gopacket.

// baselineBuffer is the read buffer of the baselines, the size capfile
// reads with.
const baselineBuffer = 1 << 16

// BaselineCounts is what a baseline loop read: frames and their captured
// bytes, and for ParseBaseline the frames whose headers parsed up to a
// UDP or TCP header.
type BaselineCounts struct {
	Packets, Bytes, Transport uint64
}

// ReadBaseline reads every record of the pcap file at path (libpcap
// format) with gopacket's pcapgo reader, ZeroCopyReadPacketData through a
// 64 KiB buffer, and looks at nothing but the record lengths.
func ReadBaseline(path string) (BaselineCounts, error) {
	return baselineLoop(path, func([]byte) bool { return false })
}

// ParseBaseline reads the pcap file at path as ReadBaseline does and
// decodes every frame with the parser of NewBaselineParser.
func ParseBaseline(path string) (BaselineCounts, error) {
	parse := NewBaselineParser()
	return baselineLoop(path, func(data []byte) bool {
		transport, _ := parse(data) // truncated or odd frames count as not parsed
		return transport
	})
}

// NewBaselineParser returns the benchmarks' baseline decoder: one gopacket
// DecodingLayerParser over Ethernet, IPv4, IPv6, UDP and TCP into reused
// layer structs (gopacket's fastest mode, no per-packet allocation). The
// function reports whether a frame holds UDP or TCP.
func NewBaselineParser() func(frame []byte) (transport bool, err error) {
	var (
		eth     layers.Ethernet
		ip4     layers.IPv4
		ip6     layers.IPv6
		udp     layers.UDP
		tcp     layers.TCP
		payload gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &ip6, &udp, &tcp, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	return func(frame []byte) (bool, error) {
		err := parser.DecodeLayers(frame, &decoded)
		for _, t := range decoded {
			if t == layers.LayerTypeUDP || t == layers.LayerTypeTCP {
				return true, err
			}
		}
		return false, err
	}
}

// baselineLoop reads every record of a pcap file and passes its bytes to
// frame, counting the frames for which frame returns true.
func baselineLoop(path string, frame func([]byte) bool) (BaselineCounts, error) {
	var c BaselineCounts
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, baselineBuffer))
	if err != nil {
		return c, err
	}
	for {
		data, _, err := r.ZeroCopyReadPacketData()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return c, err
		}
		c.Packets++
		c.Bytes += uint64(len(data))
		if frame(data) {
			c.Transport++
		}
	}
}
