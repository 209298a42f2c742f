package sipflow

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestFindCall covers exact, prefix, ambiguous and unknown Call-IDs.
func TestFindCall(t *testing.T) {
	calls := []*Call{{CallID: "abc1"}, {CallID: "abc2"}, {CallID: "abc"}, {CallID: "xyz"}}
	tests := []struct {
		id      string
		want    string
		wantErr error
	}{
		{"abc", "abc", nil},
		{"abc2", "abc2", nil},
		{"x", "xyz", nil},
		{"ab", "", ErrAmbiguousCall},
		{"q", "", ErrNoCall},
		{"", "", ErrNoCall},
	}
	for _, tt := range tests {
		c, err := FindCall(calls, tt.id)
		got := ""
		if c != nil {
			got = c.CallID
		}
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("FindCall(%q) = %q, %v, want %q, %v", tt.id, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestLadderWebSocketCall checks the ladder of the FreeSWITCH call of the
// WebSocket capture: four addresses in order of appearance, the 183
// retransmissions the call report counts, offsets from the first message.
func TestLadderWebSocketCall(t *testing.T) {
	c := captureOf(t, "heplify__sip_tcp_websocket.pcap")
	call, err := FindCall(c.Calls(), "926ffd16")
	if err != nil {
		t.Fatal(err)
	}
	l := c.Ladder(call)
	var cols []string
	for _, h := range l.Columns {
		cols = append(cols, h.Addr.String())
	}
	if want := "10.243.0.143:5060 10.243.0.157:5060 10.243.1.36:5090 18.214.104.248:5090"; strings.Join(cols, " ") != want {
		t.Errorf("columns = %v, want %s", cols, want)
	}
	if len(l.Rows) != len(call.Messages) {
		t.Fatalf("%d rows for %d messages", len(l.Rows), len(call.Messages))
	}
	retx := 0
	for _, r := range l.Rows {
		if r.Retransmission {
			retx++
			if r.Label != "183 Session Progress" || r.SDP != "answer" {
				t.Errorf("retransmitted row %+v, want a 183 carrying the SDP answer", r)
			}
		}
	}
	if retx != 4 {
		t.Errorf("%d retransmissions, want 4", retx)
	}
	if first := l.Rows[0]; first.Offset != 0 || first.Frame != 26 || first.From != 0 || first.To != 1 || first.SDP != "offer" {
		t.Errorf("first row = %+v, want frame 26 INVITE 0->1 at 0 carrying the offer", first)
	}
	var b bytes.Buffer
	if err := l.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) < 4+len(l.Rows) {
		t.Fatalf("ladder has %d lines for %d rows:\n%s", len(lines), len(l.Rows), b.String())
	}
	invite, trying := lines[4], lines[5]
	if !strings.Contains(invite, "-- INVITE --") || !strings.Contains(invite, "->|") || !strings.Contains(trying, "|<-") {
		t.Errorf("arrows:\n%s\n%s\nwant INVITE left to right, 100 right to left", invite, trying)
	}
}

// TestLadderLyncMarks checks the SDP marks and the self-described hosts of
// the Lync call.
func TestLadderLyncMarks(t *testing.T) {
	c := lyncCall(t)
	l := c.Ladder(c.Calls()[0])
	var marks []string
	for _, r := range l.Rows {
		marks = append(marks, r.Label+":"+r.SDP)
	}
	want := "INVITE:offer 183 Session Progress:answer 200 OK:answer INVITE:offer BYE:"
	if strings.Join(marks, " ") != want {
		t.Errorf("marks = %v, want %s", marks, want)
	}
	if len(l.Columns) != 2 || l.Columns[0].UserAgent == "" {
		t.Errorf("columns = %+v, want 2 with the caller's user agent", l.Columns)
	}
}
