package lab

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/icediag/icediag/pcaps/lab/internal/truth"
)

// findingIDs are the ids of ../../../shared/docs/DIAGNOSES.md that the lab's
// scenarios expect.
var findingIDs = []string{
	"high-ports-blocked", "turn-udp-blocked", "teams-relay-ports-unreachable", "turn-unreachable",
	"turn-auth-failed", "relay-address-private", "hairpin-failure", "ice-failed", "media-over-tcp",
	"stun-unreachable", "pseudo-tls-intercepted", "check-integrity-failed", "role-conflict",
	"one-way-media", "no-media-after-ice", "slow-ice", "client-reported-diagnostics",
}

func scenarioFiles(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("captures", "*", "scenario.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no captures/*/scenario.json: %v", err)
	}
	return paths
}

// TestCommittedCapturesMatchGroundTruth runs the lab's tshark assertions on
// every committed capture: it fails as soon as a capture no longer shows the
// call, the allocations, the ICE outcome or the media its scenario.json states.
func TestCommittedCapturesMatchGroundTruth(t *testing.T) {
	for _, path := range scenarioFiles(t) {
		s, err := truth.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s.Name, func(t *testing.T) {
			errs := s.Verify(filepath.Dir(path))
			for _, err := range errs {
				if errors.Is(err, truth.ErrNoTshark) {
					t.Skip("tshark not installed")
				}
				t.Error(err)
			}
		})
	}
}

// TestGroundTruthIsComplete checks that each scenario.json names its captures,
// that they exist and stay under 2 MB, that the ICE section agrees with the
// media section and that the expected findings are catalogue ids.
func TestGroundTruthIsComplete(t *testing.T) {
	for _, path := range scenarioFiles(t) {
		s, err := truth.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s.Name, func(t *testing.T) {
			checkCaptures(t, s, filepath.Dir(path))
			checkICE(t, s)
			for _, id := range s.ExpectedFindings {
				if !slices.Contains(findingIDs, id) {
					t.Errorf("expected finding %q is not a DIAGNOSES.md id", id)
				}
			}
			if s.Call.CallID == "" {
				t.Error("no Call-ID")
			}
		})
	}
}

func checkCaptures(t *testing.T, s *truth.Scenario, dir string) {
	t.Helper()
	if len(s.Captures) < 3 {
		t.Errorf("%d captures, want at least 3 vantage points", len(s.Captures))
	}
	for _, c := range s.Captures {
		fi, err := os.Stat(filepath.Join(dir, c.File))
		if err != nil {
			t.Errorf("capture %s: %v", c.File, err)
			continue
		}
		if fi.Size() >= 2<<20 {
			t.Errorf("capture %s is %d bytes, want under 2 MB", c.File, fi.Size())
		}
	}
}

func checkICE(t *testing.T, s *truth.Scenario) {
	t.Helper()
	switch s.ICE.Outcome {
	case "succeeded":
		if s.ICE.CallerSelected == nil || s.ICE.CalleeSelected == nil {
			t.Error("ICE succeeded but no selected pair")
		}
	case "failed":
		for _, m := range s.Media {
			if m.Flows {
				t.Errorf("ICE failed but media %s->%s flows", m.From, m.To)
			}
		}
	default:
		t.Errorf("ICE outcome %q, want succeeded or failed", s.ICE.Outcome)
	}
}

// TestVerifyDetectsMismatch proves the assertions can fail: each scenario's
// captures checked against another scenario's ground truth, or with a foreign
// Call-ID, must not pass.
func TestVerifyDetectsMismatch(t *testing.T) {
	load := func(name string) *truth.Scenario {
		t.Helper()
		s, err := truth.Load(filepath.Join("captures", name, "scenario.json"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name, truthOf, capturesOf string
		edit                      func(*truth.Scenario)
	}{
		{"foreign Call-ID", "srflx-eim", "srflx-eim", func(s *truth.Scenario) { s.Call.CallID = "not-this-call@lab.example" }},
		{"one-way media claimed two-way", "one-way-media", "one-way-media", func(s *truth.Scenario) {
			for i := range s.Captures {
				for j, f := range s.Captures[i].Checks.Media {
					if f.MaxPackets == 0 {
						s.Captures[i].Checks.Media[j].MinPackets, s.Captures[i].Checks.Media[j].MaxPackets = 100, -1
					}
				}
			}
		}},
		{"relayed over UDP claimed for TCP", "relay-symmetric", "turn-tcp443", nil},
		{"public relayed address claimed for the NATed Edge", "edge-private-relay", "edge-private-relay", func(s *truth.Scenario) {
			for i := range s.Captures {
				for j := range s.Captures[i].Checks.Allocations {
					s.Captures[i].Checks.Allocations[j].RelayedIn = "203.0.113.0/24"
				}
			}
		}},
		{"success claimed for total failure", "srflx-eim", "ice-failed", nil},
		{"slower ICE claimed than the captures show", "slow-ice", "slow-ice", func(s *truth.Scenario) {
			for i := range s.Captures {
				if c := s.Captures[i].Checks.SlowICE; c != nil {
					c.MinMillis = 60000
				}
			}
		}},
		{"pseudo-TLS interception claimed for a working pseudo-TLS relay", "pseudo-tls-intercepted", "ms-tcp443", nil},
		{"failure claimed for success", "ice-failed", "relay-symmetric", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := load(tt.truthOf)
			if tt.truthOf != tt.capturesOf {
				s.Call.CallID = load(tt.capturesOf).Call.CallID // only the path claims differ
			}
			if tt.edit != nil {
				tt.edit(s)
			}
			errs := s.Verify(filepath.Join("captures", tt.capturesOf))
			for _, err := range errs {
				if errors.Is(err, truth.ErrNoTshark) {
					t.Skip("tshark not installed")
				}
			}
			if len(errs) == 0 {
				t.Errorf("Verify(%s captures against %s truth) = no error, want a mismatch", tt.capturesOf, tt.truthOf)
			}
		})
	}
}
