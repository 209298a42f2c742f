package ice

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// stunSeeds returns copies of the STUN messages of real captures.
func stunSeeds(f *testing.F, names ...string) [][]byte {
	f.Helper()
	var out [][]byte
	for _, n := range names {
		_, err := decode.Run([]string{filepath.Join("..", "pcaps", n)}, decode.Options{}, func(ev *decode.Event) {
			if ev.Kind == decode.KindSTUN && len(out) < 64 {
				out = append(out, bytes.Clone(ev.Payload))
			}
		})
		if err != nil {
			f.Fatalf("decode.Run(%s): %v", n, err)
		}
	}
	return out
}

// FuzzBuilder feeds arbitrary STUN messages, direct and relayed, into a
// Builder as a request and its answer; nothing may panic and Finish must
// return a model.
func FuzzBuilder(f *testing.F) {
	for _, s := range stunSeeds(f, "public/ntop-nDPI__adult_content.pcap", "crafted/msturn-udp.pcap",
		"public/ntop-nDPI__skype-conference-call.pcap") {
		f.Add(s, s, false)
	}
	f.Fuzz(func(t *testing.T, req, resp []byte, relayed bool) {
		b := NewBuilder(Options{})
		t0 := time.Unix(1700000000, 0)
		flow := decode.Flow{Src: netip.MustParseAddrPort("10.0.0.1:5000"), Dst: netip.MustParseAddrPort("192.0.2.1:3478"), Transport: decode.UDP}
		for i, msg := range [][]byte{req, resp, req} {
			var m wire.STUN
			if m.Decode(msg) != nil {
				continue
			}
			ev := &decode.Event{Time: t0.Add(time.Duration(i) * time.Second), Flow: flow, Kind: decode.KindSTUN, Payload: msg, STUN: &m}
			if i == 1 {
				ev.Flow = flow.Reverse()
			}
			if relayed {
				ev.Relay = &decode.Relay{Via: decode.ViaChannelData, Client: flow.Src, Server: flow.Dst,
					Peer: netip.MustParseAddrPort("198.51.100.9:6000"), ToPeer: i != 1, Transport: decode.UDP}
			}
			b.Add(ev)
			rtp := &decode.Event{Time: ev.Time, Flow: ev.Flow, Relay: ev.Relay, Kind: decode.KindRTP, Payload: msg, RTP: &wire.RTP{PayloadType: uint8(len(msg))}}
			b.Add(rtp)
		}
		if md := b.Finish(); md == nil {
			t.Fatal("Finish returned nil")
		}
	})
}
