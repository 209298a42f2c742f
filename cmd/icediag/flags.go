package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// newFlagSet returns the flag set of one subcommand: errors and usage go to
// stderr, and usage starts with "usage: icediag " + synopsis.
func newFlagSet(name, synopsis string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icediag "+synopsis)
		fs.PrintDefaults()
	}
	return fs
}
