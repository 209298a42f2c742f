package diag

import (
	"fmt"
	"strings"

	"github.com/icediag/icediag/ice"
)

// maxPathsInTitle bounds the paths an ice-failed title names.
const maxPathsInTitle = 3

// iceFailed reports sessions whose checks all failed (DIAGNOSES.md
// "ice-failed", RFC 8445 §7.2.5.2; MS-REFERENCE §6 patterns 9-11). The
// title names the paths tried, why each failed, and where both ends sit,
// which decides the ms-client-diagnostics code 21-25.
func iceFailed(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		if s.Outcome == ice.OutcomeFailed || s.Outcome == ice.OutcomeUnknown && allDead(s) {
			out = append(out, iceFailedFinding(in, s))
		}
	}
	return out
}

func iceFailedFinding(in *Input, s *ice.Session) Finding {
	c := in.callOf(s)
	ends := in.Net.endsOf(s, c)
	code := ends.Code()
	f := forSession(s, Error)
	tried, never := pathsTried(s)
	f.Title = fmt.Sprintf("ICE failed for %s between %s: %s", mediaName(s), ends.describe(), titlePaths(tried, never))
	var d strings.Builder
	fmt.Fprintf(&d, "No connectivity check of this media line got a success response. ")
	if s.Outcome == ice.OutcomeUnknown {
		d.WriteString("The last checks were still being retransmitted when the capture ended. ")
	}
	for _, p := range tried {
		fmt.Fprintf(&d, "%s: %s. ", pairText(s, p), pairFailure(p))
	}
	if len(never) > 0 {
		fmt.Fprintf(&d, "%s the SDP allowed were never tried. ", plural(len(never), "pair"))
	}
	if c != nil && !hasRemoteCandidates(s) && msFlow(s) {
		d.WriteString("No re-INVITE with a=remote-candidates followed. ")
	}
	fmt.Fprintf(&d, "Lync names this case code %d (%s).", code, codeReason(code))
	f.Detail = d.String()
	for _, ch := range s.Checks {
		in.addCheck(&f.Evidence, ch)
	}
	f.Remedy = iceFailedRemedy(ends, code)
	f.MSEquivalent = fmt.Sprintf("ms-client-diagnostics %d (%s)", code, codeReason(code))
	return f
}

// allDead reports whether every tried pair of a session failed, counting
// pairs whose checks were retransmitted unanswered until the capture ended.
func allDead(s *ice.Session) bool {
	tried := 0
	for _, p := range s.Pairs {
		if p.State == ice.PairNeverTried {
			continue
		}
		tried++
		if !failed(p) {
			return false
		}
	}
	return tried > 0
}

// pathsTried splits the pairs into those tried and those never tried.
func pathsTried(s *ice.Session) (tried, never []*ice.Pair) {
	for _, p := range s.Pairs {
		if p.State == ice.PairNeverTried {
			never = append(never, p)
		} else {
			tried = append(tried, p)
		}
	}
	return tried, never
}

func titlePaths(tried, never []*ice.Pair) string {
	var parts []string
	for i, p := range tried {
		if i == maxPathsInTitle {
			parts = append(parts, fmt.Sprintf("%d more", len(tried)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s -> %s %s", p.Transport, p.Local, p.Remote, pairFailure(p)))
	}
	s := strings.Join(parts, "; ")
	if len(never) > 0 {
		s += fmt.Sprintf("; %d never tried", len(never))
	}
	return s
}

// msFlow reports whether a session uses the MS-ICE2 dialect.
func msFlow(s *ice.Session) bool { return s.Form == "MS-ICE2" }

func iceFailedRemedy(e Ends, code int) string {
	switch code {
	case 22, 25:
		return "Both ends are internal: allow UDP between the client subnets (and to the A/V Edge's internal address on UDP 3478 / TCP 443), and turn off NAT or SIP/ALG features on internal firewalls between them."
	case 24:
		return "Both ends are remote: each must reach the A/V Edge's public address on UDP 3478 / TCP 443, and the Edges must reach each other's public A/V addresses (hairpin when they sit behind the same NAT)."
	case 23:
		return "The internal end must reach the A/V Edge's internal address (UDP 3478, TCP 443) and the remote end its public address; check the Edge's external firewall for UDP 3478, TCP 443 and 50000-59999, and that the public A/V address in the topology is correct."
	}
	return "Check which paths each end offered and that both can reach a common A/V Edge (UDP 3478, TCP 443)."
}

// hasRemoteCandidates reports whether a side sent a=remote-candidates
// (MS-REFERENCE §2.5).
func hasRemoteCandidates(s *ice.Session) bool {
	return len(s.Sides[0].RemoteCandidates)+len(s.Sides[1].RemoteCandidates) > 0
}
