package diag

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// Defaults of RetirePolicy.
const (
	// DefaultRetireAfter is how long after its last message, check and
	// media packet a finished call is folded: long enough for the QoE
	// report a Lync client sends right after the BYE, for stray media and
	// for retransmissions (each one counts as seen, and they come at
	// most 4 s apart, RFC 3261 T2).
	DefaultRetireAfter = 20 * time.Second
	// DefaultKeepFinished is how many finished calls an offline analysis
	// keeps in full before it folds the oldest.
	DefaultKeepFinished = 64
)

// RetirePolicy says when a finished call leaves the analysis state: its
// findings, its report entry and its media are computed then (a call's
// findings depend on its own SIP, ICE sessions and media, the relays and
// the frame index) and the SIP dialog, ICE sessions, checks, flows and
// frame index entries it held are freed. Memory then follows the calls
// in progress, not the length of the capture.
type RetirePolicy struct {
	// After is the capture time that must pass after a finished call's
	// last message, check and media packet; zero means
	// DefaultRetireAfter.
	After time.Duration
	// Keep is how many finished calls stay in full before the oldest
	// idle ones are folded; zero means DefaultKeepFinished, negative
	// never folds. Stream overrides it.
	Keep int
	// Stream folds every finished call as soon as it is idle (a live
	// capture reports calls as they end).
	Stream bool
	// Timeout, when positive, also folds a call that has not ended (no
	// BYE seen) once nothing of it was seen for this long.
	Timeout time.Duration
}

func (p RetirePolicy) withDefaults() RetirePolicy {
	if p.After <= 0 {
		p.After = DefaultRetireAfter
	}
	if p.Keep == 0 {
		p.Keep = DefaultKeepFinished
	}
	if p.Stream {
		p.Keep = 0
	}
	return p
}

// CallResult is a folded call: its report entry and findings, final once
// the call is folded.
type CallResult struct {
	Call     CallReport
	Findings []Finding
}

// callPart is what a folded call contributes to the final report, kept
// compressed (a few hundred bytes per call): the JSON of its report
// entry, findings, flows and timeline, deflated. body holds it instead in
// the unexpected case that it did not encode.
type callPart struct {
	start  time.Time
	packed []byte
	body   *partBody
}

// partBody is the content of a callPart.
type partBody struct {
	Call     CallReport           `json:"call"`
	Findings []Finding            `json:"findings"`
	Flows    []FlowReport         `json:"flows"`
	Times    []FlowTimes          `json:"times"`
	SIP      []SIPMessage         `json:"sip"`
	SIPCut   int                  `json:"sip_cut"`
	ICE      map[string]ICEDetail `json:"ice"`
}

// packer deflates folded calls, reusing its buffers: a flate writer
// holds about a megabyte of state.
type packer struct {
	buf bytes.Buffer
	zw  *flate.Writer
}

// newPart compresses a part's body.
func (pk *packer) newPart(start time.Time, b *partBody) *callPart {
	pk.buf.Reset()
	var err error
	if pk.zw == nil {
		pk.zw, err = flate.NewWriter(&pk.buf, flate.BestSpeed)
	} else {
		pk.zw.Reset(&pk.buf)
	}
	if err == nil {
		err = json.NewEncoder(pk.zw).Encode(b)
	}
	if err == nil {
		err = pk.zw.Close()
	}
	if err != nil {
		return &callPart{start: start, body: b}
	}
	return &callPart{start: start, packed: bytes.Clone(pk.buf.Bytes())}
}

// unpack restores a part's body with the reader zr (reset to the part);
// what newPart wrote always decodes.
func (p *callPart) unpack(zr io.ReadCloser) *partBody {
	if p.body != nil {
		return p.body
	}
	var b partBody
	err := zr.(flate.Resetter).Reset(bytes.NewReader(p.packed), nil)
	if err == nil {
		err = json.NewDecoder(zr).Decode(&b)
	}
	if err != nil {
		b.Call.CallID = "(folded call lost: " + err.Error() + ")"
	}
	return &b
}

// unpackAll unpacks the parts on every processor, the bodies in the
// parts' order. Decompressing and decoding is most of what Build spends on
// a long capture's folded calls, and the report keeps their content anyway.
func unpackAll(parts []*callPart) []*partBody {
	bodies := make([]*partBody, len(parts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parts)) {
		wg.Go(func() {
			zr := flate.NewReader(bytes.NewReader(nil))
			for {
				i := int(next.Add(1)) - 1
				if i >= len(parts) {
					return
				}
				bodies[i] = parts[i].unpack(zr)
			}
		})
	}
	wg.Wait()
	return bodies
}

// flowPart is one media flow with its timeline entry.
type flowPart struct {
	first  time.Time
	report FlowReport
	times  FlowTimes
}

// retireEvery is how often (capture time) finished calls are looked for.
const retireEvery = time.Second

// maybeRetire folds the finished calls the policy lets go, at most once
// per retireEvery of capture time.
func (s *Session) maybeRetire(now time.Time) {
	if s.policy.Keep < 0 || now.Before(s.nextRetire) {
		return
	}
	s.lastRetire, s.nextRetire = now, now.Add(retireEvery)
	cutoff := now.Add(-s.policy.After)
	s.builder.ExpireTURN(cutoff)
	for _, fl := range s.builder.IdleAllocations(cutoff) {
		s.wire.forgetTURN(fl)
	}
	over := s.capture.NumFinished() - s.policy.Keep
	var idle time.Time
	if s.policy.Timeout > 0 {
		idle = now.Add(-s.policy.Timeout)
	}
	if over <= 0 && idle.IsZero() {
		return
	}
	for _, c := range s.capture.Finished(cutoff, idle) {
		limit := cutoff
		if !c.Ended() {
			limit = idle // timed out: its checks and media must be as old
		} else if over <= 0 {
			continue
		}
		md, ok := s.builder.TakeCall(c, limit)
		if !ok {
			continue
		}
		s.fold(c, md)
		if c.Ended() {
			over--
		}
	}
}

// fold analyses one finished call on its own part of the model and keeps
// what the report needs of it.
func (s *Session) fold(c *sipflow.Call, md *ice.Model) {
	s.capture.AttachQoE(c)
	in := &Input{Files: s.files, Calls: []*sipflow.Call{c}, ICE: md,
		Wire: s.wire, Net: s.net, Provisioning: s.capture.Provisioning(), part: true}
	r := &Report{Schema: Schema, Calls: []CallReport{callReport(c)}, Findings: runRules(in, endRules)}
	in.addICE(r)
	r.Timeline = in.timeline()
	body := &partBody{ICE: r.Timeline.ICE, Flows: r.Flows, Times: r.Timeline.Flows,
		SIP: r.Timeline.SIP[c.CallID], SIPCut: r.Timeline.SIPTruncated[c.CallID]}
	if len(r.Calls) == 1 {
		body.Call = r.Calls[0]
	}
	s.auth.add(in, c.Transactions)
	for _, f := range r.Findings {
		if f.CallID == c.CallID {
			body.Findings = append(body.Findings, f)
		}
	}
	s.wire.forget(md)
	s.capture.Remove(c)
	s.retired = append(s.retired, s.packer.newPart(c.Start, body))
	s.folded++
	if s.onCall != nil {
		s.onCall(CallResult{Call: body.Call, Findings: body.Findings})
	}
}

// endRules are the rules whose findings are about the whole capture, not
// one call: relays and their ports, pseudo-TLS on a connection, a user's
// challenges over all calls. They run once, at the end, with every fold
// tallied (Session.auth) or the state they read kept (allocations, the
// frame index of TURN and TCP).
var endRules = map[string]bool{
	"sip-auth-failed":               true,
	"teams-relay-ports-unreachable": true,
	"turn-udp-blocked":              true,
	"turn-unreachable":              true,
	"turn-auth-failed":              true,
	"pseudo-tls-intercepted":        true,
}

// forget drops the frame index entries of a folded call's checks and
// media.
func (w *Wire) forget(md *ice.Model) {
	transports := [...]decode.Transport{decode.UDP, decode.TCP}
	for _, s := range md.Sessions {
		for _, c := range s.Checks {
			if c.Via != "" {
				continue
			}
			for _, tr := range transports {
				w.remove(wireKey{src: c.Local, dst: c.Remote, transport: tr, kind: kindOf(KindSTUNRequest),
					op: wire.OpBinding, class: wire.ClassRequest})
				w.remove(wireKey{src: c.Remote, dst: c.Local, transport: tr, kind: kindOf(KindSTUNSuccess),
					op: wire.OpBinding, class: wire.ClassSuccess})
				w.remove(wireKey{src: c.Remote, dst: c.Local, transport: tr, kind: kindOf(KindSTUNError),
					op: wire.OpBinding, class: wire.ClassError})
			}
		}
	}
}

// forgetTURN drops the frame index entries of an idle allocation's
// refreshes, permissions, channel bindings and sends. Its Allocate
// request and answers stay: the rules about relays cite those.
func (w *Wire) forgetTURN(fl decode.Flow) {
	for _, op := range [...]wire.Op{wire.OpRefresh, wire.OpCreatePermission, wire.OpChannelBind, wire.OpSend} {
		for _, kc := range [...]struct {
			kind  string
			class wire.Class
		}{{KindSTUNRequest, wire.ClassRequest}, {KindSTUNSuccess, wire.ClassSuccess}, {KindSTUNError, wire.ClassError}} {
			src, dst := fl.Src, fl.Dst
			if kc.class != wire.ClassRequest {
				src, dst = dst, src
			}
			w.remove(wireKey{src: src, dst: dst, transport: fl.Transport, kind: kindOf(kc.kind), op: op, class: kc.class})
		}
	}
}

// addRetired merges the folded calls into a report built from the state
// left at the end: calls, findings and flows in the order Build gives
// them.
func (r *Report) addRetired(parts []*callPart) {
	if len(parts) == 0 {
		return
	}
	type callAt struct {
		start time.Time
		cr    CallReport
	}
	var calls []callAt
	var flows []flowPart
	for i, b := range unpackAll(parts) {
		p := parts[i]
		calls = append(calls, callAt{p.start, b.Call})
		r.Findings = append(r.Findings, b.Findings...)
		r.Timeline.SIP[b.Call.CallID] = b.SIP
		if b.SIPCut > 0 {
			if r.Timeline.SIPTruncated == nil {
				r.Timeline.SIPTruncated = map[string]int{}
			}
			r.Timeline.SIPTruncated[b.Call.CallID] = b.SIPCut
		}
		for id, d := range b.ICE {
			r.Timeline.ICE[id] = d
		}
		for i, f := range b.Flows {
			t, _ := time.Parse(decode.TimeLayout, f.First)
			flows = append(flows, flowPart{first: t, report: f, times: b.Times[i]})
		}
	}
	for _, cr := range r.Calls {
		t, _ := time.Parse(decode.TimeLayout, cr.Start)
		calls = append(calls, callAt{t, cr})
	}
	sort.SliceStable(calls, func(i, j int) bool {
		if !calls[i].start.Equal(calls[j].start) {
			return calls[i].start.Before(calls[j].start)
		}
		return calls[i].cr.CallID < calls[j].cr.CallID
	})
	r.Calls = r.Calls[:0]
	for _, c := range calls {
		r.Calls = append(r.Calls, c.cr)
	}
	sortFindings(r.Findings)
	r.mergeFlows(flows)
}

// mergeFlows puts the folded calls' flows among the others by first
// packet, as the flows' first-seen order has them.
func (r *Report) mergeFlows(flows []flowPart) {
	for i, f := range r.Flows {
		t, _ := time.Parse(decode.TimeLayout, f.First)
		flows = append(flows, flowPart{first: t, report: f, times: r.Timeline.Flows[i]})
	}
	sort.SliceStable(flows, func(i, j int) bool { return flows[i].first.Before(flows[j].first) })
	r.Flows, r.Timeline.Flows = r.Flows[:0], r.Timeline.Flows[:0]
	for _, f := range flows {
		r.Flows = append(r.Flows, f.report)
		r.Timeline.Flows = append(r.Timeline.Flows, f.times)
	}
}

// Advance tells the session that capture time has reached now without a
// packet (a live capture in a quiet moment), so that finished calls are
// folded on time.
func (s *Session) Advance(now time.Time) {
	if now.After(s.lastRetire) {
		s.maybeRetire(now)
	}
}
