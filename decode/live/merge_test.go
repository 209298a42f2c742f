package live

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
)

// fakeSource replays frames with a gap between reads and then fails with
// err (ErrClosed when nil).
type fakeSource struct {
	frames []capfile.Packet
	gap    time.Duration
	err    error
	i      int
}

func (f *fakeSource) ReadPacket(p *capfile.Packet) error {
	if f.i >= len(f.frames) {
		if f.err != nil {
			return f.err
		}
		time.Sleep(time.Millisecond)
		return ErrTimeout
	}
	time.Sleep(f.gap)
	*p = f.frames[f.i]
	f.i++
	return nil
}
func (f *fakeSource) Stats() (Stats, error) { return Stats{Received: uint64(f.i)}, nil }
func (f *fakeSource) Info() Interface       { return Interface{Name: "fake"} }
func (f *fakeSource) Close() error          { return nil }

func framesAt(ms ...int) []capfile.Packet {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]capfile.Packet, len(ms))
	for i, m := range ms {
		out[i] = capfile.Packet{Timestamp: base.Add(time.Duration(m) * time.Millisecond), Data: []byte{byte(m)}, LinkType: 1}
	}
	return out
}

// TestMergerOrdersByTimestamp reads two interfaces whose frames interleave
// in time and arrive out of order, and expects one ordered stream.
func TestMergerOrdersByTimestamp(t *testing.T) {
	a := &fakeSource{frames: framesAt(1, 4, 7, 10)}
	b := &fakeSource{frames: framesAt(2, 3, 8, 9), gap: 5 * time.Millisecond}
	m := NewMerger([]Source{a, b}, 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	m.Start(ctx)
	var got []byte
	var from []int
	for p := range m.Packets() {
		got = append(got, p.Data[0])
		from = append(from, p.Interface)
		m.Release(p)
	}
	want := []byte{1, 2, 3, 4, 7, 8, 9, 10}
	if string(got) != string(want) {
		t.Errorf("merged order = %v, want %v", got, want)
	}
	wantFrom := []int{0, 1, 1, 0, 0, 1, 1, 0}
	for i := range from {
		if i < len(wantFrom) && from[i] != wantFrom[i] {
			t.Errorf("frame %d from source %d, want %d", i, from[i], wantFrom[i])
		}
	}
	st := m.Stats()
	if len(st) != 2 || st[0].Received != 4 || st[1].Received != 4 {
		t.Errorf("Stats() = %+v, want 4 received on each", st)
	}
}

// TestMergerSourceError stops on a failing source and reports its error.
func TestMergerSourceError(t *testing.T) {
	boom := errors.New("interface went away")
	a := &fakeSource{frames: framesAt(1, 2), err: boom}
	m := NewMerger([]Source{a}, 0)
	m.Start(context.Background())
	n := 0
	for p := range m.Packets() {
		n++
		m.Release(p)
	}
	if n != 2 {
		t.Errorf("delivered %d frames, want 2", n)
	}
	if err := m.Err(); !errors.Is(err, boom) {
		t.Errorf("Err() = %v, want %v", err, boom)
	}
}

// TestMergerCopiesFrames checks that a delivered frame does not alias the
// source's buffer, which the next read overwrites.
func TestMergerCopiesFrames(t *testing.T) {
	buf := []byte{1}
	frames := framesAt(1, 2)
	frames[0].Data, frames[1].Data = buf, buf
	a := &fakeSource{frames: frames, err: ErrClosed}
	m := NewMerger([]Source{a}, 0)
	m.Start(context.Background())
	var got []*Packet
	for p := range m.Packets() {
		got = append(got, p)
	}
	buf[0] = 9
	for i, p := range got {
		if p.Data[0] != 1 {
			t.Errorf("frame %d data = %v, want a copy [1]", i, p.Data)
		}
	}
}
