package diag

import (
	"fmt"
	"net/netip"

	"github.com/icediag/icediag/ice"
)

// hairpinFailure reports checks that a host behind a NAT (or a NATed Edge)
// sent toward a public address of its own NAT or Edge pool and that got no
// answer (DIAGNOSES.md "hairpin-failure", MS-REFERENCE §6 pattern 7).
func hairpinFailure(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		var dead []*ice.Pair
		for _, p := range s.Pairs {
			if noAnswer(p) && in.ownPublic(s, p) {
				dead = append(dead, p)
			}
		}
		if len(dead) > 0 {
			out = append(out, hairpinFinding(in, s, dead))
		}
	}
	return out
}

// ownPublic reports whether a pair's remote address is a public address
// of the sender's own NAT (its srflx or mapped address) or of the relay
// it sends from (another relay address on the same Edge).
func (in *Input) ownPublic(s *ice.Session, p *ice.Pair) bool {
	r := p.Remote.Addr()
	if in.Net.IsInternal(r) {
		return false
	}
	if a := in.pairAllocation(s, p); a != nil {
		return a.Relayed.Addr() == r || a.Server.Addr() == r || poolNeighbour(a, p.Remote)
	}
	for _, c := range s.Sides[p.Side].Candidates {
		if (c.Type == "srflx" || c.Learned == "mapped") && c.Addr.Addr() == r && c.Addr != p.Remote {
			return true
		}
	}
	return false
}

func hairpinFinding(in *Input, s *ice.Session, dead []*ice.Pair) Finding {
	f := forSession(s, hairpinSeverity(in, s))
	var remotes []netip.AddrPort
	for _, p := range dead {
		remotes = append(remotes, p.Remote)
		for _, c := range checksOf(s, p) {
			in.addCheck(&f.Evidence, c)
		}
	}
	f.Title = fmt.Sprintf("%s: no hairpin to %s (public address of the sender's own NAT or Edge)", mediaName(s), addrList(remotes))
	f.Detail = fmt.Sprintf("%s went from behind a NAT or Edge toward a public address of that same NAT or Edge and got no answer: the NAT does not loop packets back (hairpinning). ",
		plural(len(dead), "candidate pair")) + hairpinOutcome(in, s)
	f.Remedy = "Let the NAT in front of the Edges hairpin: every Edge of a pool must reach the public A/V address of every other Edge (and its own) from its public A/V address. Otherwise route the Edges' external interfaces with public addresses instead of NAT."
	f.MSEquivalent = "code 24 (both endpoints remote) or 25 (federated, both internal)"
	return f
}

// hairpinSeverity grades a hairpin failure by what it cost the call: an
// error when no path worked, information only when the call ran directly
// between two internal addresses (the hairpin was never needed), a warning
// when the call had to take another, longer path.
func hairpinSeverity(in *Input, s *ice.Session) Severity {
	if s.Outcome != ice.OutcomeSucceeded {
		return Error
	}
	if directInternal(in, s) {
		return Info
	}
	return Warning
}

// directInternal reports whether the session's media went straight between
// two internal addresses, without NAT or relay.
func directInternal(in *Input, s *ice.Session) bool {
	p, ok := selectedPair(s)
	return ok && p.Via == "" && in.Net.IsInternal(p.Local.Addr()) && in.Net.IsInternal(p.Remote.Addr())
}

// hairpinOutcome says what the missing hairpin meant for this session.
func hairpinOutcome(in *Input, s *ice.Session) string {
	if s.Outcome == ice.OutcomeSucceeded && directInternal(in, s) {
		p, _ := selectedPair(s)
		return fmt.Sprintf("The call used the direct path %s -> %s inside the network, so the missing hairpin did not matter here; it will for endpoints that cannot reach each other directly.", p.Local, p.Remote)
	}
	return outcomeSentence(s)
}

// outcomeSentence says how the session ended.
func outcomeSentence(s *ice.Session) string {
	switch s.Outcome {
	case ice.OutcomeSucceeded:
		return "Another path succeeded, so the call worked over a longer route."
	case ice.OutcomeFailed:
		return "No other path succeeded, so the media line failed."
	}
	return "The capture does not show whether another path succeeded."
}

// poolNeighbour reports whether remote looks like the relay port of
// another Edge of the same pool behind the same NAT: the allocation's
// relay sits behind NAT (reached on another address than it relays from)
// and remote is a relay-range port in the same /24 (IPv4) or /64 (IPv6)
// as the relayed address.
func poolNeighbour(a *ice.Allocation, remote netip.AddrPort) bool {
	if !a.Relayed.IsValid() || a.Server.Addr() == a.Relayed.Addr() {
		return false
	}
	if p := remote.Port(); p < edgeLowPort || p > edgeHighPort {
		return false
	}
	bits := 24
	if remote.Addr().Is6() {
		bits = 64
	}
	pfx, err := a.Relayed.Addr().Prefix(bits)
	return err == nil && pfx.Contains(remote.Addr())
}
