package diag

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/icediag/icediag/ice"
)

// Teams client QoS source ranges (MS-REFERENCE §5): audio, video and
// sharing together span 50000-50059.
const (
	teamsLowPort  = 50000
	teamsHighPort = 50059
)

// mediaPortOutsideRange reports offered host candidates whose ports fall
// outside the range the server provisioned (ucMinMediaPort..ucMaxMediaPort)
// or, for Teams clients, outside the QoS source ranges 50000-50059
// (DIAGNOSES.md "media-port-outside-range"): QoS marking by port misses
// that media.
func mediaPortOutsideRange(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		for _, side := range s.Sides {
			lo, hi, why, ok := in.portRangeFor(s, side)
			if !ok {
				continue
			}
			if f, bad := portsOutside(in, s, side, lo, hi, why); bad {
				out = append(out, f)
			}
		}
	}
	return out
}

// portRangeFor returns the media port range that applies to a side: the
// range provisioned to its host address, or the Teams range for a Teams
// client.
func (in *Input) portRangeFor(s *ice.Session, side *ice.Side) (int, int, string, bool) {
	host := endAddr(side)
	if !host.IsValid() {
		return 0, 0, "", false
	}
	for _, p := range in.Provisioning {
		r := p.Range
		if r.Min > 0 && r.Max >= r.Min && p.Msg.Meta.Dst.Addr() == host {
			return r.Min, r.Max, fmt.Sprintf("the range %d-%d the server provisioned to %s", r.Min, r.Max, host), true
		}
	}
	if in.isTeams(s, host) {
		return teamsLowPort, teamsHighPort, "the Teams QoS source ranges 50000-50059", true
	}
	return 0, 0, "", false
}

// isTeams reports whether the agent at host is a Teams client: its user
// agent says so, or it used multiplexed TURN.
func (in *Input) isTeams(s *ice.Session, host netip.Addr) bool {
	if c := in.callOf(s); c != nil {
		for _, ua := range []string{c.CallerUA, c.CalleeUA} {
			if strings.Contains(strings.ToLower(ua), "teams") {
				return true
			}
		}
	}
	for _, a := range in.ICE.Allocations {
		if a.MuxSession != 0 && a.Client.Addr() == host {
			return true
		}
	}
	return false
}

func portsOutside(in *Input, s *ice.Session, side *ice.Side, lo, hi int, why string) (Finding, bool) {
	var bad []netip.AddrPort
	for _, c := range side.Candidates {
		if c.Type != "host" || !c.Addr.IsValid() || !(c.Offered || c.Observed) {
			continue
		}
		if p := int(c.Addr.Port()); p < lo || p > hi {
			bad = append(bad, c.Addr)
		}
	}
	if len(bad) == 0 {
		return Finding{}, false
	}
	f := forSession(s, Info)
	f.Title = fmt.Sprintf("%s: media ports %s outside %d-%d", mediaName(s), addrList(bad), lo, hi)
	f.Detail = fmt.Sprintf("The agent's host candidates use %s, outside %s. Network QoS policies that mark media by source port will not mark this media.",
		plural(len(bad), "port"), why)
	f.Remedy = "Configure the client media port range to match the QoS policy (Set-CsConferencingConfiguration / client policy ports for Lync and Skype for Business; enable the Teams QoS port ranges), or mark by application instead of by port."
	if c := in.callOf(s); c != nil {
		for _, m := range c.Messages {
			if m.HasBody {
				f.Evidence.add(in.frame(m))
				break
			}
		}
	}
	if f.Evidence.Count == 0 {
		for _, c := range s.Checks {
			if c.Local == bad[0] || c.Remote == bad[0] {
				f.Evidence.add(in.checkFrame(c))
				break
			}
		}
	}
	return f, true
}
