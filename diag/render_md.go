package diag

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// renderMarkdown writes the report as Markdown that renders on GitHub and in
// Jira's Markdown: headings, pipe tables, no HTML.
func renderMarkdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	c := r.Capture
	fmt.Fprintln(b, "# icediag report")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "| input | format | frames | note |")
	fmt.Fprintln(b, "|---|---|---:|---|")
	for _, f := range c.Files {
		fmt.Fprintf(b, "| %s | %s | %d | %s |\n", md(f.Name), f.Format, f.Packets, md(f.Err))
	}
	fmt.Fprintln(b)
	if c.First != "" {
		fmt.Fprintf(b, "Capture from %s to %s, %d packets. Findings: %s.\n\n", c.First, c.Last, c.Packets, severityCounts(r.Findings))
	}
	if len(r.Calls) > 0 {
		fmt.Fprintln(b, "## Calls")
		fmt.Fprintln(b)
		fmt.Fprintln(b, "| Call-ID | from | to | start | outcome | media |")
		fmt.Fprintln(b, "|---|---|---|---|---|---|")
		for _, call := range r.Calls {
			var media []string
			for _, m := range call.Media {
				media = append(media, m.Type+": "+candidateSummary(m.Candidates)+"; path "+mediaPath(m))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", code(call.CallID), md(call.From), md(call.To),
				call.Start, md(callOutcome(call)), md(strings.Join(media, "; ")))
		}
		fmt.Fprintln(b)
	}
	if len(r.Sessions) > 0 {
		fmt.Fprintln(b, "## ICE sessions without SIP")
		fmt.Fprintln(b)
		fmt.Fprintln(b, "| session | form | ends | path |")
		fmt.Fprintln(b, "|---|---|---|---|")
		for _, s := range r.Sessions {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", s.ID, s.Form, md(s.Ends[0]+", "+s.Ends[1]), md(mediaPath(Media{ICE: &s.ICE})))
		}
		fmt.Fprintln(b)
	}
	if len(r.Relays)+len(r.STUNServers) > 0 {
		fmt.Fprintf(b, "Relays: %s. STUN servers: %s.\n\n", md(orNone(r.Relays)), md(orNone(r.STUNServers)))
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(b, "## Findings")
		for _, f := range r.Findings {
			fmt.Fprintln(b)
			where := "global"
			if f.CallID != "" {
				where = "call " + code(f.CallID)
			} else if f.Session != "" {
				where = "ICE session " + f.Session
			}
			fmt.Fprintf(b, "### %s `%s`: %s\n\n", strings.ToUpper(string(f.Severity)), f.ID, md(f.Title))
			fmt.Fprintf(b, "%s. %s\n\n", where, md(f.Detail))
			if f.Remedy != "" {
				fmt.Fprintf(b, "**Remedy:** %s\n\n", md(f.Remedy))
			}
			if f.MSEquivalent != "" {
				fmt.Fprintf(b, "**Lync would report:** %s\n\n", md(f.MSEquivalent))
			}
			if fl := frameList(f.Evidence); fl != "" {
				fmt.Fprintf(b, "**Frames:** %s\n", md(fl))
			}
		}
		fmt.Fprintln(b)
	}
	if len(c.Problems) > 0 {
		fmt.Fprintln(b, "## Decode problems")
		fmt.Fprintln(b)
		fmt.Fprintln(b, "| layer | reason | count | frames |")
		fmt.Fprintln(b, "|---|---|---:|---|")
		for _, p := range c.Problems {
			fmt.Fprintf(b, "| %s | %s | %d | %s |\n", p.Layer, md(p.Reason), p.Count, strings.Join(p.Frames, " "))
		}
	}
	return b.Flush()
}

// code writes s as an inline code span that survives a table cell.
func code(s string) string {
	return "`" + strings.NewReplacer("`", "'", "|", `\|`).Replace(safe(s)) + "`"
}

// md escapes text for a Markdown table cell or paragraph.
func md(s string) string {
	s = safe(s)
	r := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'", "\n", " ")
	return r.Replace(s)
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
