package diag

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Ladder geometry, in SVG user units (CSS pixels at 100 %).
const (
	ladderLeft   = 96  // room for the time labels
	ladderColW   = 184 // distance between lifelines
	ladderTop    = 78  // below the host headers
	ladderRowH   = 26  // one event
	ladderBreakH = 24  // a pause longer than ladderPause
	ladderPause  = 1500 * time.Millisecond
	charW        = 6.2 // average width of a label character at 11px
)

// sceneEvent is one arrow of a ladder: a SIP message, a TURN exchange or
// an ICE milestone between two hosts.
type sceneEvent struct {
	at       time.Time
	from, to netip.Addr
	label    string
	class    string // sip, sip-resp, sip-err, retrans, turn, turn-err, ice
	title    string
}

// scene gathers what one call or SIP-less session shows on its ladder and
// media timeline: events, hosts in order of first appearance and their
// names, and the answer and BYE times.
type scene struct {
	r         *Report
	sessions  []string
	events    []sceneEvent
	hosts     []netip.Addr
	names     map[netip.Addr]string
	notes     map[netip.Addr]string
	sipHosts  map[netip.Addr]bool
	answer    time.Time
	bye       time.Time
	first     time.Time
	last      time.Time
	hasBounds bool
}

func newScene(r *Report, sip []SIPMessage, sessions []string) *scene {
	sc := &scene{r: r, sessions: sessions, names: map[netip.Addr]string{}, notes: map[netip.Addr]string{},
		sipHosts: map[netip.Addr]bool{}}
	for _, m := range sip {
		sc.addSIP(m)
	}
	for _, id := range sessions {
		for _, ms := range r.Timeline.ICE[id].Milestones {
			sc.add(ms.Time, ms.Src, ms.Dst, "ICE "+ms.Name+" ("+id+")", "ice",
				fmt.Sprintf("%s of ICE session %s, %s -> %s %s", ms.Name, id, ms.Src, ms.Dst, frameRef(ms.File, ms.Frame)))
		}
	}
	sc.addAllocations()
	sort.SliceStable(sc.events, func(i, j int) bool { return sc.events[i].at.Before(sc.events[j].at) })
	sc.orderHosts()
	return sc
}

func frameRef(file string, frame uint64) string {
	if frame == 0 {
		return ""
	}
	return fmt.Sprintf("(frame %s#%d)", file, frame)
}

// add records one event; events with an unreadable time or address are
// left out.
func (sc *scene) add(at, src, dst, label, class, title string) bool {
	t, ok := parseStamp(at)
	a, okA := hostOf(src)
	b, okB := hostOf(dst)
	if !ok || !okA || !okB {
		return false
	}
	sc.events = append(sc.events, sceneEvent{at: t, from: a, to: b, label: label, class: class, title: title})
	if !sc.hasBounds || t.Before(sc.first) {
		sc.first = t
	}
	if !sc.hasBounds || t.After(sc.last) {
		sc.last = t
	}
	sc.hasBounds = true
	return true
}

func (sc *scene) addSIP(m SIPMessage) {
	label, class := m.Label, "sip"
	switch {
	case m.Retransmission:
		class = "retrans"
		label += " (again)"
	case m.Status >= 400:
		class = "sip-err"
	case !m.Request:
		class = "sip-resp"
	}
	if m.SDP == "offer" || m.SDP == "answer" {
		label += " (SDP " + m.SDP + ")"
	}
	title := fmt.Sprintf("%s %s -> %s over %s (frame %s#%d)", m.Label, m.Src, m.Dst, m.Transport, m.File, m.Frame)
	if !sc.add(m.Time, m.Src, m.Dst, label, class, title) {
		return
	}
	t := sc.events[len(sc.events)-1].at
	if a, ok := hostOf(m.Src); ok {
		sc.sipHosts[a] = true
	}
	if !m.Request && m.Method == "INVITE" && m.Status >= 200 && m.Status < 300 && sc.answer.IsZero() {
		sc.answer = t
	}
	if m.Request && m.Method == "BYE" && sc.bye.IsZero() {
		sc.bye = t
	}
}

// addAllocations draws the TURN allocations of the scene's sessions: those
// that produced one of their relay candidates, and those made from one of
// their candidates' addresses while the call lasted.
func (sc *scene) addAllocations() {
	ids, addrs := map[string]bool{}, map[netip.Addr]bool{}
	for _, id := range sc.sessions {
		for _, side := range sc.r.Timeline.ICE[id].Sides {
			for _, c := range side.Candidates {
				if c.Allocation != "" {
					ids[c.Allocation] = true
				}
				if a, ok := hostOf(c.Address); ok && c.Type == "host" {
					addrs[a] = true
				}
			}
		}
	}
	for _, a := range sc.r.Allocations {
		times := sc.r.Timeline.Allocations[a.ID]
		client, _ := hostOf(a.Client)
		if !ids[a.ID] && !(addrs[client] && sc.during(times.First)) {
			continue
		}
		class, result := "turn", a.State
		switch a.State {
		case "allocated", "deallocated":
			result = "✓"
		case "failed":
			class, result = "turn-err", "✗ "+joinCodes(a.Errors)
		case "pending":
			class, result = "turn-err", "no answer"
		}
		sc.add(times.First, a.Client, a.Server, "Allocate "+a.Transport+" "+result, class,
			fmt.Sprintf("TURN allocation %s, %s -> %s over %s, state %s, relayed %s", a.ID, a.Client, a.Server, a.Transport, a.State, orNone([]string{a.Relayed})))
		if times.Deallocated != "" {
			sc.add(times.Deallocated, a.Client, a.Server, "TURN release", "turn",
				"TURN allocation "+a.ID+" released (Refresh with LIFETIME 0)")
		}
	}
}

// during reports whether a time lies within a minute before the scene's
// first event and its last event.
func (sc *scene) during(at string) bool {
	t, ok := parseStamp(at)
	if !ok || !sc.hasBounds {
		return ok && !sc.hasBounds
	}
	return !t.Before(sc.first.Add(-time.Minute)) && !t.After(sc.last)
}

func joinCodes(cs []uint16) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprint(c)
	}
	return strings.Join(parts, ", ")
}

// orderHosts lists the hosts in order of first appearance.
func (sc *scene) orderHosts() {
	seen := map[netip.Addr]bool{}
	for _, e := range sc.events {
		for _, a := range []netip.Addr{e.from, e.to} {
			if !seen[a] {
				seen[a] = true
				sc.hosts = append(sc.hosts, a)
			}
		}
	}
}

// nameCallHosts names a call's hosts: the caller's and the callee's
// agents (placed by the call's locations, else by the ends of the first
// INVITE transaction, RFC 3261 §17), the NATs their reflexive candidates
// show, TURN servers and the SIP servers in between.
func (sc *scene) nameCallHosts(c CallReport) {
	sc.nameRelays()
	sipCaller, sipCallee := inviteEnds(sc.r.Timeline.SIP[c.CallID])
	var ends [2]netip.Addr
	if l := c.Locations; l != nil {
		ends = [2]netip.Addr{lastWordAddr(l.Caller), lastWordAddr(l.Callee)}
	} else {
		ends = [2]netip.Addr{sipCaller, sipCallee}
	}
	sc.setName(ends[0], "caller", c.CallerUA)
	sc.setName(ends[1], "callee", c.CalleeUA)
	sc.setName(sipCaller, "caller", c.CallerUA)
	sc.nameAgents(func(d ICEDetail, i int) string {
		for _, cd := range d.Sides[i].Candidates {
			if a, ok := hostOf(cd.Address); ok && cd.Type == "host" {
				switch a {
				case ends[0]:
					return "caller"
				case ends[1]:
					return "callee"
				}
			}
		}
		return "agent " + string(rune('A'+i))
	})
	sc.nameRest()
}

// nameSessionHosts names the two agents of a SIP-less session by the
// location of each end.
func (sc *scene) nameSessionHosts(s SessionReport) {
	sc.nameRelays()
	sc.setName(lastWordAddr(s.Ends[0]), "agent A", firstWord(s.Ends[0]))
	sc.setName(lastWordAddr(s.Ends[1]), "agent B", firstWord(s.Ends[1]))
	sc.nameAgents(func(_ ICEDetail, i int) string { return "agent " + string(rune('A'+i)) })
	sc.nameRest()
}

// nameAgents names the addresses of each session's candidates after
// their agent: host candidates by the agent's name, reflexive ones as its
// NAT (RFC 8445 §5.1.1.2).
func (sc *scene) nameAgents(agent func(d ICEDetail, side int) string) {
	for _, id := range sc.sessions {
		d := sc.r.Timeline.ICE[id]
		for i, side := range d.Sides {
			name := agent(d, i)
			for _, cd := range side.Candidates {
				a, ok := hostOf(cd.Address)
				switch {
				case !ok:
				case cd.Type == "host":
					sc.setName(a, name, "")
				case cd.Type == "srflx" || cd.Type == "prflx":
					sc.setName(a, name+" NAT", "")
				}
			}
		}
	}
}

func (sc *scene) nameRelays() {
	for _, rl := range sc.r.Relays {
		if a, ok := hostOf(rl); ok {
			sc.setName(a, "TURN server", "")
		}
	}
	for _, al := range sc.r.Allocations {
		if a, ok := hostOf(al.Server); ok {
			sc.setName(a, "TURN server", "")
		}
	}
}

func (sc *scene) nameRest() {
	for _, h := range sc.hosts {
		if sc.sipHosts[h] {
			sc.setName(h, "SIP server", "")
		}
		sc.setName(h, "peer", "")
	}
}

// setName names a host unless it already has a name.
func (sc *scene) setName(a netip.Addr, name, note string) {
	if !a.IsValid() || sc.names[a] != "" {
		return
	}
	sc.names[a] = name
	sc.notes[a] = note
}

// inviteEnds finds the user agents of the first INVITE transaction: the
// host that sent it but never received it, and the last host that
// received it without forwarding it.
func inviteEnds(msgs []SIPMessage) (caller, callee netip.Addr) {
	var cseq uint32
	sent, got := map[netip.Addr]bool{}, map[netip.Addr]bool{}
	var order []netip.Addr
	for _, m := range msgs {
		if !m.Request || m.Method != "INVITE" || (caller.IsValid() && m.CSeq != cseq) {
			continue
		}
		src, ok1 := hostOf(m.Src)
		dst, ok2 := hostOf(m.Dst)
		if !ok1 || !ok2 {
			continue
		}
		if !caller.IsValid() {
			cseq, caller = m.CSeq, src
		}
		sent[src] = true
		if !got[dst] {
			order = append(order, dst)
		}
		got[dst] = true
	}
	if got[caller] {
		caller = netip.Addr{}
	}
	for _, h := range order {
		if !sent[h] {
			callee = h
		}
	}
	return caller, callee
}

func lastWordAddr(s string) netip.Addr {
	a, _ := hostOf(s[strings.LastIndexByte(s, ' ')+1:])
	return a
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return ""
}

// ladderView is the SVG of a ladder.
type ladderView struct {
	Width, Height int
	LineBottom    int
	Hosts         []ladderHost
	Arrows        []ladderArrow
	Breaks        []ladderBreak
	Start         string
}

type ladderHost struct {
	X, BoxX    int
	Name, Addr string
	Note       string
}

type ladderArrow struct {
	Y, X1, X2, LabelX int
	Head              string // arrowhead polygon points
	Self              bool
	Label, Title      string
	Time              string
	Class             string
}

type ladderBreak struct {
	Y     int
	Label string
}

// ladder lays the scene out: one lifeline per host, one row per event,
// a marked break where nothing happened for longer than ladderPause.
func (sc *scene) ladder() *ladderView {
	if len(sc.events) == 0 {
		return nil
	}
	col := map[netip.Addr]int{}
	v := &ladderView{Width: ladderLeft + ladderColW*len(sc.hosts), Start: sc.first.UTC().Format("2006-01-02 15:04:05.000 UTC")}
	for i, h := range sc.hosts {
		col[h] = ladderLeft + ladderColW*i + ladderColW/2
		name := sc.names[h]
		if name == "" {
			name = "host"
		}
		v.Hosts = append(v.Hosts, ladderHost{X: col[h], BoxX: col[h] - ladderColW/2 + 8, Name: name, Addr: h.String(), Note: clip(sc.notes[h], 28)})
	}
	y := ladderTop
	prev := sc.first
	for _, e := range sc.events {
		if e.at.Sub(prev) > ladderPause {
			y += ladderBreakH
			v.Breaks = append(v.Breaks, ladderBreak{Y: y - ladderBreakH/2 - 4, Label: seconds(e.at.Sub(prev)) + " later"})
		}
		prev = e.at
		y += ladderRowH
		v.Arrows = append(v.Arrows, arrowOf(e, col[e.from], col[e.to], y, "+"+seconds(e.at.Sub(sc.first))))
	}
	v.Height = y + 20
	v.LineBottom = y + 12
	return v
}

func arrowOf(e sceneEvent, x1, x2, y int, at string) ladderArrow {
	a := ladderArrow{Y: y, X1: x1, X2: x2, Title: e.title, Time: at, Class: e.class}
	span := x2 - x1
	if span < 0 {
		span = -span
	}
	switch {
	case span == 0:
		a.Self, a.LabelX = true, x1+10
		a.Label = clip(e.label, (ladderColW-20)*10/62)
	case x2 > x1:
		a.Head = fmt.Sprintf("%d,%d %d,%d %d,%d", x2, y, x2-8, y-4, x2-8, y+4)
		a.LabelX, a.Label = (x1+x2)/2, clip(e.label, int(float64(span-12)/charW))
	default:
		a.Head = fmt.Sprintf("%d,%d %d,%d %d,%d", x2, y, x2+8, y-4, x2+8, y+4)
		a.LabelX, a.Label = (x1+x2)/2, clip(e.label, int(float64(span-12)/charW))
	}
	return a
}

// clip shortens s to n characters, ending in an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if n < 2 {
		n = 2
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
