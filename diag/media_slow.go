package diag

import (
	"fmt"
	"time"

	"github.com/icediag/icediag/ice"
)

// slowICELimit is the time from offer (or first check) to the first
// successful check beyond which slow-ice reports.
const slowICELimit = 3 * time.Second

// slowICE reports sessions where the first successful check came late
// (DIAGNOSES.md "slow-ice"), with where the time went: retransmissions to
// dead candidates and late TURN allocations.
func slowICE(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		first := firstSuccess(s)
		if first == nil {
			continue
		}
		start, from := s.First, "the first check"
		if t, ok := offerTime(in, s); ok {
			start, from = t, "the offer"
		}
		d := first.First.Add(first.RTT).Sub(start)
		if d <= slowICELimit {
			continue
		}
		f := forSession(s, Warning)
		f.Title = fmt.Sprintf("%s: %.1f s from %s to the first successful check", mediaName(s), d.Seconds(), from)
		f.Detail = fmt.Sprintf("The first check to succeed (%s -> %s) was answered %.1f s after %s. %s",
			first.Local, first.Remote, d.Seconds(), from, whereTimeWent(in, s, first, start))
		in.addCheck(&f.Evidence, first)
		f.Remedy = "Remove candidates that can never work (unreachable VPN or virtual interfaces) and make the relay reachable over UDP 3478 so that allocation and the relay path come quickly."
		out = append(out, f)
	}
	return out
}

func firstSuccess(s *ice.Session) *ice.Check {
	var best *ice.Check
	for _, c := range s.Checks {
		if c.Result == ice.ResultSuccess && (best == nil || c.First.Add(c.RTT).Before(best.First.Add(best.RTT))) {
			best = c
		}
	}
	return best
}

// offerTime returns when the call's first SDP offer was sent.
func offerTime(in *Input, s *ice.Session) (time.Time, bool) {
	c := in.callOf(s)
	if c == nil {
		return time.Time{}, false
	}
	for _, x := range c.Exchanges {
		for _, b := range x.Offer {
			return b.Msg.Meta.Time, true
		}
	}
	return time.Time{}, false
}

// whereTimeWent explains a slow session: failed checks before the
// success, and allocations that finished after the start.
func whereTimeWent(in *Input, s *ice.Session, first *ice.Check, start time.Time) string {
	dead, sends := 0, 0
	for _, c := range s.Checks {
		if c.Result != ice.ResultSuccess && c.First.Before(first.First) {
			dead++
			sends += c.Sends
		}
	}
	msg := ""
	if dead > 0 {
		msg = fmt.Sprintf("Before it, %s to candidates that never answered used %s. ", plural(dead, "check"), plural(sends, "transmission"))
	}
	if delay := first.First.Sub(start); delay > slowICELimit {
		msg += fmt.Sprintf("The successful check itself was only sent %.1f s after the start", delay.Seconds())
		if a := in.allocationByRelayed(first.Local); a != nil {
			msg += fmt.Sprintf(", from a relay allocated at %s", a.First.UTC().Format("15:04:05.000"))
		}
		msg += ". "
	}
	if msg == "" {
		msg = "The check itself took long to be answered. "
	}
	return msg
}
