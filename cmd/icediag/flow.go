package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/icediag/icediag/sipflow"
)

// runFlow implements `icediag flow`: the SIP ladder diagram of one call,
// or of every call when --call is not given.
func runFlow(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("flow", "flow [--call ID] FILE...", stderr)
	id := fs.String("call", "", "Call-ID of the call to draw, or a unique prefix of it (default: every call)")
	lim := addLimitFlags(fs)
	if !parseFlags(fs, args, stderr) || !lim.valid(stderr) {
		return exitUsage
	}
	if fs.NArg() == 0 || fs.Changed("call") && *id == "" {
		fs.Usage()
		return exitUsage
	}
	c, err := lim.calls(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	warnSIPEvictions(stderr, c)
	calls := c.Calls()
	if fs.Changed("call") {
		call, err := sipflow.FindCall(calls, *id)
		if err != nil {
			fmt.Fprintf(stderr, "icediag: %q: %v\n", sipflow.Printable(*id), err)
			if errors.Is(err, sipflow.ErrAmbiguousCall) {
				return exitUsage
			}
			return exitFailure
		}
		calls = []*sipflow.Call{call}
	}
	for i, call := range calls {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := c.Ladder(call).WriteText(stdout); err != nil {
			fmt.Fprintf(stderr, "icediag: %v\n", err)
			return exitFailure
		}
	}
	return exitOK
}
