package decode

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth"
	"github.com/icediag/icediag/decode/wire"
)

// captureStart is the time of the first frame fed by the synth helpers, the
// same instant the crafted captures start at.
var captureStart = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// rec is a copy of one delivered Event: events are only valid during the
// handler call, so tests keep the values they assert on.
type rec struct {
	FrameRef
	Time    time.Time
	Kind    Kind
	Flow    Flow
	Relay   *Relay
	Trunc   bool
	Payload string
	// STUN
	Dialect wire.Dialect
	Op      wire.Op
	Class   wire.Class
	Name    string
	ErrCode uint16
	Mux     uint64 // MULTIPLEXED-TURN-SESSION-ID, 0 if absent
	Legacy  bool   // MS-ICE2 legacy FINGERPRINT
	// RTP
	Seq  uint16
	SSRC uint32
	ICMP ICMPInfo
	// Line is what `icediag packets` prints for the event.
	Line string
}

// recorder collects copies of the events a Decoder delivers.
type recorder struct{ evs []rec }

func (r *recorder) handle(ev *Event) {
	c := rec{FrameRef: ev.FrameRef, Time: ev.Time, Kind: ev.Kind, Flow: ev.Flow, Trunc: ev.Truncated,
		Payload: string(ev.Payload), Line: Describe(ev, "").Line(false)}
	if ev.Relay != nil {
		rl := *ev.Relay
		c.Relay = &rl
	}
	if m := ev.STUN; m != nil {
		c.Dialect, c.Op, c.Class, c.Name = m.Dialect, m.Op, m.Class, m.Name()
		c.ErrCode, c.Mux, c.Legacy = m.ErrorCode, m.MSMuxSessionID, m.FingerprintLegacy
	}
	if ev.RTP != nil {
		c.Seq, c.SSRC = ev.RTP.Seq, ev.RTP.SSRC
	}
	if ev.ICMP != nil {
		c.ICMP = *ev.ICMP
	}
	r.evs = append(r.evs, c)
}

// ofKind returns the recorded events of kind k.
func (r *recorder) ofKind(k Kind) []rec {
	var out []rec
	for _, e := range r.evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// frames returns the frame numbers of the events of kind k.
func (r *recorder) frames(k Kind) []uint64 {
	var out []uint64
	for _, e := range r.ofKind(k) {
		out = append(out, e.Frame)
	}
	return out
}

// lines returns the Describe lines of all events.
func (r *recorder) lines() []string {
	out := make([]string, len(r.evs))
	for i, e := range r.evs {
		out[i] = e.Line
	}
	return out
}

// frame is one frame to feed: its link type, capture time and bytes.
type frame struct {
	link uint16
	t    time.Time
	data []byte
}

// feed decodes frames in order (frame numbers from 1), calls Finish and
// returns the recorded events and the statistics.
func feed(t *testing.T, o Options, frames []frame) (*recorder, *Stats) {
	t.Helper()
	r := &recorder{}
	d := New(r.handle, o)
	for i, f := range frames {
		d.Decode(0, &capfile.Packet{Data: f.data, Timestamp: f.t, CaptureLength: len(f.data),
			Length: len(f.data), LinkType: f.link, Frame: uint64(i + 1)})
	}
	d.Finish()
	return r, d.Stats()
}

// ethFrames wraps IP packets in untagged Ethernet frames spaced step apart.
func ethFrames(step time.Duration, packets ...[]byte) []frame {
	out := make([]frame, len(packets))
	for i, p := range packets {
		out[i] = frame{LinkEthernet, captureStart.Add(time.Duration(i) * step), eth(p)}
	}
	return out
}

var (
	macA = net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, 0x0A}
	macB = net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, 0x0B}
)

// eth wraps an IP packet in an Ethernet II frame.
func eth(ip []byte, vlans ...uint16) []byte { return synth.Ethernet(macA, macB, vlans, ip) }

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// Addresses of the unit tests (documentation and private ranges).
var (
	client   = ap("10.0.1.20:50000")
	turnSrv  = ap("203.0.113.10:3478")
	peer     = ap("192.0.2.50:50010")
	sipUA    = ap("10.0.1.20:50420")
	sipProxy = ap("10.0.0.5:5060")
)

// bindingRequest returns an RFC 5389 Binding request as an ICE check sends
// it, with a transaction ID derived from seed.
func bindingRequest(seed string) []byte {
	return synth.NewMsg(synth.TypeBindingRequest, synth.NewTxID(seed, true), false).
		Add(synth.AttrUsername, []byte("k7Pd:Hq3b")).
		Add(synth.AttrPriority, synth.U32(0x6E7F1EFF)).
		AddFingerprint().Bytes()
}

// rtpPacket returns a PCMU RTP packet with the given sequence number.
func rtpPacket(seq uint16) []byte { return synth.RTP(0, seq, uint32(seq)*160, 0x4F4C5900, 160) }

// craftedPath returns the path of a crafted capture.
func craftedPath(name string) string { return filepath.Join("..", "pcaps", "crafted", name) }

// publicPath returns the path of a public capture.
func publicPath(name string) string { return filepath.Join("..", "pcaps", "public", name) }

// runFile decodes one capture file with Run and records its events.
func runFile(t *testing.T, path string) (*recorder, *Stats) {
	t.Helper()
	r := &recorder{}
	s, err := Run([]string{path}, Options{}, r.handle)
	if err != nil {
		t.Fatalf("Run(%q) error: %v", path, err)
	}
	return r, s
}

// problemCount returns how often a problem of the layer whose reason
// contains substr was counted.
func problemCount(s *Stats, layer, substr string) uint64 {
	var n uint64
	for _, p := range s.Problems() {
		if p.Layer == layer && strings.Contains(p.Reason, substr) {
			n += p.Count
		}
	}
	return n
}

// sipMessage returns a SIP request with a Content-Length body of exactly
// bodyLen bytes (text lines ending in CRLF; bodyLen 0 or at least 2).
func sipMessage(method string, bodyLen int) []byte {
	body := make([]byte, bodyLen)
	for i := range body {
		switch {
		case i >= bodyLen-2 || i%72 >= 70:
			body[i] = "\r\n"[i%2]
		default:
			body[i] = 'x'
		}
	}
	if bodyLen >= 2 {
		body[bodyLen-2], body[bodyLen-1] = '\r', '\n'
	}
	return []byte(fmt.Sprintf("%s sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.1.20:50420;branch=z9hG4bK%s\r\n"+
		"Call-ID: c1@example.com\r\nCSeq: 1 %s\r\nContent-Length: %d\r\n\r\n%s", method, method, method, bodyLen, body))
}
