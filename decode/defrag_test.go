package decode

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

var (
	sipUA6    = ap("[2001:db8:1::20]:5060")
	sipProxy6 = ap("[2001:db8:1::5]:5060")
)

// order returns the fragments in the given order.
func order(frags [][]byte, idx ...int) [][]byte {
	out := make([][]byte, len(idx))
	for i, j := range idx {
		out[i] = frags[j]
	}
	return out
}

// overlapping returns a copy of fragment f (IPv4) whose offset is moved
// back by 8 bytes, so that it overlaps the fragment before it.
func overlapping(f []byte) []byte {
	c := append([]byte(nil), f...)
	w := binary.BigEndian.Uint16(c[6:])
	binary.BigEndian.PutUint16(c[6:], w&0xE000|(w&0x1FFF-1))
	return c
}

func TestDefrag(t *testing.T) {
	inv := sipMessage("INVITE", 4000)
	v4 := synth.Fragment(synth.UDP(sipUA, sipProxy, inv), 1500)
	v6 := synth.Fragment(synth.UDP(sipUA6, sipProxy6, inv), 1500)
	if len(v4) != 3 || len(v6) != 3 {
		t.Fatalf("synth.Fragment gave %d IPv4 and %d IPv6 fragments, want 3 and 3", len(v4), len(v6))
	}
	tests := []struct {
		name        string
		packets     [][]byte
		wantSIP     int
		wantFrame   uint64 // frame of the SIP event
		wantFrags   uint64
		wantRebuilt uint64
		problem     string // "ip" problem expected, with its count
		problems    uint64
	}{
		{"IPv4 in order", v4, 1, 3, 3, 1, "", 0},
		{"IPv4 last first", order(v4, 2, 0, 1), 1, 3, 3, 1, "", 0},
		{"IPv4 reversed", order(v4, 2, 1, 0), 1, 3, 3, 1, "", 0},
		{"IPv4 overlapping copy", [][]byte{v4[0], overlapping(v4[1]), v4[1], v4[2]}, 1, 4, 4, 1, "overlapping fragment", 1},
		{"IPv4 never completed", order(v4, 0, 2), 0, 0, 2, 0, "fragments never completed (end of capture)", 1},
		{"IPv6 in order", v6, 1, 3, 3, 1, "", 0},
		{"IPv6 first last", order(v6, 1, 2, 0), 1, 3, 3, 1, "", 0},
		{"IPv6 never completed", order(v6, 1, 2), 0, 0, 2, 0, "fragments never completed (end of capture)", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := feed(t, Options{}, ethFrames(time.Millisecond, tc.packets...))
			sip := r.ofKind(KindSIP)
			if len(sip) != tc.wantSIP {
				t.Fatalf("SIP events = %d, want %d (problems %+v)", len(sip), tc.wantSIP, s.Problems())
			}
			if len(sip) == 1 {
				if sip[0].Frame != tc.wantFrame || sip[0].Payload != string(inv) {
					t.Errorf("SIP event in frame %d, %d bytes, want frame %d, the %d-byte INVITE", sip[0].Frame, len(sip[0].Payload), tc.wantFrame, len(inv))
				}
				if f := sip[0].Flow; f != (Flow{sipUA, sipProxy, UDP}) && f != (Flow{sipUA6, sipProxy6, UDP}) {
					t.Errorf("SIP event flow %v, want UDP from the UA to the proxy", f)
				}
			}
			if s.Fragments != tc.wantFrags || s.Reassembled != tc.wantRebuilt {
				t.Errorf("Fragments, Reassembled = %d, %d, want %d, %d", s.Fragments, s.Reassembled, tc.wantFrags, tc.wantRebuilt)
			}
			if tc.problem != "" {
				if got := problemCount(s, "ip", tc.problem); got != tc.problems {
					t.Errorf("problem %q counted %d times, want %d (all: %+v)", tc.problem, got, tc.problems, s.Problems())
				}
			} else if s.ProblemCount() != 0 {
				t.Errorf("ProblemCount() = %d, want 0: %+v", s.ProblemCount(), s.Problems())
			}
		})
	}
}

// TestDefragTimeout checks that a datagram whose fragments stop arriving is
// dropped after the fragment timeout, measured in capture time, and that a
// later datagram with the same identification is rebuilt on its own.
func TestDefragTimeout(t *testing.T) {
	inv := sipMessage("INVITE", 4000)
	v4 := synth.Fragment(synth.UDP(sipUA, sipProxy, inv), 1500)
	frames := []frame{
		{LinkEthernet, captureStart, eth(v4[0])},
		{LinkEthernet, captureStart.Add(31 * time.Second), eth(v4[1])},
		{LinkEthernet, captureStart.Add(31*time.Second + time.Millisecond), eth(v4[2])},
		{LinkEthernet, captureStart.Add(32 * time.Second), eth(v4[0])},
	}
	r, s := feed(t, Options{}, frames)
	if got := problemCount(s, "ip", "fragments never completed (timeout)"); got != 1 {
		t.Errorf("timeout problems = %d, want 1 (all: %+v)", got, s.Problems())
	}
	if n := len(r.ofKind(KindSIP)); n != 1 || r.ofKind(KindSIP)[0].Frame != 4 {
		t.Errorf("SIP events %v, want one in frame 4", r.frames(KindSIP))
	}
	if got := problemCount(s, "ip", "end of capture"); got != 0 {
		t.Errorf("end-of-capture problems = %d, want 0", got)
	}
}

// TestDefragTableFull checks that the pending-datagram bound evicts the
// oldest datagram and counts it.
func TestDefragTableFull(t *testing.T) {
	var packets [][]byte
	for i := 0; i < 3; i++ {
		src := ap("10.0.1.20:" + string(rune('1'+i)) + "5060")
		frags := synth.Fragment(synth.UDP(src, sipProxy, sipMessage("INVITE", 3000)), 1500)
		packets = append(packets, frags[0])
	}
	_, s := feed(t, Options{MaxPendingFragments: 2}, ethFrames(time.Millisecond, packets...))
	if got := problemCount(s, "ip", "fragment table full"); got != 1 {
		t.Errorf("table-full problems = %d, want 1 (all: %+v)", got, s.Problems())
	}
	if got := problemCount(s, "ip", "end of capture"); got != 2 {
		t.Errorf("end-of-capture problems = %d, want 2", got)
	}
}
