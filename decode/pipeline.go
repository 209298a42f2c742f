package decode

import (
	"runtime"
	"runtime/debug"
	"sync/atomic"

	"github.com/icediag/icediag/decode/wire"
)

// The pipeline splits an offline run over two goroutines: one reads the
// captures and decodes them, the caller's goroutine runs the handler (the
// analysis). Events cross between them in batches of deep copies: every
// event of a batch owns its Relay, STUN, RTP, RTCP, TLS and ICMP values,
// and its payload bytes (and every slice of its STUN message) are either
// in the batch's arena or, when they lie in a capture file mapped into
// memory, left there: such a file stays open until the handler is done.
// So the decoder can reuse its own buffers at once. Batches are recycled, so that after the first few
// the hand-over allocates nothing. The handler sees the same events in the
// same order as with a sequential run, and runs on the goroutine that
// called Run, so it may use that goroutine's state (a testing.T's FailNow,
// for one).

const (
	// pipeBatchEvents is how many events a batch holds. Larger batches
	// amortise the channel hand-over; smaller ones keep a batch in the
	// processor's cache while the other goroutine reads it.
	pipeBatchEvents = 512
	// pipeArenaBytes is the payload space of a batch, made when the batch
	// first copies a payload (never, for most batches of a mapped file).
	// A payload that does not fit an empty arena gets a buffer of its own.
	pipeArenaBytes = 128 << 10
	// pipeBatches bounds the batches in flight (filled, queued, handled),
	// and so the memory the hand-over holds: 3.2 MiB of slots, and arenas
	// where payloads are not in a mapped file. Several batches let one
	// goroutine run ahead while the other is not scheduled or works through
	// a burst (finished calls folded at once); with 8 the decoder waited
	// for free batches often enough to lengthen runs on the generated 1 GiB
	// capture by 6-11% (docs/performance.md).
	pipeBatches = 16
)

// pipeSlot is one handed-over event, or a progress mark. Its Event points
// only into the slot, the batch's side tables and the batch's arena. The
// values most events carry (RTP, a relay leg) are in the slot; the rarer,
// larger ones in the batch's side tables, so that a slot stays small.
type pipeSlot struct {
	ev    Event
	relay Relay
	rtp   wire.RTP
	// progress marks a Progress call (frames, bytes) instead of an event.
	progress      bool
	frames, bytes uint64
}

// pipeSide is the copy of a STUN, RTCP, TLS or ICMP value of one event.
// attrs is the backing array of stun.Attrs, kept across copies.
type pipeSide struct {
	stun  wire.STUN
	attrs []wire.Attr
	rtcp  wire.RTCP
	tls   wire.TLSHello
	icmp  ICMPInfo
}

// pipeBatch is a run of slots, the side values and the bytes their events
// point to.
type pipeBatch struct {
	dec *Decoder // whose files' bytes are kept in place
	// upTo is where the decoder was reading each file when the batch was
	// sent: its events point into the files only before that (and the
	// packet then being decoded, well within capfile's release margin).
	upTo  []int64
	slots []pipeSlot
	n     int
	sides []*pipeSide // allocated on first use, reused
	nside int
	arena []byte
}

// side returns a free side table entry of b.
func (b *pipeBatch) side() *pipeSide {
	if b.nside == len(b.sides) {
		b.sides = append(b.sides, &pipeSide{})
	}
	x := b.sides[b.nside]
	b.nside++
	return x
}

// pipeline is the hand-over between the decoding goroutine (producer) and
// the handler's goroutine (consumer).
type pipeline struct {
	handler  Handler
	progress func(frames, bytes uint64)

	dec  *Decoder        // the producer's
	full chan *pipeBatch // filled batches, in order
	free chan *pipeBatch // handled batches for reuse
	stop chan struct{}   // closed when the consumer gives up
	done chan struct{}   // closed when the producer has returned
	quit atomic.Bool     // set with stop, read by the reading loop
	made int             // batches allocated (producer only)

	cur   *pipeBatch // the batch being filled (producer only)
	alive bool       // false once the consumer gave up (producer only)

	// written by the producer before it closes full
	err      error
	panicked any
}

// usePipeline reports whether Run should decode beside the handler: only
// when the Go scheduler has at least two processors to run both on.
func usePipeline() bool { return runtime.GOMAXPROCS(0) >= 2 }

// runPipelined is Run with decoding on its own goroutine and h (not nil)
// on the calling one. The decoder's Stats are complete when it returns.
func runPipelined(paths []string, o Options, h Handler) (st *Stats, err error) {
	p := &pipeline{handler: h, progress: o.Progress, alive: true,
		full: make(chan *pipeBatch, pipeBatches), free: make(chan *pipeBatch, pipeBatches),
		stop: make(chan struct{}), done: make(chan struct{})}
	o.Progress = nil
	if p.progress != nil {
		o.Progress = p.mark
	}
	d := New(p.add, o)
	d.keepOpen = true // events point into the files until handled
	p.dec = d
	go p.produce(d, paths)
	// After the last event, or when the handler panicked or left the
	// goroutine: stop the producer, wait for it, close the files. A fault
	// in the handler on the bytes of a file cut shorter while it was read
	// becomes the run's error, as it does in the decoder (runFiles).
	var handling FrameRef // the frame of the event being handled
	defer func() {
		p.giveUp()
		<-p.done
		if v := recover(); v != nil {
			fe := d.faultError(v, handling)
			if fe == nil {
				d.closeFiles()
				panic(v)
			}
			st, err = d.Stats(), fe
		}
		d.closeFiles()
	}()
	p.consume(&handling)
	if p.panicked != nil {
		panic(p.panicked)
	}
	return d.Stats(), p.err
}

// produce runs the decoder over the files and hands its events over; it
// closes full when done, also after a panic, which consume re-raises.
func (p *pipeline) produce(d *Decoder, paths []string) {
	defer close(p.done)
	defer close(p.full)
	defer func() {
		if r := recover(); r != nil {
			p.panicked = r
		}
	}()
	p.err = d.runFiles(paths, &p.quit, true)
	p.send()
}

// giveUp tells the producer that no one reads its batches any more.
func (p *pipeline) giveUp() {
	select {
	case <-p.stop:
	default:
		p.quit.Store(true)
		close(p.stop)
	}
}

// consume delivers every handed-over event to the handler, in order,
// noting the frame of each in at. (at is the caller's local variable, not
// a field of p: the producer reads p's fields for every event, and a field
// the consumer wrote for every event would share their cache line.)
func (p *pipeline) consume(at *FrameRef) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // see runPipelined
	for b := range p.full {
		for i := range b.slots[:b.n] {
			s := &b.slots[i]
			if s.progress {
				p.progress(s.frames, s.bytes)
				continue
			}
			*at = s.ev.FrameRef
			p.handler(&s.ev)
		}
		b.n, b.nside, b.arena = 0, 0, b.arena[:0]
		p.free <- b // never blocks: free holds every batch there is
	}
}

// batch returns the batch being filled, with room for one more slot and
// need payload bytes when it can make it so; nil when the consumer gave up.
func (p *pipeline) batch(need int) *pipeBatch {
	if b := p.cur; b != nil && (b.n == len(b.slots) || (b.n > 0 && cap(b.arena) > 0 && len(b.arena)+need > cap(b.arena))) {
		p.send()
	}
	if p.cur == nil && p.alive {
		p.cur = p.take()
	}
	return p.cur
}

// take returns an empty batch: a recycled one, a new one while fewer than
// pipeBatches exist, or the next one the consumer hands back.
func (p *pipeline) take() *pipeBatch {
	select {
	case b := <-p.free:
		p.handled(b)
		return b
	default:
	}
	if p.made < pipeBatches {
		p.made++
		return &pipeBatch{dec: p.dec, slots: make([]pipeSlot, pipeBatchEvents)} // arena: on first copy
	}
	select {
	case b := <-p.free:
		p.handled(b)
		return b
	case <-p.stop:
		p.alive = false
		return nil
	}
}

// handled notes that the handler is done with b and, the batches coming
// back in order, with every batch before it: the bytes of the files
// before where b was sent need not stay in memory any more.
func (p *pipeline) handled(b *pipeBatch) {
	p.dec.keepFrom(b.upTo)
}

// send hands the current batch to the consumer, if it has anything.
func (p *pipeline) send() {
	b := p.cur
	if b == nil || b.n == 0 {
		return
	}
	p.cur = nil
	b.upTo = p.dec.fileOffsets(b.upTo[:0])
	select {
	case p.full <- b:
	case <-p.stop:
		p.alive = false
	}
}

// mark queues a Progress call, so that it runs on the handler's goroutine
// between the events it follows and precedes.
func (p *pipeline) mark(frames, bytes uint64) {
	if b := p.batch(0); b != nil {
		s := &b.slots[b.n]
		b.n++
		s.progress, s.frames, s.bytes = true, frames, bytes
	}
}

// add is the decoder's handler: it deep-copies ev into the current batch.
func (p *pipeline) add(ev *Event) {
	need := len(ev.Payload) + len(ev.SNI)
	if ev.TLS != nil {
		need += len(ev.TLS.SNI)
	}
	if ev.STUN != nil {
		need += stunBytes(ev.STUN)
	}
	b := p.batch(need)
	if b == nil {
		return
	}
	s := &b.slots[b.n]
	b.n++
	s.progress = false
	s.copyEvent(ev, b)
}

// copyEvent makes s hold a copy of ev whose bytes are b's to keep.
func (s *pipeSlot) copyEvent(ev *Event, b *pipeBatch) {
	s.ev = *ev
	s.ev.Payload = b.keep(ev.Payload)
	s.ev.SNI = b.keep(ev.SNI)
	if ev.Relay != nil {
		s.relay = *ev.Relay
		s.ev.Relay = &s.relay
	}
	if ev.RTP != nil {
		s.rtp = *ev.RTP
		s.ev.RTP = &s.rtp
	}
	if ev.STUN == nil && ev.RTCP == nil && ev.TLS == nil && ev.ICMP == nil {
		return
	}
	x := b.side()
	if ev.STUN != nil {
		s.ev.STUN = x.copySTUN(ev.STUN, b)
	}
	if ev.RTCP != nil {
		x.rtcp = *ev.RTCP
		s.ev.RTCP = &x.rtcp
	}
	if ev.TLS != nil {
		x.tls = *ev.TLS
		x.tls.SNI = b.keep(ev.TLS.SNI)
		s.ev.TLS = &x.tls
	}
	if ev.ICMP != nil {
		x.icmp = *ev.ICMP
		s.ev.ICMP = &x.icmp
	}
}

// copySTUN makes x's STUN message a copy of m whose slices are b's to
// keep, and returns it.
func (x *pipeSide) copySTUN(m *wire.STUN, b *pipeBatch) *wire.STUN {
	attrs := x.attrs[:0]
	if attrs == nil && m.Attrs != nil {
		attrs = make([]wire.Attr, 0, max(len(m.Attrs), 8)) // non-nil even when empty, as m's
	}
	for _, a := range m.Attrs {
		a.Value = b.keep(a.Value)
		attrs = append(attrs, a)
	}
	x.attrs = attrs
	x.stun = *m
	if m.Attrs != nil {
		x.stun.Attrs = attrs
	}
	c := &x.stun
	c.Raw, c.Username, c.Realm, c.Nonce = b.keep(m.Raw), b.keep(m.Username), b.keep(m.Realm), b.keep(m.Nonce)
	c.Software, c.ErrorReason, c.Data = b.keep(m.Software), b.keep(m.ErrorReason), b.keep(m.Data)
	c.MSCandidateID = b.keep(m.MSCandidateID)
	return c
}

// stunBytes is how many arena bytes copySTUN takes for m at most.
func stunBytes(m *wire.STUN) int {
	n := len(m.Raw) + len(m.Username) + len(m.Realm) + len(m.Nonce) + len(m.Software) +
		len(m.ErrorReason) + len(m.Data) + len(m.MSCandidateID)
	for i := range m.Attrs {
		n += len(m.Attrs[i].Value)
	}
	return n
}

// keep returns src as the handler may see it: in place when it lies in a
// mapped capture file, else copied into the arena (or, when it cannot fit
// an empty arena, into a buffer of its own); nil stays nil.
func (b *pipeBatch) keep(src []byte) []byte {
	if src == nil {
		return nil
	}
	if len(src) == 0 || b.dec.holds(src) {
		return src[:len(src):len(src)] // an empty slice stays empty, not nil
	}
	if b.arena == nil {
		b.arena = make([]byte, 0, pipeArenaBytes)
	}
	n := len(b.arena)
	if n+len(src) > cap(b.arena) {
		return append([]byte(nil), src...)
	}
	b.arena = append(b.arena, src...)
	return b.arena[n:len(b.arena):len(b.arena)]
}
