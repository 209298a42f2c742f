package live

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/icediag/icediag/decode/capfile"
)

// DefaultHold is how long a Merger of several sources holds a frame back
// so that a slightly earlier frame of another interface can still go
// first: interfaces are read by separate goroutines and the kernel
// timestamps of their frames reach the reader out of order by about a
// scheduling delay.
const DefaultHold = 100 * time.Millisecond

// Packet is a frame handed out by a Merger: a copy that the receiver owns
// until it passes it to Release. Interface is the index of its Source.
type Packet struct {
	capfile.Packet
	arrived time.Time
	buf     []byte
}

// Merger reads several Sources, one goroutine each, and delivers their
// frames in one channel, ordered by capture timestamp within the hold
// window.
type Merger struct {
	sources []Source
	hold    time.Duration
	in, out chan *Packet
	pool    sync.Pool

	mu    sync.Mutex
	errs  []error
	stats []Stats
}

// NewMerger returns a Merger of sources; hold 0 means DefaultHold (it is
// not used with a single source).
func NewMerger(sources []Source, hold time.Duration) *Merger {
	if hold <= 0 {
		hold = DefaultHold
	}
	return &Merger{sources: sources, hold: hold, in: make(chan *Packet, 4096),
		out: make(chan *Packet, 4096), stats: make([]Stats, len(sources))}
}

// Start starts reading. When ctx is done, or every source failed, the
// readers stop, the frames held back are delivered and Packets is closed.
func (m *Merger) Start(ctx context.Context) {
	var wg sync.WaitGroup
	for i, s := range m.sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.read(ctx, i, s)
		}()
	}
	go func() {
		wg.Wait()
		close(m.in)
	}()
	if len(m.sources) == 1 {
		go m.forward()
	} else {
		go m.merge()
	}
}

// Packets is the channel of merged frames.
func (m *Merger) Packets() <-chan *Packet { return m.out }

// Release returns a frame's buffer for reuse.
func (m *Merger) Release(p *Packet) { m.pool.Put(p) }

// Err returns the read errors that stopped sources, joined.
func (m *Merger) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return errors.Join(m.errs...)
}

// Stats returns the counters of each source, refreshed from the kernel.
func (m *Merger) Stats() []Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range m.sources {
		if st, err := s.Stats(); err == nil {
			m.stats[i] = st
		}
	}
	return append([]Stats(nil), m.stats...)
}

// read copies the frames of source i into pooled Packets.
func (m *Merger) read(ctx context.Context, i int, s Source) {
	var p capfile.Packet
	for ctx.Err() == nil {
		err := s.ReadPacket(&p)
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			m.mu.Lock()
			m.errs = append(m.errs, err)
			m.mu.Unlock()
			return
		}
		pk, _ := m.pool.Get().(*Packet)
		if pk == nil {
			pk = &Packet{}
		}
		pk.buf = append(pk.buf[:0], p.Data...)
		pk.Packet = p
		pk.Data = pk.buf
		pk.Interface = i
		pk.arrived = time.Now()
		select {
		case m.in <- pk:
		case <-ctx.Done():
			return
		}
	}
}

func (m *Merger) forward() {
	for p := range m.in {
		m.out <- p
	}
	close(m.out)
}

// merge orders the frames of several sources by timestamp, releasing each
// once it has been held for the hold time.
func (m *Merger) merge() {
	var h packetHeap
	tick := time.NewTicker(m.hold / 4)
	defer tick.Stop()
	for {
		select {
		case p, ok := <-m.in:
			if !ok {
				for h.Len() > 0 {
					m.out <- heap.Pop(&h).(*Packet)
				}
				close(m.out)
				return
			}
			heap.Push(&h, p)
		case <-tick.C:
		}
		m.release(&h, time.Now().Add(-m.hold))
	}
}

// release delivers held frames, earliest timestamp first, while the
// earliest arrived before cutoff. Frames behind it wait at most one more
// hold time, until it is old enough itself.
func (m *Merger) release(h *packetHeap, cutoff time.Time) {
	for h.Len() > 0 && (*h)[0].arrived.Before(cutoff) {
		m.out <- heap.Pop(h).(*Packet)
	}
}

// packetHeap is a min-heap of frames by capture timestamp, then source.
type packetHeap []*Packet

func (h packetHeap) Len() int { return len(h) }
func (h packetHeap) Less(i, j int) bool {
	if !h[i].Timestamp.Equal(h[j].Timestamp) {
		return h[i].Timestamp.Before(h[j].Timestamp)
	}
	return h[i].Interface < h[j].Interface
}
func (h packetHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *packetHeap) Push(x any)   { *h = append(*h, x.(*Packet)) }
func (h *packetHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}
