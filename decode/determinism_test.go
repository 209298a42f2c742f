package decode

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// TestDeterministic decodes every crafted and public capture twice and
// requires identical Describe output and statistics: reports and golden
// files depend on it (house style rule 16).
func TestDeterministic(t *testing.T) {
	var paths []string
	for _, dir := range []string{filepath.Join("..", "pcaps", "crafted"), filepath.Join("..", "pcaps", "public")} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if !e.IsDir() && e.Name() != "README.md" {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	if testing.Short() {
		paths = paths[:8]
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			r1, s1 := runFile(t, p)
			r2, s2 := runFile(t, p)
			l1, l2 := r1.lines(), r2.lines()
			if !slices.Equal(l1, l2) {
				i := 0
				for i < len(l1) && i < len(l2) && l1[i] == l2[i] {
					i++
				}
				t.Fatalf("runs differ at event %d of %d/%d", i, len(l1), len(l2))
			}
			if a, b := Summarize(s1), Summarize(s2); !slices.Equal(a.Messages, b.Messages) || !problemsEqual(a.Problems, b.Problems) {
				t.Errorf("summaries differ:\n%+v\n%+v", a, b)
			}
		})
	}
}

func problemsEqual(a, b []ProblemBrief) bool {
	return slices.EqualFunc(a, b, func(x, y ProblemBrief) bool {
		return x.Layer == y.Layer && x.Reason == y.Reason && x.Count == y.Count && slices.Equal(x.Frames, y.Frames)
	})
}

// TestDeterministicFlush decodes eight SIP connections that each lose a
// segment, so their last messages wait in the reassembler until Finish
// flushes them. They must come out the same way on every run, in capture
// order.
func TestDeterministicFlush(t *testing.T) {
	var packets [][]byte
	for i := 0; i < 8; i++ {
		c := synth.NewTCPConn(ap(fmt.Sprintf("10.0.1.20:%d", 40000+i)), sipProxy, 1000, 5000)
		packets = append(packets, c.Handshake()...)
		invite := c.Send(c.Client, sipMessage("INVITE", 2000), 1000) // the second segment is lost
		bye := c.Send(c.Client, sipMessage("BYE", 0))
		packets = append(packets, invite[0], bye[0])
	}
	first, _ := feed(t, Options{}, ethFrames(time.Millisecond, packets...))
	want := first.frames(KindSIP)
	if !slices.IsSorted(want) || len(want) != 8 {
		t.Errorf("SIP frames %v, want 8 in capture order", want)
	}
	for i := 0; i < 10; i++ {
		r, _ := feed(t, Options{}, ethFrames(time.Millisecond, packets...))
		if got := r.frames(KindSIP); !slices.Equal(got, want) {
			t.Fatalf("run %d: SIP frames %v, first run %v", i+2, got, want)
		}
	}
}
