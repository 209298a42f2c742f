package truth

import (
	"net/netip"
	"testing"

	"github.com/icediag/icediag/pcaps/lab/internal/msturn"
)

// The pseudo-TLS ClientHello and the TLS server's handshake_failure alert,
// copied from captures/pseudo-tls-intercepted/alice-lan.pcap frames 15 and 17.
const (
	pseudoClientHello = "160301002d0100002903019a4095f21e9686265682e6224513dc1abd9b63ee08336698cd55a822a7fc150500000200180100"
	tlsHandshakeAlert = "15030100020228"
)

func TestPseudoTLSCheck(t *testing.T) {
	client := netip.MustParseAddrPort("10.1.0.11:54336")
	server := netip.MustParseAddrPort("203.0.113.10:443")
	hello := Packet{Frame: 15, Proto: "tcp", Src: client, Dst: server, Payload: mustHex(t, pseudoClientHello), TLSHandshakes: []int{1}}
	alert := Packet{Frame: 17, Proto: "tcp", Src: server, Dst: client, Payload: mustHex(t, tlsHandshakeAlert), TLSAlerts: []int{40}}
	pseudo := Packet{Frame: 17, Proto: "tcp", Src: server, Dst: client, Payload: msturn.ServerHello(), TLSHandshakes: []int{2, 14}}
	check := PseudoTLSCheck{Client: "10.1.0.11", Server: server.String(), Alert: tlsHandshakeFailure}
	tests := []struct {
		name string
		pkts []Packet
		fail bool
	}{
		{"alert", []Packet{hello, alert}, false},
		{"pseudo-TLS answer", []Packet{hello, pseudo}, true},
		{"no answer", []Packet{hello}, true},
		{"no hello", []Packet{alert}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := check.run(tt.pkts); (err != nil) != tt.fail {
				t.Errorf("PseudoTLSCheck.run(%s) = %v, want failure %v", tt.name, err, tt.fail)
			}
		})
	}
}

func TestByeHeaderCheck(t *testing.T) {
	bye := Packet{Proto: "tcp", CallIDs: []string{"c@lab.example"}, Methods: []string{"BYE"},
		Payload: []byte("BYE sip:bob@lab.example SIP/2.0\r\nms-client-diagnostics: 24;reason=\"x\"\r\n\r\n")}
	tests := []struct {
		header, callID string
		fail           bool
	}{
		{"ms-client-diagnostics: 24;", "c@lab.example", false},
		{"MS-Client-Diagnostics: 24;", "c@lab.example", false},
		{"ms-client-diagnostics: 23;", "c@lab.example", true},
		{"ms-client-diagnostics: 24;", "other@lab.example", true},
	}
	for _, tt := range tests {
		err := ByeHeaderCheck{Header: tt.header}.run([]Packet{bye}, tt.callID)
		if (err != nil) != tt.fail {
			t.Errorf("ByeHeaderCheck{%q}.run(%s) = %v, want failure %v", tt.header, tt.callID, err, tt.fail)
		}
	}
}
