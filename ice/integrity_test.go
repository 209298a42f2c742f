package ice

import "testing"

// TestResponseIntegrity: in fail-check-integrity a SIP ALG rewrote the
// ice-pwd in the SDP, so bob's relayed success response carries a
// MESSAGE-INTEGRITY keyed with a password other than the one his SDP
// announced; the check counts as failed and so does the session. In the
// healthy Lync call (MS-ICE2 checks through the Edge) and the direct call
// every success response verifies with the SDP password.
func TestResponseIntegrity(t *testing.T) {
	md := build(t, false, "crafted/fail-check-integrity.pcap")
	bad := 0
	for _, s := range md.Sessions {
		for _, c := range s.Checks {
			if c.Result == ResultIntegrity {
				bad++
			}
		}
		if s.CallID != "" && s.Outcome != OutcomeFailed {
			t.Errorf("fail-check-integrity: session %s outcome %s, want failed", s.ID, s.Outcome)
		}
	}
	if bad == 0 {
		t.Error("fail-check-integrity: no check marked integrity-failed")
	}
	for _, name := range []string{"crafted/ok-edge-call.pcap", "crafted/ok-direct-call.pcap"} {
		md := build(t, false, name)
		for _, s := range md.Sessions {
			if s.Sides[0].Pwd == "" || s.Sides[1].Pwd == "" {
				t.Errorf("%s: session %s lacks the SDP passwords; the test needs them", name, s.ID)
			}
			for _, c := range s.Checks {
				if c.Result == ResultIntegrity {
					t.Errorf("%s: check %s failed integrity with the SDP password", name, c.TxID)
				}
			}
			if s.Outcome != OutcomeSucceeded {
				t.Errorf("%s: session %s outcome %s, want succeeded", name, s.ID, s.Outcome)
			}
		}
	}
}
