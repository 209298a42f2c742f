package diag

import (
	"fmt"
	"time"
)

// timerB is RFC 3261's 64*T1: how long a UDP client retransmits a request
// before giving up.
const timerB = 32 * time.Second

// sipTransactionTimeout reports requests that were retransmitted and never
// answered, and 408 responses (DIAGNOSES.md "sip-transaction-timeout").
func sipTransactionTimeout(in *Input) []Finding {
	var out []Finding
	end := captureEnd(in)
	for _, t := range allTransactions(in) {
		if t.Method == "ACK" || len(t.Messages) == 0 {
			continue
		}
		first := t.Messages[0]
		switch {
		case t.FinalStatus == 408 && t.Method == "INVITE":
			continue // the call failed: sip-call-failed says so
		case t.FinalStatus == 408:
		case !t.Answered() && t.Retransmissions > 0 && len(t.Provisional) == 0:
		default:
			continue
		}
		f := Finding{Severity: Error, CallID: t.CallID}
		for _, m := range t.Messages {
			if m.Request {
				f.Evidence.add(in.frame(m))
			}
		}
		if t.FinalStatus == 408 {
			f.Title = fmt.Sprintf("%s to %s timed out (408 Request Timeout)", t.Method, t.ToURI)
			f.Detail = fmt.Sprintf("A server answered the %s from %s with 408: the next hop it forwarded the request to did not answer.", t.Method, first.Meta.Src)
			f.Remedy = "Check the route from the server that sent the 408 to the next hop (DNS, firewall, the next server being up)."
		} else {
			waited := end.Sub(t.Start)
			f.Title = fmt.Sprintf("%s from %s to %s never answered (%d retransmissions)", t.Method, first.Meta.Src, first.Meta.Dst, t.Retransmissions)
			f.Detail = fmt.Sprintf("The %s to %s was sent %d times over %s and no response reached the capture point.",
				t.Method, t.ToURI, t.Requests, waited.Round(time.Millisecond))
			if waited < timerB && first.Meta.Transport == "UDP" {
				f.Detail += " The capture ended before the client would have given up (32 s), so later responses cannot be ruled out."
			}
			f.Remedy = fmt.Sprintf("Check that %s is reachable from %s on %s %d: firewall rules, the server's listening port, and DNS records that point to it.",
				first.Meta.Dst.Addr(), first.Meta.Src.Addr(), first.Meta.Transport, first.Meta.Dst.Port())
		}
		out = append(out, f)
	}
	return out
}

func captureEnd(in *Input) time.Time {
	if in.Stats != nil {
		return in.Stats.Last
	}
	return time.Time{}
}
