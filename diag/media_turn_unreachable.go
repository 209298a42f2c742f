package diag

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/icediag/icediag/ice"
)

// turnUnreachable reports a client whose Allocate requests got no response
// on any transport or port it tried (DIAGNOSES.md "turn-unreachable",
// MS-REFERENCE §6 pattern 1 with 443 blocked too).
func turnUnreachable(in *Input) []Finding {
	byClient := map[netip.Addr][]*ice.Allocation{}
	for _, a := range in.ICE.Allocations {
		if a.Attempts > 0 {
			byClient[a.Client.Addr()] = append(byClient[a.Client.Addr()], a)
		}
	}
	clients := make([]netip.Addr, 0, len(byClient))
	for c, as := range byClient {
		if noneAnswered(as) {
			clients = append(clients, c)
		}
	}
	sort.Slice(clients, func(i, j int) bool { return clients[i].Less(clients[j]) })
	var out []Finding
	for _, c := range clients {
		out = append(out, turnUnreachableFinding(in, c, byClient[c]))
	}
	return out
}

func noneAnswered(as []*ice.Allocation) bool {
	timedOut := false
	for _, a := range as {
		if answered(a) || a.State == "unseen" {
			return false
		}
		timedOut = timedOut || a.Unanswered > 0
	}
	return timedOut
}

func turnUnreachableFinding(in *Input, client netip.Addr, as []*ice.Allocation) Finding {
	var tried []string
	f := Finding{Severity: Error}
	for _, a := range as {
		tried = append(tried, fmt.Sprintf("%s %s", a.Transport, a.Server))
		f.Evidence.merge(in.allocRequests(a))
	}
	f.Title = fmt.Sprintf("TURN server unreachable from %s: no answer on %s", client, joinList(tried))
	f.Detail = fmt.Sprintf("Every Allocate request from %s went unanswered (%s). Without an allocation the client offers no relay candidate, so calls to anyone outside its network depend on direct or NAT paths. %s",
		client, joinList(tried), in.relayCandidateNote(client))
	f.Remedy = "Make the A/V Edge reachable from this client: UDP 3478 and TCP 443 to the Edge's A/V address (internal interface for internal clients, public address for remote ones), and check that the client is given the right MRAS/relay name in its provisioning."
	f.MSEquivalent = "ICEWarn 0x1 (TURN server unreachable), 0x2 / 0x8 (UDP / TCP allocation failed)"
	return f
}

// relayCandidateNote says whether the calls' SDP of a client lacks relay
// candidates, as the capture shows it.
func (in *Input) relayCandidateNote(client netip.Addr) string {
	for _, s := range in.ICE.Sessions {
		for _, side := range s.Sides {
			if !side.SDP || endAddr(side) != client {
				continue
			}
			for _, c := range side.Candidates {
				if c.Offered && c.Type == "relay" {
					return "Its SDP still offered relay candidates (allocated earlier, outside this capture)."
				}
			}
			return "Its SDP offered no relay candidate."
		}
	}
	return "The capture shows no SDP of this client."
}

func joinList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	s := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		s += ", " + x
	}
	return s + " and " + xs[len(xs)-1]
}
