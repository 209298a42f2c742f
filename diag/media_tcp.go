package diag

import (
	"fmt"

	"github.com/icediag/icediag/ice"
)

// mediaOverTCP reports sessions whose selected pair runs over TCP
// (TCP-ACT/TCP-PASS candidates, or TURN over TCP 443), and which UDP path
// failed first (DIAGNOSES.md "media-over-tcp", RFC 6544).
func mediaOverTCP(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		p, ok := selectedPair(s)
		if !ok || p.State != ice.PairSucceeded {
			continue
		}
		how := ""
		a := in.pairAllocation(s, p)
		switch {
		case p.Transport == "TCP":
			how = "a TCP candidate pair"
		case a != nil && transportOf(a.Transport) != transportOf("UDP"):
			how = fmt.Sprintf("the relay %s over %s", a.Server, a.Transport)
		default:
			continue
		}
		f := forSession(s, Warning)
		f.Title = fmt.Sprintf("%s media over TCP: %s", mediaName(s), pairText(s, p))
		f.Detail = fmt.Sprintf("The pair that carries the media, %s, uses %s. It works, but TCP adds latency and head-of-line blocking under loss. %s",
			pairText(s, p), how, firstUDPFailure(s))
		for _, c := range checksOf(s, p) {
			in.addCheck(&f.Evidence, c)
			break
		}
		f.Remedy = "Open UDP 3478 to the A/V Edge (and UDP 50000-59999 on its external side) so that media can use UDP; TCP 443 is meant as the last fallback."
		out = append(out, f)
	}
	return out
}

// firstUDPFailure names the earliest UDP pair that failed.
func firstUDPFailure(s *ice.Session) string {
	var first *ice.Pair
	for _, p := range s.Pairs {
		if p.Transport == "UDP" && (failed(p) || p.State == ice.PairUnanswered) && (first == nil || p.First.Before(first.First)) {
			first = p
		}
	}
	if first == nil {
		return "No failed UDP check is visible in the capture; the UDP paths were not tried or not seen here."
	}
	return fmt.Sprintf("The first UDP path to fail was %s (%s).", pairText(s, first), pairFailure(first))
}
