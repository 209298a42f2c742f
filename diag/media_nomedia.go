package diag

import (
	"fmt"
	"time"

	"github.com/icediag/icediag/ice"
)

// mediaStallLimit is how long media may stop before the end of the call
// before no-media-after-ice reports it.
const mediaStallLimit = 5 * time.Second

// noMediaAfterICE reports sessions whose ICE succeeded but which carried
// no media, or whose media stopped well before the BYE (DIAGNOSES.md
// "no-media-after-ice"; Lync's MediaTimeout in MediaChanBlob).
func noMediaAfterICE(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		if s.Outcome != ice.OutcomeSucceeded {
			continue
		}
		flows := flowsOf(in, s)
		if len(flows) == 0 {
			if first := firstSuccess(s); first != nil && in.ICE.End.Sub(first.First) > mediaStallLimit {
				out = append(out, noMediaFinding(in, s))
			}
			continue
		}
		if f, ok := mediaStopped(in, s, flows); ok {
			out = append(out, f)
		}
	}
	return out
}

func noMediaFinding(in *Input, s *ice.Session) Finding {
	f := forSession(s, Error)
	f.Title = fmt.Sprintf("%s: ICE succeeded but no media followed", mediaName(s))
	f.Detail = fmt.Sprintf("A connectivity check succeeded, yet in the %.0f s the capture went on the capture shows no RTP, RTCP or DTLS on any pair of this session. ",
		in.ICE.End.Sub(firstSuccess(s).First).Seconds())
	if p, ok := selectedPair(s); ok {
		f.Detail += fmt.Sprintf("The nominated pair was %s. ", pairText(s, p))
	}
	f.Detail += "Media on a path this capture point does not see would look the same."
	for _, c := range s.Checks {
		if c.Result == ice.ResultSuccess {
			in.addCheck(&f.Evidence, c)
		}
	}
	f.Remedy = "Check that the endpoints agreed on codecs and encryption (SRTP keys, DTLS fingerprints) and that nothing drops media packets larger than the checks on the nominated path."
	f.MSEquivalent = "MediaTimeout in MediaChanBlob"
	return f
}

// mediaStopped reports media that ended long before the call's BYE.
func mediaStopped(in *Input, s *ice.Session, flows []*ice.MediaFlow) (Finding, bool) {
	c := in.callOf(s)
	if c == nil || c.End.IsZero() || c.EndMethod != "BYE" {
		return Finding{}, false
	}
	var last *ice.MediaFlow
	for _, fl := range flows {
		if last == nil || fl.Last.After(last.Last) {
			last = fl
		}
	}
	gap := c.End.Sub(last.Last)
	if gap <= mediaStallLimit {
		return Finding{}, false
	}
	f := forSession(s, Error)
	f.Title = fmt.Sprintf("%s: media stopped %.1f s before the BYE", mediaName(s), gap.Seconds())
	f.Detail = fmt.Sprintf("The last media packet (%s -> %s) was seen %.1f s before the BYE ended the call: the call stayed up without media.",
		last.Src, last.Dst, gap.Seconds())
	f.Evidence.merge(in.mediaEvidence(last))
	for _, m := range c.Messages {
		if m.Request && m.Method == "BYE" {
			f.Evidence.add(in.frame(m))
			break
		}
	}
	f.Remedy = "Look for a NAT or firewall whose UDP timeout expired mid-call, a path change (Wi-Fi roaming, VPN), or an endpoint that stopped sending."
	f.MSEquivalent = "MediaTimeout in MediaChanBlob"
	return f, true
}
