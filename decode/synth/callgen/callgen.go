// Package callgen generates large, deterministic captures of an edge-server
// vantage point for the decode benchmarks: many overlapping calls, each a SIP
// dialog (RFC 3261) with SDP offer/answer and ICE candidates (RFC 8839), ICE
// connectivity checks (RFC 8445 §7.2), and 20 ms audio in RTP/RTCP (RFC 3550)
// at 50 packets/s per direction. Some calls are relayed through an RFC 8656
// TURN server (Allocate with a 401 challenge, CreatePermission, ChannelBind,
// ChannelData) and some through an MS-TURN A/V Edge (MS-TURN §2.2: Send
// requests and Data indications carrying the media). Most frames are RTP, as
// on a real Edge. The same Config gives the same bytes.
package callgen

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth"
)

// Version identifies the bytes Write produces for a given Config. It changes
// whenever the generator's output changes, so callers may cache generated
// files keyed by it.
const Version = 1

// Defaults of the zero Config fields.
const (
	DefaultSize       = 64 << 20
	DefaultCallGap    = 400 * time.Millisecond
	DefaultCallLength = 60 * time.Second
)

// DefaultStart is the capture time of the first call when Config.Start is zero.
var DefaultStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// snapLen is the snapshot length written into the pcap file header.
const snapLen = 262144

// Config chooses what Write generates. The zero value is a 64 MiB capture
// of seed 0.
type Config struct {
	// Seed selects the calls' addresses, paths, codecs, timings and
	// credentials; equal Configs give equal bytes.
	Seed uint64
	// Size is the approximate file size in bytes. Calls are planned until
	// their estimated size reaches it; every planned call runs to its end.
	Size int64
	// CallGap is the mean time between two call starts (exponentially
	// distributed); with CallLength it sets how many calls overlap.
	CallGap time.Duration
	// CallLength is the mean media duration of a call (uniform between half
	// and one and a half times it).
	CallLength time.Duration
	// Start is the time of the first call.
	Start time.Time
}

func (c Config) withDefaults() Config {
	if c.Size <= 0 {
		c.Size = DefaultSize
	}
	if c.CallGap <= 0 {
		c.CallGap = DefaultCallGap
	}
	if c.CallLength <= 0 {
		c.CallLength = DefaultCallLength
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	return c
}

// Summary counts what Write produced. The message counts are what a decoder
// should deliver: a STUN check inside a Send indication counts twice (the
// indication and the check), RTP inside ChannelData counts as RTP.
type Summary struct {
	Frames int   // frames written
	Bytes  int64 // file size in bytes
	Calls  [NumPaths]int
	// Messages by protocol, relayed ones included.
	SIP, STUN, RTP, RTCP int
	// ChannelData frames (RFC 8656 §12.4).
	ChannelData int
	// Relayed payloads: messages carried inside ChannelData or Send/Data
	// indications (RFC 8656 §11-12, MS-TURN §2.2.1).
	Relayed int
	// TCPControl counts TCP segments with SYN or FIN set.
	TCPControl int
}

// Write writes an Ethernet pcap capture (draft-ietf-opsawg-pcap §4-5,
// microsecond timestamps, little-endian) generated from c to w.
func Write(w io.Writer, c Config) (Summary, error) {
	c = c.withDefaults()
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	pw, err := capfile.NewPcapWriter(bw, synth.LinkTypeEthernet, snapLen, false, binary.LittleEndian)
	if err != nil {
		return Summary{}, err
	}
	g := &generator{cfg: c}
	g.plan()
	if err := g.run(pw); err != nil {
		return g.sum, err
	}
	if err := bw.Flush(); err != nil {
		return g.sum, err
	}
	g.sum.Bytes = cw.n
	return g.sum, nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// generator plans the calls and merges their frames in time order.
type generator struct {
	cfg   Config
	plans []callPlan
	feeds feedHeap
	seq   uint64
	sum   Summary
}

// plan draws call plans until their estimated bytes reach the target size.
func (g *generator) plan() {
	rng := rand.New(rand.NewPCG(g.cfg.Seed, 0x62656e6368636170)) // "benchcap"
	at := g.cfg.Start
	var total int64
	for i := 0; total < g.cfg.Size; i++ {
		p := newCallPlan(i, at, g.cfg, rng)
		total += p.estimate()
		g.plans = append(g.plans, p)
		at = at.Add(time.Duration(rng.ExpFloat64() * float64(g.cfg.CallGap)))
	}
}

// run starts each call when the capture clock reaches it and writes every
// frame in capture-time order.
func (g *generator) run(pw *capfile.PcapWriter) error {
	next := 0
	for next < len(g.plans) || len(g.feeds) > 0 {
		if next < len(g.plans) && (len(g.feeds) == 0 || !g.plans[next].start.After(g.feeds[0].buf[0].at)) {
			g.start(&g.plans[next])
			next++
			continue
		}
		f := g.feeds[0]
		t := f.buf[0]
		if err := pw.WritePacket(t.at, t.data, 0); err != nil {
			return err
		}
		g.sum.Frames++
		f.buf = f.buf[1:]
		if len(f.buf) == 0 {
			f.buf = f.src.next()
		}
		if len(f.buf) == 0 {
			heap.Pop(&g.feeds)
			continue
		}
		heap.Fix(&g.feeds, 0)
	}
	return nil
}

// start builds a call and adds its frame sources.
func (g *generator) start(p *callPlan) {
	g.sum.Calls[p.path]++
	c := newCall(p, &g.sum)
	for _, s := range c.sources() {
		if buf := s.next(); len(buf) > 0 {
			g.seq++
			heap.Push(&g.feeds, &feed{src: s, buf: buf, seq: g.seq})
		}
	}
}

// timed is one frame and its capture time.
type timed struct {
	at   time.Time
	data []byte
}

// source yields a call's frames in time order, a batch at a time; an empty
// batch means it is finished. Batches never go back in time.
type source interface {
	next() []timed
}

// feed is a source with its pending batch; seq breaks ties between feeds
// deterministically.
type feed struct {
	src source
	buf []timed
	seq uint64
}

// feedHeap orders feeds by the time of their next frame (container/heap).
type feedHeap []*feed

func (h feedHeap) Len() int { return len(h) }
func (h feedHeap) Less(i, j int) bool {
	a, b := h[i].buf[0].at, h[j].buf[0].at
	if a.Equal(b) {
		return h[i].seq < h[j].seq
	}
	return a.Before(b)
}
func (h feedHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *feedHeap) Push(x any)   { *h = append(*h, x.(*feed)) }
func (h *feedHeap) Pop() any {
	old := *h
	f := old[len(old)-1]
	*h = old[:len(old)-1]
	return f
}
