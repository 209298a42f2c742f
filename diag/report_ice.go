package diag

import (
	"fmt"
	"sort"
	"strings"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// ICEReport is the ICE result of one media line or SIP-less session
// (docs/report-schema.md): the outcome (succeeded, failed, no-checks,
// unknown; RFC 8445 §7.2.5) and the pair that carried media, or the
// nominated one when no media was seen.
type ICEReport struct {
	Session  string        `json:"session"`
	Outcome  string        `json:"outcome"`
	Selected *SelectedPair `json:"selected,omitempty"`
	// Path is the one-line summary of the media path, e.g. "relay TCP 443
	// via 203.0.113.10 <-> srflx UDP 198.51.100.7:50010".
	Path string `json:"path,omitempty"`
}

// SelectedPair is the local and remote end of the selected pair.
type SelectedPair struct {
	Local  PairEnd `json:"local"`
	Remote PairEnd `json:"remote"`
}

// PairEnd is one candidate of a pair: type (host, srflx, prflx, relay),
// transport and address. Relay names the TURN server a relayed local end
// goes through.
type PairEnd struct {
	Type      string `json:"type"`
	Transport string `json:"transport"`
	Address   string `json:"address"`
	Relay     string `json:"relay,omitempty"`
}

// SessionReport is an ICE session that no captured call names.
type SessionReport struct {
	ID    string    `json:"id"`
	Form  string    `json:"form"`
	Ufrag [2]string `json:"ufrags"`
	Ends  [2]string `json:"ends"` // "internal 10.0.1.20", "remote 192.0.2.50", ...
	ICE   ICEReport `json:"ice"`
}

// AllocationReport is one TURN allocation.
type AllocationReport struct {
	ID        string   `json:"id"`
	Client    string   `json:"client"`
	Server    string   `json:"server"`
	Transport string   `json:"transport"`
	State     string   `json:"state"`
	Relayed   string   `json:"relayed,omitempty"`
	Mapped    string   `json:"mapped,omitempty"`
	Errors    []uint16 `json:"errors,omitempty"`
}

// FlowReport is the media of one direction of one path.
type FlowReport struct {
	Src       string `json:"src"`
	Dst       string `json:"dst"`
	Relay     string `json:"relay,omitempty"`
	Transport string `json:"transport"`
	Packets   int    `json:"packets"`
	Bytes     int    `json:"bytes"`
	First     string `json:"first"`
	Last      string `json:"last"`
	Session   string `json:"session,omitempty"`
}

// CallLocations places the two parties of a call (DIAGNOSES.md "Terms")
// and gives the ms-client-diagnostics code a connectivity failure between
// them would carry.
type CallLocations struct {
	Caller    string `json:"caller"`
	Callee    string `json:"callee"`
	Federated bool   `json:"federated"`
	Code      int    `json:"code"`
}

// iceReport summarises a session.
func (in *Input) iceReport(s *ice.Session) ICEReport {
	r := ICEReport{Session: s.ID, Outcome: string(s.Outcome)}
	p, ok := selectedPair(s)
	if !ok {
		return r
	}
	l, rc := pairEnds(s, p)
	sp := &SelectedPair{Local: pairEnd(l, p.Transport, p.Local.String()), Remote: pairEnd(rc, p.Transport, p.Remote.String())}
	if a := in.pairAllocation(s, p); a != nil {
		sp.Local.Type, sp.Local.Relay = "relay", a.Server.String()
		sp.Local.Transport = strings.TrimSuffix(a.Transport, " pseudo-TLS")
	}
	r.Selected = sp
	r.Path = pathText(sp)
	return r
}

func pairEnd(c *ice.SideCandidate, tr, addr string) PairEnd {
	return PairEnd{Type: candWord(c), Transport: tr, Address: addr}
}

// pathText renders a selected pair on one line.
func pathText(sp *SelectedPair) string {
	return endText(sp.Local) + " <-> " + endText(sp.Remote)
}

func endText(e PairEnd) string {
	if e.Relay != "" {
		i := strings.LastIndexByte(e.Relay, ':')
		return fmt.Sprintf("relay %s %s via %s (%s)", e.Transport, e.Relay[i+1:], e.Relay[:i], e.Address)
	}
	return fmt.Sprintf("%s %s %s", e.Type, e.Transport, e.Address)
}

// addICE fills the ICE parts of a report: per call media lines and
// locations, SIP-less sessions, allocations, flows, relays and STUN
// servers.
func (in *Input) addICE(r *Report) {
	for i := range r.Calls {
		in.addCallICE(&r.Calls[i])
	}
	for _, s := range in.ICE.Sessions {
		if in.sipCall(s.CallID) == nil {
			e := in.Net.endsOf(s, nil)
			r.Sessions = append(r.Sessions, SessionReport{ID: s.ID, Form: s.Form,
				Ufrag: [2]string{s.Sides[0].Ufrag, s.Sides[1].Ufrag},
				Ends:  [2]string{endWord(e.Loc[0], e.Addr[0]), endWord(e.Loc[1], e.Addr[1])}, ICE: in.iceReport(s)})
		}
	}
	for _, f := range in.ICE.Flows {
		r.Flows = append(r.Flows, flowReport(f))
	}
	if in.part {
		return
	}
	for _, a := range in.ICE.Allocations {
		r.Allocations = append(r.Allocations, allocationReport(a))
	}
	r.Relays = in.relayList()
	for _, s := range in.ICE.STUNServers {
		r.STUNServers = append(r.STUNServers, s.Transport+" "+s.Addr.String())
	}
}

// sipCall returns the call with this Call-ID, or nil.
func (in *Input) sipCall(id string) *sipflow.Call {
	if id == "" {
		return nil
	}
	for _, c := range in.Calls {
		if c.CallID == id {
			return c
		}
	}
	return nil
}

// addCallICE attaches each media line's session and the call's locations.
func (in *Input) addCallICE(cr *CallReport) {
	var first *ice.Session
	for _, s := range in.ICE.Sessions {
		if s.CallID != cr.CallID {
			continue
		}
		if first == nil {
			first = s
		}
		if s.MediaIndex >= 0 && s.MediaIndex < len(cr.Media) && cr.Media[s.MediaIndex].ICE == nil {
			rep := in.iceReport(s)
			cr.Media[s.MediaIndex].ICE = &rep
		}
	}
	if first != nil {
		e := in.Net.endsOf(first, in.sipCall(cr.CallID))
		cr.Locations = &CallLocations{Caller: endWord(e.Loc[0], e.Addr[0]), Callee: endWord(e.Loc[1], e.Addr[1]),
			Federated: e.Federated, Code: e.Code()}
	}
}

func allocationReport(a *ice.Allocation) AllocationReport {
	r := AllocationReport{ID: a.ID, Client: a.Client.String(), Server: a.Server.String(), Transport: a.Transport, State: a.State}
	if a.Relayed.IsValid() {
		r.Relayed = a.Relayed.String()
	}
	if a.Mapped.IsValid() {
		r.Mapped = a.Mapped.String()
	}
	for _, e := range append(append([]ice.TURNError(nil), a.AuthFailures...), a.Errors...) {
		r.Errors = append(r.Errors, e.Code)
	}
	return r
}

func flowReport(f *ice.MediaFlow) FlowReport {
	r := FlowReport{Src: addrOrDash(f.Src), Dst: addrOrDash(f.Dst), Transport: f.Transport, Packets: f.Packets(),
		Bytes: f.Bytes, First: f.First.UTC().Format(decode.TimeLayout), Last: f.Last.UTC().Format(decode.TimeLayout),
		Session: f.Session}
	if f.Server.IsValid() {
		r.Relay = f.Server.String() + " " + f.Via
	}
	return r
}

func addrOrDash(a interface{ IsValid() bool }) string {
	if !a.IsValid() {
		return "-"
	}
	return fmt.Sprint(a)
}

// relayList lists the relays: servers that answered an Allocate and the
// user-named edges.
func (in *Input) relayList() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range in.ICE.Allocations {
		if answered(a) && !seen[a.Server.String()] {
			seen[a.Server.String()] = true
			out = append(out, a.Server.String())
		}
	}
	for _, e := range in.Net.Edges {
		if !seen[e.String()] {
			seen[e.String()] = true
			out = append(out, e.String())
		}
	}
	sort.Strings(out)
	return out
}
