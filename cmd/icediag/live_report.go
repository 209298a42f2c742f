package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/live"
	"github.com/icediag/icediag/diag"
)

// liveSummary is the periodic summary line: what was captured and decoded
// so far. Times are capture times.
type liveSummary struct {
	Type     string             `json:"type"` // "summary"
	Last     string             `json:"last,omitempty"`
	Packets  uint64             `json:"packets"`
	Dropped  uint64             `json:"kernel_dropped"`
	Messages []decode.KindCount `json:"messages"`
	Calls    int                `json:"calls"`
	Problems uint64             `json:"decode_problems"`
	Writing  string             `json:"writing,omitempty"`
}

// summary prints one summary line: to stderr as text, or to stdout as a
// JSON object with --format jsonl.
func (s *liveSession) summary(format string, stdout, stderr io.Writer) {
	st := s.dec.Stats()
	sum := decode.Summarize(st)
	ls := liveSummary{Type: "summary", Last: sum.Last, Packets: st.Packets, Messages: sum.Messages,
		Calls: len(s.sess.Calls())}
	for _, k := range s.merger.Stats() {
		ls.Dropped += k.Dropped
	}
	for _, p := range sum.Problems {
		ls.Problems += p.Count
	}
	if s.out != nil && s.werr == nil {
		ls.Writing = s.out.name(s.out.index)
	}
	if format == formatJSONL {
		json.NewEncoder(stdout).Encode(ls)
		return
	}
	fmt.Fprintf(stderr, "icediag live: %s packets %d, kernel dropped %d", orDash(ls.Last), ls.Packets, ls.Dropped)
	for _, m := range ls.Messages {
		fmt.Fprintf(stderr, ", %s %d", m.Kind, m.Count)
	}
	fmt.Fprintf(stderr, ", calls %d, decode problems %d", ls.Calls, ls.Problems)
	if ls.Writing != "" {
		fmt.Fprintf(stderr, ", writing %s", ls.Writing)
	}
	fmt.Fprintln(stderr)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	if t, err := time.Parse(decode.TimeLayout, s); err == nil {
		return t.Format("15:04:05.000")
	}
	return s
}

// jsonlInterface is the kernel counters of one interface in jsonl output.
type jsonlInterface struct {
	Type      string `json:"type"` // "interface"
	Name      string `json:"name"`
	Received  uint64 `json:"received"`
	Dropped   uint64 `json:"kernel_dropped"`
	IfDropped uint64 `json:"interface_dropped"`
}

// writeJSONL writes the final report as one JSON object per line, each
// with a "type": "capture" (the report's capture summary and schema),
// "call", "finding", "session" (ICE sessions no call names), "allocation",
// "transactions" and "interface", for log shippers.
//
// Calls and findings in streamed (by Call-ID and findingKey) were printed
// when their call ended: they are left out.
func writeJSONL(w io.Writer, r *diag.Report, sources []live.Source, st []live.Stats, streamed map[string]bool) error {
	enc := json.NewEncoder(w)
	lines := []any{struct {
		Type   string `json:"type"`
		Schema string `json:"schema"`
		decode.Summary
	}{"capture", r.Schema, r.Capture}}
	for i := range r.Calls {
		if streamed[r.Calls[i].CallID] {
			continue
		}
		lines = append(lines, struct {
			Type string `json:"type"`
			*diag.CallReport
		}{"call", &r.Calls[i]})
	}
	for i := range r.Findings {
		if streamed[findingKey(&r.Findings[i])] {
			continue
		}
		lines = append(lines, struct {
			Type string `json:"type"`
			*diag.Finding
		}{"finding", &r.Findings[i]})
	}
	for i := range r.Sessions {
		lines = append(lines, struct {
			Type string `json:"type"`
			*diag.SessionReport
		}{"session", &r.Sessions[i]})
	}
	for i := range r.Allocations {
		lines = append(lines, struct {
			Type string `json:"type"`
			*diag.AllocationReport
		}{"allocation", &r.Allocations[i]})
	}
	if len(r.Transactions) > 0 {
		lines = append(lines, struct {
			Type         string                    `json:"type"`
			Transactions []diag.TransactionSummary `json:"transactions"`
		}{"transactions", r.Transactions})
	}
	for i, src := range sources {
		if i < len(st) {
			lines = append(lines, jsonlInterface{"interface", src.Info().Name, st[i].Received, st[i].Dropped, st[i].IfDropped})
		}
	}
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}

// findingKey names a finding among the streamed calls and findings.
func findingKey(f *diag.Finding) string {
	return "finding\x00" + f.CallID + "\x00" + f.ID + "\x00" + f.Title
}

// callDone prints a call as soon as the analysis has folded it (ended and
// idle): with --format jsonl its "call" and "finding" objects on standard
// output, else a short paragraph on standard error (the final report
// lists the call again).
func (s *liveSession) callDone(res diag.CallResult) {
	s.streamed[res.Call.CallID] = true
	for i := range res.Findings {
		s.streamed[findingKey(&res.Findings[i])] = true
	}
	if s.format == formatJSONL {
		enc := json.NewEncoder(s.stdout)
		enc.Encode(struct {
			Type string `json:"type"`
			*diag.CallReport
		}{"call", &res.Call})
		for i := range res.Findings {
			enc.Encode(struct {
				Type string `json:"type"`
				*diag.Finding
			}{"finding", &res.Findings[i]})
		}
		return
	}
	c := res.Call
	fmt.Fprintf(s.stderr, "icediag live: call %s from %s to %s: %s", c.CallID, orDash(c.From), orDash(c.To), c.Outcome)
	if c.FinalStatus != 0 {
		fmt.Fprintf(s.stderr, " (%d %s)", c.FinalStatus, c.FinalReason)
	}
	fmt.Fprintf(s.stderr, ", %d finding(s)\n", len(res.Findings))
	for _, f := range res.Findings {
		fmt.Fprintf(s.stderr, "  [%s] %s: %s\n", f.Severity, f.ID, f.Title)
	}
}
