package lab

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/icediag/icediag/pcaps/lab/internal/topo"
	"github.com/icediag/icediag/pcaps/lab/internal/truth"
	"github.com/icediag/icediag/pcaps/lab/internal/ua"
)

// side is one end of the call with what its agent reported.
type side struct {
	name  string
	agent Agent
	host  netip.Addr
	nat   topo.NAT
	res   *ua.Result
}

func (s side) relayed() bool {
	return s.res.Selected != nil && s.res.Selected.Local.Type == "relay"
}

// turnServer is the relay address the side's client leg goes to, with the
// Edge at edge (its public or, behind its 1:1 NAT, its private address).
func (s side) turnServer(edge netip.Addr) (string, netip.AddrPort) {
	if s.res.Selected.Local.RelayProtocol == "tcp" {
		return "tcp", netip.AddrPortFrom(edge, 443)
	}
	return "udp", netip.AddrPortFrom(edge, 3478)
}

func sides(sc Scenario, r *callResults) (caller, callee side) {
	find := func(a Agent, res *ua.Result) side {
		s := side{name: a.Host, agent: a, res: res}
		for _, h := range sc.Hosts {
			if h.Name == a.Host {
				s.host = h.Addr
			}
		}
		for _, n := range sc.NATs {
			if n.Name == a.NAT {
				s.nat = n
			}
		}
		return s
	}
	return find(sc.Caller, r.caller), find(sc.Callee, r.callee)
}

// checkStacks compares what the user agents report with the scenario's
// expectation, so that a scenario that did not happen as designed is never
// written as ground truth.
func checkStacks(sc Scenario, caller, callee side) error {
	var errs []error
	want := ua.ICEFailed
	if sc.Expect.ICESucceeds {
		want = ua.ICEConnected
	}
	for _, s := range []side{caller, callee} {
		if s.res.ICE != want {
			errs = append(errs, fmt.Errorf("%s: ICE %q, want %q (errors %v)", s.name, s.res.ICE, want, s.res.Errors))
		}
	}
	if !sc.Expect.ICESucceeds || len(errs) > 0 {
		return errors.Join(errs...)
	}
	sel := caller.res.Selected
	if sel == nil || !slices.Contains(sc.Expect.CallerLocal, sel.Local.Type) || !slices.Contains(sc.Expect.CallerRemote, sel.Remote.Type) {
		errs = append(errs, fmt.Errorf("caller selected %+v, want local %v remote %v", sel, sc.Expect.CallerLocal, sc.Expect.CallerRemote))
	}
	if relayed := caller.relayed() || callee.relayed(); relayed != sc.Expect.Relayed {
		errs = append(errs, fmt.Errorf("relayed %v, want %v", relayed, sc.Expect.Relayed))
	}
	errs = append(errs, checkMedia(caller, callee), checkMedia(callee, caller))
	return errors.Join(errs...)
}

func checkMedia(from, to side) error {
	if !from.agent.SendRTP {
		if from.res.RTPSent != 0 || to.res.RTPReceived != 0 {
			return fmt.Errorf("%s should send no RTP: sent %d, %s received %d", from.name, from.res.RTPSent, to.name, to.res.RTPReceived)
		}
		return nil
	}
	if from.res.RTPSent < 50 || to.res.RTPReceived < from.res.RTPSent*9/10 {
		return fmt.Errorf("RTP %s->%s: sent %d, received %d", from.name, to.name, from.res.RTPSent, to.res.RTPReceived)
	}
	return nil
}

// groundTruth turns the scenario and the stacks' reports into scenario.json.
func groundTruth(sc Scenario, r *callResults, opt Options) (*truth.Scenario, error) {
	caller, callee := sides(sc, r)
	if err := checkStacks(sc, caller, callee); err != nil {
		return nil, fmt.Errorf("%s: the stacks did not do what the scenario expects: %w", sc.Name, err)
	}
	t := &truth.Scenario{
		Schema: truth.SchemaVersion, Name: sc.Name, Title: sc.Title, Description: sc.Description,
		Tools: toolVersions(), Roles: roles(sc, caller, callee),
		Call: truth.Call{CallID: r.callID, Caller: "sip:" + caller.name + "@" + Domain, Callee: "sip:" + callee.name + "@" + Domain,
			Proxy: fmt.Sprintf("%s:%d", EdgeExternal, SIPPort), SIPTransport: sc.SIPTransport},
		ICE:              iceTruth(sc, caller, callee),
		Media:            []truth.Media{media(caller, callee), media(callee, caller)},
		ExpectedFindings: append([]string{}, sc.Expect.Findings...),
	}
	if t.ExpectedFindings == nil {
		t.ExpectedFindings = []string{}
	}
	for _, v := range vantages(sc) {
		t.Captures = append(t.Captures, truth.Capture{File: v.file, Vantage: v.desc, Node: v.node, Interface: v.iface,
			Checks: checksAt(sc, v, caller, callee)})
	}
	return t, nil
}

func roles(sc Scenario, caller, callee side) []truth.Role {
	var out []truth.Role
	for _, s := range []side{caller, callee} {
		lo, hi := portRange(s.name)
		out = append(out, truth.Role{Name: s.name, Role: "client", Addresses: []string{s.host.String(), "sip " + s.res.SIPLocal},
			Notes: fmt.Sprintf("%s; behind %s; media ports %d-%d", roleWord(s, caller), s.nat.Name, lo, hi)})
	}
	for _, n := range sc.NATs {
		notes := fmt.Sprintf("mapping %s, filtering address and port dependent, hairpin %v", n.Mapping, n.Hairpin)
		if n.Isolated {
			notes += ", LANs isolated from each other"
		}
		if n.BlockUDP {
			notes += ", all UDP from the LANs to the internet dropped"
		}
		addrs := []string{"wan " + n.Public.String()}
		for _, l := range n.LANs {
			addrs = append(addrs, l.Name+" "+netip.PrefixFrom(l.Gateway(), l.Prefix.Bits()).String())
		}
		out = append(out, truth.Role{Name: n.Name, Role: "nat", Addresses: addrs, Notes: notes})
	}
	e := sc.Edge
	notes := "coturn: UDP 3478, TCP 443 (forwarded to 3478), relay ports UDP 50000-59999; SIP proxy on 5060 UDP/TCP"
	if sc.MS != nil {
		notes = msRelayNotes(sc.MS)
	}
	if e.BlockHighPorts {
		notes += "; firewall drops inbound UDP 50000-59999 on ext"
	}
	if e.BlockTURN {
		notes += "; firewall drops inbound UDP 3478 and TCP 443/3478 on ext"
	}
	addrs := []string{"ext " + e.External.String(), "int " + e.Internal.String()}
	for _, a := range e.Pool {
		addrs = append(addrs, "ext "+a.String())
	}
	if e.Private.IsValid() {
		addrs[0] = "ext " + e.Private.String()
		notes += fmt.Sprintf("; behind its own 1:1 NAT %s (public %s <-> private %s), relay configured without the public address", e.NATName(), e.External, e.Private.Addr())
		out = append(out, truth.Role{Name: e.NATName(), Role: "nat", Addresses: []string{"wan " + e.External.String(), "lan " + netip.PrefixFrom(e.Private.Masked().Addr().Next(), e.Private.Bits()).String()},
			Notes: "static 1:1 NAT of the Edge's external address"})
	}
	out = append(out, truth.Role{Name: e.Name, Role: "edge", Addresses: addrs, Notes: notes},
		truth.Role{Name: "proxy", Role: "sip-proxy", Addresses: []string{fmt.Sprintf("%s:%d", EdgeExternal, SIPPort)}, Notes: "runs on the edge node"},
		truth.Role{Name: topo.InternetNS, Role: "internet", Addresses: []string{topo.InternetClients.String(), topo.InternetServers.String()}})
	return out
}

func roleWord(s, caller side) string {
	if s.name == caller.name {
		return "caller (ICE controlling)"
	}
	return "callee (ICE controlled)"
}

func portRange(name string) (int, int) {
	if name == "bob" {
		return bobPortMin, bobPortMax
	}
	return alicePortMin, alicePortMax
}

func iceTruth(sc Scenario, caller, callee side) truth.ICE {
	t := truth.ICE{Outcome: "failed", CallerOffered: caller.res.Local, CalleeOffered: callee.res.Local, Notes: sc.Expect.Notes}
	if !sc.Expect.ICESucceeds {
		return t
	}
	t.Outcome = "succeeded"
	t.CallerSelected, t.CalleeSelected = pair(caller.res.Selected), pair(callee.res.Selected)
	t.Transport = caller.res.Selected.Local.Protocol
	t.Relayed = caller.relayed() || callee.relayed()
	for _, s := range []side{caller, callee} {
		if s.relayed() && (t.RelayTransport == "" || s.res.Selected.Local.RelayProtocol == "tcp") {
			t.RelayTransport = s.res.Selected.Local.RelayProtocol
		}
	}
	return t
}

func pair(p *ua.Pair) *truth.Pair {
	return &truth.Pair{LocalType: p.Local.Type, Local: fmt.Sprintf("%s:%d", p.Local.Address, p.Local.Port),
		LocalRelayOver: p.Local.RelayProtocol, RemoteType: p.Remote.Type, Remote: fmt.Sprintf("%s:%d", p.Remote.Address, p.Remote.Port)}
}

func media(from, to side) truth.Media {
	return truth.Media{From: from.name, To: to.name, Flows: from.res.RTPSent > 0 && to.res.RTPReceived > 0,
		Sent: from.res.RTPSent, Received: to.res.RTPReceived}
}

func addrPort(c ua.Candidate) netip.AddrPort {
	a, _ := netip.ParseAddr(c.Address)
	return netip.AddrPortFrom(a, uint16(c.Port))
}

// base is the address a non-relayed local candidate sends from (RFC 8445 §5.1.1.1).
func base(c ua.Candidate) netip.AddrPort {
	if c.Type == "srflx" && c.Related != "" {
		if ap, err := netip.ParseAddrPort(c.Related); err == nil {
			return ap
		}
	}
	return addrPort(c)
}

func portless(a netip.Addr) netip.AddrPort { return netip.AddrPortFrom(a, 0) }

func direction(from, to side) string { return from.name + "->" + to.name }
