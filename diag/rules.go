package diag

import (
	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/sipflow"
)

// Input is everything the rules look at: what the decoder counted and the
// calls and transactions sipflow built.
type Input struct {
	// Files are the input file names (base names). Frames name their file
	// only when there are several.
	Files        []string
	Stats        *decode.Stats
	Calls        []*sipflow.Call
	Transactions []*sipflow.Transaction
}

// frame names the frame a SIP message was seen in.
func (in *Input) frame(m sipflow.MsgRef) Frame {
	name := ""
	if len(in.Files) > 1 && m.Meta.File < len(in.Files) {
		name = in.Files[m.Meta.File]
	}
	return Frame{File: name, Frame: m.Meta.Frame}
}

// rule is one diagnosis: a function from the input to its findings.
type rule struct {
	id  string
	run func(in *Input) []Finding
}

// rules lists every rule in the order they run. Each lives in a file of
// its own concern (sip_*.go for signalling).
var rules = []rule{
	{"sip-call-failed", sipCallFailed},
	{"sip-auth-failed", sipAuthFailed},
	{"sip-transaction-timeout", sipTransactionTimeout},
	{"server-diagnostics", serverDiagnostics},
	{"sdp-rejected", sdpRejected},
}

// Analyze runs every rule and returns the findings in a deterministic order.
func Analyze(in *Input) []Finding {
	var out []Finding
	for _, r := range rules {
		for _, f := range r.run(in) {
			f.ID = r.id
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out
}

// RuleIDs returns the ids of every rule.
func RuleIDs() []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.id
	}
	return ids
}
