package main

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// craftedTruth is the ICE outcome and selected pair each crafted failure
// capture was built to show, as pcaps/crafted/README.md states them (column
// "ICE outcome / selected pair"). An empty pair means the README names
// none.
var craftedTruth = map[string]struct {
	outcome string
	pair    [2]string
}{
	"fail-udp3478-blocked.pcap":       {"succeeded", [2]string{"203.0.113.10:53010", "203.0.113.10:52100"}},
	"fail-high-ports-blocked.pcap":    {"succeeded", [2]string{"203.0.113.10:53020", "203.0.113.10:52000"}},
	"fail-turn-unreachable.pcap":      {"failed", [2]string{}},
	"fail-relay-address-private.pcap": {"failed", [2]string{}},
	"fail-hairpin.pcap":               {"succeeded", [2]string{"10.0.1.20:50000", "10.0.2.40:50020"}},
	"fail-hairpin-edge-pool.pcap":     {"failed", [2]string{}},
	"fail-ice-diag23.pcap":            {"failed", [2]string{}},
	"fail-one-way-media.pcap":         {"succeeded", [2]string{"10.0.1.20:50000", "192.0.2.50:50010"}},
	"fail-media-stops.pcap":           {"succeeded", [2]string{"10.0.1.20:50000", "192.0.2.50:50010"}},
	"fail-no-media.pcap":              {"succeeded", [2]string{}},
	"slow-ice.pcap":                   {"succeeded", [2]string{"203.0.113.10:52000", "203.0.113.10:52100"}},
	"fail-check-integrity.pcap":       {"failed", [2]string{}},
	"role-conflict.pcap":              {"succeeded", [2]string{"10.0.1.20:50000", "10.0.1.60:50030"}},
	"media-port-outside-range.pcap":   {"succeeded", [2]string{"10.0.1.20:13352", "192.0.2.50:50010"}},
	"ok-edge-call.pcap":               {"succeeded", [2]string{}},
	"ok-direct-call.pcap":             {"succeeded", [2]string{}},
}

type iceResult struct {
	Outcome  string `json:"outcome"`
	Selected *struct {
		Local  struct{ Address string } `json:"local"`
		Remote struct{ Address string } `json:"remote"`
	} `json:"selected"`
}

// TestCraftedGroundTruth checks that icediag analyze reports, for each
// crafted capture, an ICE result (of a call's media line or of a SIP-less
// session) with the outcome and selected pair the capture was built to show.
func TestCraftedGroundTruth(t *testing.T) {
	for name, want := range craftedTruth {
		t.Run(name, func(t *testing.T) {
			out, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", "json", filepath.Join("..", "..", "pcaps", "crafted", name))
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var r struct {
				Calls []struct {
					Media []struct {
						ICE *iceResult `json:"ice"`
					} `json:"media"`
				} `json:"calls"`
				Sessions []struct {
					ICE *iceResult `json:"ice"`
				} `json:"sessions"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			var results []*iceResult
			for _, c := range r.Calls {
				for _, m := range c.Media {
					results = append(results, m.ICE)
				}
			}
			for _, s := range r.Sessions {
				results = append(results, s.ICE)
			}
			var seen []string
			for _, res := range results {
				if res == nil {
					continue
				}
				got := res.Outcome
				if res.Selected != nil {
					ends := []string{res.Selected.Local.Address, res.Selected.Remote.Address}
					sort.Strings(ends)
					got += " " + strings.Join(ends, " ")
					if want.outcome == res.Outcome && (want.pair[0] == "" || matchPair(ends, want.pair)) {
						return
					}
				} else if want.outcome == res.Outcome && want.pair[0] == "" {
					return
				}
				seen = append(seen, got)
			}
			t.Errorf("no ICE result %s %v; analyze reports %q", want.outcome, want.pair, seen)
		})
	}
}

func matchPair(sorted []string, want [2]string) bool {
	w := []string{want[0], want[1]}
	sort.Strings(w)
	return sorted[0] == w[0] && sorted[1] == w[1]
}
