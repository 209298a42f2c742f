package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/icediag/icediag/pcaps/lab/internal/msturn"
	"github.com/icediag/icediag/pcaps/lab/internal/topo"
	"github.com/icediag/icediag/pcaps/lab/internal/ua"
)

// MSRelay configures the lab's MS-TURN relay (internal/msturn), which runs on
// the Edge in place of coturn in the Microsoft-flavoured scenarios.
type MSRelay struct {
	UDPPorts []uint16 // client ports: 3478, and 3479-3481 for the Teams-style ports
	TCP443   bool     // TCP 443 with pseudo-TLS
	// Advertise is the relayed address the relay puts in MAPPED-ADDRESS when
	// it differs from the address it relays from.
	Advertise netip.Addr
}

// msUDP and msTCP are the MS-TURN server addresses of the Edge.
var (
	msUDP = ua.MSServer{Transport: "udp", Server: netip.AddrPortFrom(EdgeExternal, 3478)}
	msTCP = ua.MSServer{Transport: "tcp", Server: netip.AddrPortFrom(EdgeExternal, 443), PseudoTLS: true}
)

// msTwoSites is twoSites with the MS flavour: Lync-style user agents and the
// MS-TURN relay on UDP 3478 and TCP 443.
func msTwoSites(name, title, desc string, ma, mb topo.Mapping) Scenario {
	s := twoSites(name, title, desc, ma, mb)
	s.Edge.ForwardTCP443 = false // the relay listens on 443 itself
	s.MS = &MSRelay{UDPPorts: []uint16{3478}, TCP443: true}
	s.Caller.TURN, s.Callee.TURN = nil, nil
	s.Caller.MSTURN = []ua.MSServer{msUDP}
	s.Callee.MSTURN = []ua.MSServer{msUDP}
	return s
}

// startMSTURN runs the MS-TURN relay on the Edge and waits until it serves.
func startMSTURN(ctx context.Context, n *topo.Net, sc Scenario, opt Options) (*proc, error) {
	cfg := msturn.Server{Listen: EdgeExternal, UDPPorts: sc.MS.UDPPorts, Advertise: sc.MS.Advertise,
		PortMin: 50000, PortMax: 59999, Realm: Domain, Users: map[string]string{"alice": TURNPass, "bob": TURNPass}}
	if sc.MS.TCP443 {
		cfg.TCPPort = 443
	}
	b, err := json.Marshal(&cfg)
	if err != nil {
		return nil, err
	}
	p, err := start(ctx, n, sc.Edge.Name, "msturn", opt.Timeout, opt.Log, opt.Exe, "msturn", "-config", string(b))
	if err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx, 5*time.Second); err != nil {
		p.stop()
		return nil, fmt.Errorf("MS-TURN relay: %w", err)
	}
	return p, nil
}

func msRelayNotes(m *MSRelay) string {
	notes := fmt.Sprintf("lab MS-TURN relay: UDP %v", m.UDPPorts)
	if m.TCP443 {
		notes += ", TCP 443 with pseudo-TLS and 0x02/0x03 framing"
	}
	notes += ", relay ports UDP 50000-59999"
	if m.Advertise.IsValid() {
		notes += fmt.Sprintf(", advertises relayed addresses on %s", m.Advertise)
	}
	return notes + "; SIP proxy on 5060 UDP/TCP"
}

func msRelayUDP() Scenario {
	s := msTwoSites("ms-relay-udp", "MS flavour: call relayed through the MS-TURN Edge over UDP 3478",
		"Lync-style user agents (multipart/alternative offers, MS-ICE2 candidate lines, re-INVITE with a=remote-candidates) behind two symmetric NATs; both allocate on the lab's MS-TURN relay over UDP 3478 (401 challenge, MAGIC-COOKIE, MS-VERSION), and the call is relayed with Send requests and Data Indications.",
		symmetric, symmetric)
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay", "host"}, CallerRemote: []string{"relay", "prflx"},
		Relayed: true, RelayTransport: "udp",
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "success"},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}

func msTCP443() Scenario {
	s := msTwoSites("ms-tcp443", "MS flavour: client UDP blocked, MS-TURN over TCP 443 with pseudo-TLS",
		"nat-a drops all UDP from alice's LAN. Her MS-TURN Allocate to UDP 3478 goes unanswered; over TCP 443 she sends the pseudo-TLS ClientHello, gets the ServerHello, and allocates in 0x02-framed MS-TURN. After ICE she sets bob's address as the active destination and media flows in 0x03 end-to-end data frames. SIP runs over TCP.",
		eim, eim)
	s.NATs[0].BlockUDP = true
	s.SIPTransport = "tcp"
	s.Caller.MSTURN = []ua.MSServer{msUDP, msTCP}
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay"}, CallerRemote: anyDirect,
		Relayed: true, RelayTransport: "tcp", Findings: []string{"turn-udp-blocked", "media-over-tcp"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "no-response", LANOnly: true},
			{Side: "caller", Transport: "tcp", Port: 443, Outcome: "success"}}}
	return s
}

func msTeamsPorts() Scenario {
	s := msTwoSites("ms-teams-ports-blocked", "MS flavour: Teams-style relay ports 3479-3481 blocked, 3478 works",
		"The relay listens on UDP 3478-3481 like a Teams transport relay (MS-REFERENCE.md §5), but the Edge's firewall drops UDP 3479-3481. alice tries the audio port 3479 first, gets no answer, and allocates on 3478; the call is relayed through symmetric NATs.",
		symmetric, symmetric)
	s.Edge.BlockTeamsPorts = true
	s.MS.UDPPorts = []uint16{3478, 3479, 3480, 3481}
	teams := msUDP
	teams.Server = netip.AddrPortFrom(EdgeExternal, 3479)
	s.Caller.MSTURN = []ua.MSServer{teams, msUDP}
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay", "host"}, CallerRemote: []string{"relay", "prflx"},
		Relayed: true, RelayTransport: "udp", Findings: []string{"teams-relay-ports-unreachable"},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3479, Outcome: "no-response"},
			{Side: "caller", Transport: "udp", Port: 3478, Outcome: "success"},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}
