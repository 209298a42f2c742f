package diag

import (
	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/sipflow"
)

// Schema names the version of the JSON report (docs/report-schema.md).
const Schema = "icediag.report/v1"

// Report is what `icediag analyze` produces: the inputs, every call with its
// findings, the global findings and the decode problems. It is built once
// and rendered as text, JSON or Markdown; a saved JSON report renders the
// same way again.
type Report struct {
	Schema   string         `json:"schema"`
	Capture  decode.Summary `json:"capture"`
	Calls    []CallReport   `json:"calls"`
	Findings []Finding      `json:"findings"`
	// Relays are the TURN servers that answered Allocate requests (and
	// the user-named edges); STUNServers the servers asked for reflexive
	// addresses ("UDP 192.0.2.1:3478").
	Relays      []string `json:"relays"`
	STUNServers []string `json:"stun_servers"`
	// Sessions are the ICE sessions no captured call names.
	Sessions    []SessionReport    `json:"sessions"`
	Allocations []AllocationReport `json:"allocations"`
	Flows       []FlowReport       `json:"flows"`
	// Transactions summarises SIP traffic that is not part of a call
	// (REGISTER, SUBSCRIBE, OPTIONS, ...).
	Transactions []TransactionSummary `json:"transactions,omitempty"`
	// Timeline is the per-message detail the HTML report draws.
	Timeline Timeline `json:"timeline"`
}

// CallReport is one call of a report.
type CallReport struct {
	CallID      string  `json:"call_id"`
	From        string  `json:"from"`
	To          string  `json:"to"`
	Start       string  `json:"start"`
	SetupMS     *int64  `json:"setup_ms,omitempty"`
	DurationMS  *int64  `json:"duration_ms,omitempty"`
	Outcome     string  `json:"outcome"` // answered, rejected, cancelled, unanswered
	FinalStatus int     `json:"final_status,omitempty"`
	FinalReason string  `json:"final_reason,omitempty"`
	EndedBy     string  `json:"ended_by,omitempty"`
	EndMethod   string  `json:"end_method,omitempty"`
	CallerUA    string  `json:"caller_ua,omitempty"`
	CalleeUA    string  `json:"callee_ua,omitempty"`
	Media       []Media `json:"media"`
	// Locations places caller and callee (from their first ICE session).
	Locations *CallLocations `json:"locations,omitempty"`
}

// Media is one media line of a call's offer/answer.
type Media struct {
	Type       string         `json:"type"`
	Label      string         `json:"label,omitempty"`
	Candidates map[string]int `json:"candidates"` // offered candidates by type, both sides
	// ICE is the media line's ICE session, when the capture has one.
	ICE *ICEReport `json:"ice,omitempty"`
}

// TransactionSummary counts non-call transactions of one method.
type TransactionSummary struct {
	Method     string      `json:"method"`
	Count      int         `json:"count"`
	Answered   int         `json:"answered"`
	Statuses   map[int]int `json:"statuses,omitempty"`
	Unanswered int         `json:"unanswered"`
}

// Build analyses in and assembles the report.
func Build(in *Input) *Report {
	r := &Report{Schema: Schema, Calls: []CallReport{}}
	if in.Stats != nil {
		r.Capture = decode.Summarize(in.Stats)
	}
	for _, c := range in.Calls {
		r.Calls = append(r.Calls, callReport(c))
	}
	r.Findings = Analyze(in)
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	in.addICE(r)
	r.fillEmpty()
	r.Transactions = summarizeTransactions(in.Transactions)
	r.Timeline = in.timeline()
	r.addRetired(in.retired)
	return r
}

func callReport(c *sipflow.Call) CallReport {
	cr := CallReport{
		CallID: c.CallID, From: partyName(c.Caller), To: partyName(c.Callee),
		Start:       c.Start.UTC().Format(decode.TimeLayout),
		FinalStatus: c.FinalStatus, FinalReason: c.FinalReason,
		EndedBy: c.EndedBy, EndMethod: c.EndMethod, CallerUA: c.CallerUA, CalleeUA: c.CalleeUA,
		Media: mediaOf(c),
	}
	switch {
	case !c.Answered.IsZero():
		cr.Outcome = "answered"
		ms := c.SetupTime.Milliseconds()
		cr.SetupMS = &ms
		if !c.End.IsZero() {
			d := c.End.Sub(c.Answered).Milliseconds()
			cr.DurationMS = &d
		}
	case c.EndMethod == "CANCEL" && (c.FinalStatus == 0 || c.FinalStatus == 487):
		cr.Outcome = "cancelled"
	case c.FinalStatus >= 300:
		cr.Outcome = "rejected"
	default:
		cr.Outcome = "unanswered"
	}
	return cr
}

// mediaOf lists the media lines of a call's first offer/answer that has
// SDP, with the candidate types both sides offered.
func mediaOf(c *sipflow.Call) []Media {
	out := []Media{}
	for _, x := range c.Exchanges {
		var descs []*sipflow.SessionDesc
		for _, b := range append(append([]sipflow.SDPBody(nil), x.Offer...), x.Answer...) {
			if sd, err := sipflow.ParseSDPPart(b.Body, b.MSFallback); err == nil {
				descs = append(descs, sd)
			}
		}
		if len(descs) == 0 {
			continue
		}
		for _, sd := range descs {
			if sd.ICEForm == sipflow.ICEFormDraft6 && len(descs) > 1 {
				continue // the MS-ICE v1 fallback part of a Lync offer
			}
			for i, m := range sd.Media {
				if i >= len(out) {
					out = append(out, Media{Type: m.Type, Label: m.Label, Candidates: map[string]int{}})
				}
				for _, raw := range m.Candidates {
					out[i].Candidates[candidateType(raw)]++
				}
			}
		}
		break
	}
	return out
}

func summarizeTransactions(ts []*sipflow.Transaction) []TransactionSummary {
	idx := map[string]int{}
	var out []TransactionSummary
	for _, t := range ts {
		i, ok := idx[t.Method]
		if !ok {
			i = len(out)
			idx[t.Method] = i
			out = append(out, TransactionSummary{Method: t.Method, Statuses: map[int]int{}})
		}
		s := &out[i]
		s.Count++
		if t.Answered() {
			s.Answered++
			s.Statuses[t.FinalStatus]++
		} else {
			s.Unanswered++
		}
	}
	return out
}

// fillEmpty makes empty lists render as [] rather than null in JSON.
func (r *Report) fillEmpty() {
	if r.Relays == nil {
		r.Relays = []string{}
	}
	if r.STUNServers == nil {
		r.STUNServers = []string{}
	}
	if r.Sessions == nil {
		r.Sessions = []SessionReport{}
	}
	if r.Allocations == nil {
		r.Allocations = []AllocationReport{}
	}
	if r.Flows == nil {
		r.Flows = []FlowReport{}
	}
}
