package sipflow

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

// TestForwardedOfferIsOffer is the regression test for forwarded INVITEs
// filed as answers. In sngrep__ipv6frag a proxy forwards the INVITE (frame 2
// in, frame 5 out) and later the UPDATE (frames 12/13, again 22/23) with the
// SDP rewritten for its media relay, keeping Call-ID, CSeq and From tag: each
// copy is an offer (RFC 3264 §4, RFC 3261 §13.2.1), and only the responses
// answer it.
func TestForwardedOfferIsOffer(t *testing.T) {
	calls := trackCapture(t, "sngrep__ipv6frag").Calls()
	if len(calls) != 1 || len(calls[0].Exchanges) != 2 {
		t.Fatalf("Calls() = %d calls, want 1 with 2 exchanges", len(calls))
	}
	tests := []struct {
		method  string
		offers  []uint64
		answers []uint64
	}{
		{"INVITE", []uint64{2, 5}, []uint64{6, 7, 16, 17}},
		{"UPDATE", []uint64{12, 13, 22, 23}, []uint64{14, 15, 24, 25}},
	}
	for i, tt := range tests {
		ex := calls[0].Exchanges[i]
		var offers []uint64
		for _, group := range ex.OfferMessages() {
			if len(group) != 1 || !group[0].Msg.Request || group[0].Msg.Method != tt.method {
				t.Errorf("%s offer group %+v, want one body of a %s request", tt.method, group, tt.method)
			}
			offers = append(offers, group[0].Msg.Meta.Frame)
		}
		if !equalFrames(offers, tt.offers) {
			t.Errorf("%s offers in frames %v, want %v", tt.method, offers, tt.offers)
		}
		var answers []uint64
		for _, a := range ex.Answer {
			answers = append(answers, a.Msg.Meta.Frame)
		}
		if !equalFrames(answers, tt.answers) {
			t.Errorf("%s answers in frames %v, want %v", tt.method, answers, tt.answers)
		}
	}
	if o := calls[0].Exchanges[0].Offer; len(o) == 2 && bytes.Equal(o[0].Body, o[1].Body) {
		t.Errorf("the proxy's INVITE copy has the caller's SDP; the capture shows it rewritten")
	}
}

func equalFrames(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNoRequestAnswersItsOwnOffer checks on every extracted capture that no
// INVITE or UPDATE body is filed as an answer, and that every answer of an
// exchange comes after an offer of it.
func TestNoRequestAnswersItsOwnOffer(t *testing.T) {
	for _, name := range captureNames {
		for _, c := range trackCapture(t, name).Calls() {
			for _, ex := range c.Exchanges {
				for _, a := range ex.Answer {
					if a.Msg.Request && a.Msg.Method == ex.Method && a.Msg.Method != "PRACK" {
						t.Errorf("%s %s: %s frame %d filed as an answer", name, c.CallID, a.Msg.Method, a.Msg.Meta.Frame)
					}
					if len(ex.Offer) == 0 || a.Msg.Meta.Time.Before(ex.Offer[0].Msg.Meta.Time) {
						t.Errorf("%s %s: answer in frame %d without an earlier offer", name, c.CallID, a.Msg.Meta.Frame)
					}
				}
			}
		}
	}
}

// TestLateOfferCopies checks the late offer (RFC 3261 §13.2.1): an INVITE
// without SDP, the 200 OK carrying the offer at two hops (callee to proxy,
// proxy to caller) with the SDP rewritten by the proxy, and the ACK carrying
// the answer.
func TestLateOfferCopies(t *testing.T) {
	tr := NewTracker()
	msgs := []string{
		"INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=a1\r\nTo: <sip:b@example.com>\r\nCall-ID: late1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKP\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=a1\r\nTo: <sip:b@example.com>;tag=b1\r\nCall-ID: late1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\r\n" + lateSDP("192.0.2.20"),
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=a1\r\nTo: <sip:b@example.com>;tag=b1\r\nCall-ID: late1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\r\n" + lateSDP("192.0.2.9"),
		"ACK sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK2\r\nFrom: <sip:a@example.com>;tag=a1\r\nTo: <sip:b@example.com>;tag=b1\r\nCall-ID: late1\r\nCSeq: 1 ACK\r\nContent-Type: application/sdp\r\n\r\n" + lateSDP("192.0.2.1"),
	}
	hops := []string{"192.0.2.1:5060", "192.0.2.9:5060", "192.0.2.20:5060", "192.0.2.9:5060", "192.0.2.1:5060", "192.0.2.9:5060", "192.0.2.1:5060", "192.0.2.9:5060"}
	for i, s := range msgs {
		m, err := ParseMessage([]byte(s))
		if err != nil {
			t.Fatalf("ParseMessage(message %d) error %v", i, err)
		}
		tr.Add(m, Meta{Frame: uint64(i + 1), Time: time.Unix(int64(i), 0),
			Src: netip.MustParseAddrPort(hops[2*i]), Dst: netip.MustParseAddrPort(hops[2*i+1])})
	}
	calls := tr.Calls()
	if len(calls) != 1 || len(calls[0].Exchanges) != 1 {
		t.Fatalf("Calls() = %d calls, want 1 with 1 exchange", len(calls))
	}
	ex := calls[0].Exchanges[0]
	if len(ex.OfferMessages()) != 2 || len(ex.Answer) != 1 || ex.Answer[0].Msg.Method != "ACK" {
		t.Errorf("late offer: %d offer messages, answers %+v, want 2 offers and the ACK's answer", len(ex.OfferMessages()), ex.Answer)
	}
}

func lateSDP(ip string) string {
	return "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
}
