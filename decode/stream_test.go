package decode

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// tcpSession builds the segments of one SIP-over-TCP connection.
type tcpSession struct {
	c    *synth.TCPConn
	segs [][]byte
}

func newTCPSession(handshake bool) *tcpSession {
	s := &tcpSession{c: synth.NewTCPConn(sipUA, sipProxy, 1000, 900000)}
	if handshake {
		s.segs = append(s.segs, s.c.Handshake()...)
	} else {
		s.c.Handshake() // advance the sequence numbers, capture nothing
	}
	return s
}

// send adds the segments carrying payload from the UA (or the proxy).
func (s *tcpSession) send(fromUA bool, payload []byte, sizes ...int) {
	from := sipProxy
	if fromUA {
		from = sipUA
	}
	s.segs = append(s.segs, s.c.Send(from, payload, sizes...)...)
}

// drop removes the last segment added: a capture that missed it.
func (s *tcpSession) drop() { s.segs = s.segs[:len(s.segs)-1] }

func (s *tcpSession) frames() []frame { return ethFrames(time.Millisecond, s.segs...) }

// sipStarts returns the request or status lines of the SIP events.
func sipStarts(r *recorder) []string {
	var out []string
	for _, e := range r.ofKind(KindSIP) {
		line, _, _ := strings.Cut(e.Payload, "\n")
		out = append(out, strings.TrimSuffix(line, "\r"))
	}
	return out
}

func TestSIPStreamFraming(t *testing.T) {
	inv, ack, bye := sipMessage("INVITE", 2500), sipMessage("ACK", 0), sipMessage("BYE", 0)
	compact := []byte("SIP/2.0 200 OK\r\nv: SIP/2.0/TCP 10.0.1.20:50420\r\ni: c1@example.com\r\nCSeq: 1 BYE\r\nl: 8\r\n\r\nxxxxxx\r\n")
	cat := func(b ...[]byte) []byte { return bytes.Join(b, nil) }
	tests := []struct {
		name       string
		build      func(s *tcpSession)
		want       []string
		wantFrames []uint64
	}{
		{"message in four segments", func(s *tcpSession) { s.send(true, inv, 700, 700, 700) },
			[]string{"INVITE sip:bob@example.com SIP/2.0"}, []uint64{7}},
		{"start line split", func(s *tcpSession) { s.send(true, inv, 10) },
			[]string{"INVITE sip:bob@example.com SIP/2.0"}, []uint64{6}},
		{"two messages in one segment", func(s *tcpSession) { s.send(true, cat(ack, bye)) },
			[]string{"ACK sip:bob@example.com SIP/2.0", "BYE sip:bob@example.com SIP/2.0"}, []uint64{4, 4}},
		{"message and head of the next", func(s *tcpSession) { s.send(true, cat(ack, inv), len(ack)+40) },
			[]string{"ACK sip:bob@example.com SIP/2.0", "INVITE sip:bob@example.com SIP/2.0"}, []uint64{4, 6}},
		{"CRLF keep-alives between messages", func(s *tcpSession) {
			s.send(true, ack)
			s.send(true, []byte("\r\n\r\n"))
			s.send(false, []byte("\r\n"))
			s.send(true, cat([]byte("\r\n\r\n"), bye))
		}, []string{"ACK sip:bob@example.com SIP/2.0", "BYE sip:bob@example.com SIP/2.0"}, []uint64{4, 7}},
		{"compact l: header", func(s *tcpSession) { s.send(false, cat(compact, compact[:20])) },
			[]string{"SIP/2.0 200 OK"}, []uint64{4}},
		{"LF-only line ends", func(s *tcpSession) {
			s.send(true, []byte("OPTIONS sip:bob@example.com SIP/2.0\nCall-ID: x\nContent-Length: 4\n\nab\r\nBYE sip:b SIP/2.0\nl: 0\n\n"))
		}, []string{"OPTIONS sip:bob@example.com SIP/2.0", "BYE sip:b SIP/2.0"}, []uint64{4, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTCPSession(true)
			tc.build(s)
			r, st := feed(t, Options{}, s.frames())
			if got := sipStarts(r); !equalStrings(got, tc.want) {
				t.Errorf("SIP messages %q, want %q", got, tc.want)
			}
			if got := r.frames(KindSIP); !equalFrames(got, tc.wantFrames) {
				t.Errorf("SIP frames %v, want %v", got, tc.wantFrames)
			}
			// A message cut off by the end of the capture is the one
			// problem a framing case may leave (the compact case ends
			// with the first 20 bytes of a second message).
			for _, p := range st.Problems() {
				if p.Reason != "stream ended inside a message" || tc.name != "compact l: header" {
					t.Errorf("problem %+v, want none", p)
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

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

// TestSIPStreamBadContentLength checks that a Content-Length no buffer can
// hold (2^31, negative, not a number) is refused as a framing error without
// hanging, and that the next message is found.
func TestSIPStreamBadContentLength(t *testing.T) {
	for _, cl := range []string{"2147483648", "-1", "4294967296000", "12ab"} {
		t.Run(cl, func(t *testing.T) {
			bad := []byte("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nContent-Length: " + cl + "\r\n\r\nv=0\r\n")
			s := newTCPSession(true)
			s.send(true, bad)
			s.send(true, sipMessage("BYE", 0))
			done := make(chan struct{})
			var r *recorder
			var st *Stats
			go func() {
				defer close(done)
				r, st = feed(t, Options{}, s.frames())
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("decoding Content-Length %s did not finish", cl)
			}
			if got := sipStarts(r); !equalStrings(got, []string{"BYE sip:bob@example.com SIP/2.0"}) {
				t.Errorf("SIP messages %q, want only the BYE", got)
			}
			if got := problemCount(st, "tcp", "framing lost in SIP stream"); got != 1 {
				t.Errorf("framing problems = %d, want 1 (all %+v)", got, st.Problems())
			}
		})
	}
}

// TestSIPStreamGap checks resynchronisation after a segment the capture
// missed: the message cut by the gap is lost, the gap is counted at the
// segment after it, and the next message is decoded in its own frame.
func TestSIPStreamGap(t *testing.T) {
	s := newTCPSession(true)
	s.send(true, sipMessage("INVITE", 2000), 1000) // frames 4, 5 (5 missed)
	s.drop()
	s.send(true, sipMessage("ACK", 0)) // frame 5
	s.send(true, sipMessage("BYE", 0)) // frame 6
	r, st := feed(t, Options{}, s.frames())
	if got := sipStarts(r); !equalStrings(got, []string{"ACK sip:bob@example.com SIP/2.0", "BYE sip:bob@example.com SIP/2.0"}) {
		t.Errorf("SIP messages %q, want ACK and BYE", got)
	}
	if got := r.frames(KindSIP); !equalFrames(got, []uint64{5, 6}) {
		t.Errorf("SIP frames %v, want [5 6]", got)
	}
	if got := problemCount(st, "tcp", "gap"); got != 1 {
		t.Errorf("gap problems = %d, want 1 (all %+v)", got, st.Problems())
	}
}

// TestSIPStreamMidStream checks captures that start inside a connection: no
// SYN, and the first bytes are a whole message.
func TestSIPStreamMidStream(t *testing.T) {
	s := newTCPSession(false)
	s.send(true, sipMessage("INVITE", 1200))
	s.send(false, []byte("SIP/2.0 100 Trying\r\nCall-ID: c1@example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"))
	r, st := feed(t, Options{}, s.frames())
	if got := sipStarts(r); !equalStrings(got, []string{"INVITE sip:bob@example.com SIP/2.0", "SIP/2.0 100 Trying"}) {
		t.Errorf("SIP messages %q, want INVITE and 100", got)
	}
	if len(r.ofKind(KindTCPControl)) != 0 || st.ProblemCount() != 0 {
		t.Errorf("TCP control events %d, problems %+v, want none", len(r.ofKind(KindTCPControl)), st.Problems())
	}
}

// TestSIPStreamJoinedMidMessage: a capture that starts with the tail of a
// message (its SDP body) must still decode the messages that follow.
func TestSIPStreamJoinedMidMessage(t *testing.T) {
	s := newTCPSession(false)
	s.send(true, sipMessage("INVITE", 1200), 200)
	s.segs = s.segs[1:] // the capture starts after the first segment
	s.send(true, sipMessage("BYE", 0))
	r, st := feed(t, Options{}, s.frames())
	if got := sipStarts(r); !equalStrings(got, []string{"BYE sip:bob@example.com SIP/2.0"}) {
		t.Errorf("SIP messages %q, want the BYE (problems %+v)", got, st.Problems())
	}
}

// TestSIPStreamKeepAliveFirst: a capture that starts with a CRLF keep-alive
// ping must not count the ping as bytes of a message joined in the middle.
func TestSIPStreamKeepAliveFirst(t *testing.T) {
	s := newTCPSession(false)
	s.send(true, []byte("\r\n\r\n"))
	s.send(true, sipMessage("BYE", 0))
	r, st := feed(t, Options{}, s.frames())
	if got := sipStarts(r); !equalStrings(got, []string{"BYE sip:bob@example.com SIP/2.0"}) {
		t.Errorf("SIP messages %q, want the BYE", got)
	}
	if st.ProblemCount() != 0 {
		t.Errorf("problems %+v, want none", st.Problems())
	}
}

// TestSIPStreamContentLengthPastBuffer: a Content-Length under the 1 MiB
// SIP limit but larger than MaxStreamBuffer can never be framed; frames()
// means to treat such a length as a framing error at once.
func TestSIPStreamContentLengthPastBuffer(t *testing.T) {
	s := newTCPSession(true)
	s.send(true, []byte("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nContent-Length: 999999\r\n\r\nv=0\r\n"))
	s.send(true, sipMessage("BYE", 0))
	r, st := feed(t, Options{}, s.frames())
	if got := sipStarts(r); !equalStrings(got, []string{"BYE sip:bob@example.com SIP/2.0"}) {
		t.Errorf("SIP messages %q, want only the BYE", got)
	}
	if got := problemCount(st, "tcp", "framing lost in SIP stream"); got != 1 {
		t.Errorf("framing problems = %d, want 1 (all %+v)", got, st.Problems())
	}
}

// TestSIPStreamIncompleteAtEnd: a message still incomplete when the capture
// ends (its last segment was not captured) should be counted, not dropped
// silently.
func TestSIPStreamIncompleteAtEnd(t *testing.T) {
	s := newTCPSession(true)
	s.send(true, sipMessage("INVITE", 2000), 1000)
	s.drop()
	r, st := feed(t, Options{}, s.frames())
	if n := len(r.ofKind(KindSIP)); n != 0 {
		t.Fatalf("SIP events = %d, want 0", n)
	}
	if st.ProblemCount() == 0 {
		t.Errorf("no problem counted for the incomplete INVITE")
	}
}

// TestStreamBufferBound checks that a message larger than MaxStreamBuffer
// is dropped and counted instead of being buffered without bound.
func TestStreamBufferBound(t *testing.T) {
	s := newTCPSession(true)
	s.send(true, sipMessage("INVITE", 20000))
	s.send(true, sipMessage("BYE", 0))
	r, st := feed(t, Options{MaxStreamBuffer: 8192}, s.frames())
	if got := sipStarts(r); !equalStrings(got, []string{"BYE sip:bob@example.com SIP/2.0"}) {
		t.Errorf("SIP messages %q, want only the BYE", got)
	}
	if st.ProblemCount() == 0 {
		t.Errorf("no problem counted for the oversized INVITE")
	}
}
