package ice

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

// mustAddr parses an address for expected values.
func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatalf("netip.ParseAddr(%q): %v", s, err)
	}
	return a
}

func TestParseCandidateRFC(t *testing.T) {
	a := func(s string) netip.Addr { return mustAddr(t, s) }
	tests := []struct {
		name string
		in   string
		want Candidate
	}{
		{"RFC 5245 §15.1 host", "a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host",
			Candidate{Foundation: "1", Component: 1, Priority: 2130706431, Addr: a("10.0.1.1"), Port: 8998, Type: Host}},
		{"RFC 5245 §15.1 srflx", "candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998",
			Candidate{Foundation: "2", Component: 1, Priority: 1694498815, Addr: a("192.0.2.3"), Port: 45664, Type: Srflx,
				RelAddr: a("10.0.1.1"), RelPort: 8998}},
		{"heplify websocket Chrome host", "candidate:3826373926 1 udp 2122260223 10.10.24.139 55695 typ host generation 0 network-id 1 network-cost 10",
			Candidate{Foundation: "3826373926", Component: 1, Priority: 2122260223, Addr: a("10.10.24.139"), Port: 55695, Type: Host,
				NetworkID: 1, NetworkCost: 10}},
		{"heplify websocket Chrome srflx", "candidate:302099698 1 udp 1686052607 69.17.142.250 55695 typ srflx raddr 10.10.24.139 rport 55695 generation 0 network-id 1 network-cost 10",
			Candidate{Foundation: "302099698", Component: 1, Priority: 1686052607, Addr: a("69.17.142.250"), Port: 55695, Type: Srflx,
				RelAddr: a("10.10.24.139"), RelPort: 55695, NetworkID: 1, NetworkCost: 10}},
		{"heplify websocket Chrome tcp active", "candidate:2861705686 1 tcp 1518280447 10.10.24.139 9 typ host tcptype active generation 0 network-id 1 network-cost 10",
			Candidate{Foundation: "2861705686", Component: 1, Transport: TCP, TCPType: TCPActive, Priority: 1518280447,
				Addr: a("10.10.24.139"), Port: 9, Type: Host, NetworkID: 1, NetworkCost: 10}},
		{"X-Lite RTCP component", "candidate:1 2 UDP 659134 192.168.10.41 64509 typ host",
			Candidate{Foundation: "1", Component: 2, Priority: 659134, Addr: a("192.168.10.41"), Port: 64509, Type: Host}},
		{"Chrome mDNS host", "candidate:3436378122 1 udp 2113937151 152aa36b-1063-48ea-9d3d-0785d6d70eca.local 45909 typ host generation 0 ufrag c7ST network-cost 999",
			Candidate{Foundation: "3436378122", Component: 1, Priority: 2113937151, Host: "152aa36b-1063-48ea-9d3d-0785d6d70eca.local",
				Port: 45909, Type: Host, Ufrag: "c7ST", NetworkCost: 999}},
		{"Chrome srflx hidden raddr", "candidate:3063087197 1 udp 1677729535 172.100.111.196 44745 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag c7ST network-cost 999",
			Candidate{Foundation: "3063087197", Component: 1, Priority: 1677729535, Addr: a("172.100.111.196"), Port: 44745, Type: Srflx,
				RelAddr: a("0.0.0.0"), Ufrag: "c7ST", NetworkCost: 999}},
		{"Firefox passive tcp", "candidate:1 1 TCP 2105524479 192.168.1.5 9 typ host tcptype passive",
			Candidate{Foundation: "1", Component: 1, Transport: TCP, TCPType: TCPPassive, Priority: 2105524479,
				Addr: a("192.168.1.5"), Port: 9, Type: Host}},
		{"relay with simultaneous open", "candidate:5 1 tcp 16777215 198.51.100.9 443 typ relay raddr 203.0.113.4 rport 50001 tcptype so",
			Candidate{Foundation: "5", Component: 1, Transport: TCP, TCPType: TCPSO, Priority: 16777215,
				Addr: a("198.51.100.9"), Port: 443, Type: Relay, RelAddr: a("203.0.113.4"), RelPort: 50001}},
		{"unknown extensions kept", "candidate:7 1 udp 1845501695 203.0.113.8 61000 typ prflx foo bar generation x lonely",
			Candidate{Foundation: "7", Component: 1, Priority: 1845501695, Addr: a("203.0.113.8"), Port: 61000, Type: Prflx,
				Extensions: []Ext{{"foo", "bar"}, {"generation", "x"}, {"lonely", ""}}}},
		{"unknown candidate type", "candidate:8 1 udp 1 203.0.113.8 1 typ nat64",
			Candidate{Foundation: "8", Component: 1, Priority: 1, Addr: a("203.0.113.8"), Port: 1, Type: Unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCandidate(tt.in)
			if err != nil {
				t.Fatalf("ParseCandidate(%q) error %v", tt.in, err)
			}
			tt.want.Raw = tt.in
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseCandidate(%q) =\n%+v, want\n%+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCandidateMicrosoft(t *testing.T) {
	a := func(s string) netip.Addr { return mustAddr(t, s) }
	tests := []struct {
		name string
		in   string
		want Candidate
	}{
		{"MS-REFERENCE §2.3 x-candidate-ipv6", "a=x-candidate-ipv6:3 1 UDP 33553407 2001:0:5ef5:79fd:34b2:244d:fa66:7cf9 2936 typ host",
			Candidate{Foundation: "3", Component: 1, Priority: 33553407, Addr: a("2001:0:5ef5:79fd:34b2:244d:fa66:7cf9"),
				Port: 2936, Type: Host, Form: FormMSICE2}},
		{"TCP-ACT srflx", "candidate:4 1 TCP-ACT 1684797951 198.51.100.7 50010 typ srflx raddr 192.168.66.57 rport 50010",
			Candidate{Foundation: "4", Component: 1, Transport: TCP, TCPType: TCPActive, Priority: 1684797951,
				Addr: a("198.51.100.7"), Port: 50010, Type: Srflx, RelAddr: a("192.168.66.57"), RelPort: 50010, Form: FormMSICE2}},
		{"TCP-PASS relay", "candidate:6 1 TCP-PASS 174455807 203.0.113.20 59162 typ relay raddr 198.51.100.7 rport 50011",
			Candidate{Foundation: "6", Component: 1, Transport: TCP, TCPType: TCPPassive, Priority: 174455807,
				Addr: a("203.0.113.20"), Port: 59162, Type: Relay, RelAddr: a("198.51.100.7"), RelPort: 50011, Form: FormMSICE2}},
		{"MS-REFERENCE §2.2 draft-06", "a=candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE 1 1Riht1AWk/x7TSyhrZQfDA UDP 0.830 192.168.66.57 31848",
			Candidate{Component: 1, Priority: 0, Addr: a("192.168.66.57"), Port: 31848, Type: Unknown,
				Ufrag: "d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE", Password: "1Riht1AWk/x7TSyhrZQfDA", Form: FormDraft6, QValue: "0.830"}},
		{"draft-06 TCP edge relay", "candidate:6vKd2zNCBL2m3hRRa5FJ6SUFpTOQaXGVT0hY/7oEh0E 2 Q8rsbWbMPpGwjKYBkHq3Bg TCP 0.410 203.0.113.20 443",
			Candidate{Component: 2, Transport: TCP, Addr: a("203.0.113.20"), Port: 443, Type: Unknown,
				Ufrag: "6vKd2zNCBL2m3hRRa5FJ6SUFpTOQaXGVT0hY/7oEh0E", Password: "Q8rsbWbMPpGwjKYBkHq3Bg", Form: FormDraft6, QValue: "0.410"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCandidate(tt.in)
			if err != nil {
				t.Fatalf("ParseCandidate(%q) error %v", tt.in, err)
			}
			tt.want.Raw = tt.in
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseCandidate(%q) =\n%+v, want\n%+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCandidateErrors(t *testing.T) {
	tests := []struct {
		in    string
		field int
		err   error
	}{
		{"", 0, ErrMissingField},
		{"candidate:", 0, ErrMissingField},
		{"candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ", 7, ErrMissingField},
		{"candidate:1 0 UDP 2130706431 10.0.1.1 8998 typ host", 1, ErrBadNumber},
		{"candidate:1 257 UDP 2130706431 10.0.1.1 8998 typ host", 1, ErrBadNumber},
		{"candidate:1 1 SCTP 2130706431 10.0.1.1 8998 typ host", 2, ErrBadTransport},
		{"candidate:1 1 UDP 4294967296 10.0.1.1 8998 typ host", 3, ErrBadNumber},
		{"candidate:1 1 UDP 2130706431 10.0.1.1 65536 typ host", 5, ErrBadNumber},
		{"candidate:1 1 UDP 2130706431 10.0.1.1 8998 type host", 6, ErrBadTyp},
		{"candidate:abc 1 pwd SCTP 0.830 10.0.0.1 5000", 3, ErrBadTransport},
		{"candidate:abc x pwd UDP 0.830 10.0.0.1 5000", 1, ErrBadNumber},
		{"candidate:abc 1 pwd UDP 0.830 10.0.0.1 port", 6, ErrBadNumber},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseCandidate(tt.in)
			var ce *CandidateError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCandidate(%q) error = %v, want *CandidateError", tt.in, err)
			}
			if ce.Field != tt.field || !errors.Is(err, tt.err) {
				t.Errorf("ParseCandidate(%q) error = field %d %v, want field %d %v", tt.in, ce.Field, ce.Err, tt.field, tt.err)
			}
		})
	}
}

func TestCandidateString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"candidate:2 1 UDP 1694498815 198.51.100.7 50010 typ srflx raddr 10.0.1.1 rport 8998", "srflx UDP 198.51.100.7:50010"},
		{"candidate:6 1 TCP-PASS 174455807 203.0.113.20 59162 typ relay", "relay TCP-passive 203.0.113.20:59162"},
		{"x-candidate-ipv6:3 1 UDP 33553407 2001:0:5ef5:79fd:34b2:244d:fa66:7cf9 2936 typ host", "host UDP [2001:0:5ef5:79fd:34b2:244d:fa66:7cf9]:2936"},
		{"candidate:1 1 udp 2113937151 1e2b3c4d.local 54321 typ host generation 0", "host UDP 1e2b3c4d.local:54321"},
		{"candidate:u 1 p UDP 0.830 192.168.66.57 31848", "unknown UDP 192.168.66.57:31848"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseCandidate(tt.in)
			if err != nil {
				t.Fatalf("ParseCandidate(%q) error %v", tt.in, err)
			}
			if got := c.String(); got != tt.want {
				t.Errorf("ParseCandidate(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCandidateAddrPortAndMDNS(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for an invalid AddrPort
		mdns bool
	}{
		{"candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host", "10.0.1.1:8998", false},
		{"candidate:1 1 udp 2113937151 57ecbfc8-746b-4a75-8d0a-a7d4cc621290.local 65340 typ host", "", true},
		{"candidate:1 1 udp 2113937151 sbc.example.com 5060 typ host", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseCandidate(tt.in)
			if err != nil {
				t.Fatalf("ParseCandidate(%q) error %v", tt.in, err)
			}
			ap := c.AddrPort()
			got := ""
			if ap.IsValid() {
				got = ap.String()
			}
			if got != tt.want || c.IsMDNS() != tt.mdns {
				t.Errorf("ParseCandidate(%q): AddrPort %q IsMDNS %v, want %q %v", tt.in, got, c.IsMDNS(), tt.want, tt.mdns)
			}
		})
	}
}
