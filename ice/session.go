package ice

import (
	"net/netip"
	"sort"
	"strconv"
	"time"
)

// finishSessions turns the sessions seen in checks into Sessions joined to
// SDP, then adds the media lines that offered ICE but saw no check.
func (b *Builder) finishSessions() []*Session {
	out := []*Session{}
	joined := map[mediaLine]bool{}
	for _, st := range b.sessOrder {
		s, ml, ok := b.joinedSession(st)
		if ok {
			joined[ml] = true
		}
		b.buildSession(s)
		out = append(out, s)
	}
	out = append(out, b.sdpOnlySessions(joined)...)
	for _, s := range out {
		b.addNeverTried(s)
		b.conclude(s)
	}
	return out
}

// joinedSession makes the Session of the checks of st, settled and joined
// to the SDP media line its ufrags name, if one does.
func (b *Builder) joinedSession(st *session) (*Session, mediaLine, bool) {
	s := &Session{Sides: [2]*Side{{Ufrag: st.ufrags[0]}, {Ufrag: st.ufrags[1]}},
		Form: st.form.String(), MediaIndex: -1, Checks: st.checks, First: st.first}
	b.settleChecks(s)
	ml, ok := b.joinSDP(s)
	if ok {
		b.attachSDP(s, ml)
	}
	return s, ml, ok
}

// buildSession verifies the session's responses, learns its candidates
// from the checks and builds its pair table.
func (b *Builder) buildSession(s *Session) {
	verifyResponses(s)
	b.learnCandidates(s)
	b.buildPairs(s)
}

// conclude numbers a finished session, sets its nominated pairs and its
// outcome.
func (b *Builder) conclude(s *Session) {
	b.nextSession++
	s.ID = "s" + strconv.Itoa(b.nextSession)
	nominate(s)
	s.Outcome = outcomeOf(s)
}

// settleChecks classifies unanswered checks and sets the sides' roles.
func (b *Builder) settleChecks(s *Session) {
	for _, c := range s.Checks {
		if c.Responses == 0 {
			c.Result = b.resultAtEnd(c.Last)
		}
		side := s.Sides[c.Side]
		if side.Role == "" {
			side.Role = c.Role
		}
		if side.ImplVersion == 0 {
			side.ImplVersion = c.ImplVersion
		}
		if c.Last.After(s.Last) {
			s.Last = c.Last
		}
	}
}

// attachSDP copies the SDP candidates of a media line into the sides.
func (b *Builder) attachSDP(s *Session, ml mediaLine) {
	s.CallID, s.MediaIndex = ml.callID, ml.index
	for i, side := range s.Sides {
		for _, d := range b.descsFor(ml.callID, ml.index, side.Ufrag) {
			s.MediaType = d.mtype
			side.SDP, side.Pwd = true, d.pwd
			if len(d.remote) > 0 {
				side.RemoteCandidates = d.remote
			}
			for j, c := range d.cands {
				b.addOffered(s.Sides[i], c, d.lines[j])
			}
		}
	}
}

// addOffered adds an SDP candidate unless the side already has it.
func (b *Builder) addOffered(side *Side, c Candidate, line string) {
	tr := c.Transport.String()
	if c.TCPType != TCPNone {
		tr += "-" + c.TCPType.String()
	}
	for _, x := range side.Candidates {
		if x.Offered && x.Addr == c.AddrPort() && x.Component == c.Component && x.Transport == tr {
			return
		}
	}
	sc := &SideCandidate{Component: c.Component, Transport: tr, Type: c.Type.String(), Addr: c.AddrPort(),
		Priority: c.Priority, Foundation: c.Foundation, Offered: true, Line: line}
	if c.RelAddr.IsValid() {
		sc.Base = netip.AddrPortFrom(c.RelAddr, c.RelPort)
	}
	if c.Type == Relay {
		sc.Allocation = b.allocationOf(sc.Addr)
	}
	side.Candidates = append(side.Candidates, sc)
}

// allocationOf returns the ID of the allocation whose relayed address is
// addr.
func (b *Builder) allocationOf(addr netip.AddrPort) string {
	for _, a := range b.allocOrder {
		if addr.IsValid() && (a.Relayed == addr || a.RelayedIPv6 == addr) {
			return a.ID
		}
	}
	return ""
}

// learnCandidates marks the candidates the checks used and adds the
// addresses no SDP named: the source of a request is a candidate of its
// sender, the destination one of the receiver, and the mapped address of
// a success a peer-reflexive candidate of the sender (RFC 8445 §7.2.5.3.1).
func (b *Builder) learnCandidates(s *Session) {
	for _, c := range s.Checks {
		b.observeAs(s.Sides[c.Side], c.Component, c.Transport, c.Local, "check-source")
		b.observeAs(s.Sides[1-c.Side], c.Component, c.Transport, c.Remote, "check-destination")
		if c.Result == ResultSuccess && c.Mapped.IsValid() && c.Mapped != c.Local {
			b.observeAs(s.Sides[c.Side], c.Component, c.Transport, c.Mapped, "mapped")
		}
	}
}

// observe returns the index of the side's candidate for addr: an exact
// address match, else a candidate whose raddr is addr (a check seen inside
// a NAT or behind a relay), else a new observed candidate.
func (b *Builder) observe(side *Side, comp int, tr string, addr netip.AddrPort) int {
	return b.observeAs(side, comp, tr, addr, "")
}

func (b *Builder) observeAs(side *Side, comp int, tr string, addr netip.AddrPort, how string) int {
	if !addr.IsValid() {
		return -1
	}
	if i := findCandidate(side, comp, addr); i >= 0 {
		if how != "" {
			side.Candidates[i].Observed = true
		}
		return i
	}
	if how == "" {
		return -1
	}
	sc := &SideCandidate{Component: comp, Transport: tr, Addr: addr, Observed: true, Learned: how, Type: "observed"}
	switch {
	case b.allocationOf(addr) != "":
		sc.Type, sc.Allocation = "relay", b.allocationOf(addr)
	case b.reflexive(addr) || b.allocMapped(addr):
		sc.Type = "srflx"
	case how == "mapped" || side.SDP:
		sc.Type = "prflx"
	}
	side.Candidates = append(side.Candidates, sc)
	return len(side.Candidates) - 1
}

// findCandidate matches addr to a candidate of the component: by address,
// then by raddr.
func findCandidate(side *Side, comp int, addr netip.AddrPort) int {
	for i, c := range side.Candidates {
		if c.Component == comp && c.Addr == addr {
			return i
		}
	}
	for i, c := range side.Candidates {
		if c.Component == comp && c.Base == addr && c.Offered {
			return i
		}
	}
	return -1
}

// allocMapped reports whether an allocation reported addr as the client's
// reflexive address.
func (b *Builder) allocMapped(addr netip.AddrPort) bool {
	for _, a := range b.allocOrder {
		if a.Mapped == addr {
			return true
		}
	}
	return false
}

type pairKey struct {
	side, comp    int
	transport     string
	local, remote netip.AddrPort
}

// buildPairs groups the checks into the agents' check lists.
func (b *Builder) buildPairs(s *Session) {
	index := map[pairKey]int{}
	nomAt := map[int]time.Time{}
	alignComponents(s.Checks)
	for _, c := range s.Checks {
		k := pairKey{c.Side, c.Component, c.Transport, c.Local, c.Remote}
		i, ok := index[k]
		if !ok {
			i = len(s.Pairs)
			index[k] = i
			s.Pairs = append(s.Pairs, &Pair{Side: c.Side, Component: c.Component, Transport: c.Transport,
				Local: c.Local, Remote: c.Remote, Via: c.Via, First: c.First,
				LocalCand:  b.observe(s.Sides[c.Side], c.Component, c.Transport, c.Local),
				RemoteCand: b.observe(s.Sides[1-c.Side], c.Component, c.Transport, c.Remote)})
		}
		p := s.Pairs[i]
		p.addCheck(c)
		if c.UseCandidate && c.Result == ResultSuccess && !c.First.Before(nomAt[i]) {
			nomAt[i] = c.First
		}
	}
	s.Nominated, s.NominatedBy = map[int]int{}, map[int]string{}
	for i, t := range nomAt {
		p := s.Pairs[i]
		j, ok := s.Nominated[p.Component]
		if !ok || t.After(nomAt[j]) || (t.Equal(nomAt[j]) && i < j) {
			s.Nominated[p.Component], s.NominatedBy[p.Component] = i, "use-candidate"
		}
	}
	for _, p := range s.Pairs {
		p.settle()
	}
}

// alignComponents gives the checks of one address pair, in both
// directions, the lowest component any of them claimed: some stacks
// (Teams) answer on component 1 with a PRIORITY computed for component 2,
// so the PRIORITY attribute alone (RFC 8445 §5.1.2.1) cannot name it.
func alignComponents(checks []*Check) {
	low := map[pathKey]int{}
	for _, c := range checks {
		k := makePathKey(c.Local, c.Remote)
		if n, ok := low[k]; !ok || c.Component < n {
			low[k] = c.Component
		}
	}
	for _, c := range checks {
		c.Component = low[makePathKey(c.Local, c.Remote)]
	}
}

// addCheck folds one check into the pair.
func (p *Pair) addCheck(c *Check) {
	p.Checks++
	p.Sends += c.Sends
	if c.Last.After(p.Last) {
		p.Last = c.Last
	}
	p.UseCandidate = p.UseCandidate || c.UseCandidate
	switch c.Result {
	case ResultSuccess:
		p.State = PairSucceeded
		if p.RTT == 0 || c.RTT < p.RTT {
			p.RTT = c.RTT
		}
	case ResultUnanswered:
		if p.State != PairSucceeded {
			p.State = PairUnanswered
		}
	case ResultError:
		p.ErrorCode = c.ErrorCode
		if p.State == "" {
			p.State = PairFailed
		}
	default:
		if p.State == "" {
			p.State = PairFailed
		}
	}
}

// settle leaves a pair whose checks all failed as failed.
func (p *Pair) settle() {
	if p.State == "" {
		p.State = PairFailed
	}
}

// addNeverTried lists the pairs the SDP of both sides allowed but no check
// tried (RFC 8445 §6.1.2.2 pairing, same component and address family;
// server-reflexive local candidates are replaced by their base, §6.1.2.4).
func (b *Builder) addNeverTried(s *Session) {
	if !s.Sides[0].SDP || !s.Sides[1].SDP {
		return
	}
	for side := range 2 {
		for li, l := range s.Sides[side].Candidates {
			if !l.Offered || l.Type == "srflx" || !l.Addr.IsValid() {
				continue
			}
			for ri, r := range s.Sides[1-side].Candidates {
				if !r.Offered || !r.Addr.IsValid() || r.Component != l.Component ||
					r.Addr.Addr().Is4() != l.Addr.Addr().Is4() || !transportsPair(l.Transport, r.Transport) {
					continue
				}
				if !s.hasPair(side, l, r) {
					s.Pairs = append(s.Pairs, &Pair{Side: side, Component: l.Component, Transport: baseTransport(l.Transport),
						Local: l.Addr, Remote: r.Addr, LocalCand: li, RemoteCand: ri, State: PairNeverTried})
				}
			}
		}
	}
}

// hasPair reports whether a checked pair of side uses the candidates l
// and r (by address or by raddr).
func (s *Session) hasPair(side int, l, r *SideCandidate) bool {
	for _, p := range s.Pairs {
		if p.Side != side || p.Component != l.Component {
			continue
		}
		lm := p.Local == l.Addr || (p.LocalCand >= 0 && s.Sides[side].Candidates[p.LocalCand] == l)
		rm := p.Remote == r.Addr || (p.RemoteCand >= 0 && s.Sides[1-side].Candidates[p.RemoteCand] == r)
		if lm && rm {
			return true
		}
	}
	return false
}

// transportsPair reports whether two candidate transports can form a pair:
// UDP with UDP, TCP active with passive, so with so (RFC 6544 §6.2).
func transportsPair(a, b string) bool {
	if baseTransport(a) != baseTransport(b) {
		return false
	}
	switch a {
	case "TCP-active":
		return b == "TCP-passive" || b == "TCP"
	case "TCP-passive":
		return b == "TCP-active" || b == "TCP"
	case "TCP-so":
		return b == "TCP-so" || b == "TCP"
	}
	return true
}

func baseTransport(t string) string {
	if len(t) >= 3 && t[:3] == "TCP" {
		return "TCP"
	}
	return "UDP"
}

// nominate applies an MS re-INVITE's a=remote-candidates (MS-REFERENCE
// §2.5) to components without a USE-CANDIDATE nomination.
func nominate(s *Session) {
	if s.Nominated == nil {
		s.Nominated, s.NominatedBy = map[int]int{}, map[int]string{}
	}
	for side := range 2 {
		for _, rc := range s.Sides[side].RemoteCandidates {
			if _, ok := s.Nominated[rc.Component]; ok {
				continue
			}
			best := -1
			for i, p := range s.Pairs {
				if p.Side == side && p.Component == rc.Component && p.Remote == rc.AddrPort() &&
					(best < 0 || p.State == PairSucceeded && s.Pairs[best].State != PairSucceeded) {
					best = i
				}
			}
			if best >= 0 {
				s.Nominated[rc.Component], s.NominatedBy[rc.Component] = best, "remote-candidates"
			}
		}
	}
}

// outcomeOf decides the session outcome from its checks.
func outcomeOf(s *Session) Outcome {
	if len(s.Checks) == 0 {
		return OutcomeNoChecks
	}
	pending := false
	for _, c := range s.Checks {
		switch c.Result {
		case ResultSuccess:
			return OutcomeSucceeded
		case ResultUnanswered:
			pending = true
		}
	}
	if pending {
		return OutcomeUnknown
	}
	return OutcomeFailed
}

// sdpOnlySessions builds sessions for media lines that offered ICE (not
// the draft-06 fallback) but whose ufrags no check used.
func (b *Builder) sdpOnlySessions(joined map[mediaLine]bool) []*Session {
	type line struct {
		ml     mediaLine
		ufrags []string
		first  time.Time
	}
	var lines []*line
	byLine := map[mediaLine]*line{}
	for _, d := range b.media {
		ml := mediaLine{d.callID, d.index}
		if d.fallback || joined[ml] || len(d.cands) == 0 {
			continue
		}
		l := byLine[ml]
		if l == nil {
			l = &line{ml: ml, first: d.time}
			byLine[ml] = l
			lines = append(lines, l)
		}
		if !containsString(l.ufrags, d.ufrag) && len(l.ufrags) < 2 {
			l.ufrags = append(l.ufrags, d.ufrag)
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].first.Before(lines[j].first) })
	var out []*Session
	for _, l := range lines {
		s := &Session{Sides: [2]*Side{{Ufrag: l.ufrags[0]}, {}}, MediaIndex: -1, First: l.first, Last: l.first, Checks: []*Check{}}
		if len(l.ufrags) > 1 {
			s.Sides[1].Ufrag = l.ufrags[1]
		}
		b.attachSDP(s, l.ml)
		s.Nominated, s.NominatedBy = map[int]int{}, map[int]string{}
		out = append(out, s)
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
