package decode

import (
	"hash/maphash"
	"time"
)

// DefaultDedupWindow is how close in time two identical IP packets must be
// to count as one packet captured twice (a SPAN port mirroring both
// directions, or one packet seen on two interfaces). Protocol
// retransmissions come hundreds of milliseconds apart (STUN RTO, SIP T1,
// TCP's minimum RTO), so a millisecond cannot mistake one for a duplicate.
const DefaultDedupWindow = time.Millisecond

const dedupRing = 512

type dedupEntry struct {
	h uint64
	t time.Time
}

// deduper remembers the hashes of the IP packets of the last window.
// Routers decrement the TTL and rewrite the IPv4 checksum, so those bytes
// are left out of the hash: a packet captured before and after a hop is
// still one packet.
type deduper struct {
	window time.Duration
	ring   [dedupRing]dedupEntry
	pos    int
	h      maphash.Hash
}

// seen reports whether ip (an IPv4 or IPv6 packet) repeats a packet of the
// last window, and remembers it otherwise.
func (d *deduper) seen(ip []byte, v6 bool, t time.Time) bool {
	if d.window <= 0 {
		return false
	}
	d.h.Reset()
	if v6 {
		d.h.Write(ip[:7])
		d.h.Write(ip[8:])
	} else {
		d.h.Write(ip[:8])
		d.h.Write(ip[9:10])
		d.h.Write(ip[12:])
	}
	sum := d.h.Sum64()
	for i := 1; i <= dedupRing; i++ {
		e := &d.ring[(d.pos-i+dedupRing)%dedupRing]
		if e.t.IsZero() {
			break
		}
		dt := t.Sub(e.t)
		if dt > d.window || dt < -d.window {
			break
		}
		if e.h == sum {
			return true
		}
	}
	d.ring[d.pos] = dedupEntry{h: sum, t: t}
	d.pos = (d.pos + 1) % dedupRing
	return false
}
