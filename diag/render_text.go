package diag

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// renderText writes the report for a terminal: header, calls with their
// findings, global findings, decode problems.
func renderText(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	c := r.Capture
	fmt.Fprintln(b, "icediag report")
	for _, f := range c.Files {
		fmt.Fprintf(b, "  input   %s (%s, %d frames)", safe(f.Name), f.Format, f.Packets)
		if f.Err != "" {
			fmt.Fprintf(b, " - stopped early: %s", safe(f.Err))
		}
		fmt.Fprintln(b)
	}
	if c.First != "" {
		fmt.Fprintf(b, "  span    %s to %s\n", c.First, c.Last)
	}
	fmt.Fprintf(b, "  packets %d", c.Packets)
	for _, k := range c.Messages {
		fmt.Fprintf(b, ", %s %d", k.Kind, k.Count)
	}
	fmt.Fprintln(b)
	fmt.Fprintf(b, "  calls   %d; findings: %s\n", len(r.Calls), severityCounts(r.Findings))
	if len(r.Relays) > 0 {
		fmt.Fprintf(b, "  relays  %s\n", strings.Join(r.Relays, ", "))
	}
	if len(r.STUNServers) > 0 {
		fmt.Fprintf(b, "  stun    %s\n", strings.Join(r.STUNServers, ", "))
	}

	for _, call := range r.Calls {
		fmt.Fprintln(b)
		fmt.Fprintf(b, "Call %s\n", safe(call.CallID))
		fmt.Fprintf(b, "  %s -> %s\n", safe(call.From), safe(call.To))
		fmt.Fprintf(b, "  started %s, %s", call.Start, callOutcome(call))
		fmt.Fprintln(b)
		if l := call.Locations; l != nil {
			fmt.Fprintf(b, "  ends    caller %s, callee %s%s\n", l.Caller, l.Callee, fedSuffix(l.Federated))
		}
		for _, m := range call.Media {
			fmt.Fprintf(b, "  media   %s%s: %s\n", m.Type, labelSuffix(m.Label), candidateSummary(m.Candidates))
			fmt.Fprintf(b, "          path %s\n", mediaPath(m))
		}
		writeFindingsText(b, r.findingsFor(call.CallID))
	}
	for _, s := range r.Sessions {
		fmt.Fprintln(b)
		fmt.Fprintf(b, "ICE session %s (%s, no SIP in the capture) %s <-> %s\n", s.ID, s.Form, safe(s.Ufrag[0]), safe(s.Ufrag[1]))
		fmt.Fprintf(b, "  ends    %s, %s\n", s.Ends[0], s.Ends[1])
		fmt.Fprintf(b, "  path    %s\n", mediaPath(Media{ICE: &s.ICE}))
		writeFindingsText(b, r.findingsForSession(s.ID))
	}
	if g := r.findingsFor(""); len(g) > 0 {
		fmt.Fprintln(b)
		fmt.Fprintln(b, "Global findings")
		writeFindingsText(b, g)
	}
	if len(r.Transactions) > 0 {
		fmt.Fprintln(b)
		fmt.Fprintln(b, "Other SIP transactions")
		for _, t := range r.Transactions {
			fmt.Fprintf(b, "  %-10s %d, answered %d, unanswered %d\n", safe(t.Method), t.Count, t.Answered, t.Unanswered)
		}
	}
	if len(c.Problems) > 0 {
		fmt.Fprintln(b)
		fmt.Fprintln(b, "Decode problems")
		for _, p := range c.Problems {
			fmt.Fprintf(b, "  %s: %s: %d", p.Layer, p.Reason, p.Count)
			if len(p.Frames) > 0 {
				fmt.Fprintf(b, " (frames %s)", strings.Join(p.Frames, " "))
			}
			fmt.Fprintln(b)
		}
	}
	return b.Flush()
}

func writeFindingsText(b *bufio.Writer, fs []Finding) {
	for _, f := range fs {
		fmt.Fprintf(b, "  [%s] %s: %s\n", strings.ToUpper(string(f.Severity)), f.ID, safe(f.Title))
		fmt.Fprintf(b, "      %s\n", safe(f.Detail))
		if f.Remedy != "" {
			fmt.Fprintf(b, "      Remedy: %s\n", f.Remedy)
		}
		if f.MSEquivalent != "" {
			fmt.Fprintf(b, "      Lync would report: %s\n", f.MSEquivalent)
		}
		if fl := frameList(f.Evidence); fl != "" {
			fmt.Fprintf(b, "      Frames: %s\n", fl)
		}
	}
}

func callOutcome(c CallReport) string {
	switch c.Outcome {
	case "answered":
		s := fmt.Sprintf("answered after %d ms", *c.SetupMS)
		if c.DurationMS != nil {
			s += fmt.Sprintf(", lasted %.1f s", float64(*c.DurationMS)/1000)
		}
		if c.EndMethod != "" {
			s += fmt.Sprintf(", ended by %s with %s", orUnknown(c.EndedBy), c.EndMethod)
		}
		return s
	case "rejected":
		return fmt.Sprintf("rejected with %d %s", c.FinalStatus, safe(c.FinalReason))
	case "cancelled":
		return "cancelled by the caller"
	}
	return "no final answer in the capture"
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func labelSuffix(l string) string {
	if l == "" {
		return ""
	}
	return " (" + safe(l) + ")"
}

func severityCounts(fs []Finding) string {
	n := map[Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	if len(fs) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d error, %d warning, %d info", n[Error], n[Warning], n[Info])
}

func fedSuffix(f bool) string {
	if f {
		return " (federated)"
	}
	return ""
}
