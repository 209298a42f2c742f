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
	// Pool are the other members of the Edge pool, each a relay on its own
	// address with its own authentication key.
	Pool []MSPoolMember
	// DropFirst is how many of each client's first Allocate requests the
	// relay ignores (msturn.Server.DropFirst).
	DropFirst int
	// Intercepted puts a TLS server on TCP 443 in front of the relay, as a
	// TLS-inspecting proxy or firewall does (MS-REFERENCE.md §6 pattern 4).
	Intercepted bool
}

// MSPoolMember is another Edge of the pool: its external address and the
// password its relay derives the users' keys from. A password that differs
// from the first member's models pool members whose A/V authentication
// certificates differ (MS-REFERENCE.md §6 pattern 8).
type MSPoolMember struct {
	Addr netip.Addr
	Pass string
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

// startMSRelays runs the MS-TURN relay of each pool member on the Edge, and
// the TLS-inspecting proxy on 443 where the scenario has one.
func startMSRelays(ctx context.Context, n *topo.Net, sc Scenario, opt Options) (procs, error) {
	var ps procs
	members := append([]MSPoolMember{{Addr: sc.Edge.ExternalOnHost(), Pass: TURNPass}}, sc.MS.Pool...)
	for i, m := range members {
		cfg := msturn.Server{Listen: m.Addr, UDPPorts: sc.MS.UDPPorts, Advertise: sc.MS.Advertise,
			PortMin: 50000, PortMax: 59999, Realm: Domain, Users: map[string]string{"alice": m.Pass, "bob": m.Pass},
			DropFirst: sc.MS.DropFirst}
		if sc.MS.TCP443 && i == 0 && !sc.MS.Intercepted {
			cfg.TCPPort = 443
		}
		p, err := startRole(ctx, n, sc, opt, "msturn "+m.Addr.String(), &cfg)
		if err != nil {
			ps.stop()
			return nil, fmt.Errorf("MS-TURN relay %s: %w", m.Addr, err)
		}
		ps = append(ps, p)
	}
	if sc.MS.Intercepted {
		p, err := start(ctx, n, sc.Edge.Name, "tls-inspect", opt.Timeout, opt.Log, opt.Exe, "tlsinspect",
			"-listen", netip.AddrPortFrom(sc.Edge.ExternalOnHost(), 443).String(), "-name", "av."+Domain)
		if err == nil {
			err = p.waitReady(ctx, 5*time.Second)
		}
		if err != nil {
			ps.stop()
			return nil, fmt.Errorf("TLS-inspecting proxy: %w", err)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// startRole runs the lab's msturn role with cfg on the Edge and waits until
// it serves.
func startRole(ctx context.Context, n *topo.Net, sc Scenario, opt Options, name string, cfg *msturn.Server) (*proc, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	p, err := start(ctx, n, sc.Edge.Name, name, opt.Timeout, opt.Log, opt.Exe, "msturn", "-config", string(b))
	if err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx, 5*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

func msRelayNotes(m *MSRelay) string {
	notes := fmt.Sprintf("lab MS-TURN relay: UDP %v", m.UDPPorts)
	switch {
	case m.Intercepted:
		notes += "; TCP 443 held by a TLS server (Go crypto/tls, self-signed certificate for av." + Domain + ") as a TLS-inspecting proxy would"
	case m.TCP443:
		notes += ", TCP 443 with pseudo-TLS and 0x02/0x03 framing"
	}
	notes += ", relay ports UDP 50000-59999"
	if m.DropFirst > 0 {
		notes += fmt.Sprintf("; ignores each client's first %d Allocate requests", m.DropFirst)
	}
	for _, p := range m.Pool {
		notes += fmt.Sprintf("; second pool member %s: the same MS-TURN relay with another authentication key", p.Addr)
	}
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
