package callgen

import (
	"math/rand/v2"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// maxJitter bounds how late a packet leaves against its 20 ms slot; it is
// far below frameInterval so a stream stays in time order.
const maxJitter = 3 * time.Millisecond

// opusTOC is the first payload byte of every Opus frame: configuration 15
// (hybrid, fullband, 20 ms), mono, code 0 (one frame), RFC 6716 §3.1.
const opusTOC = 15 << 3

// ssrc is the synchronisation source of one direction (RFC 3550 §8.1),
// derived from the call so that RTP and RTCP agree.
func (c *call) ssrc(fromCaller bool) uint32 {
	v := uint32(c.p.seed>>32) ^ uint32(c.p.index)*0x9E3779B1
	if fromCaller {
		return v | 1
	}
	return v &^ 1
}

// media is one direction of a call's audio: an RTP packet every 20 ms from
// mediaStart to mediaEnd, each sent late by a random jitter.
type media struct {
	c          *call
	fromCaller bool
	base, end  time.Time
	n          int64
	rng        *rand.Rand
	seq        uint16
	ts         uint32
	ssrc       uint32
}

func (c *call) newMedia(fromCaller bool) *media {
	var dir uint64
	if fromCaller {
		dir = 1
	}
	rng := rand.New(rand.NewPCG(c.p.seed^0x6d65646961, uint64(c.p.index)<<1|dir)) // "media"
	return &media{
		c:          c,
		fromCaller: fromCaller,
		base:       c.mediaStart.Add(time.Duration(rng.Int64N(int64(frameInterval)))),
		end:        c.mediaEnd,
		rng:        rng,
		seq:        uint16(rng.Uint32()),
		ts:         rng.Uint32(),
		ssrc:       c.ssrc(fromCaller),
	}
}

// next returns the frames of the next RTP packet, or nil after mediaEnd.
func (m *media) next() []timed {
	slot := m.base.Add(time.Duration(m.n) * frameInterval)
	if !slot.Before(m.end) {
		return nil
	}
	cd := m.c.p.codec
	size := cd.minLen
	if cd.maxLen > cd.minLen {
		size += m.rng.IntN(cd.maxLen - cd.minLen + 1)
	}
	at := slot.Add(time.Duration(m.rng.Int64N(int64(maxJitter))))
	pkt := synth.RTP(cd.pt, m.seq, m.ts, m.ssrc, size)
	if cd.name == "opus" {
		pkt[12] = opusTOC
	}
	m.n++
	m.seq++
	m.ts += cd.tsStep()
	return m.c.deliver(m.fromCaller, pkt, at, kindRTP)
}
