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

// dedupKeyBytes is how much of a packet after its fixed header (from the
// addresses on) goes into its ring key: addresses, ports and the first
// bytes of the payload (an RTP sequence number, a STUN transaction ID, a
// TCP sequence number), so that packets a few microseconds apart rarely
// share a key unless they are copies.
const dedupKeyBytes = 64

// dedupEntry is one packet of the ring. A packet that stays in place for
// the whole run (from a Stable capture file) is kept as is; of another,
// only a hash of all of it.
type dedupEntry struct {
	data []byte // the packet, in place; nil when not
	full uint64 // hash of the whole packet when data is nil
	key  uint64 // hash of the packet's start, see dedupKeyBytes
	t    int64  // capture time, Unix nanoseconds
}

// deduper remembers the packets of the last window. Routers decrement the
// TTL and rewrite the IPv4 checksum, so those bytes are left out of every
// comparison: a packet captured before and after a hop is still one
// packet.
//
// A packet is looked up by its key. Two packets with the same key are
// copies when their bytes are equal; when one of them is not in place, its
// bytes are gone and the hashes of the whole packets decide instead.
type deduper struct {
	window int64 // nanoseconds
	ring   [dedupRing]dedupEntry
	pos    int
	filled bool // every ring entry holds a packet
	seed   maphash.Seed
	// held counts the ring's keys by their low bits. A packet whose
	// counter is zero shares its key with no packet of the ring, so most
	// packets are known to be new without a walk of the ring.
	held [dedupFilter]uint16
}

func newDeduper(window time.Duration) deduper {
	return deduper{window: int64(window), seed: maphash.MakeSeed()}
}

// dedupPacket is the packet being checked, with its whole-packet hash
// computed at most once.
type dedupPacket struct {
	ip      []byte
	v6      bool
	inPlace bool
	full    uint64
	hashed  bool
}

// seen reports whether ip (an IPv4 or IPv6 packet) repeats a packet of the
// last window, and remembers it otherwise. inPlace says that ip stays
// valid until the run ends, so the ring may keep it instead of a hash of
// all its bytes.
func (d *deduper) seen(ip []byte, v6, inPlace bool, at time.Time) bool {
	if d.window <= 0 {
		return false
	}
	fixed, rest := dedupParts(ip, v6)
	key := maphash.Bytes(d.seed, rest[:min(len(rest), dedupKeyBytes)]) ^ fixed
	t := at.UnixNano()
	var full uint64 // the whole packet's hash, when hashed
	hashed := false
	if d.held[key%dedupFilter] != 0 {
		p := &dedupPacket{ip: ip, v6: v6, inPlace: inPlace}
		if d.repeats(key, t, p) {
			return true
		}
		full, hashed = p.full, p.hashed
	}
	// The entry is written field by field: a composite literal is built on
	// the stack and copied, and that copy stalls on the stores just made.
	old := &d.ring[d.pos]
	if d.filled {
		d.held[old.key%dedupFilter]--
	}
	old.key, old.t = key, t
	if inPlace {
		old.data, old.full = ip, 0
	} else {
		if !hashed {
			full = d.fullHash(&dedupPacket{ip: ip, v6: v6})
		}
		old.data, old.full = nil, full
	}
	d.held[key%dedupFilter]++
	d.pos++
	if d.pos == dedupRing {
		d.pos, d.filled = 0, true
	}
	return false
}

// dedupParts splits an IP packet into what is compared: the fixed header
// before the TTL/hop limit and the IPv4 protocol, mixed into a number, and
// the rest from the addresses on.
func dedupParts(ip []byte, v6 bool) (fixed uint64, rest []byte) {
	head := be.Uint64(ip[0:8])
	if v6 {
		return (head &^ 0xFF) * 0x9E3779B97F4A7C15, ip[8:] // without the hop limit
	}
	return (head ^ uint64(ip[9])<<56) * 0x9E3779B97F4A7C15, ip[12:]
}

// repeats reports whether the ring holds a copy of p within the window of
// t, walking back from the newest entry until one is outside the window.
func (d *deduper) repeats(key uint64, t int64, p *dedupPacket) bool {
	for i := 1; i <= dedupRing; i++ {
		e := &d.ring[(d.pos-i+dedupRing)%dedupRing]
		if e.t == 0 {
			return false
		}
		dt := t - e.t
		if dt > d.window || dt < -d.window {
			return false
		}
		if e.key == key && d.same(e, p) {
			return true
		}
	}
	return false
}

// same reports whether the ring entry e holds a copy of p.
func (d *deduper) same(e *dedupEntry, p *dedupPacket) bool {
	if e.data != nil && p.inPlace {
		return sameIP(e.data, p.ip, p.v6)
	}
	full := e.full
	if e.data != nil {
		full = d.fullHash(&dedupPacket{ip: e.data, v6: p.v6})
	}
	return full == d.fullHash(p)
}

// fullHash hashes all of p's compared bytes, once.
func (d *deduper) fullHash(p *dedupPacket) uint64 {
	if !p.hashed {
		fixed, rest := dedupParts(p.ip, p.v6)
		p.full, p.hashed = maphash.Bytes(d.seed, rest)^fixed, true
	}
	return p.full
}

// sameIP reports whether two IP packets are equal but for the TTL/hop limit
// and the IPv4 header checksum.
func sameIP(a, b []byte, v6 bool) bool {
	if len(a) != len(b) {
		return false
	}
	if v6 {
		return string(a[:7]) == string(b[:7]) && string(a[8:]) == string(b[8:])
	}
	return string(a[:8]) == string(b[:8]) && a[9] == b[9] && string(a[12:]) == string(b[12:])
}
