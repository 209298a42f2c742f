package ice

import (
	"encoding/hex"
	"slices"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
	"github.com/icediag/icediag/sipflow"
)

// TakeCall finishes the ICE sessions of one call and removes them from the
// Builder, with their checks and the media flows on their pairs, so that a
// long capture keeps only the state of calls still going. It returns the
// call's part of the model: its sessions (numbered on from the sessions
// finished before), the flows on their pairs, and a snapshot of the TURN
// allocations and STUN servers so far (which stay in the Builder: they
// are shared by calls). Nothing is taken, and ok is false, when a check of
// the call's sessions or media on their pairs was seen at or after
// idleSince: the call is not over on the wire yet.
//
// The sessions are joined to the call's SDP as Finish joins them; the call
// must not be given to AddCall as well.
func (b *Builder) TakeCall(c *sipflow.Call, idleSince time.Time) (md *Model, ok bool) {
	saved := b.media
	b.media = nil
	b.AddCall(c)
	descs := b.media
	defer func() { b.media = saved }()
	if len(descs) == 0 {
		return b.callModel(nil, nil), true
	}
	taken, sessions, joined := b.callSessions(descs)
	for _, st := range taken {
		for _, ck := range st.checks {
			if !ck.Last.Before(idleSince) {
				return nil, false
			}
		}
	}
	for _, s := range sessions {
		b.buildSession(s)
	}
	sessions = append(sessions, b.sdpOnlySessions(joined)...)
	for _, s := range sessions {
		b.addNeverTried(s)
	}
	flows := b.callFlows(sessions)
	for _, f := range flows {
		if !f.Last.Before(idleSince) {
			return nil, false
		}
	}
	for _, s := range sessions {
		b.conclude(s)
	}
	b.forget(taken, flows)
	return b.callModel(sessions, b.linkFlows(flows, sessions)), true
}

// callSessions returns the sessions seen in checks whose ufrags join one of
// descs (the call's media lines, set as b.media), as Finish joins them.
func (b *Builder) callSessions(descs []*mediaDesc) ([]*session, []*Session, map[mediaLine]bool) {
	ufrags := map[string]bool{}
	for _, d := range descs {
		ufrags[d.ufrag] = true
	}
	var taken []*session
	var out []*Session
	joined := map[mediaLine]bool{}
	for _, st := range b.sessOrder {
		if !ufrags[st.ufrags[0]] && !ufrags[st.ufrags[1]] {
			continue
		}
		s, ml, ok := b.joinedSession(st)
		if !ok {
			continue
		}
		joined[ml] = true
		taken = append(taken, st)
		out = append(out, s)
	}
	return taken, out, joined
}

// callFlows returns the flows whose path is a pair of sessions, in
// first-seen order.
func (b *Builder) callFlows(sessions []*Session) []*flowState {
	paths := map[pathKey]bool{}
	for _, s := range sessions {
		for _, p := range s.Pairs {
			paths[makePathKey(p.Local, p.Remote)] = true
		}
	}
	var out []*flowState
	for _, f := range b.flowOrder {
		if k, ok := b.flowPath(f); ok && paths[k] {
			out = append(out, f)
		}
	}
	return out
}

// forget removes taken sessions, their checks and flows from the tables.
func (b *Builder) forget(taken []*session, flows []*flowState) {
	gone := map[*session]bool{}
	for _, st := range taken {
		gone[st] = true
		delete(b.sessions, makeUfragPair(st.ufrags[0], st.ufrags[1]))
		for _, ck := range st.checks {
			var id [16]byte
			if raw, err := hex.DecodeString(ck.TxID); err == nil && len(raw) <= len(id) {
				copy(id[:], raw)
				delete(b.checks, id)
			}
		}
	}
	b.sessOrder = slices.DeleteFunc(b.sessOrder, func(st *session) bool { return gone[st] })
	fgone := map[*flowState]bool{}
	for _, f := range flows {
		fgone[f] = true
		delete(b.flows, f.key)
		b.flowCache.forget(f)
	}
	b.flowOrder = slices.DeleteFunc(b.flowOrder, func(f *flowState) bool { return fgone[f] })
}

// callModel is a call's part of the model with snapshots of the shared
// allocations and STUN servers.
func (b *Builder) callModel(sessions []*Session, flows []*MediaFlow) *Model {
	if sessions == nil {
		sessions = []*Session{}
	}
	return &Model{Start: b.start, End: b.end, Sessions: sessions, Flows: flows,
		Allocations: b.snapshotAllocations(), STUNServers: b.snapshotServers()}
}

// snapshotAllocations returns copies of the allocations so far, settled as
// Finish settles them, leaving the Builder's own to go on. An allocation
// unchanged since the last snapshot (every change sets Last) gives the same
// copy again: most are idle, and a call is folded every few seconds.
func (b *Builder) snapshotAllocations() []*Allocation {
	unanswered := map[*Allocation]int{}
	for _, tx := range b.turnTx {
		if !tx.answered && tx.alloc != nil && tx.op == wire.OpAllocate {
			unanswered[tx.alloc]++
		}
	}
	if b.allocSnaps == nil {
		b.allocSnaps = map[*Allocation]allocSnap{}
	}
	out := make([]*Allocation, 0, len(b.allocOrder))
	for _, a := range b.allocOrder {
		key := allocSnap{last: a.Last, unanswered: unanswered[a], pseudoTLS: b.pseudoTLS[allocKey{a.Client, a.Server, decode.TCP}]}
		if old, ok := b.allocSnaps[a]; ok && old.same(key) {
			out = append(out, old.copy)
			continue
		}
		cp := *a
		cp.Unanswered += key.unanswered
		b.settleAllocation(&cp)
		key.copy = &cp
		b.allocSnaps[a] = key
		out = append(out, &cp)
	}
	return out
}

// allocSnap is the last snapshot of an allocation and what it was made
// from.
type allocSnap struct {
	last       time.Time
	unanswered int
	pseudoTLS  bool
	copy       *Allocation
}

func (s allocSnap) same(o allocSnap) bool {
	return s.last.Equal(o.last) && s.unanswered == o.unanswered && s.pseudoTLS == o.pseudoTLS
}

// snapshotServers returns copies of the STUN servers so far with their
// mappings sorted as Finish sorts them.
func (b *Builder) snapshotServers() []*STUNServer {
	out := make([]*STUNServer, 0, len(b.serverOrder))
	for _, s := range b.serverOrder {
		cp := *s
		cp.Mappings = slices.Clone(s.Mappings)
		sortMappings(cp.Mappings)
		out = append(out, &cp)
	}
	return out
}

// ExpireTURN forgets the TURN transactions answered before t: a
// retransmitted response that comes later is not matched any more, which
// costs nothing (the first answer was counted). Unanswered transactions
// stay, Finish counts them.
func (b *Builder) ExpireTURN(t time.Time) {
	for id, tx := range b.turnTx {
		if tx.answered && tx.last.Before(t) {
			delete(b.turnTx, id)
		}
	}
}

// IdleAllocations returns, once each, the allocations nothing was seen of
// since before: their client and server legs, for forgetting what was
// indexed per packet about them.
func (b *Builder) IdleAllocations(before time.Time) []decode.Flow {
	var out []decode.Flow
	for _, a := range b.allocOrder {
		if a.idleReported || !a.Last.Before(before) {
			continue
		}
		a.idleReported = true
		tr := decode.UDP
		if a.Transport != "UDP" {
			tr = decode.TCP
		}
		out = append(out, decode.Flow{Src: a.Client, Dst: a.Server, Transport: tr})
	}
	return out
}
