// Command gen writes a large, deterministic capture of many overlapping
// calls (SIP, ICE checks, TURN and MS-TURN relaying, RTP/RTCP at 50 packets/s
// per direction), for benchmarks and soak tests:
//
//	go run ./pcaps/gen --size 250MB -o /tmp/edge-250MB.pcap
//	go run ./pcaps/gen --size 1GB --seed 2 -o /tmp/edge-1GB.pcap
//
// The same flags always give the same bytes.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth/callgen"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := pflag.NewFlagSet("gen", pflag.ContinueOnError)
	size := fs.String("size", "64MB", "approximate file size (KB, MB, GB suffixes, powers of 1024)")
	seed := fs.Uint64("seed", 1, "generator seed")
	out := fs.StringP("output", "o", "", "file to write (required)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	n, err := capfile.ParseSize(*size)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: go run ./pcaps/gen --size 250MB -o FILE [--seed N]")
		return 2
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		return 1
	}
	w := bufio.NewWriterSize(f, 1<<20)
	sum, err := callgen.Write(w, callgen.Config{Seed: *seed, Size: n})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		return 1
	}
	fmt.Printf("%s: %d frames, %d bytes; calls direct/TURN/MS-TURN %v; SIP %d, STUN %d, RTP %d, RTCP %d\n",
		*out, sum.Frames, sum.Bytes, sum.Calls, sum.SIP, sum.STUN, sum.RTP, sum.RTCP)
	return 0
}
