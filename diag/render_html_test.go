package diag

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// hostileReport is a report whose every capture-derived string carries
// markup and quotes, as a crafted SIP message or STUN USERNAME would.
func hostileReport() *Report {
	x := `<script>alert("x")</script>'"&`
	return &Report{Schema: Schema,
		Calls: []CallReport{{CallID: x, From: x, To: x, Start: "2026-03-02 10:00:00.000000", Outcome: "rejected",
			FinalStatus: 486, FinalReason: x, CallerUA: x, CalleeUA: x,
			Media: []Media{{Type: x, Label: x, Candidates: map[string]int{x: 1}, ICE: &ICEReport{Session: "s1", Outcome: x, Path: x}}}}},
		Findings: []Finding{{ID: "sip-call-failed", Severity: Error, CallID: x, Title: x, Detail: x, Remedy: x,
			Evidence: Evidence{Frames: []Frame{{File: x, Frame: 1, Kind: x, Dst: x}}, Count: 3}}},
		Relays: []string{x}, STUNServers: []string{x},
		Sessions: []SessionReport{{ID: x, Form: x, Ufrag: [2]string{x, x}, Ends: [2]string{x, x}, ICE: ICEReport{Session: x, Outcome: x}}},
		Timeline: Timeline{
			SIP: map[string][]SIPMessage{x: {{Time: "2026-03-02 10:00:00.000000", Src: "10.0.0.1:5060", Dst: "10.0.0.2:5060",
				Label: x, Request: true, Method: "INVITE", Transport: x, File: x, Frame: 1}}},
			ICE: map[string]ICEDetail{"s1": {CallID: x, Sides: [2]ICESide{
				{Ufrag: x, Role: x, Candidates: []CandidateDetail{{Component: 1, Type: "host", Transport: x, Address: "10.0.0.1:1"}}},
				{Ufrag: x, Candidates: []CandidateDetail{{Component: 1, Type: x, Transport: x, Address: x, Learned: x, Allocation: x}}}},
				Pairs:      []PairDetail{{Side: 0, Component: 1, Local: 0, Remote: 0, State: "succeeded", Checks: 1, Selected: true}},
				Milestones: []Milestone{{Name: x, Time: "2026-03-02 10:00:01.000000", Src: "10.0.0.1:1", Dst: "10.0.0.3:1"}}}},
		},
	}
}

// TestRenderHTMLEscapes checks that text from the capture never becomes
// markup: no element or attribute it names appears in the page.
func TestRenderHTMLEscapes(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, hostileReport(), FormatHTML); err != nil {
		t.Fatalf("Render(html) = %v", err)
	}
	page := b.String()
	for _, bad := range []string{"<script", `alert("x")`, `'"&<`} {
		if strings.Contains(page, bad) {
			t.Errorf("Render(html) contains %q, want it escaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#39;&#34;&amp;") {
		t.Errorf("Render(html) lacks the escaped text of the capture")
	}
}

// TestRenderHTMLDeterministic renders the same report twice.
func TestRenderHTMLDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := RenderHTML(&a, hostileReport()); err != nil {
		t.Fatal(err)
	}
	if err := RenderHTML(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("RenderHTML differs between two runs of the same report")
	}
}

func TestTickStep(t *testing.T) {
	for _, tc := range []struct {
		span, want time.Duration
	}{
		{0, time.Millisecond},
		{9 * time.Millisecond, time.Millisecond},
		{15 * time.Millisecond, 2 * time.Millisecond},
		{45 * time.Millisecond, 5 * time.Millisecond},
		{5 * time.Second, 500 * time.Millisecond},
		{11 * time.Second, 2 * time.Second},
		{3 * time.Hour, 1000 * time.Second},
	} {
		t.Run(tc.span.String(), func(t *testing.T) {
			if got := tickStep(tc.span); got != tc.want {
				t.Errorf("tickStep(%v) = %v, want %v", tc.span, got, tc.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"INVITE", 10, "INVITE"},
		{"183 Session Progress", 10, "183 Sessi…"},
		{"ééééé", 3, "éé…"},
		{"abc", 0, "a…"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := clip(tc.in, tc.n); got != tc.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

// TestInviteEnds checks the caller and callee found from the first
// INVITE transaction: through a proxy, directly, and at a proxy that
// forwards (the callee is the host that never sends the INVITE on).
func TestInviteEnds(t *testing.T) {
	inv := func(src, dst string, cseq uint32) SIPMessage {
		return SIPMessage{Request: true, Method: "INVITE", Src: src, Dst: dst, CSeq: cseq}
	}
	for _, tc := range []struct {
		name         string
		msgs         []SIPMessage
		caller, call string
	}{
		{"direct", []SIPMessage{inv("10.0.0.1:5060", "10.0.0.2:5060", 1)}, "10.0.0.1", "10.0.0.2"},
		{"proxy", []SIPMessage{inv("10.0.0.1:5060", "10.0.0.9:5060", 1), inv("10.0.0.9:5060", "10.0.0.2:5060", 1)}, "10.0.0.1", "10.0.0.2"},
		{"re-INVITE ignored", []SIPMessage{inv("10.0.0.1:5060", "10.0.0.2:5060", 1), inv("10.0.0.2:5060", "10.0.0.1:5060", 2)}, "10.0.0.1", "10.0.0.2"},
		{"none", []SIPMessage{{Method: "INVITE", Status: 200}}, "invalid IP", "invalid IP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := inviteEnds(tc.msgs)
			if a.String() != tc.caller || b.String() != tc.call {
				t.Errorf("inviteEnds = %v, %v, want %s, %s", a, b, tc.caller, tc.call)
			}
		})
	}
}

// TestMatrixCells checks how the checks of both agents on one pair fold
// into one cell: success wins over an error, an error over silence.
func TestMatrixCells(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pairs []PairDetail
		class string
		mark  string
	}{
		{"none", nil, cellNeverTried, ""},
		{"listed, not checked", []PairDetail{{State: "never-tried"}}, cellNeverTried, ""},
		{"timeout", []PairDetail{{State: "failed", Checks: 3}}, cellUnanswered, "… →"},
		{"error", []PairDetail{{State: "failed", ErrorCode: 487, Checks: 1}}, cellError, "487 →"},
		{"error then success back", []PairDetail{{State: "failed", ErrorCode: 401, Checks: 1}, {Side: 1, State: "succeeded", Checks: 1}}, cellSucceeded, "✓ ⇄"},
		{"selected", []PairDetail{{Side: 1, State: "succeeded", Checks: 2, Selected: true}}, cellSucceeded, "★ ✓ ←"},
		{"nominated", []PairDetail{{State: "succeeded", Checks: 2, Nominated: true}}, cellSucceeded, "N ✓ →"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c *cellState
			for _, p := range tc.pairs {
				if c == nil {
					c = &cellState{outcome: cellNeverTried}
				}
				c.add(p)
			}
			v := c.view("A1", "B1")
			if v.Class != tc.class || strings.TrimSpace(v.Mark) != tc.mark {
				t.Errorf("cell of %+v = %q %q, want %q %q", tc.pairs, v.Class, v.Mark, tc.class, tc.mark)
			}
		})
	}
}

// TestRenderHTMLGoldenReports renders every checked-in JSON report of the
// analyze goldens: each must render, with one section per call and
// session and a ladder wherever a call has SIP messages.
func TestRenderHTMLGoldenReports(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "cmd", "icediag", "testdata", "analyze", "*.json"))
	if len(files) == 0 {
		t.Skip("no JSON reports under cmd/icediag/testdata/analyze")
	}
	sections := regexp.MustCompile(`<section class="card" id="(call|session)-`)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := readReport(t, f)
			var b bytes.Buffer
			if err := RenderHTML(&b, r); err != nil {
				t.Fatalf("RenderHTML(%s) = %v", f, err)
			}
			if got, want := len(sections.FindAllString(b.String(), -1)), len(r.Calls)+len(r.Sessions); got != want {
				t.Errorf("RenderHTML(%s) has %d call/session sections, want %d", f, got, want)
			}
			ladders := strings.Count(b.String(), `<svg class="ladder"`)
			withSIP := 0
			for _, c := range r.Calls {
				if len(r.Timeline.SIP[c.CallID]) > 0 {
					withSIP++
				}
			}
			if ladders < withSIP {
				t.Errorf("RenderHTML(%s) draws %d ladders, want at least %d", f, ladders, withSIP)
			}
		})
	}
}

func readReport(t *testing.T, path string) *Report {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r, err := ReadJSON(fh)
	if err != nil {
		t.Fatalf("ReadJSON(%s) = %v", path, err)
	}
	return r
}

// FuzzRenderHTML renders any report ReadJSON accepts: no panic, no error,
// and never a script element. Seeds are the analyze goldens' JSON reports
// and the hostile report.
func FuzzRenderHTML(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "cmd", "icediag", "testdata", "analyze", "*.json"))
	for i, p := range files {
		if b, err := os.ReadFile(p); err == nil && i%4 == 0 && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	var hb bytes.Buffer
	if err := Render(&hb, hostileReport(), FormatJSON); err != nil {
		f.Fatal(err)
	}
	f.Add(hb.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := RenderHTML(&b, r); err != nil {
			t.Fatalf("RenderHTML = %v", err)
		}
		if strings.Contains(strings.ToLower(b.String()), "<script") {
			t.Fatalf("RenderHTML wrote a script element")
		}
	})
}
