// Command benchcmp measures the whole analysis against the cost of reading
// the capture and against tshark, on generated captures (issue 9):
//
//	go run ./scripts/benchcmp                      # 250 MiB and 1 GiB, 3 runs each
//	go run ./scripts/benchcmp --sizes 250MB --runs 5
//	go run ./scripts/benchcmp --against OLDBIN --icediag NEWBIN --runs 10
//
// For each size it generates the capture once (decode/synth/callgen, seed
// 1) into the temporary directory, named by generator version, seed and
// size as the Go benchmarks name theirs, and reuses it later. On that file
// it runs, each in its own process and several times:
//
//	(a) a bare pcapgo read loop (decode.ReadBaseline)
//	(b) a DecodingLayerParser Ethernet/IP/UDP/TCP loop (decode.ParseBaseline)
//	(c) icediag analyze -q -o /dev/null --fail-on never FILE
//	(d) tshark -r FILE -Y 'sip || stun' -T fields -e frame.number >/dev/null
//
// and prints the median wall time, packets/s, MB/s, CPU time and peak
// resident memory (wait4 rusage) of each, and the ratios c/b and d/c.
// tshark runs once on captures larger than --tshark-once-above (it takes
// minutes on 1 GiB); the table says so.
//
// With --against, it instead runs an older icediag build and the measured
// one in turns on each capture and prints the medians of both and the
// median ratios new/old: how a change is judged on a machine whose speed
// drifts (docs/performance.md).
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth/callgen"
)

// seed is the generator seed of every benchmark capture.
const seed = 1

// loopEnv, when set to "read" or "parse", makes the program run that
// baseline loop on its argument instead of the comparison, and "generate"
// write the capture of a size to a file: the driver starts itself that way
// so that each loop has a process, and so a peak resident memory, of its
// own, and so that its own peak stays small. (Linux carries the peak RSS
// of the process that calls exec over to the new program, and Go's
// os/exec starts children in the parent's memory: a child's peak can read
// no lower than the driver's own.)
const loopEnv = "ICEDIAG_BENCHCMP_LOOP"

func main() {
	if mode := os.Getenv(loopEnv); mode != "" {
		os.Exit(runLoop(mode, os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the flags say.
type config struct {
	sizes      []int64 // capture sizes in bytes
	runs       int
	tsharkOnce int64 // tshark runs once on captures larger than this
	icediag    string
	against    string // an older icediag build to compare with, instead of (a)-(d)
	tshark     string
	markdown   bool
	dir        string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if cfg.icediag == "" {
		bin, cleanup, err := buildIcediag(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "benchcmp:", err)
			return 1
		}
		defer cleanup()
		cfg.icediag = bin
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "benchcmp:", err)
		return 1
	}
	fmt.Fprintln(stdout, machine())
	var results []*result
	for _, size := range cfg.sizes {
		path, err := capture(ctx, self, cfg.dir, size, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "benchcmp:", err)
			return 1
		}
		if cfg.against != "" {
			p, err := pair(ctx, cfg.against, cfg.icediag, path, cfg.runs, stderr)
			if err != nil {
				fmt.Fprintln(stderr, "benchcmp:", err)
				return 1
			}
			p.print(stdout, cfg.markdown)
			continue
		}
		res, err := compare(ctx, cfg, self, path, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "benchcmp:", err)
			return 1
		}
		res.print(stdout, cfg.markdown)
		results = append(results, res)
	}
	printGrowth(stdout, results)
	fmt.Fprintln(stdout, "load at end:", loadAverage())
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := pflag.NewFlagSet("benchcmp", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.StringSlice("sizes", []string{"250MB", "1GB"}, "capture sizes (KB, MB, GB: powers of 1024)")
	runs := fs.Int("runs", 3, "runs of each measurement; the median is reported")
	once := fs.String("tshark-once-above", "512MB", "run tshark only once on captures larger than this")
	icediag := fs.String("icediag", "", "icediag binary to measure (default: build ./cmd/icediag)")
	tshark := fs.String("tshark", "tshark", "tshark binary; empty to skip (d)")
	against := fs.String("against", "", "an older icediag binary: run it and the measured one in turns instead of (a)-(d)")
	markdown := fs.Bool("markdown", false, "print the tables as Markdown")
	dir := fs.String("dir", os.TempDir(), "where generated captures are cached")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	cfg := config{runs: *runs, icediag: *icediag, against: *against, tshark: *tshark, markdown: *markdown, dir: *dir}
	var err error
	if cfg.tsharkOnce, err = capfile.ParseSize(*once); err != nil {
		fmt.Fprintln(stderr, "benchcmp: --tshark-once-above:", err)
		return cfg, err
	}
	for _, s := range *sizes {
		n, err := capfile.ParseSize(s)
		if err != nil {
			fmt.Fprintln(stderr, "benchcmp: --sizes:", err)
			return cfg, err
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	if cfg.runs < 1 || len(cfg.sizes) == 0 {
		fmt.Fprintln(stderr, "benchcmp: want --runs >= 1 and at least one size")
		return cfg, errors.New("bad flags")
	}
	return cfg, nil
}

// capture returns the cached capture of the given size, generating it in a
// child process first when it is not there. The name matches decode's
// benchmarks (ICEDIAG_BENCH_MB), so both reuse the same file.
func capture(ctx context.Context, self, dir string, size int64, stderr io.Writer) (string, error) {
	name := fmt.Sprintf("icediag-bench-v%d-seed%d-%dMiB.pcap", callgen.Version, seed, size>>20)
	if size&(1<<20-1) != 0 {
		name = fmt.Sprintf("icediag-bench-v%d-seed%d-%dB.pcap", callgen.Version, seed, size)
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	fmt.Fprintf(stderr, "generating %s\n", path)
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Close(); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, self, strconv.FormatInt(size, 10), tmp.Name())
	cmd.Env = append(os.Environ(), loopEnv+"=generate")
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("generating %s: %w", path, err)
	}
	return path, os.Rename(tmp.Name(), path) // complete files only under the final name
}

// generate writes the capture of size bytes (seed 1) to path.
func generate(size int64, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_, err = callgen.Write(w, callgen.Config{Seed: seed, Size: size})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// buildIcediag builds ./cmd/icediag of the current module into a
// temporary directory.
func buildIcediag(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "benchcmp")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "icediag")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/icediag")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("go build ./cmd/icediag: %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// runLoop is the child process of a baseline measurement: it runs one loop
// over the file and prints what it counted and its own peak RSS (VmHWM,
// which exec does not carry over). In mode "generate" it writes a capture.
func runLoop(mode string, args []string, stdout, stderr io.Writer) int {
	if mode == "generate" && len(args) == 2 {
		size, err := strconv.ParseInt(args[0], 10, 64)
		if err == nil {
			err = generate(size, args[1])
		}
		if err != nil {
			fmt.Fprintln(stderr, "benchcmp:", err)
			return 1
		}
		return 0
	}
	loops := map[string]func(string) (decode.BaselineCounts, error){"read": decode.ReadBaseline, "parse": decode.ParseBaseline}
	loop := loops[mode]
	if loop == nil || len(args) != 1 {
		fmt.Fprintf(stderr, "benchcmp: %s=%q: want read or parse and one file\n", loopEnv, mode)
		return 2
	}
	c, err := loop(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "benchcmp:", err)
		return 1
	}
	fmt.Fprintln(stdout, c.Packets, c.Bytes, c.Transport, selfPeakKiB())
	return 0
}

// selfPeakKiB returns this process's peak resident set (VmHWM in
// /proc/self/status), in KiB; 0 when unknown.
func selfPeakKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// machine describes where the numbers come from.
func machine() string {
	model := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("machine: %d CPUs (%s), %s/%s, %s; load at start: %s",
		runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH, runtime.Version(), loadAverage())
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
