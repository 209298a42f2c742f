package diag

import (
	"fmt"

	"github.com/icediag/icediag/ice"
)

const relayPrivateRemedy = "Set the A/V Edge's public IP address in the topology (Edge pool properties: \"The external IP address of the A/V Edge is translated by NAT\" with the public address) and publish the topology; the Edge must hand out the address remote parties can reach, not its private interface."

// relayAddressPrivate reports allocations that return a private relayed or
// mapped address from a relay reached on a public address, and relay
// candidates with private addresses on calls with a remote or federated
// party (DIAGNOSES.md "relay-address-private", MS-REFERENCE §6 pattern 5).
func relayAddressPrivate(in *Input) []Finding {
	var out []Finding
	for _, a := range in.ICE.Allocations {
		if f, ok := privateAllocation(in, a); ok {
			out = append(out, f)
		}
	}
	for _, s := range in.ICE.Sessions {
		if f, ok := privateRelayCandidates(in, s); ok {
			out = append(out, f)
		}
	}
	return out
}

func privateAllocation(in *Input, a *ice.Allocation) (Finding, bool) {
	if in.Net.IsInternal(a.Server.Addr()) {
		return Finding{}, false
	}
	what, addr := "", a.Relayed
	switch {
	case a.Relayed.IsValid() && in.Net.IsInternal(a.Relayed.Addr()):
		what = "relayed"
	case a.Mapped.IsValid() && in.Net.IsInternal(a.Mapped.Addr()) && !in.Net.IsInternal(a.Client.Addr()):
		what, addr = "mapped", a.Mapped
	default:
		return Finding{}, false
	}
	f := Finding{Severity: Error,
		Title: fmt.Sprintf("Relay %s handed out the private %s address %s", a.Server, what, addr),
		Detail: fmt.Sprintf("The Allocate success to %s (allocation %s, reached on the public address %s) carries the %s address %s, which is in a private range. "+
			"Remote and federated parties cannot send to it, so their checks toward this relay candidate will fail.",
			a.Client, a.ID, a.Server, what, addr),
		Remedy:       relayPrivateRemedy,
		MSEquivalent: "code 23, 24 or 25 when media fails",
	}
	ans := in.allocAnswers(a)
	f.Evidence.merge(&ans)
	return f, true
}

func privateRelayCandidates(in *Input, s *ice.Session) (Finding, bool) {
	c := in.callOf(s)
	ends := in.Net.endsOf(s, c)
	if !ends.Federated && ends.Loc[0] != LocRemote && ends.Loc[1] != LocRemote {
		return Finding{}, false
	}
	var bad []*ice.SideCandidate
	for _, side := range s.Sides {
		for _, cand := range side.Candidates {
			if cand.Offered && cand.Type == "relay" && in.Net.IsInternal(cand.Addr.Addr()) {
				bad = append(bad, cand)
			}
		}
	}
	if len(bad) == 0 {
		return Finding{}, false
	}
	f := forSession(s, Error)
	f.Title = fmt.Sprintf("%s: relay candidate %s is a private address on a call with %s", mediaName(s), bad[0].Addr, ends.describe())
	f.Detail = fmt.Sprintf("The SDP offers %s with private addresses (first %s) although one party is remote or federated. "+
		"A party outside the network cannot reach them; the Edge advertises its internal or NATed address instead of its public A/V address.",
		plural(len(bad), "relay candidate"), bad[0].Addr)
	f.Remedy = relayPrivateRemedy
	f.MSEquivalent = fmt.Sprintf("code %d when media fails", ends.Code())
	if c != nil {
		for _, m := range c.Messages {
			if m.HasBody {
				f.Evidence.add(in.frame(m))
				break
			}
		}
	}
	return f, true
}
