package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/redact"
	"github.com/icediag/icediag/diag"
	"github.com/spf13/pflag"
)

// redactFlags are --redact, --redact-key and --redact-key-file of analyze
// and render (docs/redaction.md).
type redactFlags struct {
	on      bool
	key     string
	keyFile string
	rd      *redact.Redactor
}

// addRedactFlags defines the redaction flags on fs.
func addRedactFlags(fs *pflag.FlagSet) *redactFlags {
	f := &redactFlags{}
	fs.BoolVar(&f.on, "redact", false, "replace addresses, users, hosts, domains, display names, credentials and file names by consistent pseudonyms (docs/redaction.md)")
	fs.StringVar(&f.key, "redact-key", "", "key of the pseudonyms: the same key gives the same pseudonyms across runs and files (implies --redact; default: a random key per run)")
	fs.StringVar(&f.keyFile, "redact-key-file", "", "read the --redact-key from this file (implies --redact)")
	return f
}

// enabled reports whether the report is to be redacted.
func (f *redactFlags) enabled() bool {
	return f != nil && (f.on || f.key != "" || f.keyFile != "")
}

// redactor returns the Redactor of the flags, created on first use.
func (f *redactFlags) redactor() (*redact.Redactor, error) {
	if f.rd != nil {
		return f.rd, nil
	}
	key := []byte(f.key)
	if f.keyFile != "" {
		b, err := os.ReadFile(f.keyFile)
		if err != nil {
			return nil, fmt.Errorf("--redact-key-file: %w", err)
		}
		key = bytes.TrimRight(b, "\r\n")
		if len(key) == 0 {
			return nil, fmt.Errorf("--redact-key-file %s: the file is empty", f.keyFile)
		}
	}
	f.rd = redact.New(key)
	return f.rd, nil
}

// learner returns the handlers that learn identifiers from the decoded
// events, none when redaction is off.
func (f *redactFlags) learner() []decode.Handler {
	if !f.enabled() {
		return nil
	}
	rd, err := f.redactor()
	if err != nil {
		return nil // apply reports the error
	}
	return []decode.Handler{rd.Learn}
}

// apply redacts r when redaction is on; an error (an unreadable key file)
// is printed and reported as false.
func (f *redactFlags) apply(r *diag.Report, stderr io.Writer) bool {
	if !f.enabled() {
		return true
	}
	rd, err := f.redactor()
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return false
	}
	diag.Redact(r, rd)
	return true
}

// withLearners returns h preceded by the learning handlers, or h itself.
func withLearners(h decode.Handler, learners []decode.Handler) decode.Handler {
	if len(learners) == 0 {
		return h
	}
	return func(ev *decode.Event) {
		for _, l := range learners {
			l(ev)
		}
		h(ev)
	}
}
