package lab

import (
	"net/netip"

	"github.com/icediag/icediag/pcaps/lab/internal/ua"
)

// Addresses of the Edge scenarios (RFC 5737 and RFC 1918 ranges only).
var (
	// EdgePool2 is the second member of an Edge pool.
	EdgePool2 = netip.MustParseAddr("203.0.113.11")
	// EdgePrivate is the Edge's external interface behind its own 1:1 NAT.
	EdgePrivate = netip.MustParsePrefix("172.31.0.10/24")
)

// poolPass is the password the second pool member's relay checks: another
// key than the first member's, so it rejects what the first accepts.
const poolPass = "edge-2-key"

func edgePoolCredentials() Scenario {
	s := msTwoSites("edge-pool-credentials", "MS flavour: a pool of two Edges, one rejects the credentials the other accepts",
		"The Edge pool has two members, 203.0.113.10 and 203.0.113.11, each running the MS-TURN relay with its own authentication key (as pool members whose A/V authentication certificates differ). alice allocates on both: 203.0.113.11 answers her credentials with 401 again, 203.0.113.10 accepts the same credentials. Both NATs are symmetric; the call is relayed through the member that accepted.",
		symmetric, symmetric)
	s.Edge.Pool = []netip.Addr{EdgePool2}
	s.MS.Pool = []MSPoolMember{{Addr: EdgePool2, Pass: poolPass}}
	second := msUDP
	second.Server = netip.AddrPortFrom(EdgePool2, 3478)
	s.Caller.MSTURN = []ua.MSServer{second, msUDP}
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay", "host"}, CallerRemote: []string{"relay", "prflx"},
		Relayed: true, RelayTransport: "udp", Findings: []string{"turn-auth-failed"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Server: EdgePool2, Outcome: "error", ErrorCode: 401},
			{Side: "caller", Transport: "udp", Port: 3478, Outcome: "success"},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}

func edgePrivateRelay() Scenario {
	s := twoSites("edge-private-relay", "Edge behind its own 1:1 NAT advertises its private relay address",
		"The Edge's external interface has the private address 172.31.0.10 behind a static 1:1 NAT that publishes it as 203.0.113.10, and coturn runs without --external-ip. Clients reach the relay on 203.0.113.10, but every Allocate success carries the private XOR-RELAYED-ADDRESS 172.31.0.10, and the relay candidates in both SDPs carry it. Both NATs are symmetric: checks from the clients to 172.31.0.10 cannot leave the internet, and only the relay-to-relay pair, which stays inside the Edge, works.",
		symmetric, symmetric)
	s.Edge.Private = EdgePrivate
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay"}, CallerRemote: []string{"relay"},
		Relayed: true, RelayTransport: "udp", Findings: []string{"relay-address-private"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "success", RelayedIn: EdgePrivate.Masked()},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success", RelayedIn: EdgePrivate.Masked()}}}
	return s
}

func pseudoTLSIntercepted() Scenario {
	s := msTwoSites("pseudo-tls-intercepted", "MS flavour: pseudo-TLS on TCP 443 answered by a TLS-inspecting proxy",
		"alice works at a corporate desk: nat-a drops all UDP from her LAN, and TCP 443 to the Edge is taken by a TLS-inspecting proxy (a Go crypto/tls server with its own certificate). Her MS-TURN Allocate to UDP 3478 goes unanswered; her pseudo-TLS ClientHello on TCP 443 offers only TLS_DH_anon_WITH_RC4_128_MD5, which the TLS server rejects with a handshake_failure alert. alice has no relay and no UDP, so ICE fails, and her BYE carries ms-client-diagnostics 24 with ICEWarn 0x80006b (pseudo-TLS failure, TCP and UDP allocation failed, TURN unreachable, local and NAT connectivity failed). SIP runs over TCP.",
		eim, eim)
	s.NATs[0].BlockUDP = true
	s.SIPTransport = "tcp"
	s.MS.Intercepted = true
	s.Caller.MSTURN = []ua.MSServer{msUDP, msTCP}
	s.Expect = Expect{ICESucceeds: false,
		Findings:       []string{"pseudo-tls-intercepted", "ice-failed", "client-reported-diagnostics", "turn-unreachable"},
		PseudoTLSAlert: 40, ByeHeader: "ms-client-diagnostics: 24;",
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "no-response", LANOnly: true},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}
