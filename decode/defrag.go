package decode

import (
	"net/netip"
	"sort"
	"time"
)

// Defaults for IP fragment reassembly.
const (
	DefaultFragmentTimeout     = 30 * time.Second // RFC 8200 §4.5 and Linux's ipfrag_time
	DefaultMaxPendingFragments = 1024             // datagrams under reassembly at once
	maxDatagram                = 65535 + 8        // largest payload a fragment chain may build
	maxFragmentsPerDatagram    = 128
)

type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
	v6       bool
}

type fragPart struct {
	off  int
	data []byte
}

type fragBuf struct {
	first time.Time
	parts []fragPart
	total int   // payload length, known once the last fragment arrived; -1 before
	proto uint8 // upper-layer protocol (IPv6: next header of the first fragment)
}

// defragger reassembles IPv4 (RFC 791) and IPv6 (RFC 8200 §4.5) fragments
// by capture time. Overlapping fragments keep the first copy (RFC 5722 makes
// them an error for IPv6; counting them is enough here).
type defragger struct {
	timeout    time.Duration
	maxPending int
	pending    map[fragKey]*fragBuf
	lastSweep  time.Time
	lastProto  uint8
}

func newDefragger(timeout time.Duration, maxPending int) *defragger {
	return &defragger{timeout: timeout, maxPending: maxPending, pending: make(map[fragKey]*fragBuf)}
}

// add files one fragment. When it completes a datagram, add returns the
// whole upper-layer payload, and lastProto holds its protocol.
func (f *defragger) add(d *Decoder, k fragKey, off int, more bool, data []byte, proto uint8) ([]byte, bool) {
	f.sweep(d)
	if off+len(data) > maxDatagram {
		d.problem("ip", "fragment past the maximum datagram size")
		return nil, false
	}
	fb := f.pending[k]
	if fb == nil {
		if len(f.pending) >= f.maxPending {
			f.evictOldest(d)
		}
		fb = &fragBuf{first: d.curTime, total: -1}
		f.pending[k] = fb
	}
	if len(fb.parts) >= maxFragmentsPerDatagram {
		d.problem("ip", "too many fragments for one datagram")
		delete(f.pending, k)
		return nil, false
	}
	if off == 0 {
		fb.proto = proto
	}
	if !more {
		if fb.total >= 0 && fb.total != off+len(data) {
			d.problem("ip", "conflicting last fragments")
		}
		fb.total = off + len(data)
	}
	for _, p := range fb.parts {
		if off < p.off+len(p.data) && p.off < off+len(data) {
			d.problem("ip", "overlapping fragment")
			return nil, false
		}
	}
	fb.parts = append(fb.parts, fragPart{off: off, data: append([]byte(nil), data...)})
	whole, ok := fb.assemble()
	if ok {
		delete(f.pending, k)
		f.lastProto = fb.proto
	}
	return whole, ok
}

func (fb *fragBuf) assemble() ([]byte, bool) {
	if fb.total < 0 {
		return nil, false
	}
	n := 0
	for _, p := range fb.parts {
		n += len(p.data)
	}
	if n != fb.total {
		return nil, false
	}
	sort.Slice(fb.parts, func(i, j int) bool { return fb.parts[i].off < fb.parts[j].off })
	out := make([]byte, 0, n)
	for _, p := range fb.parts {
		if p.off != len(out) {
			return nil, false
		}
		out = append(out, p.data...)
	}
	return out, true
}

// sweep drops datagrams whose first fragment is older than the timeout. It
// runs at most once per second of capture time.
func (f *defragger) sweep(d *Decoder) {
	now := d.curTime
	if len(f.pending) == 0 || now.Sub(f.lastSweep) < time.Second {
		return
	}
	f.lastSweep = now
	for k, fb := range f.pending {
		if now.Sub(fb.first) > f.timeout {
			delete(f.pending, k)
			d.problem("ip", "fragments never completed (timeout)")
		}
	}
}

func (f *defragger) evictOldest(d *Decoder) {
	var oldest fragKey
	var t time.Time
	found := false
	for k, fb := range f.pending {
		if !found || fb.first.Before(t) {
			oldest, t, found = k, fb.first, true
		}
	}
	if found {
		delete(f.pending, oldest)
		d.problem("ip", "fragment table full, oldest datagram dropped")
	}
}

// finish counts the datagrams still incomplete at the end of the capture.
func (f *defragger) finish(d *Decoder) {
	for k := range f.pending {
		delete(f.pending, k)
		d.problem("ip", "fragments never completed (end of capture)")
	}
}
