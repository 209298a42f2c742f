package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// labScenario is the part of a lab scenario.json (pcaps/lab/README.md) the
// analyser is checked against.
type labScenario struct {
	Scenario string `json:"scenario"`
	Call     struct {
		CallID string `json:"call_id"`
	} `json:"call"`
	ICE struct {
		Outcome        string       `json:"outcome"`
		CallerSelected *labSelected `json:"caller_selected"`
		CalleeSelected *labSelected `json:"callee_selected"`
	} `json:"ice"`
	ExpectedFindings []string `json:"expected_findings"`
	Captures         []struct {
		File string `json:"file"`
		Node string `json:"node"`
	} `json:"captures"`
}

type labSelected struct {
	Local  string `json:"local"`
	Remote string `json:"remote"`
}

// labReport is the part of `icediag analyze --format json` compared with
// the ground truth.
type labReport struct {
	Calls []struct {
		CallID string `json:"call_id"`
		Media  []struct {
			ICE *struct {
				Outcome  string `json:"outcome"`
				Selected *struct {
					Local  struct{ Address string } `json:"local"`
					Remote struct{ Address string } `json:"remote"`
				} `json:"selected"`
			} `json:"ice"`
		} `json:"media"`
	} `json:"calls"`
	Findings []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Title    string `json:"title"`
	} `json:"findings"`
}

// TestLabGroundTruth analyses every capture the lab made with real stacks
// (pcaps/lab/captures/<scenario>/) and compares with its scenario.json: the
// expected finding ids appear in the analysis of at least one vantage
// point, a scenario without expected findings shows no error anywhere, and
// at the two clients' own LANs the call's ICE outcome and
// selected pair (its two addresses) are the ones the user agents reported;
// NAT and Edge vantage points never contradict that outcome.
func TestLabGroundTruth(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", "lab", "captures", "*", "scenario.json"))
	if len(dirs) == 0 {
		t.Fatal("no lab scenarios under pcaps/lab/captures")
	}
	for _, sj := range dirs {
		var sc labScenario
		b, err := os.ReadFile(sj)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &sc); err != nil {
			t.Fatalf("%s: %v", sj, err)
		}
		t.Run(sc.Scenario, func(t *testing.T) {
			seen := map[string]bool{}
			for _, c := range sc.Captures {
				path := filepath.Join(filepath.Dir(sj), c.File)
				out, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", "json", path)
				if code != exitOK {
					t.Fatalf("analyze %s: exit %d: %s", path, code, stderr)
				}
				var r labReport
				if err := json.Unmarshal([]byte(out), &r); err != nil {
					t.Fatalf("analyze %s: %v", path, err)
				}
				for _, f := range r.Findings {
					seen[f.ID] = true
					if len(sc.ExpectedFindings) == 0 && f.Severity == "error" {
						t.Errorf("%s: healthy scenario, yet an error finding: %s: %s", c.File, f.ID, f.Title)
					}
				}
				var want *labSelected
				switch c.Node {
				case "alice":
					want = sc.ICE.CallerSelected
				case "bob":
					want = sc.ICE.CalleeSelected
				default:
					// NAT WAN sides and the Edge see translated addresses,
					// and may see no checks at all (direct media never
					// crosses the Edge); they must never contradict the
					// outcome.
					checkVantage(t, c.File, &r, sc.Call.CallID, sc.ICE.Outcome)
					continue
				}
				checkLabCall(t, c.File, &r, sc.Call.CallID, sc.ICE.Outcome, want)
			}
			for _, id := range sc.ExpectedFindings {
				if !seen[id] {
					t.Errorf("expected finding %s not reported at any vantage point (reported: %s)", id, keys(seen))
				}
			}
		})
	}
}

func checkLabCall(t *testing.T, file string, r *labReport, callID, outcome string, want *labSelected) {
	t.Helper()
	for _, call := range r.Calls {
		if call.CallID != callID {
			continue
		}
		if len(call.Media) == 0 || call.Media[0].ICE == nil {
			t.Errorf("%s: call %s has no ICE result", file, callID)
			return
		}
		ice := call.Media[0].ICE
		if ice.Outcome != outcome {
			t.Errorf("%s: ICE outcome %q, ground truth %q", file, ice.Outcome, outcome)
		}
		if want == nil {
			return
		}
		if ice.Selected == nil {
			t.Errorf("%s: no selected pair, ground truth %s <-> %s", file, want.Local, want.Remote)
			return
		}
		got := []string{ice.Selected.Local.Address, ice.Selected.Remote.Address}
		exp := []string{want.Local, want.Remote}
		sort.Strings(got)
		sort.Strings(exp)
		if strings.Join(got, " ") != strings.Join(exp, " ") {
			t.Errorf("%s: selected pair %v, ground truth %v", file, got, exp)
		}
		return
	}
	t.Errorf("%s: call %s not found", file, callID)
}

// checkVantage checks a capture taken away from the clients: where it shows
// the call's ICE at all, it shows the ground-truth outcome, or no checks.
func checkVantage(t *testing.T, file string, r *labReport, callID, outcome string) {
	t.Helper()
	for _, call := range r.Calls {
		if call.CallID != callID || len(call.Media) == 0 || call.Media[0].ICE == nil {
			continue
		}
		got := call.Media[0].ICE.Outcome
		if got != outcome && got != "no-checks" && got != "unknown" {
			t.Errorf("%s: ICE outcome %q contradicts the ground truth %q", file, got, outcome)
		}
	}
}

func keys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// labCaptures returns every lab capture, with a name unique across
// scenarios: "<scenario>/<file>".
func labCaptures(t *testing.T) (paths, names []string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", "lab", "captures", "*", "*.pcap"))
	sort.Strings(m)
	if len(m) == 0 {
		t.Fatal("no lab captures under pcaps/lab/captures")
	}
	for _, p := range m {
		names = append(names, filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p))
	}
	return m, names
}

// TestLabAnalyzeGolden keeps the text and JSON reports of every lab capture
// in testdata/analyze/lab/<scenario>/ (go test ./cmd/icediag -update
// rewrites them), so that a change in what the analyser says about real
// stacks' traffic shows in review.
func TestLabAnalyzeGolden(t *testing.T) {
	paths, names := labCaptures(t)
	for i, path := range paths {
		t.Run(names[i], func(t *testing.T) {
			base := filepath.Join("testdata", "analyze", "lab", names[i])
			analyzeGoldenAt(t, path, "text", base+".txt")
			analyzeGoldenAt(t, path, "json", base+".json")
		})
	}
}

// TestCrossCheckLab runs the tshark cross-check over the lab captures:
// every STUN transaction and SIP message tshark finds, icediag finds.
func TestCrossCheckLab(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	paths, names := labCaptures(t)
	for i, path := range paths {
		ts := tsharkSightings(t, path)
		ic, _ := icediagSightings(t, path)
		for id := range ts.stun {
			if !ic.stun[id] {
				t.Errorf("%s: tshark finds STUN %s, icediag does not", names[i], id)
			}
		}
		for k := range ts.sip {
			if !ic.sip[k] {
				t.Errorf("%s: tshark finds SIP %s, icediag does not", names[i], k)
			}
		}
	}
}
