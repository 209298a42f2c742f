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
	res, err := export(fs.Args(), o, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		if errors.Is(err, sipflow.ErrAmbiguousCall) {
			return exitUsage
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "icediag: %s\n", res.summary)
	return exitOK
}

// exportResult is what one export did.
type exportResult struct {
	diag.ExportStats
	// Zeroed counts frames whose payload the redaction could not parse and
	// zeroed.
	Zeroed  int
	summary string
}

// export runs the analysis, selects the frames and writes them. With
// redaction it writes the plain export to a temporary file first, learns
// the identifiers of exactly those frames (as analyze --redact of the
// plain export would) and writes their rewritten copy.
func export(files []string, o exportFlags, stdout, stderr io.Writer) (exportResult, error) {
	var res exportResult
	in, last, err := exportAnalysis(files)
	if err != nil {
		return res, err
	}
	for _, f := range in.Stats.Files {
		if f.Err != "" {
			fmt.Fprintf(stderr, "icediag: %s\n", f.Err)
		}
	}
	sel, err := in.Frames(o.call, o.session)
	if err != nil {
		return res, err
	}
	keptEnd := sel.KeepEnd(last)
	set, err := sel.Scan(files)
	if err != nil {
		return res, err
	}
	var red *redaction
	if o.red.enabled() {
		rd, err := o.red.redactor()
		if err != nil {
			return res, err
		}
		red = &redaction{r: rd}
		res.ExportStats, err = writeRedacted(files, in, set, o.out, red, stdout)
		res.Zeroed = red.pw.Stats.Zeroed
	} else {
		res.ExportStats, err = toOutput(o.out, stdout, func(w io.Writer) (diag.ExportStats, error) {
			return diag.WriteExport(files, set, w, nil)
		})
	}
	if err != nil {
		return res, err
	}
	res.summary = fmt.Sprintf("%s: %d frames of %s", o.out, res.Frames, sel)
	if keptEnd {
		res.summary += fmt.Sprintf("; frame %d of %s, outside the selection, keeps the capture's end time (timed-out checks)", last.Frame, files[last.File])
	}
	if red != nil {
		res.summary += red.summary()
	}
	return res, nil
}

// exportAnalysis is the first pass: the analysis. It also returns the
// frame of the last event that a frame carries alone (a UDP datagram, a
// TCP control segment), for Selection.KeepEnd.
func exportAnalysis(files []string) (*diag.Input, decode.FrameRef, error) {
	names := baseNames(files)
	session := diag.NewSession(names, diag.SessionOptions{})
	var last decode.FrameRef
	h := func(ev *decode.Event) {
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

// writeRedacted writes the plain export to a temporary file, decodes it
// to teach the redactor its identifiers, and writes the rewritten copy
// to out.
func writeRedacted(files []string, in *diag.Input, set *diag.FrameSet, out string, red *redaction, stdout io.Writer) (diag.ExportStats, error) {
	tmp, err := os.CreateTemp("", "icediag-export-*.pcapng")
	if err != nil {
		return diag.ExportStats{}, err
	}
	defer os.Remove(tmp.Name())
	_, err = diag.WriteExport(files, set, tmp, nil)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return diag.ExportStats{}, err
	}
	if _, err := decode.Run([]string{tmp.Name()}, decode.Options{}, red.learn); err != nil {
		return diag.ExportStats{}, err
	}
	rw := red.rewriter(in)
	return toOutput(out, stdout, func(w io.Writer) (diag.ExportStats, error) {
		return diag.RewriteExport(tmp.Name(), w, rw)
	})
}

// toOutput runs write on the file out ("-" is stdout).
func toOutput(out string, stdout io.Writer, write func(io.Writer) (diag.ExportStats, error)) (diag.ExportStats, error) {
	if out == "-" {
		return write(stdout)
	}
	f, err := os.Create(out)
	if err != nil {
		return diag.ExportStats{}, err
	}
	st, err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return st, err
}
