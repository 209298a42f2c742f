package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/diag"
	"github.com/icediag/icediag/sipflow"
)

// exportFlags are the options of `icediag export`.
type exportFlags struct {
	call, session, out string
	// red is the shared --redact, --redact-key, --redact-key-file set.
	red *redactFlags
}

// runExport implements `icediag export`: every frame of one call or one
// SIP-less ICE session, written as pcapng (docs/export.md).
func runExport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("export", "export FILE... (--call ID | --session ID) -o OUT.pcapng [--redact [--redact-key K]]", stderr)
	var o exportFlags
	fs.StringVar(&o.call, "call", "", "Call-ID of the call to export, or a unique prefix of it")
	fs.StringVar(&o.session, "session", "", "ID of an ICE session to export (s1, s2, ... as the report shows), for sessions without SIP")
	fs.StringVarP(&o.out, "output", "o", "", "the pcapng file to write (- for standard output)")
	o.red = addRedactFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 || o.out == "" || (o.call == "") == (o.session == "") {
		fs.Usage()
		return exitUsage
	}
	n, err := export(fs.Args(), o, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		if errors.Is(err, sipflow.ErrAmbiguousCall) {
			return exitUsage
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "icediag: %s\n", n)
	return exitOK
}

// export runs the analysis, selects the frames and writes them; it
// returns a one-line summary.
func export(files []string, o exportFlags, stdout, stderr io.Writer) (string, error) {
	var red *redaction
	if o.red.enabled() {
		rd, err := o.red.redactor()
		if err != nil {
			return "", err
		}
		red = &redaction{r: rd}
	}
	in, last, err := exportAnalysis(files, red)
	if err != nil {
		return "", err
	}
	for _, f := range in.Stats.Files {
		if f.Err != "" {
			fmt.Fprintf(stderr, "icediag: %s\n", f.Err)
		}
	}
	sel, err := in.Frames(o.call, o.session)
	if err != nil {
		return "", err
	}
	keptEnd := sel.KeepEnd(last)
	set, err := sel.Scan(files)
	if err != nil {
		return "", err
	}
	st, err := writeExport(files, in, set, o.out, red, stdout)
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("%s: %d frames of %s", o.out, st.Frames, sel)
	if keptEnd {
		msg += fmt.Sprintf("; frame %d of %s, outside the selection, keeps the capture's end time (timed-out checks)", last.Frame, files[last.File])
	}
	if red != nil {
		msg += red.summary()
	}
	return msg, nil
}

// exportAnalysis is the first pass: the analysis, which with redaction
// also teaches the redactor every identifying value it meets. It also
// returns the frame of the last event that a frame carries alone (a UDP
// datagram, a TCP control segment), for Selection.KeepEnd.
func exportAnalysis(files []string, red *redaction) (*diag.Input, decode.FrameRef, error) {
	names := baseNames(files)
	session := diag.NewSession(names, diag.SessionOptions{})
	var last decode.FrameRef
	h := func(ev *decode.Event) {
		if red != nil {
			red.learn(ev)
		}
		if ev.Flow.Transport == decode.UDP || ev.Kind == decode.KindTCPControl {
			last = ev.FrameRef
		}
		session.Add(ev)
	}
	st, err := decode.Run(files, decode.Options{}, h)
	if err != nil {
		return nil, last, err
	}
	return session.Input(names, st, nil), last, nil
}

// writeExport writes the selected frames to out ("-" is stdout).
func writeExport(files []string, in *diag.Input, set *diag.FrameSet, out string, red *redaction, stdout io.Writer) (diag.ExportStats, error) {
	var rw diag.Rewriter
	if red != nil {
		rw = red.rewriter(in)
	}
	if out == "-" {
		return diag.WriteExport(files, set, stdout, rw)
	}
	f, err := os.Create(out)
	if err != nil {
		return diag.ExportStats{}, err
	}
	st, err := diag.WriteExport(files, set, f, rw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return st, err
}
