package diag

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/icediag/icediag/decode"
)

// teamsRelayPortsUnreachable reports STUN/TURN requests to UDP 3479, 3480
// or 3481 of a relay that got no answer while 3478 or 443 of the same
// relay answered (DIAGNOSES.md "teams-relay-ports-unreachable",
// MS-REFERENCE §5).
func teamsRelayPortsUnreachable(in *Input) []Finding {
	teams := in.Wire.requestsTo(func(a netip.AddrPort, tr decode.Transport) bool {
		return tr == decode.UDP && a.Port() >= 3479 && a.Port() <= 3481
	})
	base := in.Wire.requestsTo(func(a netip.AddrPort, _ decode.Transport) bool {
		return a.Port() == 3478 || a.Port() == 443
	})
	dsts := make([]netip.AddrPort, 0, len(teams))
	for d, st := range teams {
		if st.responses.Count == 0 {
			dsts = append(dsts, d)
		}
	}
	sort.Slice(dsts, func(i, j int) bool { return dsts[i].Compare(dsts[j]) < 0 })
	var out []Finding
	for _, d := range dsts {
		ok, okStat := answeredPeer(base, d.Addr())
		if !ok.IsValid() {
			continue
		}
		st := teams[d]
		f := Finding{Severity: Warning,
			Title: fmt.Sprintf("Relay %s does not answer on UDP %d; %s answers", d.Addr(), d.Port(), ok),
			Detail: fmt.Sprintf("%s to %s got no response, while requests to %s of the same relay were answered. "+
				"Teams uses 3479 (audio), 3480 (video) and 3481 (sharing) when per-modality ports are enabled; without them media falls back to 3478 and loses per-port QoS.",
				plural(st.requests.Count, "request"), d, ok),
			Remedy:       "Allow outbound UDP 3478-3481 to the Microsoft 365 media ranges (13.107.64.0/18, 52.112.0.0/14, 52.122.0.0/15, 2603:1063::/38) in every firewall on the path; on an on-premises Edge allow the same ports outbound.",
			MSEquivalent: "",
		}
		f.Evidence.merge(&st.requests)
		f.Evidence.merge(&okStat.responses)
		out = append(out, f)
	}
	return out
}

// answeredPeer returns an address of ip among the answered destinations.
func answeredPeer(m map[netip.AddrPort]*reqStat, ip netip.Addr) (netip.AddrPort, *reqStat) {
	var best netip.AddrPort
	for d, st := range m {
		if d.Addr() == ip && st.responses.Count > 0 && (!best.IsValid() || d.Compare(best) < 0) {
			best = d
		}
	}
	if !best.IsValid() {
		return best, nil
	}
	return best, m[best]
}
