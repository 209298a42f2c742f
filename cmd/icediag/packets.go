package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/icediag/icediag/decode"
)

func runPackets(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("packets", "packets [flags] FILE...", stderr)
	format := fs.String("format", "text", "output format: text or json (one object per line)")
	kinds := fs.StringSlice("kind", nil, "only these kinds (STUN, SIP, RTP, RTCP, DTLS, TLS, pseudo-TLS, ICMP, TCP, data)")
	noMedia := fs.Bool("no-media", false, "leave out RTP and RTCP")
	lim := addLimitFlags(fs)
	if !parseFlags(fs, args, stderr) || !lim.valid(stderr) {
		return exitUsage
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "json") {
		fs.Usage()
		return exitUsage
	}
	files := fs.Args()
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	want := map[string]bool{}
	for _, k := range *kinds {
		want[k] = true
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	h := func(ev *decode.Event) {
		if *noMedia && (ev.Kind == decode.KindRTP || ev.Kind == decode.KindRTCP) {
			return
		}
		if len(want) > 0 && !want[ev.Kind.String()] {
			return
		}
		p := decode.Describe(ev, names[ev.File])
		if *format == "json" {
			enc.Encode(p)
			return
		}
		fmt.Fprintln(w, p.Line(len(files) > 1))
	}
	st, err := decode.Run(files, lim.Decode(), h)
	if err != nil {
		w.Flush()
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	for _, f := range st.Files {
		if f.Err != "" {
			fmt.Fprintf(stderr, "icediag: %s\n", f.Err)
		}
	}
	if *format == "json" {
		enc.Encode(map[string]any{"summary": decode.Summarize(st)})
	} else {
		writeSummary(w, st)
	}
	return exitOK
}

func writeSummary(w io.Writer, st *decode.Stats) {
	s := decode.Summarize(st)
	fmt.Fprintf(w, "# %d frames, %d bytes", s.Packets, s.Bytes)
	if s.First != "" {
		fmt.Fprintf(w, ", %s to %s", s.First, s.Last)
	}
	fmt.Fprintln(w)
	for _, f := range s.Files {
		fmt.Fprintf(w, "# file %s (%s): %d frames", f.Name, f.Format, f.Packets)
		if f.Err != "" {
			fmt.Fprintf(w, "; stopped early: %s", f.Err)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "# messages:")
	for _, k := range s.Messages {
		fmt.Fprintf(w, " %s=%d", k.Kind, k.Count)
	}
	fmt.Fprintf(w, "; relayed=%d duplicates=%d fragments=%d reassembled=%d\n", s.Relayed, s.Duplicates, s.Fragments, s.Reassembled)
	for _, p := range s.Problems {
		fmt.Fprintf(w, "# problem %s: %s: %d (frames", p.Layer, p.Reason, p.Count)
		for _, f := range p.Frames {
			fmt.Fprintf(w, " %s", f)
		}
		fmt.Fprintln(w, ")")
	}
}
