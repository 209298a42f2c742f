package ice

import (
	"fmt"
	"testing"
)

// wireView is what a session must show with or without SIP: ufrags,
// the pairs that were checked with their states, the selected and
// nominated-by-check pairs, and the outcome.
func wireView(md *Model) []string {
	var out []string
	for _, s := range md.Sessions {
		if len(s.Checks) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s:%s %s", s.ID, s.Sides[0].Ufrag, s.Sides[1].Ufrag, s.Outcome))
		for i, p := range s.Pairs {
			if p.State == PairNeverTried {
				continue
			}
			out = append(out, fmt.Sprintf("  pair %d %c c%d %s %v->%v %s n=%d media=%d", i, 'A'+p.Side, p.Component,
				p.Transport, p.Local, p.Remote, p.State, p.Checks, p.MediaPackets))
		}
		for c := 1; c <= 256; c++ {
			if i, ok := s.Selected[c]; ok {
				out = append(out, fmt.Sprintf("  selected c%d = %d", c, i))
			}
			if i, ok := s.Nominated[c]; ok && s.NominatedBy[c] == "use-candidate" {
				out = append(out, fmt.Sprintf("  nominated c%d = %d", c, i))
			}
		}
	}
	return out
}

// TestWithoutSIP decodes captures once as they are and once with every
// SIP event dropped: sessions, checked pairs, selected pair and outcome
// must not depend on the signalling (they come from the wire alone).
func TestWithoutSIP(t *testing.T) {
	cases := [][]string{
		{"crafted/sip-udp-fragmented-invite.pcap", "crafted/msturn-udp.pcap"},
		{"crafted/sip-tcp-segmented.pcap", "crafted/msturn-tcp443-pseudotls.pcap"},
		{"crafted/sip-udp-fragmented-invite.pcap", "crafted/two-interfaces.pcapng"},
		{"crafted/sll2-stun.pcap"},
		{"public/ntop-nDPI__teams.pcap"},
		{"public/ntop-nDPI__skype-conference-call.pcap"},
		{"public/zeek__webrtc-stun.pcap"},
		{"public/ntop-nDPI__stun_facebook.pcapng"},
	}
	for _, files := range cases {
		t.Run(files[len(files)-1], func(t *testing.T) {
			with, without := build(t, false, files...), build(t, true, files...)
			a, b := wireView(with), wireView(without)
			if len(a) == 0 {
				t.Fatalf("no session with checks in %v", files)
			}
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("with SIP:\n%v\nwithout SIP:\n%v", a, b)
			}
		})
	}
}

// TestSIPJoinsOnlyWithSIP checks that the SDP-only details do differ: the
// crafted call's session knows its Call-ID and the offered candidates only
// when SIP is decoded.
func TestSIPJoinsOnlyWithSIP(t *testing.T) {
	files := []string{"crafted/sip-udp-fragmented-invite.pcap", "crafted/msturn-udp.pcap"}
	with, without := build(t, false, files...), build(t, true, files...)
	if with.Sessions[0].CallID == "" || without.Sessions[0].CallID != "" {
		t.Errorf("call IDs with/without SIP = %q/%q, want set/empty", with.Sessions[0].CallID, without.Sessions[0].CallID)
	}
	if without.Sessions[0].Sides[0].SDP {
		t.Error("side A has SDP candidates without SIP")
	}
}
