package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/diag"
)

// analyzeWith analyses files with a session built from opts.
func analyzeWith(t *testing.T, files []string, opts diag.SessionOptions) (*diag.Report, int) {
	t.Helper()
	names := baseNames(files)
	s := diag.NewSession(names, opts)
	st, err := decode.Run(files, decode.Options{}, s.Add)
	if err != nil {
		t.Fatalf("decode.Run(%v): %v", files, err)
	}
	return diag.Build(s.Input(names, st, nil)), s.Folded()
}

// callFacts is what a call's analysis says, without the session IDs that
// folding numbers differently.
func callFacts(r *diag.Report) []string {
	var out []string
	for _, c := range r.Calls {
		line := fmt.Sprintf("call %s %s %s %d", c.CallID, c.Outcome, c.Start, c.FinalStatus)
		for i, m := range c.Media {
			line += fmt.Sprintf(" | m%d %s %v", i, m.Type, m.Candidates)
			if m.ICE != nil {
				line += fmt.Sprintf(" ice=%s selected=%+v path=%s", m.ICE.Outcome, m.ICE.Selected, m.ICE.Path)
			}
		}
		out = append(out, line)
	}
	for _, f := range r.Findings {
		if f.CallID != "" {
			out = append(out, fmt.Sprintf("finding %s %s %s %s: %s", f.CallID, f.ID, f.Severity, f.Title, f.Detail))
		}
	}
	for _, f := range r.Flows {
		out = append(out, fmt.Sprintf("flow %s %s %s %s %d %d", f.Src, f.Dst, f.Relay, f.Transport, f.Packets, f.Bytes))
	}
	sort.Strings(out)
	return out
}

// TestFoldedCallsEqualWholeAnalysis folds every finished call as soon as
// it has been idle for a few seconds and checks that each call's report,
// findings and media are those of the analysis that keeps everything to
// the end, on every bundled capture.
func TestFoldedCallsEqualWholeAnalysis(t *testing.T) {
	labPaths, _ := labCaptures(t)
	all := append(captures(t), labPaths...)
	folded := 0
	for _, c := range all {
		t.Run(filepath.Base(c), func(t *testing.T) {
			whole, n := analyzeWith(t, []string{c}, diag.SessionOptions{Retire: diag.RetirePolicy{Keep: -1}})
			if n != 0 {
				t.Fatalf("Keep: -1 folded %d calls", n)
			}
			part, n := analyzeWith(t, []string{c}, diag.SessionOptions{Retire: diag.RetirePolicy{Stream: true, After: 5 * time.Second}})
			folded += n
			w, p := callFacts(whole), callFacts(part)
			if strings.Join(w, "\n") != strings.Join(p, "\n") {
				t.Errorf("%d calls folded; whole analysis:\n%s\nfolded:\n%s", n, strings.Join(w, "\n"), strings.Join(p, "\n"))
			}
		})
	}
	t.Logf("%d calls folded across %d captures", folded, len(all))
	if folded == 0 {
		t.Fatal("no call was folded: the test shows nothing")
	}
}

// TestFoldedCallsEqualOnCapture is TestFoldedCallsEqualWholeAnalysis for
// one large capture named by ICEDIAG_FOLD_CAPTURE (a generated benchmark
// capture, say), with the offline policy at several idle times:
//
//	ICEDIAG_FOLD_CAPTURE=/tmp/icediag-bench-v1-seed1-1024MiB.pcap go test -run TestFoldedCallsEqualOnCapture -v ./cmd/icediag
func TestFoldedCallsEqualOnCapture(t *testing.T) {
	c := os.Getenv("ICEDIAG_FOLD_CAPTURE")
	if c == "" {
		t.Skip("ICEDIAG_FOLD_CAPTURE names no capture")
	}
	whole, _ := analyzeWith(t, []string{c}, diag.SessionOptions{Retire: diag.RetirePolicy{Keep: -1}})
	w := strings.Join(callFacts(whole), "\n")
	for _, after := range []time.Duration{10 * time.Second, diag.DefaultRetireAfter, 60 * time.Second} {
		part, n := analyzeWith(t, []string{c}, diag.SessionOptions{Retire: diag.RetirePolicy{After: after}})
		p := strings.Join(callFacts(part), "\n")
		t.Logf("idle %v: %d calls folded, %d facts, equal to the whole analysis: %v", after, n, len(callFacts(whole)), p == w)
		if p != w {
			t.Errorf("idle %v: the folded analysis differs from the whole analysis", after)
		}
	}
}
