package diag

import (
	"fmt"
	"net/netip"

	"github.com/icediag/icediag/ice"
)

// highPortsBlocked reports checks toward the relay port range 50000-59999
// of an A/V Edge that went unanswered, and TCP connection attempts from an
// Edge toward that range that got no SYN-ACK (DIAGNOSES.md
// "high-ports-blocked", MS-REFERENCE §6 patterns 1-2): a warning while a
// path through TCP 443 or UDP 3478 of the relay still worked, an error when
// nothing did.
func highPortsBlocked(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		if f, ok := highPortsSession(in, s); ok {
			out = append(out, f)
		}
	}
	return append(out, highPortsSYNs(in)...)
}

// isHighRelayPort reports whether addr is a port of the Edge relay range
// on an address the capture or the user places on an edge.
func (in *Input) isHighRelayPort(a netip.AddrPort, c *ice.SideCandidate) bool {
	p := a.Port()
	if p < edgeLowPort || p > edgeHighPort {
		return false
	}
	return (c != nil && c.Type == "relay") || in.Net.IsEdge(a.Addr())
}

func highPortsSession(in *Input, s *ice.Session) (Finding, bool) {
	var dead []*ice.Pair
	for _, p := range s.Pairs {
		_, r := pairEnds(s, p)
		if noAnswer(p) && in.isHighRelayPort(p.Remote, r) && !in.senderUDPBlocked(s, p) && !in.privateRelayed(p.Remote) {
			dead = append(dead, p)
		}
	}
	if len(dead) == 0 {
		return Finding{}, false
	}
	fallback := in.lowPortFallback(s)
	sev := Warning
	if s.Outcome != ice.OutcomeSucceeded {
		sev = Error
	}
	f := forSession(s, sev)
	var remotes []netip.AddrPort
	for _, p := range dead {
		remotes = append(remotes, p.Remote)
		for _, c := range checksOf(s, p) {
			in.addCheck(&f.Evidence, c)
		}
	}
	f.Title = fmt.Sprintf("%s: checks to Edge relay ports %s got no answer", mediaName(s), addrList(remotes))
	f.Detail = fmt.Sprintf("%s toward the A/V Edge relay range 50000-59999 were sent and never answered. ",
		plural(len(dead), "candidate pair")) + fallback +
		" The capture shows the requests leaving; it cannot show whether a firewall or the far Edge dropped them."
	f.Remedy = "Open UDP and TCP 50000-59999 on the external firewall between the A/V Edge's public address and the Internet, in both directions (the Edge must reach other Edges and remote relays on these ports). Closed high ports force media through TCP 443 / UDP 3478 tunnels: more latency and more load on the Edge."
	f.MSEquivalent = "ICEWarn 0x80 (UDP TURN connectivity failed), 0x200 (TCP TURN connectivity failed), 0x4000000 (TCP-TCP connectivity checks over TURN failed)"
	return f, true
}

// senderUDPBlocked reports whether a pair was sent directly (not through a
// relay) over UDP by a client whose UDP allocations got no answer at all:
// then the client's own UDP is blocked (turn-udp-blocked), and its
// unanswered checks say nothing about the Edge's high ports.
func (in *Input) senderUDPBlocked(s *ice.Session, p *ice.Pair) bool {
	if p.Via != "" || in.pairAllocation(s, p) != nil {
		return false
	}
	blocked := false
	for _, a := range in.ICE.Allocations {
		if a.Client.Addr() != p.Local.Addr() || a.Transport != "UDP" {
			continue
		}
		if a.State != "pending" {
			return false // some UDP allocation was answered
		}
		blocked = true
	}
	return blocked
}

// lowPortFallback says whether a path through the relay's TCP 443 or UDP
// 3478 worked in the session.
func (in *Input) lowPortFallback(s *ice.Session) string {
	for _, p := range s.Pairs {
		if p.State != ice.PairSucceeded {
			continue
		}
		if a := in.pairAllocation(s, p); a != nil && (a.Server.Port() == 443 || a.Server.Port() == 3478) {
			return fmt.Sprintf("The pair %s through the relay's %s %d succeeded instead.", pairText(s, p),
				a.Transport, a.Server.Port())
		}
	}
	if s.Outcome == ice.OutcomeSucceeded {
		return "Another pair succeeded."
	}
	return "No other path succeeded either, so the media line failed."
}

// highPortsSYNs reports TCP connection attempts from an Edge toward ports
// 50000-59999 without a SYN-ACK.
func highPortsSYNs(in *Input) []Finding {
	flows, ev := in.Wire.unansweredSYNs()
	var out []Finding
	for _, fl := range flows {
		p := fl.Dst.Port()
		if p < edgeLowPort || p > edgeHighPort || !in.Net.IsEdge(fl.Src.Addr()) {
			continue
		}
		f := Finding{Severity: Warning,
			Title: fmt.Sprintf("Edge %s: TCP connection to %s not answered", fl.Src.Addr(), fl.Dst),
			Detail: fmt.Sprintf("The A/V Edge %s sent %s to %s (relay port range 50000-59999) and no SYN-ACK came back. "+
				"Edge-to-Edge media over TCP then has to fall back to 443.", fl.Src, plural(ev[fl].Count, "SYN"), fl.Dst),
			Remedy:       "Allow outbound TCP 50000-59999 from the A/V Edge's external interface to any address; desktop sharing and Edge-to-Edge media need it.",
			MSEquivalent: "ICEWarn 0x4000000 (TCP-TCP connectivity checks over TURN failed), 0x200, 0x100",
		}
		f.Evidence.merge(ev[fl])
		out = append(out, f)
	}
	return out
}

// privateRelayed reports whether addr is the private relayed address of
// an allocation on a relay reached on a public address: checks to it fail
// because it cannot be routed, which relay-address-private explains, not
// because a firewall drops the Edge's ports.
func (in *Input) privateRelayed(addr netip.AddrPort) bool {
	if !in.Net.IsInternal(addr.Addr()) {
		return false
	}
	for _, a := range in.ICE.Allocations {
		if a.Relayed.Addr() == addr.Addr() && !in.Net.IsInternal(a.Server.Addr()) {
			return true
		}
	}
	return false
}
