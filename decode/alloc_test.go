package decode

import (
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth"
)

// TestDecodeAllocs proves that, once warm, decoding an RTP frame and a STUN
// Binding request frame allocates nothing (the per-packet path of the house
// style's rule 17). Each run advances the capture time so that the frame is
// not dropped as a duplicate.
func TestDecodeAllocs(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		kind  Kind
	}{
		{"Ethernet IPv4 UDP RTP", eth(synth.UDP(client, peer, rtpPacket(7))), KindRTP},
		{"Ethernet IPv4 UDP STUN Binding request", eth(synth.UDP(client, peer, bindingRequest("alloc"))), KindSTUN},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got uint64
			d := New(func(ev *Event) {
				if ev.Kind == tc.kind {
					got++
				}
			}, Options{})
			p := capfile.Packet{Data: tc.frame, Timestamp: captureStart, CaptureLength: len(tc.frame),
				Length: len(tc.frame), LinkType: LinkEthernet, Frame: 1}
			next := func() {
				p.Timestamp = p.Timestamp.Add(20 * time.Millisecond)
				p.Frame++
				d.Decode(0, &p)
			}
			for i := 0; i < 10; i++ {
				next()
			}
			if n := testing.AllocsPerRun(200, next); n != 0 {
				t.Errorf("Decode allocates %v times per frame, want 0", n)
			}
			if got < 210 || d.Stats().Duplicates != 0 {
				t.Errorf("%s events = %d, duplicates %d, want one per frame and none", tc.kind, got, d.Stats().Duplicates)
			}
		})
	}
}
