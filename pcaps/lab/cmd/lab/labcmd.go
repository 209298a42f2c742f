package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"flag"
	"github.com/icediag/icediag/pcaps/lab/internal/lab"
	"github.com/icediag/icediag/pcaps/lab/internal/truth"
)

func runLab(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("scenario", "", "scenario to run")
	all := fs.Bool("all", false, "run every scenario")
	list := fs.Bool("list", false, "list the scenarios")
	verify := fs.String("verify", "", "check the captures under this directory against their scenario.json")
	out := fs.String("out", "captures", "directory that receives <scenario>/")
	work := fs.String("work", "", "scratch directory (default: a temporary one)")
	timeout := fs.Duration("timeout", 90*time.Second, "deadline of one scenario")
	mediaFor := fs.Duration("media", 3*time.Second, "how long each side sends RTP")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	switch {
	case *list:
		for _, s := range lab.Scenarios() {
			fmt.Fprintf(stdout, "%-24s %s\n", s.Name, s.Title)
		}
		return nil
	case *verify != "":
		return verifyDir(*verify, stdout)
	case *name == "" && !*all:
		return usageError{errors.New("give -scenario NAME, -all, -list or -verify DIR")}
	}
	if os.Geteuid() != 0 {
		return errors.New("running scenarios needs root (network namespaces, nftables, tcpdump)")
	}
	unlock, err := lock()
	if err != nil {
		return err
	}
	defer unlock()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	opt := lab.Options{Out: *out, Work: *work, Exe: exe, Log: stderr, Timeout: *timeout, MediaDuration: *mediaFor}
	scenarios := lab.Scenarios()
	if !*all {
		s, ok := lab.Find(*name)
		if !ok {
			return usageError{fmt.Errorf("unknown scenario %q (see -list)", *name)}
		}
		scenarios = []lab.Scenario{s}
	}
	var errs []error
	for _, s := range scenarios {
		if ctx.Err() != nil {
			break
		}
		if err := lab.Run(ctx, s, opt); err != nil {
			fmt.Fprintf(stderr, "FAIL %s: %v\n", s.Name, err)
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(stdout, "ok   %s\n", s.Name)
	}
	return errors.Join(errs...)
}

// lockPath serialises lab runs: two runs would share namespace names.
const lockPath = "/run/icediag-lab.lock"

func lock() (func(), error) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another lab run holds %s: %w", lockPath, err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// verifyDir checks every scenario.json under dir against its captures.
func verifyDir(dir string, stdout io.Writer) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "scenario.json"))
	if err != nil || len(paths) == 0 {
		return fmt.Errorf("no scenario.json under %s", dir)
	}
	var errs []error
	for _, p := range paths {
		s, err := truth.Load(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if e := s.Verify(filepath.Dir(p)); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		fmt.Fprintf(stdout, "ok   %s (%d captures)\n", s.Name, len(s.Captures))
	}
	return errors.Join(errs...)
}
