package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/diag"
)

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("analyze", "analyze [flags] FILE...", stderr)
	format := fs.String("format", "text", "report format: text, json, md or html")
	out := fs.StringP("output", "o", "", "write the report to this file instead of standard output")
	failOn := fs.String("fail-on", "error", "exit 3 when a finding has at least this severity: error, warning or never")
	internal := fs.StringArray("internal", nil, "an internal network (CIDR), repeatable; when given, only these networks are internal, otherwise RFC 1918, RFC 6598 and ULA addresses are")
	edges := fs.StringArray("edge", nil, "an A/V Edge or relay address, also when the capture shows no TURN answer from it; repeatable")
	quiet := fs.BoolP("quiet", "q", false, "no progress line on standard error (it is shown only when standard error is a terminal)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (for go tool pprof; docs/performance.md)")
	memProfile := fs.String("memprofile", "", "write a heap profile to this file once the captures are decoded, before the report is built")
	lim := addLimitFlags(fs)
	red := addRedactFlags(fs)
	if !parseFlags(fs, args, stderr) {
		return exitUsage
	}
	if fs.NArg() == 0 || !validFormat(*format) || !validFailOn(*failOn) {
		fs.Usage()
		return exitUsage
	}
	if !lim.valid(stderr) {
		return exitUsage
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "icediag: %v\n", err)
			return exitFailure
		}
		defer stop()
	}
	network, err := diag.ParseNetwork(*internal, *edges)
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitUsage
	}
	if *memProfile != "" {
		// Sample every 4 KiB allocated instead of every 512 KiB, from before
		// the analysis allocates anything: fine enough to see what grows.
		runtime.MemProfileRate = 4096
	}
	in, err := analyzeInputWith(fs.Args(), network, newProgress(stderr, *quiet, fs.Args()), lim.Decode(), lim.Session(), red.learner()...)
	if err == nil && *memProfile != "" {
		err = writeHeapProfile(*memProfile)
	}
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	for _, f := range in.Stats.Files {
		if f.Err != "" {
			fmt.Fprintf(stderr, "icediag: %s\n", f.Err)
		}
	}
	rep := diag.Build(in)
	if !red.apply(rep, stderr) {
		return exitFailure
	}
	return writeReport(rep, *format, *out, *failOn, stdout, stderr)
}

// analyzeInput is analyzeInputWith the default limits.
func analyzeInput(files []string, network *diag.Network, pr *progress) (*diag.Input, error) {
	return analyzeInputWith(files, network, pr, decode.Options{}, diag.SessionOptions{})
}

// analyzeInputWith decodes the captures once with opt, feeding every event
// to an analysis session (SIP capture, ICE builder, frame index) bounded
// by so, and joins the calls to the ICE model. pr may be nil.
func analyzeInputWith(files []string, network *diag.Network, pr *progress, opt decode.Options, so diag.SessionOptions, learn ...decode.Handler) (*diag.Input, error) {
	names := baseNames(files)
	if so.Net == nil {
		so.Net = network
	}
	session := diag.NewSession(names, so)
	if pr != nil {
		opt.Progress = func(frames, bytes uint64) { pr.show(frames, bytes, session.NumCalls()) }
		defer pr.done()
	}
	st, err := decode.Run(files, opt, withLearners(session.Add, learn))
	if err != nil {
		return nil, err
	}
	return session.Input(names, st, network), nil
}

func runRender(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("render", "render [flags] REPORT.json", stderr)
	format := fs.String("format", "text", "report format: text, json, md or html")
	out := fs.StringP("output", "o", "", "write the report to this file instead of standard output")
	red := addRedactFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 || !validFormat(*format) {
		fs.Usage()
		return exitUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	defer f.Close()
	r, err := diag.ReadJSON(f)
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %s: %v\n", fs.Arg(0), err)
		return exitFailure
	}
	if !red.apply(r, stderr) {
		return exitFailure
	}
	return writeReport(r, *format, *out, "never", stdout, stderr)
}

func writeReport(r *diag.Report, format, out, failOn string, stdout, stderr io.Writer) int {
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			fmt.Fprintf(stderr, "icediag: %v\n", err)
			return exitFailure
		}
		defer f.Close()
		w = f
	}
	if err := diag.Render(w, r, format); err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	if failOn != "never" && r.Worst().Rank() >= diag.Severity(failOn).Rank() {
		return exitFindings
	}
	return exitOK
}

func validFormat(f string) bool {
	return f == diag.FormatText || f == diag.FormatJSON || f == diag.FormatMarkdown || f == diag.FormatHTML
}

func validFailOn(f string) bool { return f == "error" || f == "warning" || f == "never" }

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// startCPUProfile starts writing a CPU profile to path; the returned
// function stops it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeHeapProfile writes the heap profile as of a collection run now:
// what the analysis holds, and what was allocated on the way.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}
