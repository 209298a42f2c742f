package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icediag/icediag/diag"
)

// exportKey is the --redact-key of the tests.
const exportKey = "icediag export test key"

// exportCase is one input of the export tests: a capture of pcaps/public
// or pcaps/crafted, or the files of one lab scenario analysed together.
type exportCase struct {
	name  string
	files []string
}

// exportCases lists every capture of pcaps/ (pcaps/README.md).
func exportCases(t *testing.T) []exportCase {
	t.Helper()
	var out []exportCase
	for _, dir := range []string{"public", "crafted"} {
		paths, err := filepath.Glob(filepath.Join("..", "..", "pcaps", dir, "*.pcap*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			out = append(out, exportCase{name: dir + "/" + filepath.Base(p), files: []string{p}})
		}
	}
	labs, err := filepath.Glob(filepath.Join("..", "..", "pcaps", "lab", "captures", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range labs {
		files, _ := filepath.Glob(filepath.Join(d, "*.pcap"))
		if len(files) > 0 {
			out = append(out, exportCase{name: "lab/" + filepath.Base(d), files: files})
		}
	}
	if len(out) < 40 {
		t.Fatalf("found %d captures under pcaps/, want the whole corpus", len(out))
	}
	return out
}

// exportTarget is one call (Call-ID) or SIP-less ICE session of a report.
type exportTarget struct{ call, session string }

func (x exportTarget) String() string {
	if x.call != "" {
		return "call " + x.call
	}
	return "session " + x.session
}

// analyzeReport is the in-process equivalent of `icediag analyze --format
// json`, decoded back from its JSON.
func analyzeReport(t *testing.T, files ...string) (*diag.Report, []byte) {
	t.Helper()
	in, err := analyzeInput(files, nil, nil)
	if err != nil {
		t.Fatalf("analyzeInput(%v) = %v", files, err)
	}
	var buf bytes.Buffer
	if err := diag.Render(&buf, diag.Build(in), diag.FormatJSON); err != nil {
		t.Fatal(err)
	}
	r, err := diag.ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return r, buf.Bytes()
}

// targets lists the calls and SIP-less sessions of a report.
func targets(r *diag.Report) []exportTarget {
	var out []exportTarget
	for _, c := range r.Calls {
		out = append(out, exportTarget{call: c.CallID})
	}
	for _, s := range r.Sessions {
		out = append(out, exportTarget{session: s.ID})
	}
	return out
}

// runExportTo exports one target of files to out.
func runExportTo(t *testing.T, files []string, x exportTarget, out string, redact bool) exportResult {
	t.Helper()
	o := exportFlags{call: x.call, session: x.session, out: out, red: &redactFlags{}}
	if redact {
		o.red.key = exportKey
	}
	var stderr bytes.Buffer
	res, err := export(files, o, &bytes.Buffer{}, &stderr)
	if err != nil {
		t.Fatalf("export(%v, %v) = %v (%s)", files, x, err, stderr.String())
	}
	return res
}

// callSummary is what a call's export must keep of the full analysis:
// the outcome and, per media line, the ICE outcome and selected pair.
func callSummary(c diag.CallReport) string {
	var b strings.Builder
	b.WriteString(c.Outcome)
	for _, m := range c.Media {
		b.WriteString(" | " + m.Type)
		if m.ICE != nil {
			b.WriteString(" " + iceSummary(m.ICE))
		}
	}
	return b.String()
}

// iceSummary is an ICE report without its session ID (IDs follow the
// order of the sessions in the capture).
func iceSummary(r *diag.ICEReport) string {
	sel, _ := json.Marshal(r.Selected)
	return r.Outcome + " " + string(sel)
}

// summaryOf finds the target in a report and summarises it; sessions are
// found by their ufrags, whose IDs may differ.
func summaryOf(r *diag.Report, x exportTarget, ufrags [2]string) (string, bool) {
	for _, c := range r.Calls {
		if x.call != "" && c.CallID == x.call {
			return callSummary(c), true
		}
	}
	for _, s := range r.Sessions {
		if x.session != "" && s.Ufrag == ufrags {
			return iceSummary(&s.ICE), true
		}
	}
	return "", false
}

// ufragsOf returns the ufrags of a session of a report.
func ufragsOf(r *diag.Report, id string) [2]string {
	for _, s := range r.Sessions {
		if s.ID == id {
			return s.Ufrag
		}
	}
	return [2]string{}
}

// TestExportKeepsOutcome is acceptance test (a) of issue 8: for every
// capture in pcaps/ and every call and SIP-less session in it, the
// analysis of the exported capture has that call with the outcome and the
// selected pairs of the full analysis.
func TestExportKeepsOutcome(t *testing.T) {
	for _, tc := range exportCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			full, _ := analyzeReport(t, tc.files...)
			for i, x := range targets(full) {
				uf := ufragsOf(full, x.session)
				want, _ := summaryOf(full, x, uf)
				out := filepath.Join(t.TempDir(), "export.pcapng")
				runExportTo(t, tc.files, x, out, false)
				r, _ := analyzeReport(t, out)
				got, ok := summaryOf(r, x, uf)
				if !ok || got != want {
					t.Errorf("target %d (%v): export analysis = %q (found %v), want %q", i, x, got, ok, want)
				}
			}
		})
	}
}

// TestExportUnknownID checks the error for an ID the capture lacks: it
// wraps diag.ErrUnknownID and lists the IDs present.
func TestExportUnknownID(t *testing.T) {
	files := []string{filepath.Join("..", "..", "pcaps", "crafted", "ok-direct-call.pcap")}
	full, _ := analyzeReport(t, files...)
	if len(full.Calls) == 0 {
		t.Fatal("ok-direct-call.pcap has no call")
	}
	for _, x := range []exportTarget{{call: "no-such-call"}, {session: "s999"}} {
		o := exportFlags{call: x.call, session: x.session, out: filepath.Join(t.TempDir(), "x.pcapng"), red: &redactFlags{}}
		_, err := export(files, o, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, diag.ErrUnknownID) || !strings.Contains(err.Error(), full.Calls[0].CallID) {
			t.Errorf("export(%v) = %v, want ErrUnknownID listing %q", x, err, full.Calls[0].CallID)
		}
		if _, err := os.Stat(o.out); err == nil {
			t.Errorf("export(%v) wrote %s despite the error", x, o.out)
		}
	}
}

// TestExportExitCodes runs the command: usage errors exit 2, an unknown
// ID exits 1, a good export 0.
func TestExportExitCodes(t *testing.T) {
	capture := filepath.Join("..", "..", "pcaps", "crafted", "ok-direct-call.pcap")
	out := filepath.Join(t.TempDir(), "x.pcapng")
	full, _ := analyzeReport(t, capture)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{capture, "--call", full.Calls[0].CallID}, exitUsage},                         // no -o
		{[]string{capture, "-o", out}, exitUsage},                                              // no ID
		{[]string{capture, "--call", "x", "--session", "s1", "-o", out}, exitUsage},            // both
		{[]string{capture, "--call", "no-such-call", "-o", out}, exitFailure},                  // unknown
		{[]string{capture, "--call", full.Calls[0].CallID, "-o", out}, exitOK},                 // plain
		{[]string{capture, "--call", full.Calls[0].CallID[:4], "-o", out, "--redact"}, exitOK}, // prefix, redacted
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if got := runExport(t.Context(), tt.args, &stdout, &stderr); got != tt.want {
			t.Errorf("runExport(%q) = %d, want %d (%s)", tt.args, got, tt.want, stderr.String())
		}
	}
}
