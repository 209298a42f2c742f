// Command icediag explains why a Skype for Business / Lync, Teams or WebRTC
// call had no media, or media on a bad path, from a packet capture.
//
// Usage:
//
//	icediag packets FILE...     one line per decoded SIP/STUN/TURN/RTP message
//
// Exit codes: 0 success, 1 the input could not be analysed, 2 usage error,
// 3 findings at or above the --fail-on threshold.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitFindings = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one icediag subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"analyze", "explain what went wrong with the calls in a capture (the main command)", runAnalyze},
		{"render", "render a saved JSON report as text, JSON or Markdown", runRender},
		{"packets", "list every decoded SIP, STUN/TURN, RTP/RTCP, TLS and ICMP message", runPackets},
		{"export", "write every packet of one call or ICE session as pcapng (--call ID -o FILE)", runExport},
		{"live", "capture on network interfaces and report as analyze does (-i IFACE, --write)", runLive},
		{"ice", "ICE sessions: candidates, checks, pairs, nominated/selected pair, TURN allocations, media", runICE},
		{"calls", "list the SIP calls and other SIP transactions", runCalls},
		{"flow", "draw the SIP ladder diagram of a call (--call ID)", runFlow},
		{"version", "print the version", runVersion},
	}
}

// version is set at link time for releases.
var version = "dev"

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "icediag: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: icediag COMMAND [flags] FILE...")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nFILE is a pcap or pcapng capture, gzip-compressed or not; - reads standard input.")
	fmt.Fprintln(w, "Several files of one incident are merged by timestamp.")
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) int {
	fmt.Fprintln(stdout, "icediag", version)
	return exitOK
}
