package diag

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/icediag/icediag/ice"
)

// turnAuthFailed reports relays that rejected credentials (401 after
// credentials, 431, 436, 441, or a 438 loop), one finding per relay
// address; when another relay accepted credentials in the same capture, the
// pool members' A/V authentication certificates probably differ
// (DIAGNOSES.md "turn-auth-failed", MS-REFERENCE §6 pattern 8).
func turnAuthFailed(in *Input) []Finding {
	byServer := map[netip.Addr][]*ice.Allocation{}
	for _, a := range in.ICE.Allocations {
		if len(a.AuthFailures) > 0 {
			byServer[a.Server.Addr()] = append(byServer[a.Server.Addr()], a)
		}
	}
	servers := make([]netip.Addr, 0, len(byServer))
	for s := range byServer {
		servers = append(servers, s)
	}
	sort.Slice(servers, func(i, j int) bool { return servers[i].Less(servers[j]) })
	var out []Finding
	for _, s := range servers {
		out = append(out, turnAuthFinding(in, s, byServer[s]))
	}
	return out
}

func turnAuthFinding(in *Input, server netip.Addr, as []*ice.Allocation) Finding {
	f := Finding{Severity: Error, MSEquivalent: "ICEWarn 0x4000 (TURN credentials expired or unknown)"}
	var codes []string
	seen := map[uint16]bool{}
	for _, a := range as {
		for _, e := range a.AuthFailures {
			if !seen[e.Code] {
				seen[e.Code] = true
				codes = append(codes, fmt.Sprintf("%d %s", e.Code, e.Reason))
			}
			f.Evidence.add(turnErrorFrame(e, a))
		}
	}
	f.Title = fmt.Sprintf("TURN server %s rejected the credentials (%s)", server, joinList(codes))
	f.Detail = fmt.Sprintf("%s to %s sent credentials and were rejected with %s. ",
		plural(len(as), "client allocation"), server, joinList(codes))
	if ok := in.acceptingRelay(server); ok != nil {
		f.Detail += fmt.Sprintf("The relay %s accepted credentials in the same capture (allocation %s): when both belong to one Edge pool, the Media Relay Authentication Service of the pool members does not share the same key.", ok.Server.Addr(), ok.ID)
		f.Remedy = "Install the same A/V authentication certificate, with the same private key, on every Edge Server of the pool (export it with the key from one member and import it on the others), then restart the A/V Authentication service."
	} else {
		f.Detail += "Credentials come from the MRAS service of the pool: expired, unknown or issued by another Edge."
		f.Remedy = "Check the client's clock and the MRAS credentials it was given; make sure every Edge of the pool has the identical A/V authentication certificate (same private key) and that the Edge's A/V Authentication service is running."
	}
	return f
}

// acceptingRelay returns an allocation on another relay that succeeded
// after credentials.
func (in *Input) acceptingRelay(rejecting netip.Addr) *ice.Allocation {
	for _, a := range in.ICE.Allocations {
		if a.Server.Addr() != rejecting && (a.State == "allocated" || a.State == "deallocated") {
			return a
		}
	}
	return nil
}
