package diag

import (
	"bufio"
	_ "embed" // the HTML template and its style sheet
	"fmt"
	"html/template"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/icediag/icediag/decode"
)

// FormatHTML is the self-contained HTML report: one file with inline CSS
// and SVG, no scripts, fonts or styles from elsewhere, that prints to PDF.
const FormatHTML = "html"

//go:embed html/report.html.tmpl
var htmlSource string

//go:embed html/style.css
var htmlStyle string

// htmlTemplate escapes every string contextually (html/template): SIP
// display names, Call-IDs, user agents and reasons come from the capture
// and are attacker controlled.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"sevclass": sevClass,
	"clip":     clip,
	"dict2":    func(anchor string, fs []findingView) findingsBlock { return findingsBlock{anchor, fs} },
}).Parse(htmlSource))

// RenderHTML writes r as one self-contained HTML document: a call list,
// per call and per SIP-less ICE session the summary, findings with
// evidence, a ladder of SIP (RFC 3261 §24), TURN (RFC 8656) and ICE
// (RFC 8445) events, the candidate-pair matrix and the media timeline,
// then the inputs, relays, allocations, flows and decode problems.
func RenderHTML(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(b, buildHTMLView(r)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return b.Flush()
}

// htmlView is what the template reads.
type htmlView struct {
	Style        template.CSS
	Capture      decode.Summary
	Counts       [3]int // error, warning, info
	Worst        string
	Calls        []callView
	Sessions     []sessionView
	Global       []findingView
	Relays       []string
	STUNServers  []string
	Allocations  []allocView
	Flows        []flowView
	Transactions []TransactionSummary
}

type callView struct {
	Anchor     string
	Call       CallReport
	Outcome    string
	Class      string
	Worst      string
	NFindings  int
	Findings   []findingView
	Media      []mediaView
	Ladder     *ladderView
	Matrices   []matrixView
	Timeline   *mediaTimeline
	Truncation string
}

type sessionView struct {
	Anchor    string
	Session   SessionReport
	Worst     string
	NFindings int
	Findings  []findingView
	Path      string
	Ladder    *ladderView
	Matrices  []matrixView
	Timeline  *mediaTimeline
}

type mediaView struct {
	Type, Label, Candidates, Path, Outcome string
}

// findingsBlock is a list of findings with the anchor of its heading.
type findingsBlock struct {
	Anchor   string
	Findings []findingView
}

type findingView struct {
	Finding
	Where  string
	Frames []frameView
	More   int
}

type frameView struct {
	Name, Kind, Dst string
}

type allocView struct {
	AllocationReport
	Times  AllocationTimes
	Errors string
}

type flowView struct {
	FlowReport
	GapMS int64
	Gap   string
}

func buildHTMLView(r *Report) *htmlView {
	v := &htmlView{Style: template.CSS(htmlStyle), Capture: r.Capture, Relays: r.Relays,
		STUNServers: r.STUNServers, Transactions: r.Transactions, Worst: string(r.Worst())}
	for _, f := range r.Findings {
		switch f.Severity {
		case Error:
			v.Counts[0]++
		case Warning:
			v.Counts[1]++
		case Info:
			v.Counts[2]++
		}
	}
	for i, c := range r.Calls {
		v.Calls = append(v.Calls, buildCallView(r, i, c))
	}
	for _, s := range r.Sessions {
		v.Sessions = append(v.Sessions, buildSessionView(r, s))
	}
	v.Global = findingViews(r.findingsFor(""))
	for _, a := range r.Allocations {
		av := allocView{AllocationReport: a, Times: r.Timeline.Allocations[a.ID]}
		var codes []string
		for _, e := range a.Errors {
			codes = append(codes, strconv.Itoa(int(e)))
		}
		av.Errors = strings.Join(codes, ", ")
		v.Allocations = append(v.Allocations, av)
	}
	for i, f := range r.Flows {
		fv := flowView{FlowReport: f}
		if i < len(r.Timeline.Flows) {
			fv.GapMS = r.Timeline.Flows[i].LongestGapMS
			fv.Gap = seconds(time.Duration(fv.GapMS) * time.Millisecond)
		}
		v.Flows = append(v.Flows, fv)
	}
	return v
}

func buildCallView(r *Report, i int, c CallReport) callView {
	fs := r.findingsFor(c.CallID)
	cv := callView{Anchor: "call-" + strconv.Itoa(i+1), Call: c, Outcome: htmlOutcome(c), Class: outcomeClass(c),
		Worst: worstOf(fs), NFindings: len(fs), Findings: findingViews(fs)}
	for _, m := range c.Media {
		mv := mediaView{Type: m.Type, Label: m.Label, Candidates: candidateSummary(m.Candidates), Path: mediaPath(m)}
		if m.ICE != nil {
			mv.Outcome = m.ICE.Outcome
		}
		cv.Media = append(cv.Media, mv)
	}
	ids := callSessions(r, c)
	sc := newScene(r, r.Timeline.SIP[c.CallID], ids)
	sc.nameCallHosts(c)
	cv.Ladder = sc.ladder()
	cv.Matrices = sc.matrices()
	cv.Timeline = sc.mediaTimeline()
	if n := r.Timeline.SIPTruncated[c.CallID]; n > 0 {
		cv.Truncation = fmt.Sprintf("%d later SIP messages are not drawn", n)
	}
	return cv
}

func buildSessionView(r *Report, s SessionReport) sessionView {
	fs := r.findingsForSession(s.ID)
	sv := sessionView{Anchor: "session-" + s.ID, Session: s, Worst: worstOf(fs), NFindings: len(fs),
		Findings: findingViews(fs), Path: mediaPath(Media{ICE: &s.ICE})}
	sc := newScene(r, nil, []string{s.ID})
	sc.nameSessionHosts(s)
	sv.Ladder = sc.ladder()
	sv.Matrices = sc.matrices()
	sv.Timeline = sc.mediaTimeline()
	return sv
}

// callSessions lists the ICE sessions of a call: those its media lines
// name, then any other the timeline joins to its Call-ID.
func callSessions(r *Report, c CallReport) []string {
	var ids []string
	seen := map[string]bool{}
	for _, m := range c.Media {
		if m.ICE != nil && m.ICE.Session != "" && !seen[m.ICE.Session] {
			seen[m.ICE.Session] = true
			ids = append(ids, m.ICE.Session)
		}
	}
	for _, id := range sortedKeys(r.Timeline.ICE) {
		if d := r.Timeline.ICE[id]; d.CallID == c.CallID && c.CallID != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

func findingViews(fs []Finding) []findingView {
	out := make([]findingView, 0, len(fs))
	for _, f := range fs {
		fv := findingView{Finding: f}
		for _, fr := range f.Evidence.Frames {
			fv.Frames = append(fv.Frames, frameView{Name: fr.String(), Kind: fr.Kind, Dst: fr.Dst})
		}
		if f.Evidence.Count > len(f.Evidence.Frames) {
			fv.More = f.Evidence.Count - len(f.Evidence.Frames)
		}
		out = append(out, fv)
	}
	return out
}

func worstOf(fs []Finding) string {
	var w Severity
	for _, f := range fs {
		if f.Severity.Rank() > w.Rank() {
			w = f.Severity
		}
	}
	return string(w)
}

// sevClass maps a severity to a CSS class; anything unknown is "none".
func sevClass(s any) string {
	switch Severity(fmt.Sprint(s)) {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	}
	return "none"
}

// htmlOutcome describes how a call ended; it tolerates a hand-edited
// JSON report that lacks setup or duration.
func htmlOutcome(c CallReport) string {
	switch c.Outcome {
	case "answered":
		s := "answered"
		if c.SetupMS != nil {
			s += fmt.Sprintf(" after %d ms", *c.SetupMS)
		}
		if c.DurationMS != nil {
			s += fmt.Sprintf(", lasted %.1f s", float64(*c.DurationMS)/1000)
		}
		if c.EndMethod != "" {
			s += fmt.Sprintf(", ended by %s with %s", orUnknown(c.EndedBy), c.EndMethod)
		}
		return s
	case "rejected":
		return fmt.Sprintf("rejected with %d %s", c.FinalStatus, c.FinalReason)
	case "cancelled":
		return "cancelled by the caller"
	}
	return "not answered in the capture"
}

func outcomeClass(c CallReport) string {
	switch c.Outcome {
	case "answered":
		return "ok"
	case "rejected":
		return "error"
	}
	return "warning"
}

// parseStamp reads a report time (decode.TimeLayout, UTC).
func parseStamp(s string) (time.Time, bool) {
	t, err := time.Parse(decode.TimeLayout, s)
	return t, err == nil
}

// hostOf returns the IP address of "ip:port" (or of a bare IP).
func hostOf(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

// seconds prints a duration as seconds with millisecond precision.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
