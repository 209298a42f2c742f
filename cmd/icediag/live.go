package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/live"
	"github.com/icediag/icediag/diag"
)

// liveFlags are the options of icediag live.
type liveFlags struct {
	ifaces      []string
	duration    time.Duration
	every       time.Duration
	format      string
	write       string
	rotateSize  string
	rotateCount int
	filter      string
	list        bool
	failOn      string
	internal    []string
	edges       []string
	noPromisc   bool
	sizeBytes   int64
	callIdle    time.Duration
	callTimeout time.Duration
	limits      *limitFlags
}

// Live report formats besides those of analyze.
const formatJSONL = "jsonl"

func liveFlagSet(stderr io.Writer, f *liveFlags) *pflag.FlagSet {
	fs := pflag.NewFlagSet("live", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringArrayVarP(&f.ifaces, "interface", "i", nil, "capture on this interface; repeat for several, merged by timestamp")
	fs.DurationVar(&f.duration, "duration", 0, "stop after this long (default: until Ctrl-C or SIGTERM)")
	fs.DurationVar(&f.every, "report-every", 10*time.Second, "print a summary line this often (0: never)")
	fs.StringVar(&f.format, "format", "text", "final report format: text, jsonl (one JSON object per line), json or md")
	fs.StringVarP(&f.write, "write", "w", "", "also write the captured frames to this pcapng file")
	fs.StringVar(&f.rotateSize, "rotate-size", "", "start a new --write file (NAME_00001.pcapng, ...) after this many bytes (K, M, G suffixes)")
	fs.IntVar(&f.rotateCount, "rotate-count", 0, "keep only the newest this many rotated files (0: keep all)")
	fs.StringVar(&f.filter, "filter", "", "tcpdump filter expression (libpcap and Npcap builds only; \"all\" captures everything)")
	fs.BoolVar(&f.list, "list-interfaces", false, "list the interfaces this build can capture on and exit")
	fs.StringVar(&f.failOn, "fail-on", "error", "exit 3 when a finding has at least this severity: error, warning or never")
	fs.StringArrayVar(&f.internal, "internal", nil, "a network (CIDR) that counts as internal besides RFC 1918, RFC 6598 and ULA; repeatable")
	fs.StringArrayVar(&f.edges, "edge", nil, "an A/V Edge or relay address, also when the capture shows no TURN answer from it; repeatable")
	fs.BoolVar(&f.noPromisc, "no-promisc", false, "do not put the interfaces in promiscuous mode")
	fs.DurationVar(&f.callIdle, "call-idle", 10*time.Second, "report a call this long after its BYE (or final error) once its checks and media have stopped too")
	fs.DurationVar(&f.callTimeout, "call-timeout", 5*time.Minute, "report a call without BYE once nothing of it was seen for this long (0: only at the end)")
	fs.Usage = func() { liveUsage(stderr, fs) }
	f.limits = addLimitFlags(fs)
	return fs
}

func liveUsage(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintln(w, "usage: icediag live -i IFACE [-i IFACE2] [--duration D] [--report-every D] [--format text|jsonl]")
	fmt.Fprintln(w, "                    [--write FILE.pcapng [--rotate-size N] [--rotate-count K]]")
	fmt.Fprintln(w, "       icediag live --list-interfaces")
	fmt.Fprintln(w, "\nCaptures on the interfaces, analyses as icediag analyze does, prints a summary line")
	fmt.Fprintln(w, "every --report-every and the full report on Ctrl-C, SIGTERM or after --duration.")
	fmt.Fprintf(w, "\nCapture backend of this build: %s.\n", live.Backend())
	if live.FilterExpressions() {
		fmt.Fprintln(w, "--filter takes a tcpdump expression; without it the built-in filter keeps:")
	} else {
		fmt.Fprintln(w, "--filter takes no expression in this build (only \"all\"); the built-in kernel filter keeps:")
	}
	fmt.Fprintf(w, "  %s\n", live.BuiltinFilterDescription)
	fmt.Fprintf(w, "Permissions: %s.\n\n", live.PermissionHint())
	fs.PrintDefaults()
}

func runLive(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f liveFlags
	fs := liveFlagSet(stderr, &f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if f.list {
		return listInterfaces(stdout, stderr)
	}
	if msg := f.check(fs.NArg()); msg != "" {
		fmt.Fprintf(stderr, "icediag live: %s\n\n", msg)
		fs.Usage()
		return exitUsage
	}
	network, err := diag.ParseNetwork(f.internal, f.edges)
	if err != nil {
		fmt.Fprintf(stderr, "icediag live: %v\n", err)
		return exitUsage
	}
	sources, err := openSources(f.ifaces, live.Options{Filter: f.filter, NoPromisc: f.noPromisc})
	if err != nil {
		fmt.Fprintf(stderr, "icediag live: %v\n", err)
		return exitFailure
	}
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	return runCapture(ctx, &f, network, sources, stdout, stderr)
}

// check validates the flags; it returns a message for a usage error.
func (f *liveFlags) check(nargs int) string {
	switch {
	case nargs > 0:
		return "unexpected arguments (interfaces go with -i)"
	case len(f.ifaces) == 0:
		return "no interface given (-i IFACE; see --list-interfaces)"
	case f.format != diag.FormatText && f.format != formatJSONL && f.format != diag.FormatJSON && f.format != diag.FormatMarkdown:
		return fmt.Sprintf("unknown --format %q (want text, jsonl, json or md)", f.format)
	case !validFailOn(f.failOn):
		return fmt.Sprintf("unknown --fail-on %q", f.failOn)
	case f.duration < 0 || f.every < 0:
		return "--duration and --report-every must not be negative"
	case f.callIdle <= 0 || f.callTimeout < 0:
		return "--call-idle must be positive and --call-timeout not negative"
	case f.write == "" && (f.rotateSize != "" || f.rotateCount != 0):
		return "--rotate-size and --rotate-count need --write"
	case f.rotateCount < 0:
		return "--rotate-count must not be negative"
	case f.rotateCount > 0 && f.rotateSize == "":
		return "--rotate-count needs --rotate-size"
	case f.filter != "" && f.filter != live.FilterAll && !live.FilterExpressions():
		return fmt.Sprintf("--filter %q: this build (%s backend) has only the built-in filter; build with -tags libpcap for tcpdump expressions", f.filter, live.Backend())
	}
	if err := f.limits.check(); err != nil {
		return err.Error()
	}
	if f.rotateSize != "" {
		n, err := capfile.ParseSize(f.rotateSize)
		if err != nil {
			return "--rotate-size: " + err.Error()
		}
		f.sizeBytes = n
	}
	seen := map[string]bool{}
	for _, i := range f.ifaces {
		if seen[i] {
			return fmt.Sprintf("interface %q given twice", i)
		}
		seen[i] = true
	}
	return ""
}

// openSources opens every interface, closing those already open when one
// fails.
func openSources(names []string, o live.Options) ([]live.Source, error) {
	var out []live.Source
	for _, n := range names {
		s, err := live.Open(n, o)
		if err != nil {
			for _, s := range out {
				s.Close()
			}
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func listInterfaces(stdout, stderr io.Writer) int {
	ifs, err := live.ListInterfaces()
	if err != nil {
		fmt.Fprintf(stderr, "icediag live: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "capture backend: %s\n", live.Backend())
	for _, in := range ifs {
		state := "down"
		if in.Up {
			state = "up"
		}
		link := "unsupported link type"
		switch in.LinkType {
		case live.LinkTypeEthernet:
			link = "Ethernet"
		case live.LinkTypeRaw:
			link = "raw IP"
		case 0:
			link = "link type known when opened"
		}
		fmt.Fprintf(stdout, "%-16s %-4s %-28s %s", in.Name, state, link, strings.Join(in.Addrs, " "))
		if in.Description != "" {
			fmt.Fprintf(stdout, "  (%s)", in.Description)
		}
		fmt.Fprintln(stdout)
	}
	return exitOK
}
