// Command lab runs the icediag scenario lab: real calls between pion/ice user
// agents through a SIP proxy and coturn, in Linux network namespaces, captured
// at several vantage points and proved against their ground truth.
//
//	lab -scenario srflx-eim      run one scenario (needs root)
//	lab -all                     run every scenario
//	lab -list                    list the scenarios
//	lab -verify DIR              check committed captures against their scenario.json
//
// "ua", "proxy", "msturn" and "tlsinspect" are the roles the lab runs inside namespaces.
//
// Exit codes: 0 success, 1 a scenario or check failed, 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var usage usageError
	switch {
	case err == nil:
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "lab:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "lab:", err)
		os.Exit(1)
	}
}

type usageError struct{ error }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "ua":
			return runUA(ctx, args[1:], stdout, stderr)
		case "proxy":
			return runProxy(ctx, args[1:], stderr)
		case "msturn":
			return runMSTURN(ctx, args[1:], stderr)
		case "tlsinspect":
			return runTLSInspect(ctx, args[1:], stderr)
		}
	}
	return runLab(ctx, args, stdout, stderr)
}
