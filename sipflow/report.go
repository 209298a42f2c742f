package sipflow

import (
	"sort"
	"strconv"
	"time"
)

// ReportSchema is the version of the JSON form of Report. It changes when a
// field changes meaning or is removed.
const ReportSchema = 1

// Report is the call list of a capture: every INVITE dialog set with its
// parties, timing, outcome, offer/answer media and diagnostics, the
// transactions outside calls summarised per method, and the counts of
// messages per method and status (RFC 3261 §7, §17, §13). It is built
// from a Capture by NewReport and rendered as text by WriteText or as JSON
// by encoding/json.
type Report struct {
	Schema      int            `json:"schema"`
	Messages    int            `json:"sip_messages"`
	Requests    map[string]int `json:"requests"`
	Responses   map[string]int `json:"responses"`
	ParseErrors int            `json:"parse_errors"`
	ErrorFrames []EventError   `json:"error_frames,omitempty"`
	Calls       []CallReport   `json:"calls"`
	Methods     []MethodReport `json:"transactions"`
}

// PartyReport is one side of a call: the From or To URI of the initial
// INVITE and its display name (RFC 3261 §20.20, §20.39).
type PartyReport struct {
	URI     string `json:"uri"`
	Display string `json:"display,omitempty"`
}

// CallReport is one call of a Report. SetupMS is the time from the first
// INVITE to the first 2xx in milliseconds (set when Answered and the
// initial INVITE was captured, not Partial); DurationMS
// runs from the 2xx to the BYE. EndMethod is "BYE", "CANCEL", "error" or ""
// and EndedBy "caller", "callee" or "" (see Call).
type CallReport struct {
	CallID          string             `json:"call_id"`
	From            PartyReport        `json:"from"`
	To              PartyReport        `json:"to"`
	CallerUA        string             `json:"caller_ua,omitempty"`
	CalleeUA        string             `json:"callee_ua,omitempty"`
	Start           time.Time          `json:"start"`
	Answered        bool               `json:"answered"`
	SetupMS         float64            `json:"setup_ms,omitempty"`
	DurationMS      float64            `json:"duration_ms,omitempty"`
	Status          int                `json:"status,omitempty"`
	Reason          string             `json:"reason,omitempty"`
	EndMethod       string             `json:"end_method,omitempty"`
	EndedBy         string             `json:"ended_by,omitempty"`
	Partial         bool               `json:"partial,omitempty"`
	Attempts        int                `json:"attempts"`
	Messages        int                `json:"messages"`
	Retransmissions int                `json:"retransmissions"`
	SDP             []SDPReport        `json:"sdp,omitempty"`
	Diagnostics     []DiagnosticReport `json:"diagnostics,omitempty"`
}

// MethodReport summarises the transactions of one method outside calls
// (REGISTER, SUBSCRIBE, NOTIFY, OPTIONS, SERVICE, MESSAGE, ...): how many
// transactions and request copies, their final outcomes, and the
// authentication schemes challenged with 401/407 (RFC 3261 §22).
type MethodReport struct {
	Method          string         `json:"method"`
	Transactions    int            `json:"transactions"`
	Requests        int            `json:"requests"`
	Retransmissions int            `json:"retransmissions"`
	Outcomes        []Outcome      `json:"outcomes"`
	Challenges      map[string]int `json:"challenges,omitempty"`
}

// Outcome counts transactions that ended with one final status; Status 0
// means no final response was captured.
type Outcome struct {
	Status int    `json:"status"`
	Reason string `json:"reason,omitempty"`
	Count  int    `json:"count"`
}

// ReportOptions tunes NewReport. CandidateType classifies a raw candidate
// attribute value ("host", "srflx", "prflx", "relay", ...); when nil,
// candidates are counted under "candidate" only. It lets the caller bring
// a candidate grammar without this package depending on it.
type ReportOptions struct {
	CandidateType func(raw string) string
}

// NewReport builds the Report of a Capture.
func NewReport(c *Capture, o ReportOptions) *Report {
	r := &Report{Schema: ReportSchema, Messages: c.Messages, Requests: map[string]int{}, Responses: map[string]int{},
		ParseErrors: c.ParseErrors, ErrorFrames: c.ErrorFrames}
	for m, n := range c.Requests {
		r.Requests[m] = n
	}
	for s, n := range c.Responses {
		r.Responses[strconv.Itoa(s)] = n
	}
	for _, call := range c.Calls() {
		r.Calls = append(r.Calls, callReport(call, o))
	}
	r.Methods = methodReports(c.Transactions())
	return r
}

func callReport(c *Call, o ReportOptions) CallReport {
	r := CallReport{
		CallID: c.CallID, From: PartyReport{c.Caller.URI, c.Caller.Display}, To: PartyReport{c.Callee.URI, c.Callee.Display},
		CallerUA: c.CallerUA, CalleeUA: c.CalleeUA, Start: c.Start, Answered: !c.Answered.IsZero(),
		Status: c.FinalStatus, Reason: c.FinalReason, EndMethod: c.EndMethod, EndedBy: c.EndedBy,
		Partial: c.Partial, Attempts: c.Attempts, Messages: len(c.Messages),
	}
	if r.Answered {
		if !c.Partial {
			r.SetupMS = millis(c.SetupTime)
		}
		if c.EndMethod == "BYE" && c.End.After(c.Answered) {
			r.DurationMS = millis(c.End.Sub(c.Answered))
		}
	}
	for _, m := range c.Messages {
		if m.Retransmission {
			r.Retransmissions++
		}
	}
	r.SDP = sdpReports(c, o)
	for _, d := range c.Diagnostics {
		r.Diagnostics = append(r.Diagnostics, diagnosticReport(d))
	}
	return r
}

// millis returns d in milliseconds with microsecond precision.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func methodReports(txs []*Transaction) []MethodReport {
	byMethod := map[string]*MethodReport{}
	outcomes := map[string]map[int]*Outcome{}
	var order []string
	for _, tx := range txs {
		mr := byMethod[tx.Method]
		if mr == nil {
			mr = &MethodReport{Method: tx.Method}
			byMethod[tx.Method], outcomes[tx.Method] = mr, map[int]*Outcome{}
			order = append(order, tx.Method)
		}
		mr.Transactions++
		mr.Requests += tx.Requests
		mr.Retransmissions += tx.Retransmissions
		addOutcome(outcomes[tx.Method], tx)
		for _, s := range tx.Challenges {
			if mr.Challenges == nil {
				mr.Challenges = map[string]int{}
			}
			mr.Challenges[s]++
		}
	}
	sort.Strings(order)
	out := make([]MethodReport, 0, len(order))
	for _, m := range order {
		mr := byMethod[m]
		mr.Outcomes = sortedOutcomes(outcomes[m])
		out = append(out, *mr)
	}
	return out
}

func addOutcome(set map[int]*Outcome, tx *Transaction) {
	o := set[tx.FinalStatus]
	if o == nil {
		o = &Outcome{Status: tx.FinalStatus, Reason: tx.FinalReason}
		set[tx.FinalStatus] = o
	}
	o.Count++
}

func sortedOutcomes(set map[int]*Outcome) []Outcome {
	out := make([]Outcome, 0, len(set))
	for _, o := range set {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Status < out[j].Status })
	return out
}
