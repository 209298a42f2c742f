package truth

import (
	"encoding/hex"
	"net/netip"
	"strings"
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
	line := "7\t10.1.0.11\t203.0.113.10\t5060\t5060\t\t\t4259\t\tcid@lab.example\tINVITE\t\t\t\t172.31.0.10|198.51.100.11\t\t1\t40\t1763767291.896800\tcandidate:1 1 UDP 2130706431 10.1.0.11 40097 typ host|x-candidate-ipv6:2 1 UDP 33553407 fd00:1::11 40011 typ host"
	p, err := parseLine(line)
	if err != nil {
		t.Fatalf("parseLine(%q) error = %v", line, err)
	}
	if p.Frame != 7 || p.Proto != "udp" || p.Src != netip.MustParseAddrPort("10.1.0.11:5060") ||
		len(p.Payload) != 2 || p.CallIDs[0] != "cid@lab.example" || p.Methods[0] != "INVITE" ||
		len(p.STUNAddrs) != 2 || p.STUNAddrs[0] != netip.MustParseAddr("172.31.0.10") ||
		len(p.TLSHandshakes) != 1 || len(p.TLSAlerts) != 1 || p.TLSAlerts[0] != 40 ||
		p.Time != 1763767291.8968 || len(p.SDPAttrs) != 2 || !strings.HasPrefix(p.SDPAttrs[1], "x-candidate-ipv6:") {
		t.Errorf("parseLine(%q) = %+v", line, p)
	}
	if _, err := parseLine("1\t2"); err == nil {
		t.Errorf("parseLine(%q) error = nil, want an error", "1\t2")
	}
}

// Allocate successes copied from the committed captures: coturn behind the
// Edge's 1:1 NAT (captures/edge-private-relay/alice-lan.pcap frame 9) and
// the lab's MS-TURN relay (captures/ms-relay-udp/alice-lan.pcap frame 7).
const (
	coturnPrivateAllocOK = "010300402112a442cbb10239b3dfd0df6aca0315001600080001fab08d0da4480020000800013aace721c049000d00040000025800080014fc5dac0a7e99cbdfd06a345dde02b384ae56845e80280004f60a0f2b"
	msAllocOK            = "01030048c3aad74424bbb0705aaf50951acef659000f000472c64bc6000100080001c351cb00710a80200008000138060599b34f000d0004000001e0800800040000000200080014bf16203b3034c800252cbd343a4914156b980655"
)

func TestRelayed(t *testing.T) {
	tests := []struct {
		name, hex string
		want      netip.AddrPort
	}{
		{"coturn XOR-RELAYED-ADDRESS", coturnPrivateAllocOK, netip.MustParseAddrPort("172.31.0.10:56226")},
		{"MS-TURN MAPPED-ADDRESS", msAllocOK, netip.MustParseAddrPort("203.0.113.10:50001")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us := classify(mustHex(t, tt.hex), 0)
			if len(us) != 1 || us[0].stun == nil {
				t.Fatalf("classify(%s) = %+v, want one STUN message", tt.name, us)
			}
			got, ok := us[0].stun.relayed()
			if !ok || got != tt.want {
				t.Errorf("relayed(%s) = %v, %v, want %v", tt.name, got, ok, tt.want)
			}
		})
	}
}

func TestAllocCheckRelayedIn(t *testing.T) {
	server := netip.MustParseAddrPort("172.31.0.10:3478")
	client := netip.MustParseAddrPort("10.1.0.11:40045")
	req := mustHex(t, rfc5769Request)
	req[1] = 0x03 // the sample request as an Allocate
	ok := mustHex(t, coturnPrivateAllocOK)
	pkts := []Packet{{Frame: 8, Proto: "udp", Src: client, Dst: server, Payload: req},
		{Frame: 9, Proto: "udp", Src: server, Dst: client, Payload: ok, STUNAddrs: []netip.Addr{netip.MustParseAddr("172.31.0.10")}}}
	tests := []struct {
		in   string
		fail bool
	}{
		{"", false},
		{"172.31.0.0/24", false},
		{"203.0.113.0/24", true},
	}
	for _, tt := range tests {
		a := AllocCheck{Client: client.Addr().String(), Server: server.String(), Transport: "udp", Outcome: AllocSuccess, RelayedIn: tt.in}
		if err := a.run(pkts); (err != nil) != tt.fail {
			t.Errorf("AllocCheck{RelayedIn: %q}.run() = %v, want failure %v", tt.in, err, tt.fail)
		}
	}
	pkts[1].STUNAddrs = nil
	a := AllocCheck{Client: client.Addr().String(), Server: server.String(), Transport: "udp", Outcome: AllocSuccess, RelayedIn: "172.31.0.0/24"}
	if err := a.run(pkts); err == nil {
		t.Errorf("AllocCheck.run() with no tshark addresses = nil, want an error")
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
				_, _ = u.stun.relayed()
			}
		}
	})
}
