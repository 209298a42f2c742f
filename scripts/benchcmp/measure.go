package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sample is one run of one measured command.
type sample struct {
	wall, cpu time.Duration
	rssKiB    int64 // peak resident set size
	// liveMB is the largest heap left live after a garbage collection,
	// from the Go runtime's gctrace (icediag only; 0 when not read).
	liveMB int64
}

// measurement is the runs of one command and their medians.
type measurement struct {
	name    string
	samples []sample
	note    string
}

// median returns the median of each quantity over the runs (each taken
// separately).
func (m measurement) median() sample {
	pick := func(get func(sample) int64) int64 {
		v := make([]int64, len(m.samples))
		for i, s := range m.samples {
			v[i] = get(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return sample{
		wall:   time.Duration(pick(func(s sample) int64 { return int64(s.wall) })),
		cpu:    time.Duration(pick(func(s sample) int64 { return int64(s.cpu) })),
		rssKiB: pick(func(s sample) int64 { return s.rssKiB }),
		liveMB: pick(func(s sample) int64 { return s.liveMB }),
	}
}

// result is the comparison on one capture.
type result struct {
	path          string
	size          int64
	packets       uint64
	a, b, c, d    measurement
	tsharkSkipped bool
	runs          int
	loadBefore    string
	loadAfter     string
	floorKiB      int64 // the driver's own peak RSS, below which a child's cannot read
}

// compare runs (a)-(d) on the capture at path, interleaving the commands
// run by run so that a change of the machine's load hits them alike.
func compare(ctx context.Context, cfg config, self, path string, stderr io.Writer) (*result, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	r := &result{path: path, size: st.Size(), runs: cfg.runs, loadBefore: loadAverage()}
	r.a.name, r.b.name = "(a) pcapgo read loop", "(b) DecodingLayerParser loop"
	r.c.name, r.d.name = "(c) icediag analyze", "(d) tshark -Y 'sip || stun'"
	loop := func(mode string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, self, path)
		cmd.Env = append(os.Environ(), loopEnv+"="+mode)
		return cmd
	}
	tsharkRuns := cfg.runs
	if cfg.tshark == "" {
		tsharkRuns, r.tsharkSkipped = 0, true
	} else if r.size > cfg.tsharkOnce {
		tsharkRuns, r.d.note = 1, "one run only (not a median): tshark takes minutes on this size"
	}
	r.floorKiB = selfPeakKiB()
	for i := 0; i < cfg.runs; i++ {
		fmt.Fprintf(stderr, "%s: run %d of %d\n", path, i+1, cfg.runs)
		s, packets, err := measureLoop(loop("read"))
		if err != nil {
			return nil, fmt.Errorf("(a): %w", err)
		}
		r.packets = packets
		r.a.samples = append(r.a.samples, s)
		if s, _, err = measureLoop(loop("parse")); err != nil {
			return nil, fmt.Errorf("(b): %w", err)
		}
		r.b.samples = append(r.b.samples, s)
		analyze := exec.CommandContext(ctx, cfg.icediag, "analyze", "-q", "-o", os.DevNull, "--fail-on", "never", path)
		if s, err = measureAnalyze(analyze); err != nil {
			return nil, fmt.Errorf("(c): %w", err)
		}
		r.c.samples = append(r.c.samples, s)
		if i < tsharkRuns {
			ts := exec.CommandContext(ctx, cfg.tshark, "-r", path, "-Y", "sip || stun", "-T", "fields", "-e", "frame.number")
			if _, s, err = measure(ts, false); err != nil {
				return nil, fmt.Errorf("(d): %w", err)
			}
			r.d.samples = append(r.d.samples, s)
		}
	}
	r.loadAfter = loadAverage()
	return r, nil
}

// measure runs cmd to completion, its standard output going to /dev/null
// unless keep is set (the baselines print only their counts), and returns the wall time, CPU time and peak RSS of the
// process from wait4(2).
func measure(cmd *exec.Cmd, keep bool) (string, sample, error) {
	out, _, s, err := measureAll(cmd, keep)
	return out, s, err
}

// measureAll is measure that also returns what cmd wrote to standard error.
func measureAll(cmd *exec.Cmd, keep bool) (stdout, stderr string, s sample, err error) {
	var out, errb bytes.Buffer
	if keep {
		cmd.Stdout = &out
	}
	cmd.Stderr = &errb
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return "", "", sample{}, fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, tail(errb.String()))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return "", "", sample{}, fmt.Errorf("%s: no rusage on this system", cmd.Path)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return out.String(), errb.String(), sample{wall: wall, cpu: cpu, rssKiB: ru.Maxrss}, nil // Linux: Maxrss in KiB
}

// measureAnalyze runs icediag with the runtime's gctrace on (one line per
// collection on standard error, nothing else changes) and adds the
// largest live heap it reports to the sample.
func measureAnalyze(cmd *exec.Cmd) (sample, error) {
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	debug := "gctrace=1"
	if v := os.Getenv("GODEBUG"); v != "" {
		debug = v + "," + debug
	}
	cmd.Env = append(env, "GODEBUG="+debug)
	_, trace, s, err := measureAll(cmd, false)
	s.liveMB = maxLiveMB(trace)
	return s, err
}

// maxLiveMB returns the largest live heap of the gctrace lines in trace:
// the last of the three sizes in "gc 3 @0.1s 2%: ... 18->19->13 MB, ...",
// the heap marked live by that collection.
func maxLiveMB(trace string) int64 {
	var most int64
	for line := range strings.Lines(trace) {
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		_, after, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		for f := range strings.FieldsSeq(after) {
			i := strings.LastIndex(f, "->")
			if i < 0 {
				continue
			}
			if n, err := strconv.ParseInt(f[i+2:], 10, 64); err == nil {
				most = max(most, n)
				break
			}
		}
	}
	return most
}

// measureLoop runs a baseline child, which prints its counts and its own
// peak RSS; that peak replaces wait4's, which cannot read lower than the
// driver's.
func measureLoop(cmd *exec.Cmd) (sample, uint64, error) {
	out, s, err := measure(cmd, true)
	if err != nil {
		return s, 0, err
	}
	f := strings.Fields(out)
	if len(f) != 4 {
		return s, 0, fmt.Errorf("baseline output %q: want packets, bytes, transport, peak", out)
	}
	packets, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return s, 0, err
	}
	if peak, err := strconv.ParseInt(f[3], 10, 64); err == nil && peak > 0 {
		s.rssKiB = peak
	}
	return s, packets, nil
}

func tail(s string) string {
	if len(s) > 400 {
		return "..." + s[len(s)-400:]
	}
	return s
}

// print writes the table of one capture.
func (r *result) print(w io.Writer, markdown bool) {
	fmt.Fprintf(w, "\ncapture: %s (%d bytes, %d packets), median of %d runs, load %s -> %s\n",
		r.path, r.size, r.packets, r.runs, r.loadBefore, r.loadAfter)
	fmt.Fprintf(w, "peak RSS of (c) and (d) from wait4, never below the driver's own %.1f MiB; of (a) and (b) their VmHWM\n",
		float64(r.floorKiB)/1024)
	rows := [][]string{{"command", "wall s", "packets/s", "MB/s", "CPU s", "peak RSS MiB", "runs"}}
	for _, m := range []measurement{r.a, r.b, r.c, r.d} {
		if len(m.samples) == 0 {
			continue
		}
		s := m.median()
		secs := s.wall.Seconds()
		rows = append(rows, []string{m.name, fmt.Sprintf("%.2f", secs),
			fmt.Sprintf("%.2f M", float64(r.packets)/secs/1e6), fmt.Sprintf("%.0f", float64(r.size)/1e6/secs),
			fmt.Sprintf("%.2f", s.cpu.Seconds()), fmt.Sprintf("%.1f", float64(s.rssKiB)/1024), strconv.Itoa(len(m.samples))})
	}
	table(w, rows, markdown)
	c := r.c.median()
	if c.liveMB > 0 {
		fmt.Fprintf(w, "(c) live heap after a collection, largest of the run (gctrace): %d MB\n", c.liveMB)
	}
	b := r.b.median()
	fmt.Fprintf(w, "c/b = %.2fx wall, %.2fx CPU (target <= 2x)\n", ratio(c.wall, b.wall), ratio(c.cpu, b.cpu))
	if len(r.d.samples) > 0 {
		d := r.d.median()
		fmt.Fprintf(w, "d/c = %.1fx wall, %.1fx CPU (target >= 50x)\n", ratio(d.wall, c.wall), ratio(d.cpu, c.cpu))
	}
	if r.d.note != "" {
		fmt.Fprintln(w, "(d):", r.d.note)
	}
	if r.tsharkSkipped {
		fmt.Fprintln(w, "(d): skipped (--tshark '')")
	}
	for _, m := range []measurement{r.a, r.b, r.c, r.d} {
		fmt.Fprintf(w, "%s runs (wall s / RSS MiB):", m.name)
		for _, s := range m.samples {
			fmt.Fprintf(w, " %.2f/%.1f", s.wall.Seconds(), float64(s.rssKiB)/1024)
		}
		fmt.Fprintln(w)
	}
}

func ratio(x, y time.Duration) float64 {
	if y <= 0 {
		return 0
	}
	return float64(x) / float64(y)
}

// table writes rows aligned in columns, or as a Markdown table.
func table(w io.Writer, rows [][]string, markdown bool) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	for n, row := range rows {
		var b strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-len(c))
			switch {
			case markdown:
				b.WriteString("| " + c + pad + " ")
			case i == 0:
				b.WriteString(c + pad + "  ")
			default:
				b.WriteString(pad + c + "  ")
			}
		}
		if markdown {
			b.WriteString("|")
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		if markdown && n == 0 {
			sep := "|"
			for i := range widths {
				sep += strings.Repeat("-", widths[i]+2) + "|"
			}
			fmt.Fprintln(w, sep)
		}
	}
}

// printGrowth compares the memory of (c) on the largest capture with the
// smallest: peak RSS (target: at most 20% more) and the live heap, which
// shows whether what grows is state or the collector's headroom.
func printGrowth(w io.Writer, results []*result) {
	if len(results) < 2 {
		return
	}
	small, large := results[0], results[0]
	for _, r := range results {
		if r.size < small.size {
			small = r
		}
		if r.size > large.size {
			large = r
		}
	}
	if small == large {
		return
	}
	s, l := small.c.median(), large.c.median()
	fmt.Fprintf(w, "\n(c) memory, %.0f MiB capture against %.0f MiB: peak RSS %.1f / %.1f MiB = %+.0f%% (target <= +20%%)",
		float64(large.size)/(1<<20), float64(small.size)/(1<<20), float64(l.rssKiB)/1024, float64(s.rssKiB)/1024, growth(l.rssKiB, s.rssKiB))
	if s.liveMB > 0 && l.liveMB > 0 {
		fmt.Fprintf(w, "; live heap %d / %d MB = %+.0f%%", l.liveMB, s.liveMB, growth(l.liveMB, s.liveMB))
	}
	fmt.Fprintln(w)
}

// growth is how many percent x is above y.
func growth(x, y int64) float64 {
	if y <= 0 {
		return 0
	}
	return 100 * (float64(x)/float64(y) - 1)
}
