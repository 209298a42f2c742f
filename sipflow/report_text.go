package sipflow

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// timeLayout is how reports print capture times (always UTC).
const timeLayout = "2006-01-02 15:04:05.000000"

// WriteText writes the report as aligned text: a table of calls, a block
// per call with parties, timing, outcome, media and diagnostics, the
// transactions outside calls per method, and the message counts. Every
// string taken from the capture is escaped (see Printable).
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	r.writeHeader(bw)
	r.writeCallTable(bw)
	for i := range r.Calls {
		writeCall(bw, i+1, &r.Calls[i])
	}
	r.writeMethods(bw)
	return bw.Flush()
}

func (r *Report) writeHeader(w io.Writer) {
	fmt.Fprintf(w, "SIP messages: %d, calls: %d, other transactions: %d\n", r.Messages, len(r.Calls), r.otherTransactions())
	if r.ParseErrors == 0 {
		return
	}
	fmt.Fprintf(w, "parse errors: %d\n", r.ParseErrors)
	for _, e := range r.ErrorFrames {
		fmt.Fprintf(w, "  %s: %s\n", frameName(e.File, e.Frame), Printable(e.Err))
	}
}

func (r *Report) otherTransactions() int {
	n := 0
	for _, m := range r.Methods {
		n += m.Transactions
	}
	return n
}

func frameName(file int, frame uint64) string {
	if file == 0 {
		return "frame " + strconv.FormatUint(frame, 10)
	}
	return fmt.Sprintf("frame %d:%d", file+1, frame)
}

func (r *Report) writeCallTable(w io.Writer) {
	if len(r.Calls) == 0 {
		return
	}
	fmt.Fprintln(w, "\nCALLS")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\tCall-ID\tStart (UTC)\tSetup\tFinal\tEnd")
	for i, c := range r.Calls {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", i+1, Printable(c.CallID), c.Start.UTC().Format(timeLayout),
			setupText(&c), finalText(&c), endText(&c))
	}
	tw.Flush()
}

func setupText(c *CallReport) string {
	if c.Partial && c.Answered {
		return "n/a"
	}
	if !c.Answered {
		return "-"
	}
	return formatMS(c.SetupMS)
}

func formatMS(ms float64) string { return strconv.FormatFloat(ms, 'f', 3, 64) + " ms" }

func finalText(c *CallReport) string {
	switch {
	case c.Status == 0 && c.Partial:
		return "(initial INVITE not captured)"
	case c.Status == 0:
		return "(no final response)"
	}
	return Printable(strings.TrimSpace(strconv.Itoa(c.Status) + " " + c.Reason))
}

func endText(c *CallReport) string {
	if c.EndMethod == "" {
		return "-"
	}
	if c.EndedBy == "" {
		return c.EndMethod
	}
	return c.EndMethod + " by " + c.EndedBy
}

func writeCall(w io.Writer, n int, c *CallReport) {
	fmt.Fprintf(w, "\nCall %d  %s\n", n, Printable(c.CallID))
	fmt.Fprintf(w, "  from    %s%s\n", partyText(c.From), uaText(c.CallerUA))
	fmt.Fprintf(w, "  to      %s%s\n", partyText(c.To), uaText(c.CalleeUA))
	fmt.Fprintf(w, "  start   %s UTC, %s\n", c.Start.UTC().Format(timeLayout), countsText(c))
	fmt.Fprintf(w, "  result  %s", finalText(c))
	if c.Answered && !c.Partial {
		fmt.Fprintf(w, ", answered after %s", formatMS(c.SetupMS))
	}
	fmt.Fprintln(w)
	if c.EndMethod != "" {
		fmt.Fprintf(w, "  end     %s", endText(c))
		if c.DurationMS > 0 {
			fmt.Fprintf(w, " after %s of conversation", formatMS(c.DurationMS))
		}
		fmt.Fprintln(w)
	}
	for i := range c.SDP {
		writeSDP(w, &c.SDP[i])
	}
	for i := range c.Diagnostics {
		writeDiagnostic(w, &c.Diagnostics[i])
	}
}

func partyText(p PartyReport) string {
	if p.Display == "" {
		return Printable(p.URI)
	}
	return `"` + Printable(p.Display) + `" <` + Printable(p.URI) + ">"
}

func uaText(ua string) string {
	if ua == "" {
		return ""
	}
	return "  [" + Printable(ua) + "]"
}

func countsText(c *CallReport) string {
	s := plural(c.Messages, "message")
	if c.Retransmissions > 0 {
		s += " (" + plural(c.Retransmissions, "retransmission") + ")"
	}
	if c.Attempts > 1 {
		s += fmt.Sprintf(", %d INVITE attempts", c.Attempts)
	}
	if c.Partial {
		s += ", started before the capture"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func writeSDP(w io.Writer, s *SDPReport) {
	fmt.Fprintf(w, "  %-6s  %s cseq %d, %s", s.Role, Printable(s.Message), s.CSeq, frameName(s.File, s.Frame))
	if s.ReInvite {
		fmt.Fprint(w, ", re-INVITE")
	}
	if s.Alternatives > 0 {
		fmt.Fprintf(w, ", %d SDP alternatives", s.Alternatives)
	}
	fmt.Fprintf(w, ", ICE %s\n", s.ICE)
	if s.Error != "" {
		fmt.Fprintf(w, "          %s\n", s.Error)
	}
	for _, m := range s.Media {
		fmt.Fprintf(w, "          %s %s %s %s%s\n", Printable(m.Type), Printable(m.Addr), Printable(m.Proto),
			Printable(m.Direction), candidatesText(m))
	}
}

// candidateOrder is how candidate types are listed: RFC 8445 §5.1.1 types
// first, others after in name order.
var candidateOrder = map[string]int{"host": 1, "srflx": 2, "prflx": 3, "relay": 4}

func candidatesText(m MediaReport) string {
	if len(m.Candidates) == 0 && !m.RemoteCandidates {
		return ""
	}
	types := make([]string, 0, len(m.Candidates))
	for t := range m.Candidates {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		a, b := candidateOrder[types[i]], candidateOrder[types[j]]
		if a == 0 || b == 0 {
			if a != b {
				return b == 0
			}
			return types[i] < types[j]
		}
		return a < b
	})
	var b strings.Builder
	b.WriteString("  candidates")
	for _, t := range types {
		fmt.Fprintf(&b, " %s=%d", Printable(t), m.Candidates[t])
	}
	if m.RemoteCandidates {
		b.WriteString(" remote-candidates")
	}
	return b.String()
}

func writeDiagnostic(w io.Writer, d *DiagnosticReport) {
	code := strconv.Itoa(d.Code)
	if d.SubCode != 0 {
		code += "." + strconv.Itoa(d.SubCode)
	}
	fmt.Fprintf(w, "  diag    %s %s", Printable(d.Header), code)
	if d.Reason != "" {
		fmt.Fprintf(w, " \"%s\"", Printable(d.Reason))
	}
	if d.Source != "" {
		fmt.Fprintf(w, " source %s", Printable(d.Source))
	}
	if d.Known != "" && d.Known != d.Reason {
		fmt.Fprintf(w, " (%s", d.Known)
		if d.Uncertain {
			fmt.Fprint(w, ", uncertain")
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
	for _, iw := range d.ICEWarn {
		fmt.Fprintf(w, "          ICEWarn %s %s %s\n", Printable(iw.Side), Printable(iw.Media), iw.Value)
		for _, bit := range iw.Bits {
			fmt.Fprintf(w, "            %s\n", bit)
		}
	}
}

func (r *Report) writeMethods(w io.Writer) {
	if len(r.Methods) > 0 {
		fmt.Fprintln(w, "\nOTHER TRANSACTIONS")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  Method\tTransactions\tRequests\tRetransmissions\tOutcomes\tChallenges")
		for _, m := range r.Methods {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%s\t%s\n", Printable(m.Method), m.Transactions, m.Requests,
				m.Retransmissions, outcomesText(m.Outcomes), countsOf(m.Challenges))
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nMESSAGES")
	fmt.Fprintf(w, "  requests   %s\n", countsOf(r.Requests))
	fmt.Fprintf(w, "  responses  %s\n", countsOf(r.Responses))
}

func outcomesText(list []Outcome) string {
	parts := make([]string, 0, len(list))
	for _, o := range list {
		s := "no response"
		if o.Status != 0 {
			s = strings.TrimSpace(strconv.Itoa(o.Status) + " " + o.Reason)
		}
		parts = append(parts, fmt.Sprintf("%s x%d", Printable(s), o.Count))
	}
	return strings.Join(parts, ", ")
}

// countsOf lists a count map in key order ("-" when empty).
func countsOf(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = Printable(k) + "=" + strconv.Itoa(m[k])
	}
	return strings.Join(parts, " ")
}
