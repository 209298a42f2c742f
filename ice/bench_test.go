package ice

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/synth/callgen"
	"github.com/icediag/icediag/decode/wire"
)

// recordedEvents decodes a generated capture of overlapping calls (direct,
// TURN and MS-TURN relayed; decode/synth/callgen) and keeps a copy of each
// event for which keep is true. STUN messages are decoded again from a copy
// of their bytes, so the copies own everything they point to.
func recordedEvents(b *testing.B, keep func(*decode.Event) bool) []decode.Event {
	b.Helper()
	var capture bytes.Buffer
	if _, err := callgen.Write(&capture, callgen.Config{Seed: 1, Size: 8 << 20}); err != nil {
		b.Fatalf("callgen.Write: %v", err)
	}
	path := filepath.Join(b.TempDir(), "calls.pcap")
	if err := os.WriteFile(path, capture.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	var out []decode.Event
	_, err := decode.Run([]string{path}, decode.Options{}, func(ev *decode.Event) {
		if !keep(ev) {
			return
		}
		c := *ev
		c.Payload = bytes.Clone(ev.Payload)
		c.SNI, c.TLS, c.ICMP, c.RTCP = nil, nil, nil, nil
		if ev.Relay != nil {
			r := *ev.Relay
			c.Relay = &r
		}
		if ev.RTP != nil {
			p := *ev.RTP
			c.RTP = &p
		}
		if ev.STUN != nil {
			m := new(wire.STUN)
			if err := m.Decode(bytes.Clone(ev.STUN.Raw)); err != nil {
				return
			}
			c.STUN = m
		}
		out = append(out, c)
	})
	if err != nil {
		b.Fatalf("decode.Run: %v", err)
	}
	if len(out) == 0 {
		b.Fatal("the generated capture gave no events to replay")
	}
	return out
}

// replay feeds the events to a new Builder per pass and reports the cost
// per event.
func replay(b *testing.B, evs []decode.Event) {
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		bl := NewBuilder(Options{})
		for i := range evs {
			bl.Add(&evs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
	b.ReportMetric(float64(len(evs)), "events/op")
}

// BenchmarkRTPAccounting replays the media (RTP, RTCP) of many interleaved
// calls, direct and relayed: the per-packet flow look-up and counting.
func BenchmarkRTPAccounting(b *testing.B) {
	replay(b, recordedEvents(b, func(ev *decode.Event) bool {
		return ev.Kind == decode.KindRTP || ev.Kind == decode.KindRTCP
	}))
}

// BenchmarkCheckMatching replays the Binding requests and answers of the
// same calls: connectivity and consent checks, joined into sessions by
// their USERNAME and matched with their answers.
func BenchmarkCheckMatching(b *testing.B) {
	replay(b, recordedEvents(b, func(ev *decode.Event) bool {
		return ev.Kind == decode.KindSTUN && ev.STUN.Op == wire.OpBinding
	}))
}
