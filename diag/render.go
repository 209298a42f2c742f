package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Formats a report renders to.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "md"
)

// Render writes r in the given format.
func Render(w io.Writer, r *Report, format string) error {
	switch format {
	case FormatText:
		return renderText(w, r)
	case FormatJSON:
		return renderJSON(w, r)
	case FormatMarkdown:
		return renderMarkdown(w, r)
	case FormatHTML:
		return RenderHTML(w, r)
	}
	return fmt.Errorf("unknown format %q (want text, json or md)", format)
}

// ReadJSON reads a saved JSON report back.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("not an icediag JSON report: %w", err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("report schema %q, this icediag reads %q", r.Schema, Schema)
	}
	return &r, nil
}

// Worst returns the highest severity among the findings (empty if none).
func (r *Report) Worst() Severity {
	var worst Severity
	for _, f := range r.Findings {
		if f.Severity.Rank() > worst.Rank() {
			worst = f.Severity
		}
	}
	return worst
}

// findingsFor returns the findings of one call ("" = global ones: those of
// no call and no session, and those of SIP transactions that are not calls,
// such as a REGISTER refused with ms-diagnostics).
func (r *Report) findingsFor(callID string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if callID != "" && f.CallID == callID {
			out = append(out, f)
		}
		if callID == "" && f.Session == "" && !r.isCall(f.CallID) {
			out = append(out, f)
		}
	}
	return out
}

// isCall reports whether id is the Call-ID of a call of the report.
func (r *Report) isCall(id string) bool {
	if id == "" {
		return false
	}
	for _, c := range r.Calls {
		if c.CallID == id {
			return true
		}
	}
	return false
}

// findingsForSession returns the findings of one SIP-less session.
func (r *Report) findingsForSession(id string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.CallID == "" && f.Session == id {
			out = append(out, f)
		}
	}
	return out
}

// mediaPath is the path summary of a media line, or why there is none.
func mediaPath(m Media) string {
	switch {
	case m.ICE == nil:
		return "no ICE session in the capture"
	case m.ICE.Path != "":
		return m.ICE.Path + " (ICE " + m.ICE.Outcome + ")"
	}
	switch m.ICE.Outcome {
	case "succeeded":
		return "ICE succeeded; no media on any checked pair at this capture point"
	case "no-checks":
		return "no connectivity checks seen at this capture point"
	}
	return "ICE " + m.ICE.Outcome + ", no selected pair"
}

// safe makes text from a capture harmless for a terminal or a Markdown
// table: control characters are escaped.
func safe(s string) string {
	ok := true
	for _, c := range s {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func candidateSummary(m map[string]int) string {
	if len(m) == 0 {
		return "no candidates"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

func frameList(e Evidence) string {
	if len(e.Frames) == 0 {
		return ""
	}
	parts := make([]string, len(e.Frames))
	for i, f := range e.Frames {
		parts[i] = f.String()
	}
	s := strings.Join(parts, " ")
	if e.Count > len(e.Frames) {
		s += fmt.Sprintf(" (%d in all)", e.Count)
	}
	return s
}
