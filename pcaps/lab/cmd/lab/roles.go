package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"

	"flag"
	"github.com/icediag/icediag/pcaps/lab/internal/inspect"
	"github.com/icediag/icediag/pcaps/lab/internal/lab"
	"github.com/icediag/icediag/pcaps/lab/internal/msturn"
	"github.com/icediag/icediag/pcaps/lab/internal/sip"
	"github.com/icediag/icediag/pcaps/lab/internal/ua"
)

// runUA is the user agent role: config in, result JSON on stdout.
func runUA(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ua", flag.ContinueOnError)
	cfgJSON := fs.String("config", "", "user agent configuration as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	var cfg ua.Config
	if err := json.Unmarshal([]byte(*cfgJSON), &cfg); err != nil {
		return usageError{fmt.Errorf("ua -config: %w", err)}
	}
	res, err := ua.Run(ctx, cfg, func() { fmt.Fprintln(stderr, lab.ReadyMarker) }, stderr)
	if err != nil {
		return err
	}
	return ua.WriteResult(stdout, res)
}

// runProxy is the SIP proxy role on the Edge.
func runProxy(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	addr := fs.String("addr", "", "address to put in Via/Record-Route (and to listen on without -bind)")
	bind := fs.String("bind", "", "address to listen on, when a NAT in front translates -addr to it")
	port := fs.Uint("port", lab.SIPPort, "UDP and TCP port")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	a, err := netip.ParseAddr(*addr)
	if err != nil {
		return usageError{fmt.Errorf("proxy -addr: %w", err)}
	}
	b := a
	if *bind != "" {
		if b, err = netip.ParseAddr(*bind); err != nil {
			return usageError{fmt.Errorf("proxy -bind: %w", err)}
		}
	}
	p := &sip.Proxy{Addr: a, Bind: b, Port: uint16(*port), Log: func(s string) { fmt.Fprintln(stderr, s) },
		Ready: func() { fmt.Fprintln(stderr, lab.ReadyMarker) }}
	return p.Serve(ctx)
}

// runMSTURN is the MS-TURN relay role on the Edge (internal/msturn).
func runMSTURN(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("msturn", flag.ContinueOnError)
	cfgJSON := fs.String("config", "", "relay configuration as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	var s msturn.Server
	if err := json.Unmarshal([]byte(*cfgJSON), &s); err != nil {
		return usageError{fmt.Errorf("msturn -config: %w", err)}
	}
	s.Log = func(line string) { fmt.Fprintln(stderr, line) }
	return s.Serve(ctx, func() { fmt.Fprintln(stderr, lab.ReadyMarker) })
}

// runTLSInspect is the TLS-inspecting proxy role on the Edge's TCP 443
// (internal/inspect).
func runTLSInspect(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("tlsinspect", flag.ContinueOnError)
	listen := fs.String("listen", "", "address:port to listen on")
	name := fs.String("name", "", "the certificate's DNS name")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	ap, err := netip.ParseAddrPort(*listen)
	if err != nil {
		return usageError{fmt.Errorf("tlsinspect -listen: %w", err)}
	}
	s := &inspect.Server{Listen: ap, Name: *name, Log: func(line string) { fmt.Fprintln(stderr, line) }}
	return s.Serve(ctx, func() { fmt.Fprintln(stderr, lab.ReadyMarker) })
}
