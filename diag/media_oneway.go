package diag

import (
	"fmt"
	"strings"

	"github.com/icediag/icediag/ice"
)

// oneWayMedia reports sessions whose ICE succeeded but whose media flows
// in one direction only (DIAGNOSES.md "one-way-media", RFC 3550): every
// flow of the session lacks a flow in the opposite direction.
func oneWayMedia(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		if s.Outcome != ice.OutcomeSucceeded {
			continue
		}
		flows := flowsOf(in, s)
		if len(flows) == 0 || anyReverse(flows) {
			continue
		}
		out = append(out, oneWayFinding(in, s, flows))
	}
	return out
}

// flowsOf returns the media flows the model linked to a session.
func flowsOf(in *Input, s *ice.Session) []*ice.MediaFlow {
	var out []*ice.MediaFlow
	for _, f := range in.ICE.Flows {
		if f.Session == s.ID && f.Packets() > 0 {
			out = append(out, f)
		}
	}
	return out
}

// anyReverse reports whether some flow has a flow in the other direction.
func anyReverse(flows []*ice.MediaFlow) bool {
	for _, f := range flows {
		for _, g := range flows {
			if f.Src == g.Dst && f.Dst == g.Src && f.Server == g.Server {
				return true
			}
		}
	}
	return false
}

func oneWayFinding(in *Input, s *ice.Session, flows []*ice.MediaFlow) Finding {
	f := forSession(s, Error)
	var dirs []string
	for _, fl := range flows {
		dirs = append(dirs, fmt.Sprintf("%s -> %s", fl.Src, fl.Dst))
		f.Evidence.merge(in.mediaEvidence(fl))
	}
	first := flows[0]
	f.Title = fmt.Sprintf("%s: media only from %s to %s", mediaName(s), first.Src, first.Dst)
	f.Detail = fmt.Sprintf("ICE succeeded, but the capture shows media in one direction only (%s); nothing came back on the same path. ", strings.Join(dirs, "; ")) +
		seesBothWays(s)
	f.Remedy = "Look for a firewall or NAT that lets the media out but drops the answer (a UDP timeout shorter than the call, asymmetric routing), or an endpoint that does not send (muted device, codec mismatch)."
	return f
}

// seesBothWays says whether the capture point saw traffic in both
// directions of the session, from its check responses.
func seesBothWays(s *ice.Session) string {
	for _, c := range s.Checks {
		if c.Result == ice.ResultSuccess && c.Via == "" {
			return fmt.Sprintf("The capture did see the check response from %s, so it is placed to see both directions.", c.Remote)
		}
	}
	return "The capture may see only one direction of this path (a mirror port on one side, asymmetric routing): confirm with a capture at the other end."
}
