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

// dedupFilter is the number of counters in deduper.held, a power of two
// well above dedupRing so that few new packets need a walk of the ring.
const dedupFilter = 1 << 14

type dedupEntry struct {
	h uint64
	t int64 // capture time, Unix nanoseconds
}

// deduper remembers the hashes of the IP packets of the last window.
// Routers decrement the TTL and rewrite the IPv4 checksum, so those bytes
// are left out of the hash: a packet captured before and after a hop is
// still one packet.
type deduper struct {
	window int64 // nanoseconds
	ring   [dedupRing]dedupEntry
	pos    int
	filled bool // every ring entry holds a packet
	seed   maphash.Seed
	// held counts the ring's hashes by their low bits. A packet whose
	// counter is zero is in the ring under no hash, so most packets are
	// known to be new without a walk of the ring.
	held [dedupFilter]uint16
}

func newDeduper(window time.Duration) deduper {
	return deduper{window: int64(window), seed: maphash.MakeSeed()}
}

// seen reports whether ip (an IPv4 or IPv6 packet) repeats a packet of the
// last window, and remembers it otherwise.
func (d *deduper) seen(ip []byte, v6 bool, at time.Time) bool {
	if d.window <= 0 {
		return false
	}
	// The fixed header before the TTL/hop limit goes in as a number, the
	// addresses and payload through maphash.
	head := be.Uint64(ip[0:8])
	rest := ip[12:]
	if v6 {
		head &^= 0xFF // hop limit
		rest = ip[8:]
	}
	sum := maphash.Bytes(d.seed, rest) ^ (head * 0x9E3779B97F4A7C15)
	t := at.UnixNano()
	if d.held[sum%dedupFilter] != 0 && d.repeats(sum, t) {
		return true
	}
	old := &d.ring[d.pos]
	if d.filled {
		d.held[old.h%dedupFilter]--
	}
	*old = dedupEntry{h: sum, t: t}
	d.held[sum%dedupFilter]++
	d.pos++
	if d.pos == dedupRing {
		d.pos, d.filled = 0, true
	}
	return false
}

// repeats reports whether the ring holds hash sum within the window of
// t, walking back from the newest entry until one is outside the window.
func (d *deduper) repeats(sum uint64, t int64) bool {
	for i := 1; i <= dedupRing; i++ {
		e := &d.ring[(d.pos-i+dedupRing)%dedupRing]
		if e.t == 0 {
			return false
		}
		dt := t - e.t
		if dt > d.window || dt < -d.window {
			return false
		}
		if e.h == sum {
			return true
		}
	}
	return false
}
