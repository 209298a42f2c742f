package lab

import (
	"net/netip"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/icediag/icediag/pcaps/lab/internal/msturn"
	"github.com/icediag/icediag/pcaps/lab/internal/truth"
)

// checksAt derives what one capture must show from the stacks' reports and the
// place of the vantage point on the path.
func checksAt(sc Scenario, v vantage, caller, callee side) truth.Checks {
	c := truth.Checks{SIP: &truth.SIPCheck{Methods: []string{"INVITE", "ACK", "BYE"}, Statuses: []int{100, 180, 200}}}
	for _, a := range sc.Expect.Allocs {
		s := caller
		if a.Side == "callee" {
			s = callee
		}
		if client, ok := allocClient(v, s, a.LANOnly); ok {
			ac := truth.AllocCheck{Client: client.String(), Transport: a.Transport,
				Server: a.server(v).String(), Outcome: a.Outcome, ErrorCode: a.ErrorCode}
			if a.RelayedIn.IsValid() {
				ac.RelayedIn = a.RelayedIn.String()
			}
			c.Allocations = append(c.Allocations, ac)
		}
	}
	if a := sc.Expect.PseudoTLSAlert; a != 0 {
		if client, ok := allocClient(v, caller, false); ok {
			c.PseudoTLS = []truth.PseudoTLSCheck{{Client: client.String(), Server: AllocExpect{Port: 443}.server(v).String(), Alert: a}}
		}
	}
	if d := sc.Expect.SlowerThan; d > 0 && (v.node == caller.name || v.node == callee.name) {
		c.SlowICE = &truth.SlowICECheck{MinMillis: int(d.Milliseconds())}
	}
	if len(sc.Expect.OfferAttrs) > 0 {
		c.OfferAttrs = sc.Expect.OfferAttrs
	}
	if sc.Expect.ByeHeader != "" {
		c.ByeHeader = &truth.ByeHeaderCheck{Header: sc.Expect.ByeHeader}
	}
	if v.node == caller.name || v.node == callee.name {
		c.Nomination = &truth.NominationCheck{Succeeded: sc.Expect.ICESucceeds}
	}
	if sc.Expect.ICESucceeds {
		c.Media = append(flowsAt(v, caller, callee), flowsAt(v, callee, caller)...)
	}
	if sc.MS != nil {
		c.MSTURN = msTURNAt(c)
	}
	return c
}

// msTURNAt lists the MS-TURN message types tshark's classicstun must show at
// a vantage point: the Allocate exchanges over UDP it sees, and Send requests
// and Data Indications where relayed media over UDP crosses it.
func msTURNAt(c truth.Checks) *truth.MSTURNCheck {
	set := map[uint16]bool{}
	for _, a := range c.Allocations {
		if a.Transport != "udp" {
			continue
		}
		set[msturn.TypeAllocateRequest] = true
		switch a.Outcome {
		case truth.AllocSuccess:
			set[msturn.TypeAllocateResponse] = true
		case truth.AllocError:
			set[msturn.TypeAllocateError] = true
		}
	}
	for _, f := range c.Media {
		if f.Relayed && f.Transport == "udp" && f.MinPackets > 0 {
			set[msturn.TypeSendRequest], set[msturn.TypeDataIndication] = true, true
		}
	}
	m := &truth.MSTURNCheck{Types: []uint16{}}
	for t := range set {
		m.Types = append(m.Types, t)
	}
	slices.Sort(m.Types)
	return m
}

// server is the address the Allocate requests go to at a vantage point: a
// pool member's own address, or the Edge's address as the vantage sees it.
func (a AllocExpect) server(v vantage) netip.AddrPort {
	switch {
	case a.Server.IsValid():
		return netip.AddrPortFrom(a.Server, a.Port)
	case v.edge.IsValid():
		return netip.AddrPortFrom(v.edge, a.Port)
	}
	return netip.AddrPortFrom(EdgeExternal, a.Port)
}

// allocClient returns the client address a side's Allocate requests carry at a
// vantage point, or false when the vantage does not see them.
func allocClient(v vantage, s side, lanOnly bool) (netip.Addr, bool) {
	switch {
	case v.node == s.name:
		return s.host, true
	case lanOnly:
		return netip.Addr{}, false
	case v.node == s.nat.Name || v.edge.IsValid():
		return s.nat.Public, true
	}
	return netip.Addr{}, false
}

// flowsAt returns the RTP flows of side s's leg that vantage v sees, both ways.
func flowsAt(v vantage, s, o side) []truth.FlowCheck {
	var out []truth.FlowCheck
	add := func(transport string, src, dst netip.AddrPort, relayed bool) {
		out = append(out, flow(s, o, transport, src, dst, relayed), flow(o, s, transport, dst, src, relayed))
	}
	sel := s.res.Selected
	edge := v.edge
	if !edge.IsValid() {
		edge = EdgeExternal // the clients reach the Edge on its public address
	}
	switch {
	case v.node == s.name && s.relayed():
		proto, srv := s.turnServer(edge)
		add(proto, portless(s.host), srv, true)
	case v.node == s.name:
		add("udp", base(sel.Local), addrPort(sel.Remote), false)
	case v.node == s.nat.Name && s.relayed():
		proto, srv := s.turnServer(edge)
		add(proto, portless(s.nat.Public), srv, true)
	case v.node == s.nat.Name && o.nat.Name != s.nat.Name:
		add("udp", addrPort(o.res.Selected.Remote), addrPort(sel.Remote), false)
	case v.edge.IsValid() && s.relayed():
		proto, srv := s.turnServer(edge)
		add(proto, portless(s.nat.Public), srv, true)
		if !o.relayed() {
			add("udp", addrPort(sel.Local), addrPort(sel.Remote), false)
		}
	}
	return out
}

// flow is RTP from one side to the other on a 5-tuple: at least 90 % of what
// the sender sent, or none at all from a side that does not send.
func flow(from, to side, transport string, src, dst netip.AddrPort, relayed bool) truth.FlowCheck {
	f := truth.FlowCheck{Direction: direction(from, to), Transport: transport, Src: src.String(), Dst: dst.String(),
		Relayed: relayed, MinPackets: from.res.RTPSent * 9 / 10, MaxPackets: -1}
	if !from.agent.SendRTP {
		f.MinPackets, f.MaxPackets = 0, 0
	}
	return f
}

// toolVersions records the stacks that made the captures.
func toolVersions() map[string]string {
	v := map[string]string{"go": runtime.Version()}
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "coturn").Output(); err == nil {
		v["coturn"] = string(out)
	}
	if out, err := exec.Command("tcpdump", "--version").CombinedOutput(); err == nil {
		v["tcpdump"] = firstLine(out)
	}
	if out, err := exec.Command("tshark", "--version").Output(); err == nil {
		v["tshark"] = firstLine(out)
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		v["kernel"] = firstLine(out)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if strings.HasPrefix(d.Path, "github.com/pion/") {
				v[strings.TrimPrefix(d.Path, "github.com/")] = d.Version
			}
		}
	}
	return v
}

func firstLine(b []byte) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return line
}
