package decode

import (
	"io"
	"runtime/debug"
	"sync/atomic"

	"github.com/icediag/icediag/decode/capfile"
)

// In a pipelined run (pipeline.go) over files read as streams (gzip,
// standard input, files that cannot be mapped) reading the capture files
// gets a goroutine of its own as well: it runs the Merger and hands the
// packets over in batches of copies, so that reading, decompressing and
// the kernel's copying of the file overlap decoding. The decoder sees the
// same packets in the same order, and the Merger's errors once every
// packet was handed over. Mapped files need none of this (runFiles).

const (
	// readBatchPackets is how many packets a read batch holds.
	readBatchPackets = 512
	// readArenaBytes is the data space of a read batch; a packet that does
	// not fit an empty arena gets a buffer of its own.
	readArenaBytes = 128 << 10
	// readBatches bounds the read batches in flight: about 0.7 MiB.
	readBatches = 4
)

// readBatch is a run of packets and the bytes their Data point to.
type readBatch struct {
	files []int
	pkts  []capfile.Packet
	arena []byte
}

// readAhead is the hand-over between the reading goroutine and the
// decoder's.
type readAhead struct {
	m    *capfile.Merger
	full chan *readBatch // filled batches, in order; closed at the end
	free chan *readBatch // batches the decoder is done with
	stop chan struct{}   // closed when the decoder stops early
	done chan struct{}   // closed when the reading goroutine has returned
	made int             // batches allocated (reader only)

	cur *readBatch // the batch being handed out (decoder only)
	pos int

	errs     []error // the Merger's errors, written before full is closed
	panicked any
}

// startReadAhead starts reading m on a goroutine of its own.
func startReadAhead(m *capfile.Merger, quit *atomic.Bool) *readAhead {
	r := &readAhead{m: m, full: make(chan *readBatch, readBatches), free: make(chan *readBatch, readBatches),
		stop: make(chan struct{}), done: make(chan struct{})}
	go r.read(quit)
	return r
}

// read fills batches until the Merger ends, the run is told to quit or the
// decoder stops.
func (r *readAhead) read(quit *atomic.Bool) {
	defer close(r.done)
	defer close(r.full)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // a mapped file cut short: see runFiles
	defer func() {
		if v := recover(); v != nil {
			r.panicked = v
		}
	}()
	var p capfile.Packet
	held, file, end := false, 0, false // held: p (of file) waits for the next batch
	for !end {
		b := r.take()
		if b == nil {
			return
		}
		if held {
			b.add(file, &p)
			held = false
		}
		for len(b.pkts) < readBatchPackets {
			if quit != nil && quit.Load() {
				end = true
				break
			}
			k, err := r.m.Next(&p)
			if err != nil {
				end = true // io.EOF: the Merger keeps file errors to itself
				break
			}
			if !b.fits(len(p.Data)) {
				held, file = true, k
				break
			}
			b.add(k, &p)
		}
		if end {
			r.errs = r.m.Errors()
		}
		if len(b.pkts) == 0 {
			return
		}
		select {
		case r.full <- b:
		case <-r.stop:
			return
		}
	}
}

// take returns an empty batch: a new one while fewer than readBatches
// exist, else the next one the decoder is done with; nil once it stopped.
func (r *readAhead) take() *readBatch {
	if r.made < readBatches {
		r.made++
		return &readBatch{files: make([]int, 0, readBatchPackets), pkts: make([]capfile.Packet, 0, readBatchPackets),
			arena: make([]byte, 0, readArenaBytes)}
	}
	select {
	case b := <-r.free:
		b.files, b.pkts, b.arena = b.files[:0], b.pkts[:0], b.arena[:0]
		return b
	case <-r.stop:
		return nil
	}
}

// fits reports whether n data bytes fit the batch's arena; a batch with
// an empty arena takes any packet.
func (b *readBatch) fits(n int) bool {
	return len(b.arena) == 0 || len(b.arena)+n <= cap(b.arena)
}

// add appends a copy of p, its data in the arena or, when larger than an
// empty arena, in a buffer of its own.
func (b *readBatch) add(file int, p *capfile.Packet) {
	c := *p
	if n := len(b.arena); n+len(p.Data) <= cap(b.arena) {
		b.arena = append(b.arena, p.Data...)
		c.Data = b.arena[n:len(b.arena):len(b.arena)]
	} else {
		c.Data = append([]byte(nil), p.Data...)
	}
	b.files = append(b.files, file)
	b.pkts = append(b.pkts, c)
}

// Next is capfile.Merger.Next over the handed-over batches. p.Data stays
// valid until the next call.
func (r *readAhead) Next(p *capfile.Packet) (int, error) {
	for r.cur == nil || r.pos == len(r.cur.pkts) {
		if r.cur != nil {
			r.free <- r.cur // never blocks: free holds every batch there is
			r.cur = nil
		}
		b, ok := <-r.full
		if !ok {
			if r.panicked != nil {
				panic(r.panicked)
			}
			return -1, io.EOF
		}
		r.cur, r.pos = b, 0
	}
	*p = r.cur.pkts[r.pos]
	k := r.cur.files[r.pos]
	r.pos++
	return k, nil
}

// Errors returns the Merger's errors; valid once Next returned io.EOF.
func (r *readAhead) Errors() []error { return r.errs }

// close stops the reading goroutine and waits for it, so that the files can
// be closed.
func (r *readAhead) close() {
	close(r.stop)
	<-r.done
}
