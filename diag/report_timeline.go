package diag

import (
	"net/netip"
	"sort"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// Bounds on what the timeline keeps, so that a report of a busy capture
// stays small enough to render (docs/limits.md).
const (
	maxTimelineSIP   = 400 // SIP messages per call
	maxTimelineCands = 64  // candidates per side of a session
	maxTimelinePairs = 512 // pairs per session
)

// Timeline is the time-ordered detail the HTML report draws
// (docs/report-schema.md "Timeline"): every SIP message of each call
// (RFC 3261 §24 ladder), the candidates, pairs and milestones of each ICE
// session (RFC 8445 §6.1.2 check lists), the lifetime of each TURN
// allocation (RFC 8656 §7) and the longest silence of each media flow.
type Timeline struct {
	// SIP lists each call's messages in capture order, by Call-ID.
	SIP map[string][]SIPMessage `json:"sip"`
	// SIPTruncated counts the messages of a call left out past the bound.
	SIPTruncated map[string]int `json:"sip_truncated,omitempty"`
	// ICE details every ICE session (of a call or SIP-less), by session ID.
	ICE map[string]ICEDetail `json:"ice"`
	// Allocations gives the times of each allocation, by allocation ID.
	Allocations map[string]AllocationTimes `json:"allocations"`
	// Flows runs parallel to Report.Flows.
	Flows []FlowTimes `json:"flows"`
}

// SIPMessage is one copy of a SIP message as the capture shows it: when,
// where (frame), between which transport addresses, its start-line label
// ("INVITE", "200 OK") and whether it carried an SDP offer or answer
// (RFC 3264) or another body.
type SIPMessage struct {
	Time           string `json:"time"`
	File           string `json:"file,omitempty"`
	Frame          uint64 `json:"frame"`
	Src            string `json:"src"`
	Dst            string `json:"dst"`
	Transport      string `json:"transport"`
	Label          string `json:"label"`
	Request        bool   `json:"request,omitempty"`
	Method         string `json:"method"`
	CSeq           uint32 `json:"cseq"`
	Status         int    `json:"status,omitempty"`
	SDP            string `json:"sdp,omitempty"` // offer, answer, body
	Retransmission bool   `json:"retransmission,omitempty"`
}

// ICEDetail is what the capture shows of one ICE session: the call and
// media line it belongs to, both agents with their candidates, every pair
// checked and the milestones of RFC 8445 §7-8 (first check, first
// success, nomination, first media).
type ICEDetail struct {
	CallID     string         `json:"call_id,omitempty"`
	MediaIndex int            `json:"media_index"`
	Sides      [2]ICESide     `json:"sides"`
	Pairs      []PairDetail   `json:"pairs"`
	Milestones []Milestone    `json:"milestones"`
	Truncated  map[string]int `json:"truncated,omitempty"`
}

// ICESide is one agent of a session: its ufrag, role (RFC 8445 §6.1.1)
// and candidates (RFC 8445 §5.1, offered or learned on the wire).
type ICESide struct {
	Ufrag      string            `json:"ufrag"`
	Role       string            `json:"role,omitempty"`
	Candidates []CandidateDetail `json:"candidates"`
}

// CandidateDetail is one candidate: component, transport, type,
// address and base (raddr/rport), whether SDP offered it or how the wire
// revealed it, and the allocation that produced a relay candidate.
type CandidateDetail struct {
	Component  int    `json:"component"`
	Transport  string `json:"transport"`
	Type       string `json:"type"`
	Address    string `json:"address"`
	Base       string `json:"base,omitempty"`
	Offered    bool   `json:"offered"`
	Learned    string `json:"learned,omitempty"`
	Allocation string `json:"allocation,omitempty"`
}

// PairDetail is one entry of an agent's check list (RFC 8445 §6.1.2):
// Side checked from its candidate Local (index into Sides[Side]) to the
// peer's candidate Remote (index into Sides[1-Side]); -1 when the address
// matches no candidate. State is succeeded, failed, unanswered or
// never-tried; ErrorCode the STUN error of a rejected check (RFC 8489
// §14.8). Nominated and Selected mark the pairs RFC 8445 §8.1.1 nominated
// and the pair media flowed on.
type PairDetail struct {
	Side         int    `json:"side"`
	Component    int    `json:"component"`
	Transport    string `json:"transport"`
	Local        int    `json:"local"`
	Remote       int    `json:"remote"`
	LocalAddr    string `json:"local_addr"`
	RemoteAddr   string `json:"remote_addr"`
	State        string `json:"state"`
	ErrorCode    uint16 `json:"error_code,omitempty"`
	Checks       int    `json:"checks"`
	UseCandidate bool   `json:"use_candidate,omitempty"`
	MediaPackets int    `json:"media_packets,omitempty"`
	Nominated    bool   `json:"nominated,omitempty"`
	Selected     bool   `json:"selected,omitempty"`
}

// Milestone names an ICE event: "first check", "first success",
// "nomination" or "first media", when and between which addresses.
type Milestone struct {
	Name  string `json:"name"`
	Time  string `json:"time"`
	File  string `json:"file,omitempty"`
	Frame uint64 `json:"frame,omitempty"`
	Src   string `json:"src"`
	Dst   string `json:"dst"`
}

// AllocationTimes is the lifetime of a TURN allocation as captured: the
// first and last message and, when the client released it, the time of
// the Refresh with LIFETIME 0 (RFC 8656 §7.2).
type AllocationTimes struct {
	First       string `json:"first"`
	Last        string `json:"last"`
	Deallocated string `json:"deallocated,omitempty"`
}

// FlowTimes is the longest silence between two packets of a flow, in
// milliseconds.
type FlowTimes struct {
	LongestGapMS int64 `json:"longest_gap_ms"`
}

// timeline builds the report's Timeline.
func (in *Input) timeline() Timeline {
	t := Timeline{SIP: map[string][]SIPMessage{}, ICE: map[string]ICEDetail{},
		Allocations: map[string]AllocationTimes{}, Flows: []FlowTimes{}}
	for _, c := range in.Calls {
		msgs, cut := in.sipMessages(c)
		t.SIP[c.CallID] = msgs
		if cut > 0 {
			if t.SIPTruncated == nil {
				t.SIPTruncated = map[string]int{}
			}
			t.SIPTruncated[c.CallID] = cut
		}
	}
	if in.ICE == nil {
		return t
	}
	for _, s := range in.ICE.Sessions {
		t.ICE[s.ID] = in.iceDetail(s)
	}
	for _, f := range in.ICE.Flows {
		t.Flows = append(t.Flows, FlowTimes{LongestGapMS: f.LongestGap.Milliseconds()})
	}
	if !in.part {
		for _, a := range in.ICE.Allocations {
			t.Allocations[a.ID] = allocationTimes(a)
		}
	}
	return t
}

func stamp(t time.Time) string { return t.UTC().Format(decode.TimeLayout) }

// sipMessages lists a call's messages, marking those that carried an
// offer or an answer of its offer/answer exchanges.
func (in *Input) sipMessages(c *sipflow.Call) ([]SIPMessage, int) {
	roles := map[[2]uint64]string{}
	for _, x := range c.Exchanges {
		for _, b := range x.Offer {
			roles[msgKey(b.Msg)] = "offer"
		}
		for _, b := range x.Answer {
			if _, ok := roles[msgKey(b.Msg)]; !ok {
				roles[msgKey(b.Msg)] = "answer"
			}
		}
	}
	out := []SIPMessage{}
	for i, m := range c.Messages {
		if i == maxTimelineSIP {
			return out, len(c.Messages) - i
		}
		sdp := roles[msgKey(m)]
		if sdp == "" && m.HasBody {
			sdp = "body"
		}
		out = append(out, SIPMessage{Time: stamp(m.Meta.Time), File: in.fileName(m.Meta.File), Frame: m.Meta.Frame,
			Src: m.Meta.Src.String(), Dst: m.Meta.Dst.String(), Transport: m.Meta.Transport,
			Label: sipflow.MessageLabel(m), Request: m.Request, Method: m.Method, CSeq: m.CSeq, Status: m.StatusCode,
			SDP: sdp, Retransmission: m.Retransmission})
	}
	return out, 0
}

func msgKey(m sipflow.MsgRef) [2]uint64 { return [2]uint64{uint64(m.Meta.File), m.Meta.Frame} }

// iceDetail copies a session's candidates, pairs and milestones.
func (in *Input) iceDetail(s *ice.Session) ICEDetail {
	d := ICEDetail{CallID: s.CallID, MediaIndex: s.MediaIndex, Pairs: []PairDetail{}, Milestones: []Milestone{}}
	for i, sd := range s.Sides {
		if sd == nil {
			d.Sides[i].Candidates = []CandidateDetail{}
			continue
		}
		d.Sides[i] = ICESide{Ufrag: sd.Ufrag, Role: sd.Role, Candidates: []CandidateDetail{}}
		for j, c := range sd.Candidates {
			if j == maxTimelineCands {
				d.truncate("candidates", len(sd.Candidates)-j)
				break
			}
			d.Sides[i].Candidates = append(d.Sides[i].Candidates, candidateDetail(c))
		}
	}
	for i, p := range s.Pairs {
		if i == maxTimelinePairs {
			d.truncate("pairs", len(s.Pairs)-i)
			break
		}
		d.Pairs = append(d.Pairs, pairDetail(s, i, p))
	}
	d.Milestones = in.milestones(s)
	return d
}

func (d *ICEDetail) truncate(what string, n int) {
	if d.Truncated == nil {
		d.Truncated = map[string]int{}
	}
	d.Truncated[what] += n
}

func candidateDetail(c *ice.SideCandidate) CandidateDetail {
	cd := CandidateDetail{Component: c.Component, Transport: c.Transport, Type: candWord(c),
		Address: c.Addr.String(), Offered: c.Offered, Learned: c.Learned, Allocation: c.Allocation}
	if c.Base.IsValid() {
		cd.Base = c.Base.String()
	}
	return cd
}

func pairDetail(s *ice.Session, i int, p *ice.Pair) PairDetail {
	pd := PairDetail{Side: p.Side, Component: p.Component, Transport: p.Transport,
		Local: p.LocalCand, Remote: p.RemoteCand, LocalAddr: p.Local.String(), RemoteAddr: p.Remote.String(),
		State: string(p.State), ErrorCode: p.ErrorCode, Checks: p.Checks, UseCandidate: p.UseCandidate,
		MediaPackets: p.MediaPackets}
	if p.LocalCand >= maxTimelineCands {
		pd.Local = -1
	}
	if p.RemoteCand >= maxTimelineCands {
		pd.Remote = -1
	}
	for _, j := range s.Nominated {
		pd.Nominated = pd.Nominated || j == i
	}
	for _, j := range s.Selected {
		pd.Selected = pd.Selected || j == i
	}
	return pd
}

// milestones finds the first check, the first success response, the
// first successful check with USE-CANDIDATE (RFC 8445 §8.1.1) and the
// first media packet of the session.
func (in *Input) milestones(s *ice.Session) []Milestone {
	var first, success, nominate *ice.Check
	for _, c := range s.Checks {
		if first == nil || c.First.Before(first.First) {
			first = c
		}
		if c.Result != ice.ResultSuccess {
			continue
		}
		if success == nil || c.First.Add(c.RTT).Before(success.First.Add(success.RTT)) {
			success = c
		}
		if c.UseCandidate && (nominate == nil || c.First.Before(nominate.First)) {
			nominate = c
		}
	}
	out := []Milestone{}
	if first != nil {
		out = append(out, in.checkMilestone("first check", first, first.First, first.Frame, false))
	}
	if success != nil {
		out = append(out, in.checkMilestone("first success", success, success.First.Add(success.RTT), success.ResponseFrame, true))
	}
	if nominate != nil {
		out = append(out, in.checkMilestone("nomination", nominate, nominate.First, nominate.Frame, false))
	}
	if f := firstFlow(in.ICE.Flows, s.ID); f != nil {
		out = append(out, Milestone{Name: "first media", Time: stamp(f.First), Src: addrOrDash(f.Src), Dst: addrOrDash(f.Dst)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out
}

// checkMilestone names a check; a response runs from Remote to Local.
func (in *Input) checkMilestone(name string, c *ice.Check, at time.Time, frame uint64, response bool) Milestone {
	src, dst := c.Local, c.Remote
	if response {
		src, dst = dst, src
	}
	return Milestone{Name: name, Time: stamp(at), File: in.fileName(c.File), Frame: frame,
		Src: addrText(src), Dst: addrText(dst)}
}

func addrText(a netip.AddrPort) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}

func firstFlow(flows []*ice.MediaFlow, session string) *ice.MediaFlow {
	var best *ice.MediaFlow
	for _, f := range flows {
		if f.Session == session && (best == nil || f.First.Before(best.First)) {
			best = f
		}
	}
	return best
}

func allocationTimes(a *ice.Allocation) AllocationTimes {
	t := AllocationTimes{First: stamp(a.First), Last: stamp(a.Last)}
	if !a.Deallocated.IsZero() {
		t.Deallocated = stamp(a.Deallocated)
	}
	return t
}
