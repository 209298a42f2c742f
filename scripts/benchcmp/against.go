package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
)

// pairing is an A/B comparison of two icediag builds on one capture (the
// --against flag): both run in turns, the old one first in odd rounds and
// second in even ones, so that drifts of the machine's speed hit both
// alike. Each round gives the ratios new/old, whose medians are less
// noisy than the ratio of the medians on a machine whose speed drifts.
type pairing struct {
	path     string
	old, new measurement
}

// pair runs the builds old and cur on path, runs rounds.
func pair(ctx context.Context, old, cur, path string, runs int, stderr io.Writer) (*pairing, error) {
	p := &pairing{path: path}
	p.old.name, p.new.name = old, cur
	for i := range runs {
		fmt.Fprintf(stderr, "%s: round %d of %d\n", path, i+1, runs)
		order := []*measurement{&p.old, &p.new}
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, m := range order {
			cmd := exec.CommandContext(ctx, m.name, "analyze", "-q", "-o", os.DevNull, "--fail-on", "never", path)
			_, s, err := measure(cmd, false)
			if err != nil {
				return nil, err
			}
			m.samples = append(m.samples, s)
		}
	}
	return p, nil
}

// ratios returns the medians of the per-round ratios new/old of wall
// time, CPU time and peak RSS.
func (p *pairing) ratios() (wall, cpu, rss float64) {
	med := func(get func(sample) float64) float64 {
		r := make([]float64, len(p.new.samples))
		for i := range r {
			if o := get(p.old.samples[i]); o > 0 {
				r[i] = get(p.new.samples[i]) / o
			}
		}
		slices.Sort(r)
		return r[len(r)/2]
	}
	return med(func(s sample) float64 { return s.wall.Seconds() }),
		med(func(s sample) float64 { return s.cpu.Seconds() }),
		med(func(s sample) float64 { return float64(s.rssKiB) })
}

// print writes the medians of both builds and the median ratios.
func (p *pairing) print(w io.Writer, markdown bool) {
	fmt.Fprintf(w, "\ncapture: %s, %d rounds, old and new in turns\n", p.path, len(p.old.samples))
	rows := [][]string{{"build", "wall s", "CPU s", "peak RSS MiB"}}
	for _, m := range []measurement{p.old, p.new} {
		s := m.median()
		rows = append(rows, []string{m.name, fmt.Sprintf("%.2f", s.wall.Seconds()), fmt.Sprintf("%.2f", s.cpu.Seconds()),
			fmt.Sprintf("%.1f", float64(s.rssKiB)/1024)})
	}
	table(w, rows, markdown)
	wall, cpu, rss := p.ratios()
	fmt.Fprintf(w, "new/old, median of the rounds' ratios: wall %.3f, CPU %.3f, peak RSS %.3f\n", wall, cpu, rss)
}
