package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// runCalls implements `icediag calls`: the calls and other SIP
// transactions of the captures, as text or JSON.
func runCalls(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("calls", "calls [flags] FILE...", stderr)
	format := fs.String("format", "text", "output format: text or json")
	lim := addLimitFlags(fs)
	if !parseFlags(fs, args, stderr) || !lim.valid(stderr) {
		return exitUsage
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "json") {
		fs.Usage()
		return exitUsage
	}
	c, err := lim.calls(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	warnSIPEvictions(stderr, c)
	r := sipflow.NewReport(c, sipflow.ReportOptions{CandidateType: candidateType})
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	} else {
		err = r.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// candidateType classifies an SDP candidate line by its cand-type (RFC 8839
// §5.1): host, srflx, prflx or relay; "draft-06" for ICE draft-06 lines,
// which carry no type (MS-REFERENCE §2.2); "invalid" when it does not parse.
func candidateType(raw string) string {
	c, err := ice.ParseCandidate(raw)
	if err != nil {
		return "invalid"
	}
	if c.Type == ice.Unknown && c.QValue != "" {
		return "draft-06"
	}
	return c.Type.String()
}
