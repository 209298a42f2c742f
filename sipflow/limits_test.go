package sipflow

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func limitMsg(t *testing.T, text string) *Message {
	t.Helper()
	m, err := ParseMessage([]byte(text))
	if err != nil {
		t.Fatalf("ParseMessage(%q): %v", text, err)
	}
	return m
}

func invite(callID string) string {
	return "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK" + callID +
		"\r\nFrom: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\nCall-ID: " + callID +
		"\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
}

// TestTrackerCallLimit fills a Tracker limited to 3 calls with 6 calls, of
// which the second is finished (486 Busy Here) when the table fills: it is
// dropped first, then the oldest unfinished ones.
func TestTrackerCallLimit(t *testing.T) {
	tr := NewTrackerWithLimits(Limits{MaxCalls: 3, MaxTransactions: 2})
	meta := Meta{Time: time.Unix(0, 0), Src: netip.MustParseAddrPort("10.0.0.1:5060"), Dst: netip.MustParseAddrPort("10.0.0.2:5060")}
	for i := 1; i <= 6; i++ {
		id := fmt.Sprintf("call-%d", i)
		tr.Add(limitMsg(t, invite(id)), meta)
		if i == 2 {
			resp := "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK" + id +
				"\r\nFrom: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>;tag=b\r\nCall-ID: " + id +
				"\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
			tr.Add(limitMsg(t, resp), meta)
		}
		if i == 4 {
			// the finished call-2 made room, not the older call-1
			if got := callIDs(tr); got != "[call-1 call-3 call-4]" {
				t.Errorf("after call-4: calls %s, want [call-1 call-3 call-4]", got)
			}
		}
	}
	if got, want := callIDs(tr), "[call-4 call-5 call-6]"; got != want {
		t.Errorf("calls kept %s, want %s", got, want)
	}
	if tr.EvictedCalls != 3 {
		t.Errorf("EvictedCalls = %d, want 3", tr.EvictedCalls)
	}
	for i := 1; i <= 4; i++ {
		id := fmt.Sprintf("reg-%d", i)
		reg := "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK" + id +
			"\r\nFrom: <sip:alice@example.com>;tag=r\r\nTo: <sip:alice@example.com>\r\nCall-ID: " + id +
			"\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n"
		tr.Add(limitMsg(t, reg), meta)
	}
	if n := len(tr.Transactions()); n != 2 || tr.EvictedTransactions != 2 {
		t.Errorf("%d transactions kept, %d evicted; want 2 and 2", n, tr.EvictedTransactions)
	}
}

func callIDs(tr *Tracker) string {
	var ids []string
	for _, c := range tr.Calls() {
		ids = append(ids, c.CallID)
	}
	return fmt.Sprint(ids)
}
