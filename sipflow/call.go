package sipflow

import (
	"sort"
	"strings"
	"time"
)

// Call is one INVITE dialog set (RFC 3261 §12-13), keyed by Call-ID: who
// called whom, the software on both sides, when it started, was answered
// and ended, how it ended and by whom, every message, the offer/answer
// exchanges in order, the diagnostics headers and the QoE reports naming
// the call.
//
// SetupTime runs from the first INVITE to the first 2xx. FinalStatus is the
// final response to the initial INVITE (a 2xx of any fork wins over
// failures). EndMethod is "BYE", "CANCEL", "error" (a failure response
// ended the attempt) or "" when the capture shows no end; EndedBy is
// "caller", "callee" or "" when unknown. Partial marks calls whose initial
// INVITE was not captured. ToTags lists the early and confirmed dialogs
// (forks) created by the initial INVITE.
type Call struct {
	CallID             string
	Caller, Callee     Party
	CallerUA, CalleeUA string
	Start, Answered    time.Time
	End                time.Time
	SetupTime          time.Duration
	FinalStatus        int
	FinalReason        string
	EndedBy            string
	EndMethod          string
	Partial            bool
	Attempts           int // initial INVITEs sent (more than one after auth challenges)
	ToTags             []string
	Messages           []MsgRef
	Exchanges          []OfferAnswer
	Diagnostics        []Diagnostic
	QoE                []*QoEReport
	Transactions       []*Transaction
	callerTag          string
	initialCSeq        uint32
}

// ProvisionedRange is a media port range provisioned to a client, with the
// message that carried it.
type ProvisionedRange struct {
	Msg   MsgRef
	Range MediaPortRange
}

// Tracker groups SIP messages into calls and non-call transactions. Add
// messages in capture time order; Calls and Transactions may be called at
// any time and return deterministic order.
type Tracker struct {
	calls        map[string]*Call
	transactions map[string]*Transaction // by key, calls' included
	other        []*Transaction          // non-call transactions in first-seen order
	qoe          []*QoEReport
	provisioning []ProvisionedRange
	// Skipped counts messages without a Call-ID or CSeq.
	Skipped int
	// EvictedCalls and EvictedTransactions count state dropped to stay
	// within the Limits.
	EvictedCalls, EvictedTransactions int
	limits                            Limits
	callOrder                         []*Call // calls in creation order
}

// NumCalls returns how many calls the Tracker holds.
func (t *Tracker) NumCalls() int { return len(t.calls) }

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker {
	return &Tracker{calls: map[string]*Call{}, transactions: map[string]*Transaction{}, limits: Limits{}.withDefaults()}
}

// callMethods are the methods of the INVITE usage of a dialog.
var callMethods = map[string]bool{
	"INVITE": true, "ACK": true, "CANCEL": true, "BYE": true, "PRACK": true, "UPDATE": true, "INFO": true,
}

// Add records one message. m must not be modified afterwards; the Tracker
// keeps only copies of what it needs.
func (t *Tracker) Add(m *Message, meta Meta) {
	cseq, method := m.CSeq()
	if m.CallID() == "" || method == "" {
		t.Skipped++
		return
	}
	key := transactionKey(m)
	tx, ok := t.transactions[key]
	if !ok {
		tx = newTransaction(key, m, meta)
		t.transactions[key] = tx
	}
	ref := tx.add(m, meta)
	t.collect(m, ref)
	call := t.callFor(m, method, cseq, meta)
	if call == nil {
		if !ok {
			t.makeRoomForTransaction()
			t.other = append(t.other, tx)
		}
		return
	}
	if !ok {
		call.Transactions = append(call.Transactions, tx)
	}
	call.add(m, ref)
}

// collect keeps QoE reports and provisioned port ranges.
func (t *Tracker) collect(m *Message, ref MsgRef) {
	if ref.Retransmission {
		return
	}
	if q := m.QoE(); q != nil {
		t.qoe = append(t.qoe, q)
	}
	if r, ok := m.Provisioning(); ok {
		t.provisioning = append(t.provisioning, ProvisionedRange{Msg: ref, Range: r})
	}
}

// callFor returns the call of the message, creating it for an initial
// INVITE or for call methods of an unknown Call-ID (capture started
// mid-call); nil for messages outside INVITE dialogs.
func (t *Tracker) callFor(m *Message, method string, cseq uint32, meta Meta) *Call {
	id := m.CallID()
	if c, ok := t.calls[id]; ok {
		return c
	}
	if !callMethods[method] {
		return nil
	}
	c := &Call{CallID: id, Start: meta.Time, Partial: true}
	if method == "INVITE" && m.To().Tag() == "" {
		c.Partial, c.Attempts = false, 1
	}
	c.Caller, c.Callee, c.callerTag = partyOf(m.From()), partyOf(m.To()), m.From().Tag()
	c.initialCSeq = cseq
	t.makeRoomForCall()
	t.calls[id] = c
	t.callOrder = append(t.callOrder, c)
	return c
}

func (c *Call) add(m *Message, ref MsgRef) {
	c.Messages = append(c.Messages, ref)
	if ref.Retransmission {
		return
	}
	c.Diagnostics = append(c.Diagnostics, m.Diagnostics()...)
	c.addSDP(m, ref)
	if m.Request {
		c.addRequest(m, ref)
		return
	}
	c.addResponse(m, ref)
}

func (c *Call) addRequest(m *Message, ref MsgRef) {
	switch ref.Method {
	case "INVITE":
		if m.To().Tag() != "" {
			return
		}
		if c.CallerUA == "" {
			c.CallerUA = m.UserAgent()
		}
		if ref.CSeq != c.initialCSeq {
			c.retryInitial(ref)
		}
	case "CANCEL":
		c.setEnd(ref, "CANCEL", "caller")
	case "BYE":
		c.setEnd(ref, "BYE", c.endedBy(m))
	}
}

func (c *Call) addResponse(m *Message, ref MsgRef) {
	if ref.Method != "INVITE" || ref.CSeq != c.initialCSeq {
		return
	}
	if tag := m.To().Tag(); tag != "" && ref.StatusCode > 100 && !contains(c.ToTags, tag) {
		c.ToTags = append(c.ToTags, tag)
	}
	if ua := m.UserAgent(); ua != "" && c.CalleeUA == "" && ref.StatusCode > 100 {
		c.CalleeUA = ua
	}
	switch {
	case ref.StatusCode < 200:
	case ref.StatusCode < 300:
		if c.Answered.IsZero() {
			c.Answered = ref.Meta.Time
			c.SetupTime = c.Answered.Sub(c.Start)
		}
		c.FinalStatus, c.FinalReason = ref.StatusCode, ref.Reason
	case c.FinalStatus == 0 || c.FinalStatus >= 300:
		c.FinalStatus, c.FinalReason = ref.StatusCode, ref.Reason
		if c.EndMethod == "" || c.EndMethod == "error" {
			c.setEnd(ref, "error", "callee")
		}
	}
}

// retryInitial follows a new initial INVITE of the same call, typically
// after a 401/407 challenge (RFC 3261 §22.2): its outcome replaces the
// earlier attempt's failure.
func (c *Call) retryInitial(ref MsgRef) {
	c.initialCSeq = ref.CSeq
	c.Attempts++
	if c.FinalStatus >= 300 {
		c.FinalStatus, c.FinalReason = 0, ""
	}
	if c.EndMethod == "error" {
		c.End, c.EndMethod, c.EndedBy = time.Time{}, "", ""
	}
}

// setEnd records the first end of the call; a CANCEL followed by 487 keeps
// CANCEL.
func (c *Call) setEnd(ref MsgRef, method, by string) {
	if c.EndMethod != "" && c.EndMethod != "error" {
		return
	}
	if c.EndMethod == "error" && method == "error" {
		return
	}
	c.End, c.EndMethod, c.EndedBy = ref.Meta.Time, method, by
}

// Calls returns the calls ordered by first-seen time, then Call-ID, each
// with the QoE reports whose DialogInfo names its Call-ID.
func (t *Tracker) Calls() []*Call {
	out := make([]*Call, 0, len(t.calls))
	for _, c := range t.calls {
		t.attachQoE(c)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].CallID < out[j].CallID
	})
	return out
}

// attachQoE gives a call the QoE reports that name it.
func (t *Tracker) attachQoE(c *Call) {
	c.QoE = c.QoE[:0]
	for _, q := range t.qoe {
		if strings.EqualFold(q.CallID, c.CallID) {
			c.QoE = append(c.QoE, q)
		}
	}
}

// Transactions returns the transactions outside INVITE dialogs (REGISTER,
// SUBSCRIBE, NOTIFY, SERVICE, OPTIONS, MESSAGE, ...) ordered by first-seen
// time, then ID.
func (t *Tracker) Transactions() []*Transaction {
	out := append([]*Transaction(nil), t.other...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// QoEReports returns every QoE report seen, in capture order.
func (t *Tracker) QoEReports() []*QoEReport { return t.qoe }

// Provisioning returns the media port ranges provisioned to clients, in
// capture order.
func (t *Tracker) Provisioning() []ProvisionedRange { return t.provisioning }
