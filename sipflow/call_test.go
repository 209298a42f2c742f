package sipflow

import (
	"net/netip"
	"testing"
	"time"
)

// trackCapture feeds every message of an extracted capture to a Tracker.
func trackCapture(t *testing.T, name string) *Tracker {
	t.Helper()
	tr := NewTracker()
	for _, c := range loadCapture(t, name) {
		m, _ := ParseMessage(c.Payload)
		if m == nil {
			t.Fatalf("%s frame %d does not parse", name, c.Meta.Frame)
		}
		tr.Add(m, c.Meta)
	}
	return tr
}

// TestTrackerG711 follows the two sipp calls of sip-rtp-g711: INVITE,
// 100, 200, ACK, one ended by the callee's BYE.
func TestTrackerG711(t *testing.T) {
	calls := trackCapture(t, "wireshark-samples__sip-rtp-g711").Calls()
	if len(calls) != 2 {
		t.Fatalf("Calls() = %d, want 2", len(calls))
	}
	c := calls[0]
	if c.CallID != "1-1966@10.0.2.20" || c.Caller.User != "sipp" || c.Callee.User != "test" || c.Callee.Domain != "10.0.2.15" {
		t.Errorf("call 0 = %s %+v -> %+v", c.CallID, c.Caller, c.Callee)
	}
	if c.FinalStatus != 200 || c.EndMethod != "BYE" || c.EndedBy != "callee" || c.Partial || c.Attempts != 1 {
		t.Errorf("call 0 outcome = %d %s by %q partial %v attempts %d", c.FinalStatus, c.EndMethod, c.EndedBy, c.Partial, c.Attempts)
	}
	if c.SetupTime <= 0 || c.SetupTime != c.Answered.Sub(c.Start) || c.SetupTime > 10*time.Millisecond {
		t.Errorf("call 0 SetupTime = %v, want the few ms between INVITE and 200", c.SetupTime)
	}
	if c.CalleeUA == "" || len(c.Exchanges) != 1 || len(c.Exchanges[0].Offer) != 1 || len(c.Exchanges[0].Answer) != 1 {
		t.Errorf("call 0 UA %q, exchanges %+v", c.CalleeUA, c.Exchanges)
	}
	if a := c.Exchanges[0].Answer[0]; a.Msg.StatusCode != 200 || a.Msg.Meta.Src != netip.MustParseAddrPort("10.0.2.15:5060") {
		t.Errorf("answer carried by %+v, want the 200 from 10.0.2.15:5060", a.Msg)
	}
	if calls[1].EndMethod != "" || !calls[1].End.IsZero() || !calls[0].Start.Before(calls[1].Start) {
		t.Errorf("call 1 end %q at %v, want none", calls[1].EndMethod, calls[1].End)
	}
}

// TestTrackerAAA follows sngrep's aaa.pcap: a CANCELled INVITE answered by
// 408, INVITEs retried after 407 challenges, and REGISTER transactions.
func TestTrackerAAA(t *testing.T) {
	tr := trackCapture(t, "sngrep__aaa")
	calls := tr.Calls()
	if len(calls) != 4 {
		t.Fatalf("Calls() = %d, want 4", len(calls))
	}
	tests := []struct {
		final    int
		end, by  string
		attempts int
	}{
		{408, "CANCEL", "caller", 1},
		{403, "error", "callee", 2},
		{403, "error", "callee", 2},
		{480, "error", "callee", 2},
	}
	for i, tt := range tests {
		c := calls[i]
		if c.FinalStatus != tt.final || c.EndMethod != tt.end || c.EndedBy != tt.by || c.Attempts != tt.attempts {
			t.Errorf("call %d = %d %s by %q attempts %d, want %d %s by %q attempts %d", i, c.FinalStatus, c.EndMethod, c.EndedBy, c.Attempts, tt.final, tt.end, tt.by, tt.attempts)
		}
	}
	var challenged, ok int
	txs := tr.Transactions()
	for _, x := range txs {
		if x.Method != "REGISTER" {
			t.Errorf("non-call transaction %s, want only REGISTER", x.Method)
		}
		if x.FinalStatus == 401 && len(x.Challenges) == 1 && x.Challenges[0] == "Digest" {
			challenged++
		}
		if x.FinalStatus == 200 {
			ok++
		}
	}
	if len(txs) != 18 || challenged != 14 || ok != 3 {
		t.Errorf("REGISTER transactions %d, 401 with Digest %d, 200 %d; want 18, 14, 3", len(txs), challenged, ok)
	}
	var inviteTx *Transaction
	for _, x := range calls[0].Transactions {
		if x.Method == "INVITE" {
			inviteTx = x
			break
		}
	}
	if inviteTx == nil || inviteTx.Requests < 1 || inviteTx.FinalStatus != 408 {
		t.Errorf("INVITE transaction of call 0 = %+v, want final 408", inviteTx)
	}
}

// TestTrackerFaxReInvite finds the T.38 re-INVITE rejected with 488 in the
// FAX capture: an offer without answer inside the established call.
func TestTrackerFaxReInvite(t *testing.T) {
	calls := trackCapture(t, "ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1").Calls()
	if len(calls) == 0 {
		t.Fatal("no calls")
	}
	for _, c := range calls {
		if c.FinalStatus != 200 || c.EndMethod != "BYE" {
			t.Errorf("call %s = %d %s, want 200 BYE", c.CallID, c.FinalStatus, c.EndMethod)
		}
		rejected := 0
		for _, x := range c.Transactions {
			if x.Method == "INVITE" && x.FinalStatus == 488 {
				rejected++
				ex := c.exchange(x.CSeq, "INVITE", c.callerTag)
				if ex == nil || !ex.ReInvite || len(ex.Offer) != 1 || len(ex.Answer) != 0 {
					t.Errorf("call %s: exchange of the 488 re-INVITE = %+v, want an unanswered re-INVITE offer", c.CallID, ex)
				}
			}
		}
		if rejected == 0 {
			t.Errorf("call %s: no re-INVITE rejected with 488", c.CallID)
		}
	}
}

// TestTrackerLync follows the Lync call built from MS-REFERENCE §2.5: dual
// SDP INVITE, 183 with candidates, 200 with 51007, re-INVITE with
// a=remote-candidates, BYE with ms-client-diagnostics, plus the QoE
// SERVICE and the provisioning response.
func TestTrackerLync(t *testing.T) {
	tr := NewTracker()
	base := time.Date(2017, 3, 1, 10, 0, 0, 0, time.UTC)
	names := []string{"subscribe_200_provisioning", "invite_dual_sdp", "183_candidates", "200_client_diagnostics_51007", "reinvite_remote_candidates", "bye_client_diagnostics", "service_qoe"}
	for i, name := range names {
		tr.Add(readLync(t, name), Meta{Frame: uint64(i + 1), Time: base.Add(time.Duration(i) * time.Second), Transport: "TLS"})
	}
	calls := tr.Calls()
	if len(calls) != 1 {
		t.Fatalf("Calls() = %d, want 1", len(calls))
	}
	c := calls[0]
	if c.Caller.Display != "Alice Adams" || c.Callee.Domain != "fabrikam.com" || c.CalleeUA == "" || c.SetupTime != 2*time.Second {
		t.Errorf("call = %+v -> %+v UA %q setup %v", c.Caller, c.Callee, c.CalleeUA, c.SetupTime)
	}
	if c.EndMethod != "BYE" || c.EndedBy != "caller" || len(c.Diagnostics) != 3 || len(c.QoE) != 1 {
		t.Errorf("call end %s by %q, %d diagnostics, %d QoE", c.EndMethod, c.EndedBy, len(c.Diagnostics), len(c.QoE))
	}
	if len(c.Exchanges) != 2 {
		t.Fatalf("Exchanges = %d, want 2", len(c.Exchanges))
	}
	first, re := c.Exchanges[0], c.Exchanges[1]
	if len(first.Offer) != 2 || !first.Offer[0].MSFallback || first.Offer[1].MSFallback || len(first.Answer) != 2 ||
		first.Answer[0].Msg.StatusCode != 183 || first.Answer[1].Msg.StatusCode != 200 || first.RemoteCandidates {
		t.Errorf("initial exchange = offer %d answer %d", len(first.Offer), len(first.Answer))
	}
	if !re.ReInvite || !re.RemoteCandidates || re.CSeq != 2 || re.Offer[0].Msg.Meta.Frame != 5 {
		t.Errorf("re-INVITE exchange = %+v", re)
	}
	if p := tr.Provisioning(); len(p) != 1 || p[0].Range.Audio != [2]int{50000, 50019} || p[0].Msg.Meta.Frame != 1 {
		t.Errorf("Provisioning() = %+v", p)
	}
	if txs := tr.Transactions(); len(txs) != 2 || txs[0].Method != "SUBSCRIBE" || txs[1].Method != "SERVICE" {
		t.Errorf("Transactions() = %d, want SUBSCRIBE and SERVICE", len(txs))
	}
}

// TestTrackerRetransmission counts a retransmitted request and response.
func TestTrackerRetransmission(t *testing.T) {
	tr := NewTracker()
	m := readLync(t, "register")
	resp := readLync(t, "register_401")
	for i, msg := range []*Message{m, m, resp, resp} {
		tr.Add(msg, Meta{Frame: uint64(i + 1), Time: time.Unix(int64(i), 0)})
	}
	txs := tr.Transactions()
	if len(txs) != 1 {
		t.Fatalf("Transactions() = %d, want 1", len(txs))
	}
	x := txs[0]
	if x.Requests != 2 || x.Retransmissions != 1 || x.ResponseRetransmits != 1 || x.FinalStatus != 401 ||
		len(x.Challenges) != 2 || x.Challenges[1] != "TLS-DSK" || x.ResponseTime() != 2*time.Second || len(x.Diagnostics) != 2 {
		t.Errorf("transaction = %+v", x)
	}
}
