package sipflow

import (
	"slices"
	"strings"
	"time"
)

// ChallengeGrace is how much longer than other ended calls Finished waits
// for a call whose INVITE was last answered with 401 or 407: a client may
// send the INVITE again with credentials on the same Call-ID (RFC 3261
// §22.2), after a user typed a password.
const ChallengeGrace = 2 * time.Minute

// Finished returns, oldest first, the calls
// that have ended (BYE, CANCEL or a final error response: nothing more is
// expected of them) and whose last message was seen before t (a
// challenged call: ChallengeGrace before t), and the calls whose last
// message was seen before idle whether they ended or not (a zero idle
// time: none).
func (t *Tracker) Finished(before, idle time.Time) []*Call {
	var out []*Call
	for _, c := range t.callOrder {
		limit := before
		if c.FinalStatus == 401 || c.FinalStatus == 407 {
			limit = before.Add(-ChallengeGrace)
		}
		last := c.lastSeen()
		if (c.finished() && last.Before(limit)) || (!idle.IsZero() && last.Before(idle)) {
			out = append(out, c)
		}
	}
	return out
}

// NumFinished returns how many of the tracked calls have ended.
func (t *Tracker) NumFinished() int {
	n := 0
	for _, c := range t.callOrder {
		if c.finished() {
			n++
		}
	}
	return n
}

// AttachQoE gives a call the QoE reports that name it, as Calls does.
func (t *Tracker) AttachQoE(c *Call) { t.attachQoE(c) }

// Remove drops a call and its transactions from the Tracker: an analysis
// that has reported the call no longer needs them. Messages that arrive
// for its Call-ID later start a new call.
func (t *Tracker) Remove(c *Call) {
	if t.calls[c.CallID] != c {
		return
	}
	delete(t.calls, c.CallID)
	for _, tx := range c.Transactions {
		delete(t.transactions, tx.ID)
	}
	t.callOrder = slices.DeleteFunc(t.callOrder, func(x *Call) bool { return x == c })
	t.qoe = slices.DeleteFunc(t.qoe, func(q *QoEReport) bool { return strings.EqualFold(q.CallID, c.CallID) })
}

// Ended reports whether the call has ended: BYE, CANCEL or a final error
// response.
func (c *Call) Ended() bool { return c.finished() }

// LastSeen is the time of the call's last message.
func (c *Call) LastSeen() time.Time { return c.lastSeen() }

func (c *Call) lastSeen() time.Time {
	last := c.Start
	if n := len(c.Messages); n > 0 && c.Messages[n-1].Meta.Time.After(last) {
		last = c.Messages[n-1].Meta.Time
	}
	if c.End.After(last) {
		last = c.End
	}
	return last
}
