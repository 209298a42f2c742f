package truth

import (
	"encoding/hex"
	"net/netip"
	"testing"
)

// rfc5769Request is the sample request of RFC 5769 §2.1: SOFTWARE, PRIORITY,
// ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT.
const rfc5769Request = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74" +
	"002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70c" +
	"bfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf"

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rtp is a PCMU packet as the lab's user agents send it.
var rtp = append([]byte{0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 1, 2, 3, 4}, make([]byte, 160)...)

func channelData(ch uint16, payload []byte, pad bool) []byte {
	b := []byte{byte(ch >> 8), byte(ch), byte(len(payload) >> 8), byte(len(payload))}
	b = append(b, payload...)
	for pad && len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestParseSTUNVector(t *testing.T) {
	m, ok := parseSTUN(mustHex(t, rfc5769Request))
	if !ok {
		t.Fatal("parseSTUN(RFC 5769 §2.1) = not STUN, want a Binding request")
	}
	if m.typ != typeBindingReq || !m.has(attrICEControlled) || !m.has(attrIntegrity) || m.has(attrUseCandidate) {
		t.Errorf("parseSTUN(RFC 5769 §2.1) = type %#04x attrs %v, want Binding request with ICE-CONTROLLED and MESSAGE-INTEGRITY", m.typ, m.attrs)
	}
}

func TestUnits(t *testing.T) {
	stun := mustHex(t, rfc5769Request)
	truncated := stun[:30]
	tests := []struct {
		name       string
		p          Packet
		stun, rtps int
		firstTyp   uint16
	}{
		{"binding request", Packet{Proto: "udp", Payload: stun}, 1, 0, typeBindingReq},
		{"rtp", Packet{Proto: "udp", Payload: rtp}, 0, 1, 0},
		{"rtcp is not rtp", Packet{Proto: "udp", Payload: append([]byte{0x80, 200}, make([]byte, 26)...)}, 0, 0, 0},
		{"channeldata rtp", Packet{Proto: "udp", Payload: channelData(0x4000, rtp, false)}, 0, 1, 0},
		{"channeldata check", Packet{Proto: "udp", Payload: channelData(0x4001, stun, false)}, 1, 0, typeBindingReq},
		{"tcp stream", Packet{Proto: "tcp", Payload: append(append(channelData(0x4000, rtp[:13], true), stun...), channelData(0x4000, rtp, true)...)}, 1, 2, typeBindingReq},
		{"truncated", Packet{Proto: "udp", Payload: truncated}, 0, 0, 0},
		{"sip", Packet{Proto: "udp", Payload: []byte("INVITE sip:bob@lab.example SIP/2.0\r\n")}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stuns, rtps int
			var first uint16
			for _, u := range units(tt.p) {
				if u.stun != nil {
					if stuns == 0 {
						first = u.stun.typ
					}
					stuns++
				}
				if u.rtp {
					rtps++
				}
			}
			if stuns != tt.stun || rtps != tt.rtps || first != tt.firstTyp {
				t.Errorf("units(%s) = %d STUN (first %#04x), %d RTP, want %d (%#04x), %d", tt.name, stuns, first, rtps, tt.stun, tt.firstTyp, tt.rtps)
			}
		})
	}
}

func TestFlowCheck(t *testing.T) {
	src, dst := netip.MustParseAddrPort("10.1.0.11:40000"), netip.MustParseAddrPort("203.0.113.10:3478")
	var pkts []Packet
	for i := 0; i < 5; i++ {
		pkts = append(pkts, Packet{Proto: "udp", Src: src, Dst: dst, Payload: channelData(0x4000, rtp, false)})
	}
	tests := []struct {
		f    FlowCheck
		fail bool
	}{
		{FlowCheck{Transport: "udp", Src: "10.1.0.11:0", Dst: dst.String(), MinPackets: 5, MaxPackets: -1}, false},
		{FlowCheck{Transport: "udp", Src: "10.1.0.11:0", Dst: dst.String(), MinPackets: 6, MaxPackets: -1}, true},
		{FlowCheck{Transport: "udp", Src: dst.String(), Dst: "10.1.0.11:0", MinPackets: 0, MaxPackets: 0}, false},
		{FlowCheck{Transport: "tcp", Src: "10.1.0.11:0", Dst: dst.String(), MinPackets: 1, MaxPackets: -1}, true},
		{FlowCheck{Transport: "udp", Src: "10.1.0.11:40000", Dst: dst.String(), MinPackets: 0, MaxPackets: 4}, true},
	}
	for _, tt := range tests {
		if err := tt.f.run(pkts); (err != nil) != tt.fail {
			t.Errorf("FlowCheck%+v.run() = %v, want failure %v", tt.f, err, tt.fail)
		}
	}
}

func TestParseLine(t *testing.T) {
	line := "7\t10.1.0.11\t203.0.113.10\t5060\t5060\t\t\t4259\t\tcid@lab.example\tINVITE\t\t\t"
	p, err := parseLine(line)
	if err != nil {
		t.Fatalf("parseLine(%q) error = %v", line, err)
	}
	if p.Frame != 7 || p.Proto != "udp" || p.Src != netip.MustParseAddrPort("10.1.0.11:5060") ||
		len(p.Payload) != 2 || p.CallIDs[0] != "cid@lab.example" || p.Methods[0] != "INVITE" {
		t.Errorf("parseLine(%q) = %+v", line, p)
	}
	if _, err := parseLine("1\t2"); err == nil {
		t.Errorf("parseLine(%q) error = nil, want an error", "1\t2")
	}
}

func FuzzUnits(f *testing.F) {
	stun := mustHex(f, rfc5769Request)
	f.Add(stun, false)
	f.Add(rtp, false)
	f.Add(channelData(0x4000, stun, true), true)
	f.Add(append(channelData(0x4000, rtp, true), stun...), true)
	f.Fuzz(func(t *testing.T, payload []byte, tcp bool) {
		p := Packet{Proto: "udp", Payload: payload}
		if tcp {
			p.Proto = "tcp"
		}
		for _, u := range units(p) {
			if u.stun != nil {
				_ = u.stun.errorCode()
			}
		}
	})
}
