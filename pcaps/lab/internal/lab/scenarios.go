// Package lab runs the scenarios: it builds the namespace topology, starts
// coturn, the SIP proxy and two user agents, captures at several vantage points,
// proves the captures against the ground truth with tshark and writes them with
// their scenario.json.
package lab

import (
	"net/netip"
	"slices"
	"time"

	"github.com/icediag/icediag/pcaps/lab/internal/topo"
	"github.com/icediag/icediag/pcaps/lab/internal/ua"
)

// Addresses of the lab (RFC 1918 and RFC 5737 ranges only).
var (
	EdgeExternal = netip.MustParseAddr("203.0.113.10")
	EdgeInternal = netip.MustParsePrefix("172.16.0.10/24")
	NATAPublic   = netip.MustParseAddr("198.51.100.11")
	NATBPublic   = netip.MustParseAddr("198.51.100.12")
	AliceAddr    = netip.MustParseAddr("10.1.0.11")
	BobAddr      = netip.MustParseAddr("10.2.0.12")
	BobSameLAN   = netip.MustParseAddr("10.1.0.12")
	BobLAN2      = netip.MustParseAddr("10.1.1.12")
)

// Relay and signalling endpoints on the Edge.
const (
	Domain   = "lab.example"
	STUNURL  = "stun:203.0.113.10:3478"
	TURNUDP  = "turn:203.0.113.10:3478?transport=udp"
	TURNTCP  = "turn:203.0.113.10:443?transport=tcp"
	TURNPass = "lab-secret"
	SIPPort  = 5060
)

// Media port ranges of the user agents: fixed so that NAT rules and captures
// are predictable.
const (
	alicePortMin, alicePortMax = 40000, 40099
	bobPortMin, bobPortMax     = 41000, 41099
)

// Agent describes one user agent of a scenario.
type Agent struct {
	Host     string // node name: "alice" or "bob"
	NAT      string
	TURN     []string
	TURNPass string
	SendRTP  bool
	// MSTURN are the MS-TURN servers of a Microsoft-flavoured agent.
	MSTURN []ua.MSServer
	// AllocateOnInvite, ICETCP and IPv6 are the ua.Config switches of the
	// same names.
	AllocateOnInvite, ICETCP, IPv6 bool
}

// AllocExpect is a TURN Allocate outcome a side's captures must show.
type AllocExpect struct {
	Side      string // "caller" or "callee"
	Transport string
	Port      uint16
	Outcome   string
	ErrorCode int
	// Server is the relay's address when it is not the Edge's main one
	// (another member of an Edge pool).
	Server netip.Addr
	// RelayedIn is the network a success's relayed address must lie in.
	RelayedIn netip.Prefix
	// LANOnly: the requests are dropped on the way, so only the client LAN sees them.
	LANOnly bool
}

// Expect is the scenario's expected outcome, checked against what the stacks
// report and then against the captures.
type Expect struct {
	ICESucceeds    bool
	CallerLocal    []string // acceptable candidate types of the caller's selected local candidate
	CallerRemote   []string
	Relayed        bool
	RelayTransport string // "udp" or "tcp" when relayed
	Findings       []string
	Allocs         []AllocExpect
	Notes          string
	// PseudoTLSAlert: the caller's pseudo-TLS hello to TCP 443 is answered
	// by a TLS server with this alert description.
	PseudoTLSAlert int
	// ByeHeader is a header the caller's BYE carries ("name: value-prefix").
	ByeHeader string
	// SlowerThan: the first successful check is answered later than this
	// after the INVITE.
	SlowerThan time.Duration
	// OfferAttrs are strings the SDP attributes of the caller's offer hold.
	OfferAttrs []string
}

// Scenario is one lab situation.
type Scenario struct {
	Name, Title, Description string
	NATs                     []topo.NAT
	Hosts                    []topo.Host
	Edge                     topo.Edge
	SIPTransport             string
	Caller, Callee           Agent
	Expect                   Expect
	// MS, when set, makes the scenario Microsoft-flavoured: the Edge runs the
	// lab's MS-TURN relay instead of coturn and the user agents speak Lync-style SIP.
	MS *MSRelay
}

func edge() topo.Edge {
	return topo.Edge{Name: "edge", External: EdgeExternal, Internal: EdgeInternal, ForwardTCP443: true}
}

func natA(m topo.Mapping) topo.NAT {
	return topo.NAT{Name: "nat-a", Public: NATAPublic, Mapping: m,
		LANs: []topo.LAN{{Name: "lan", Prefix: netip.MustParsePrefix("10.1.0.0/24")}}}
}

func natB(m topo.Mapping) topo.NAT {
	return topo.NAT{Name: "nat-b", Public: NATBPublic, Mapping: m,
		LANs: []topo.LAN{{Name: "lan", Prefix: netip.MustParsePrefix("10.2.0.0/24")}}}
}

func twoSites(name, title, desc string, ma, mb topo.Mapping) Scenario {
	return Scenario{
		Name: name, Title: title, Description: desc,
		NATs: []topo.NAT{natA(ma), natB(mb)},
		Hosts: []topo.Host{
			{Name: "alice", NAT: "nat-a", LAN: "lan", Addr: AliceAddr},
			{Name: "bob", NAT: "nat-b", LAN: "lan", Addr: BobAddr},
		},
		Edge:         edge(),
		SIPTransport: "udp",
		Caller:       Agent{Host: "alice", NAT: "nat-a", TURN: []string{TURNUDP}, TURNPass: TURNPass, SendRTP: true},
		Callee:       Agent{Host: "bob", NAT: "nat-b", TURN: []string{TURNUDP}, TURNPass: TURNPass, SendRTP: true},
	}
}

var (
	anyDirect = []string{"host", "srflx", "prflx"}
	eim       = topo.MappingEndpointIndependent
	symmetric = topo.MappingSymmetric
)

// Scenarios returns every scenario in the order the lab runs them.
func Scenarios() []Scenario {
	return []Scenario{
		hostHost(), srflxEIM(), relaySymmetric(), turnTCP443(), highPortsBlocked(),
		hairpin(false), hairpin(true), iceFailed(), oneWayMedia(), wrongTURNCredentials(),
		msRelayUDP(), msTCP443(), msTeamsPorts(), edgePoolCredentials(),
		edgePrivateRelay(), pseudoTLSIntercepted(), slowICE(),
	}
}

// Find returns the scenario of a name.
func Find(name string) (Scenario, bool) {
	i := slices.IndexFunc(Scenarios(), func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		return Scenario{}, false
	}
	return Scenarios()[i], true
}

func hostHost() Scenario {
	s := twoSites("host-host", "Two clients on one LAN: host candidates win",
		"alice 10.1.0.11 and bob 10.1.0.12 share the LAN behind nat-a; ICE selects the host-host pair and RTP never leaves the LAN.",
		eim, eim)
	s.NATs = []topo.NAT{natA(eim)}
	s.Hosts[1] = topo.Host{Name: "bob", NAT: "nat-a", LAN: "lan", Addr: BobSameLAN}
	s.Callee.NAT = "nat-a"
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"host"}, CallerRemote: []string{"host"}}
	return s
}

func srflxEIM() Scenario {
	s := twoSites("srflx-eim", "Server-reflexive pair through endpoint-independent NATs",
		"alice and bob sit behind two port-preserving NATs with endpoint-independent mapping (RFC 4787 REQ-1); the srflx-srflx pair succeeds once both sides have sent checks.",
		eim, eim)
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"host", "srflx"}, CallerRemote: []string{"srflx", "prflx"}}
	return s
}

func relaySymmetric() Scenario {
	s := twoSites("relay-symmetric", "Relay through symmetric NATs over UDP 3478",
		"Both NATs map every destination to a new random port, so srflx candidates are useless; the call is relayed by coturn over UDP 3478.",
		symmetric, symmetric)
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay", "host"}, CallerRemote: []string{"relay", "prflx"},
		Relayed: true, RelayTransport: "udp",
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "success"},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}

func turnTCP443() Scenario {
	s := twoSites("turn-tcp443", "Client UDP blocked: TURN over TCP 443",
		"nat-a drops all UDP from alice's LAN. alice's STUN and TURN requests to UDP 3478 go unanswered; her Allocate over TCP 443 succeeds and the call is relayed over TCP. SIP runs over TCP.",
		eim, eim)
	s.NATs[0].BlockUDP = true
	s.SIPTransport = "tcp"
	s.Caller.TURN = []string{TURNUDP, TURNTCP}
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay"}, CallerRemote: anyDirect,
		Relayed: true, RelayTransport: "tcp", Findings: []string{"turn-udp-blocked", "media-over-tcp", "stun-unreachable"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "no-response", LANOnly: true},
			{Side: "caller", Transport: "tcp", Port: 443, Outcome: "success"}}}
	return s
}

func highPortsBlocked() Scenario {
	s := twoSites("high-ports-blocked", "UDP 50000-59999 blocked at the Edge",
		"The Edge's external firewall drops UDP 50000-59999 (MS-REFERENCE §6 #2). Both clients are behind symmetric NATs; checks toward the peer's relayed address go unanswered and only the relay-to-relay pair inside the Edge works.",
		symmetric, symmetric)
	s.Edge.BlockHighPorts = true
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay"}, CallerRemote: []string{"relay"},
		Relayed: true, RelayTransport: "udp", Findings: []string{"high-ports-blocked"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "success"},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}

func hairpin(on bool) Scenario {
	name, title := "hairpin-off", "Two clients behind one NAT without hairpinning"
	desc := "alice (10.1.0.11) and bob (10.1.1.12) are on two isolated LANs of nat-a, which drops LAN-to-LAN traffic and does not hairpin: checks to each other's srflx address on 198.51.100.11 go unanswered and the call is relayed."
	if on {
		name, title = "hairpin-on", "Two clients behind one NAT with hairpinning"
		desc = "As hairpin-off, but nat-a hairpins (RFC 4787 REQ-9): checks to the other client's srflx address on 198.51.100.11 come back in through the NAT and the srflx pair works without the relay."
	}
	s := twoSites(name, title, desc, eim, eim)
	nat := natA(eim)
	nat.LANs = append(nat.LANs, topo.LAN{Name: "lan2", Prefix: netip.MustParsePrefix("10.1.1.0/24")})
	nat.Isolated, nat.Hairpin = true, on
	nat.HairpinPorts = []topo.PortForward{{Host: AliceAddr, PortMin: alicePortMin, PortMax: alicePortMax},
		{Host: BobLAN2, PortMin: bobPortMin, PortMax: bobPortMax}}
	s.NATs = []topo.NAT{nat}
	s.Hosts[1] = topo.Host{Name: "bob", NAT: "nat-a", LAN: "lan2", Addr: BobLAN2}
	s.Callee.NAT = "nat-a"
	if on {
		s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"host", "srflx"}, CallerRemote: []string{"srflx", "prflx"}}
	} else {
		s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay", "srflx", "host"}, CallerRemote: []string{"relay", "srflx", "prflx"},
			Relayed: true, RelayTransport: "udp", Findings: []string{"hairpin-failure"}}
	}
	return s
}

func iceFailed() Scenario {
	s := twoSites("ice-failed", "Total ICE failure: symmetric NATs and no relay",
		"Both clients are behind symmetric NATs and the Edge drops UDP 3478 and TCP 443/3478, so there are neither srflx nor relay candidates; every check times out and alice hangs up with BYE.",
		symmetric, symmetric)
	s.Edge.BlockTURN = true
	s.Caller.TURN = []string{TURNUDP, TURNTCP}
	s.Expect = Expect{ICESucceeds: false, Findings: []string{"ice-failed", "turn-unreachable", "stun-unreachable"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "no-response"},
			{Side: "caller", Transport: "tcp", Port: 443, Outcome: "no-response"}}}
	return s
}

func oneWayMedia() Scenario {
	s := twoSites("one-way-media", "One-way media after ICE success",
		"As srflx-eim, but bob never sends RTP (a muted or broken sender): ICE succeeds, RTP flows from alice to bob only.",
		eim, eim)
	s.Callee.SendRTP = false
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"host", "srflx"}, CallerRemote: []string{"srflx", "prflx"},
		Findings: []string{"one-way-media"}}
	return s
}

func wrongTURNCredentials() Scenario {
	s := twoSites("turn-wrong-credentials", "Wrong TURN credentials",
		"alice's TURN password is wrong: her Allocate is rejected with 401 after credentials were sent, so she has no relay candidate. Both NATs are symmetric; the call still works through bob's relay.",
		symmetric, symmetric)
	s.Caller.TURNPass = "wrong-password"
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"host", "srflx"}, CallerRemote: []string{"relay"},
		Relayed: true, RelayTransport: "udp", Findings: []string{"turn-auth-failed"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "error", ErrorCode: 401},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}
