package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/diag"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// limitFlags are the command-line forms of the bounds in docs/limits.md:
// the decoder's (decode.Options) and the analysis session's
// (diag.SessionOptions). Each starts at the package default, so the usage
// shows what is in force.
type limitFlags struct {
	dedupWindow     time.Duration
	fragmentTimeout time.Duration
	maxFragments    int
	maxStreamBuffer sizeValue
	tcpPagesPerConn int
	tcpPagesTotal   int
	maxTCPStreams   int
	maxRecord       sizeValue
	maxGzipRatio    int

	maxCalls        int
	maxTransactions int

	maxSessions    int
	maxChecks      int
	maxQueries     int
	maxAllocations int
	maxTURNTx      int
	maxFlows       int

	fs *pflag.FlagSet // the limit flags alone, listed under their heading
}

// limitFlagSpec is one limit flag: its name, what it bounds and where its
// value goes.
type limitFlagSpec struct {
	name, usage string
	value       pflag.Value
	def         string
}

// addLimitFlags adds the limit flags to fs, hidden from its own defaults
// and listed under a "Limits" heading after them by fs.Usage. Call it after
// fs.Usage is set.
func addLimitFlags(fs *pflag.FlagSet) *limitFlags {
	l := &limitFlags{fs: pflag.NewFlagSet("limits", pflag.ContinueOnError)}
	l.fs.SortFlags = false // in the order of docs/limits.md
	for _, s := range l.specs() {
		fs.AddFlag(&pflag.Flag{Name: s.name, Usage: s.usage, Value: s.value, DefValue: s.def, Hidden: true})
		l.fs.AddFlag(&pflag.Flag{Name: s.name, Usage: s.usage, Value: s.value, DefValue: s.def})
	}
	usage := fs.Usage
	fs.Usage = func() {
		if usage != nil {
			usage()
		}
		l.printUsage(fs.Output())
	}
	return l
}

// specs lists the limit flags with their defaults set in l.
func (l *limitFlags) specs() []limitFlagSpec {
	l.dedupWindow = decode.DefaultDedupWindow
	l.fragmentTimeout = decode.DefaultFragmentTimeout
	l.maxStreamBuffer = sizeValue(decode.DefaultMaxStreamBuffer)
	l.maxRecord = sizeValue(capfile.DefaultMaxRecord)
	dur := func(name, usage string, p *time.Duration) limitFlagSpec {
		v := (*durationValue)(p)
		return limitFlagSpec{name, usage, v, v.String()}
	}
	count := func(name, usage string, p *int, def int) limitFlagSpec {
		*p = def
		v := (*countValue)(p)
		return limitFlagSpec{name, usage, v, v.String()}
	}
	return []limitFlagSpec{
		{"max-record-size", "largest packet record or pcapng block a capture file may hold; a larger one ends the file there (K, M, G suffixes)", &l.maxRecord, l.maxRecord.String()},
		count("max-gzip-ratio", "decompressed bytes per compressed byte a gzip capture may expand to; beyond, the file ends there", &l.maxGzipRatio, capfile.DefaultMaxGzipRatio),
		dur("dedup-window", "identical IP packets within this time are duplicates, dropped and counted (0: keep duplicates)", &l.dedupWindow),
		dur("fragment-timeout", "an IP datagram whose fragments take longer (capture time) is dropped", &l.fragmentTimeout),
		count("max-fragment-datagrams", "IP datagrams under reassembly at once; beyond, the oldest is dropped", &l.maxFragments, decode.DefaultMaxPendingFragments),
		{"max-stream-buffer", "bytes held for one incomplete SIP/TURN message on a TCP stream (K, M, G suffixes)", &l.maxStreamBuffer, l.maxStreamBuffer.String()},
		count("max-tcp-streams", "TCP connections followed at once", &l.maxTCPStreams, decode.DefaultMaxTCPStreams),
		count("max-tcp-pages-per-stream", "out-of-order TCP data held per connection, in pages of 1,900 bytes", &l.tcpPagesPerConn, decode.DefaultTCPPagesPerConn),
		count("max-tcp-pages", "out-of-order TCP data held in all, in pages of 1,900 bytes", &l.tcpPagesTotal, decode.DefaultTCPPagesTotal),
		count("max-calls", "SIP calls tracked; beyond, the oldest finished call is dropped", &l.maxCalls, sipflow.DefaultMaxCalls),
		count("max-transactions", "SIP transactions outside calls (REGISTER, OPTIONS, ...) kept; the oldest are dropped", &l.maxTransactions, sipflow.DefaultMaxTransactions),
		count("max-sessions", "ICE sessions (ufrag pairs) followed", &l.maxSessions, ice.DefaultMaxSessions),
		count("max-checks", "ICE connectivity checks followed", &l.maxChecks, ice.DefaultMaxChecks),
		count("max-stun-queries", "STUN server queries (Binding to a STUN server) followed", &l.maxQueries, ice.DefaultMaxQueries),
		count("max-allocations", "TURN allocations followed", &l.maxAllocations, ice.DefaultMaxAllocations),
		count("max-turn-transactions", "TURN requests awaiting their answer", &l.maxTURNTx, ice.DefaultMaxTURNTx),
		count("max-media-flows", "media flows (per 5-tuple, relay leg and direction) counted", &l.maxFlows, ice.DefaultMaxFlows),
	}
}

// parseFlags parses args into fs and reports whether they were valid; a
// bad flag or value is named on stderr (pflag's ContinueOnError prints
// nothing itself).
func parseFlags(fs *pflag.FlagSet, args []string, stderr io.Writer) bool {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, pflag.ErrHelp) {
		fmt.Fprintf(stderr, "icediag %s: %v\n", fs.Name(), err)
	}
	return err == nil
}

// printUsage lists the limit flags under their heading.
func (l *limitFlags) printUsage(w io.Writer) {
	fmt.Fprintln(w, "\nLimits (docs/limits.md; what a limit drops is counted in the report):")
	fmt.Fprint(w, l.fs.FlagUsages())
}

// Decode returns the decoder options the flags set (docs/limits.md,
// "Decoder"). A --dedup-window of 0 turns duplicate removal off.
func (l *limitFlags) Decode() decode.Options {
	o := decode.Options{
		DedupWindow:         l.dedupWindow,
		FragmentTimeout:     l.fragmentTimeout,
		MaxPendingFragments: l.maxFragments,
		MaxStreamBuffer:     int(l.maxStreamBuffer),
		TCPPagesPerConn:     l.tcpPagesPerConn,
		TCPPagesTotal:       l.tcpPagesTotal,
		MaxTCPStreams:       l.maxTCPStreams,
		Capture:             capfile.Limits{MaxRecord: int(l.maxRecord), MaxGzipRatio: l.maxGzipRatio},
	}
	if o.DedupWindow == 0 {
		o.DedupWindow = -1 // decode.Options: negative disables, zero is the default
	}
	return o
}

// SIP returns the SIP limits the flags set.
func (l *limitFlags) SIP() sipflow.Limits {
	return sipflow.Limits{MaxCalls: l.maxCalls, MaxTransactions: l.maxTransactions}
}

// ICE returns the ICE builder limits the flags set.
func (l *limitFlags) ICE() ice.Limits {
	return ice.Limits{MaxSessions: l.maxSessions, MaxChecks: l.maxChecks, MaxQueries: l.maxQueries,
		MaxAllocations: l.maxAllocations, MaxTURNTx: l.maxTURNTx, MaxFlows: l.maxFlows}
}

// Session returns the analysis session options the flags set.
func (l *limitFlags) Session() diag.SessionOptions {
	return diag.SessionOptions{SIP: l.SIP(), ICE: l.ICE()}
}

// check validates what the flag values alone cannot: counts, sizes and
// durations refuse bad values as they are parsed, but only the dedup
// window may be 0.
func (l *limitFlags) check() error {
	if l.fragmentTimeout <= 0 {
		return fmt.Errorf("--fragment-timeout %v: must be positive", l.fragmentTimeout)
	}
	return nil
}

// valid is check for a command: the error goes to stderr.
func (l *limitFlags) valid(stderr io.Writer) bool {
	if err := l.check(); err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return false
	}
	return true
}

// defaultLimits returns the limit flags as no command line changed them.
func defaultLimits() *limitFlags {
	return addLimitFlags(pflag.NewFlagSet("defaults", pflag.ContinueOnError))
}

// calls decodes the captures into a SIP capture bounded by the flags, as
// sipflow.Calls does with the defaults.
func (l *limitFlags) calls(paths []string) (*sipflow.Capture, error) {
	c := sipflow.NewCapture()
	c.Tracker = sipflow.NewTrackerWithLimits(l.SIP())
	_, err := decode.Run(paths, l.Decode(), c.AddEvent)
	return c, err
}

// warnSIPEvictions says on stderr what the SIP limits dropped, for the
// commands whose output has no place for it.
func warnSIPEvictions(stderr io.Writer, c *sipflow.Capture) {
	if c.EvictedCalls > 0 {
		fmt.Fprintf(stderr, "icediag: call table full (--max-calls): %d calls dropped, finished ones first\n", c.EvictedCalls)
	}
	if c.EvictedTransactions > 0 {
		fmt.Fprintf(stderr, "icediag: transaction table full (--max-transactions): %d oldest non-call transactions dropped\n", c.EvictedTransactions)
	}
}

// warnICEDrops says on stderr what the ICE limits refused.
func warnICEDrops(stderr io.Writer, md *ice.Model) {
	for _, d := range md.Dropped {
		fmt.Fprintf(stderr, "icediag: %s: %d\n", d.What, d.Count)
	}
}

// countValue is a limit count: a positive integer, with an optional K or M
// multiplier (1,000 or 1,000,000) as in "--max-calls 50K".
type countValue int

// maxCount bounds a count so that tables sized from it stay addressable.
const maxCount = 1 << 30

func (c *countValue) String() string { return strconv.Itoa(int(*c)) }
func (c *countValue) Type() string   { return "count" }

func (c *countValue) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := 1
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1000, strings.TrimSuffix(t, "K")
	case strings.HasSuffix(t, "M"):
		mult, t = 1000000, strings.TrimSuffix(t, "M")
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 || n > maxCount/mult {
		return fmt.Errorf("want a number from 1 to %d, optionally with K or M", maxCount)
	}
	*c = countValue(n * mult)
	return nil
}

// sizeValue is a limit in bytes, set with capfile.ParseSize (K, M, G
// suffixes, powers of 1,024).
type sizeValue int

// maxSize bounds a byte limit: nothing the decoder buffers may exceed it.
const maxSize = 1 << 30

func (v *sizeValue) Type() string { return "size" }

func (v *sizeValue) String() string {
	n := int(*v)
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "K"
	}
	return strconv.Itoa(n)
}

func (v *sizeValue) Set(s string) error {
	n, err := capfile.ParseSize(s)
	if err != nil {
		return err
	}
	if n > maxSize {
		return fmt.Errorf("size %q: at most 1G", s)
	}
	*v = sizeValue(n)
	return nil
}

// durationValue is a capture-time limit; it refuses negative values.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }
func (d *durationValue) Type() string   { return "duration" }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("%v: must not be negative", v)
	}
	*d = durationValue(v)
	return nil
}
