package ice

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/sipflow"
)

// build decodes captures from pcaps/ into a Model, joining SIP calls
// unless noSIP drops every SIP event.
func build(t *testing.T, noSIP bool, names ...string) *Model {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join("..", "pcaps", n))
	}
	b := NewBuilder(Options{})
	tr := sipflow.NewTracker()
	_, err := decode.Run(paths, decode.Options{}, func(ev *decode.Event) {
		if ev.Kind == decode.KindSIP {
			if noSIP {
				return
			}
			if m, err := sipflow.ParseMessage(ev.Payload); err == nil {
				tr.Add(m, sipflow.Meta{File: ev.File, Frame: ev.Frame, Time: ev.Time, Src: ev.Flow.Src, Dst: ev.Flow.Dst})
			}
		}
		b.Add(ev)
	})
	if err != nil {
		t.Fatalf("decode.Run(%v): %v", names, err)
	}
	for _, c := range tr.Calls() {
		b.AddCall(c)
	}
	return b.Finish()
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// findCheck returns the check with the transaction ID (hex, 16 bytes).
func findCheck(t *testing.T, md *Model, txid string) *Check {
	t.Helper()
	for _, s := range md.Sessions {
		for _, c := range s.Checks {
			if c.TxID == txid {
				return c
			}
		}
	}
	t.Fatalf("no check with txid %s", txid)
	return nil
}

func selectedPair(t *testing.T, s *Session, comp int) *Pair {
	t.Helper()
	i, ok := s.Selected[comp]
	if !ok {
		t.Fatalf("session %s: no selected pair for component %d", s.ID, comp)
	}
	return s.Pairs[i]
}

// Skype for Business conference call: checks both ways, the controlling
// side resends its first check with USE-CANDIDATE (frames 1 and 7, txid
// c55a4fdf...), then RTP flows on that 5-tuple (tshark -Y rtp shows 31 RTP
// packets 192.168.2.20:49282 -> 104.46.40.49:60642).
func TestSkypeNominationThenRTP(t *testing.T) {
	md := build(t, false, "public/ntop-nDPI__skype-conference-call.pcap")
	if len(md.Sessions) != 1 {
		t.Fatalf("sessions = %d, want 1", len(md.Sessions))
	}
	s := md.Sessions[0]
	if s.Outcome != OutcomeSucceeded {
		t.Errorf("outcome = %s, want succeeded", s.Outcome)
	}
	n := s.Pairs[s.Nominated[1]]
	if n.Local != ap("192.168.2.20:49282") || n.Remote != ap("104.46.40.49:60642") || s.NominatedBy[1] != "use-candidate" {
		t.Errorf("nominated = %v -> %v (%s), want 192.168.2.20:49282 -> 104.46.40.49:60642 by use-candidate", n.Local, n.Remote, s.NominatedBy[1])
	}
	sel := selectedPair(t, s, 1)
	if sel != n || sel.MediaPackets != 31 {
		t.Errorf("selected = %v -> %v with %d packets, want the nominated pair with 31", sel.Local, sel.Remote, sel.MediaPackets)
	}
	c := findCheck(t, md, "2112a4423cc85da6a06278cef536c2e1")
	if c.Retransmissions != 1 || c.Responses != 2 || c.Result != ResultSuccess {
		t.Errorf("check 3cc85da6: retransmissions=%d responses=%d result=%s, want 1, 2, success", c.Retransmissions, c.Responses, c.Result)
	}
}

// sll2-stun.pcap (crafted): the first check is followed by its MS-ICE2
// legacy-FINGERPRINT duplicate (frame 2), which is not a retransmission.
func TestLegacyFingerprintDuplicate(t *testing.T) {
	md := build(t, false, "crafted/sll2-stun.pcap")
	c := findCheck(t, md, "2112a442db69089b599acf1f09cef022")
	if c.LegacyDuplicates != 1 || c.Retransmissions != 0 || c.Sends != 1 {
		t.Errorf("legacy=%d retrans=%d sends=%d, want 1, 0, 1", c.LegacyDuplicates, c.Retransmissions, c.Sends)
	}
	if c.CandidateID != "3" || c.ImplVersion != 2 || c.Role != "controlling" {
		t.Errorf("candidate-id=%q impl=%d role=%q, want \"3\", 2, controlling", c.CandidateID, c.ImplVersion, c.Role)
	}
	s := md.Sessions[0]
	if sel := selectedPair(t, s, 1); sel.Local != ap("10.0.1.20:50000") || sel.Remote != ap("10.0.2.30:50010") {
		t.Errorf("selected = %v -> %v, want 10.0.1.20:50000 -> 10.0.2.30:50010", sel.Local, sel.Remote)
	}
}

// ntop-nDPI__adult_content.pcap: RFC TURN with a 401 challenge, a
// permission, channel 0x4000 and checks through Send indications and
// ChannelData toward 31.220.27.69:13304 (frames 3-25).
func TestTURNLifecycleChannelData(t *testing.T) {
	md := build(t, false, "public/ntop-nDPI__adult_content.pcap")
	if len(md.Allocations) == 0 {
		t.Fatal("no allocations")
	}
	a := md.Allocations[0]
	if a.State != "allocated" || a.Challenges != 1 || len(a.AuthFailures) != 0 || a.Relayed != ap("127.0.0.254:46990") {
		t.Errorf("allocation = state %s challenges %d authfail %d relayed %v, want allocated 1 0 127.0.0.254:46990",
			a.State, a.Challenges, len(a.AuthFailures), a.Relayed)
	}
	if len(a.Channels) != 1 || a.Channels[0].Number != 0x4000 || a.Channels[0].Peer != ap("31.220.27.69:13304") {
		t.Errorf("channels = %v, want 0x4000 -> 31.220.27.69:13304", a.Channels)
	}
	if a.PacketsToPeer == 0 || a.PacketsFromPeer == 0 {
		t.Errorf("relayed packets = %d/%d, want both > 0", a.PacketsToPeer, a.PacketsFromPeer)
	}
	c := findCheck(t, md, "2112a4426f416f38444255694f7a4c7a")
	if c.Local != ap("127.0.0.254:46990") || c.Remote != ap("31.220.27.69:13304") || c.Via != "ChannelData" || c.Result != ResultSuccess {
		t.Errorf("check = %v -> %v via %s %s, want relayed 127.0.0.254:46990 -> 31.220.27.69:13304 via ChannelData success",
			c.Local, c.Remote, c.Via, c.Result)
	}
}

// zeek-spicy-analyzers__stun-ice-testcall.pcap: frame 24 answers check
// e7f02b9c with success, frame 25 with 500; Google STUN queries to
// 74.125.141.127:19302 are servers, not checks.
func TestErrorsAndSTUNServers(t *testing.T) {
	md := build(t, false, "public/zeek-spicy-analyzers__stun-ice-testcall.pcap")
	c := findCheck(t, md, "2112a442e7f02b9c4f87d5596104a2fc")
	if c.Result != ResultSuccess || c.Responses != 3 || len(c.LaterErrors) != 2 || c.LaterErrors[0] != 500 || c.LaterErrors[1] != 401 {
		t.Errorf("check e7f02b9c: %s with %d responses, later errors %v, want success with 3, [500 401]", c.Result, c.Responses, c.LaterErrors)
	}
	var found bool
	for _, s := range md.STUNServers {
		if s.Addr == ap("74.125.141.127:19302") {
			found = true
			if s.Answered == 0 || len(s.Mappings) == 0 || s.Mappings[0].Mapped != ap("70.199.128.46:4604") {
				t.Errorf("server %v: answered %d mappings %v, want mapping to 70.199.128.46:4604", s.Addr, s.Answered, s.Mappings)
			}
		}
	}
	if !found {
		t.Errorf("STUN server 74.125.141.127:19302 not found in %d servers", len(md.STUNServers))
	}
	var errs int
	for _, s := range md.Sessions {
		for _, ck := range s.Checks {
			if ck.Result == ResultError || len(ck.LaterErrors) > 0 {
				errs++
			}
		}
	}
	if errs == 0 {
		t.Error("no check ended with an error response")
	}
}

// Two-interface Edge capture: the same check is seen inside an MS-TURN
// Send request on the internal NIC and as plain UDP from the relayed
// address on the external one; that is another leg, not a retransmission.
func TestOtherLegNotRetransmission(t *testing.T) {
	md := build(t, false, "crafted/two-interfaces.pcapng")
	c := findCheck(t, md, "2112a4429b6a5384a002802821a73c7d")
	if c.OtherLegs != 1 || c.Retransmissions != 0 || c.Local != ap("203.0.113.10:52010") {
		t.Errorf("other legs %d retrans %d local %v, want 1, 0, 203.0.113.10:52010", c.OtherLegs, c.Retransmissions, c.Local)
	}
}

// The crafted Lync call (SIP in one capture, MS-TURN media in another,
// same clock) joins the session to the audio line by ufrag and links the
// SDP relay candidate to the allocation that produced it.
func TestJoinSDPAndAllocation(t *testing.T) {
	md := build(t, false, "crafted/sip-udp-fragmented-invite.pcap", "crafted/msturn-udp.pcap")
	s := md.Sessions[0]
	if s.CallID != "5f1c0e6a2d4b4f0c9a7e3b1d8c6f2a4e" || s.MediaType != "audio" || !s.Sides[0].SDP || !s.Sides[1].SDP {
		t.Fatalf("session joined to %q %q sdp %v/%v, want the call's audio line with both SDPs", s.CallID, s.MediaType, s.Sides[0].SDP, s.Sides[1].SDP)
	}
	p := s.Pairs[s.Nominated[1]]
	if p.LocalCand < 0 || s.Sides[p.Side].Candidates[p.LocalCand].Allocation != "a1" {
		t.Errorf("nominated pair's local candidate is not linked to allocation a1: %+v", p)
	}
	var never int
	for _, p := range s.Pairs {
		if p.State == PairNeverTried {
			never++
		}
	}
	if never == 0 {
		t.Error("no never-tried SDP pairs listed")
	}
	if s.Outcome != OutcomeSucceeded {
		t.Errorf("outcome = %s, want succeeded", s.Outcome)
	}
}
