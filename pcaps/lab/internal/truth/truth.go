// Package truth holds a lab scenario's ground truth (scenario.json) and proves
// it against the scenario's captures with tshark: the call's SIP messages, the
// TURN allocations, the nominated ICE check and its success response, and RTP
// per direction on the selected path.
package truth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// SchemaVersion is the version of the scenario.json layout.
const SchemaVersion = 1

// Scenario is the ground truth of one lab run.
type Scenario struct {
	Schema           int               `json:"schema"`
	Name             string            `json:"scenario"`
	Title            string            `json:"title"`
	Description      string            `json:"description"`
	Tools            map[string]string `json:"tools"`
	Roles            []Role            `json:"roles"`
	Call             Call              `json:"call"`
	ICE              ICE               `json:"ice"`
	Media            []Media           `json:"media"`
	ExpectedFindings []string          `json:"expected_findings"`
	Captures         []Capture         `json:"captures"`
}

// Role is one node of the topology with its addresses.
type Role struct {
	Name      string   `json:"name"`
	Role      string   `json:"role"` // client, nat, edge, sip-proxy, internet
	Addresses []string `json:"addresses"`
	Notes     string   `json:"notes,omitempty"`
}

// Call is the SIP side of the scenario.
type Call struct {
	CallID       string `json:"call_id"`
	Caller       string `json:"caller"`
	Callee       string `json:"callee"`
	Proxy        string `json:"proxy"`
	SIPTransport string `json:"sip_transport"`
}

// ICE is the expected and observed ICE outcome.
type ICE struct {
	Outcome        string    `json:"outcome"` // "succeeded" or "failed"
	CallerSelected *Pair     `json:"caller_selected,omitempty"`
	CalleeSelected *Pair     `json:"callee_selected,omitempty"`
	Transport      string    `json:"transport,omitempty"`       // transport of the selected pair's candidates
	RelayTransport string    `json:"relay_transport,omitempty"` // client to relay transport when relayed
	Relayed        bool      `json:"relayed"`
	CallerOffered  []string  `json:"caller_candidates"`
	CalleeOffered  []string  `json:"callee_candidates"`
	Notes          string    `json:"notes,omitempty"`
	Extra          []KeyNote `json:"extra,omitempty"`
}

// KeyNote is a named remark.
type KeyNote struct {
	Key  string `json:"key"`
	Note string `json:"note"`
}

// Pair is a selected candidate pair as one agent saw it.
type Pair struct {
	LocalType      string `json:"local_type"`
	Local          string `json:"local"`
	LocalRelayOver string `json:"local_relay_over,omitempty"`
	RemoteType     string `json:"remote_type"`
	Remote         string `json:"remote"`
}

// Media is RTP in one direction as the user agents counted it.
type Media struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Flows    bool   `json:"flows"`
	Sent     int    `json:"sent"`
	Received int    `json:"received"`
}

// Capture is one capture file with what it must show.
type Capture struct {
	File      string `json:"file"`
	Vantage   string `json:"vantage"`
	Node      string `json:"node"`
	Interface string `json:"interface"`
	Checks    Checks `json:"checks"`
}

// Load reads a scenario.json.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Scenario
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.Schema != SchemaVersion {
		return nil, fmt.Errorf("%s: schema %d, want %d", path, s.Schema, SchemaVersion)
	}
	return &s, nil
}

// Save writes a scenario.json into dir.
func (s *Scenario) Save(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "scenario.json"), append(b, '\n'), 0o644)
}

// Verify checks every capture of the scenario in dir and returns one error per
// failed check.
func (s *Scenario) Verify(dir string) []error {
	var errs []error
	for _, c := range s.Captures {
		pkts, err := ReadCapture(filepath.Join(dir, c.File))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.File, err))
			continue
		}
		for _, e := range c.Checks.Run(pkts, s.Call.CallID) {
			errs = append(errs, fmt.Errorf("%s (%s): %w", c.File, c.Vantage, e))
		}
	}
	return errs
}
