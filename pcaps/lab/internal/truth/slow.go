package truth

import (
	"fmt"
	"slices"
	"strings"
)

// SlowICECheck is ICE that takes long (DIAGNOSES.md "slow-ice"): the first
// success response to a connectivity check comes at least MinMillis after
// the call's first INVITE, by the capture's timestamps.
type SlowICECheck struct {
	MinMillis int `json:"min_ms"`
}

func (c SlowICECheck) run(pkts []Packet, callID string) error {
	invite := -1.0
	checks := map[[12]byte]bool{}
	for _, p := range pkts {
		if invite < 0 && slices.Contains(p.CallIDs, callID) && slices.Contains(p.Methods, "INVITE") {
			invite = p.Time
		}
		for _, u := range units(p) {
			m := u.stun
			switch {
			case m == nil:
			case m.typ == typeBindingReq && (m.has(attrICEControling) || m.has(attrICEControlled)):
				checks[m.txid] = true
			case m.typ == typeBindingOK && checks[m.txid]:
				if invite < 0 {
					return fmt.Errorf("a check succeeded in frame %d before any INVITE of Call-ID %s", p.Frame, callID)
				}
				if ms := int((p.Time - invite) * 1000); ms < c.MinMillis {
					return fmt.Errorf("first check success in frame %d, %d ms after the INVITE, want at least %d", p.Frame, ms, c.MinMillis)
				}
				return nil
			}
		}
	}
	return fmt.Errorf("no successful check after the INVITE of Call-ID %s", callID)
}

// offerAttrsRun checks that the call's INVITE carries, in one of its SDP
// bodies as tshark's SDP dissector decodes them, a media attribute holding
// each of want (for the MS flavour: x-candidate-ipv6, and candidate
// lines with TCP-ACT or TCP-PASS, MS-REFERENCE.md §2.3).
func offerAttrsRun(pkts []Packet, callID string, want []string) error {
	var attrs []string
	for _, p := range pkts {
		if slices.Contains(p.CallIDs, callID) && slices.Contains(p.Methods, "INVITE") {
			attrs = append(attrs, p.SDPAttrs...)
		}
	}
	var missing []string
	for _, w := range want {
		if !slices.ContainsFunc(attrs, func(a string) bool { return strings.Contains(a, w) }) {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("INVITE of Call-ID %s: no SDP attribute %q among %d", callID, missing, len(attrs))
	}
	return nil
}
