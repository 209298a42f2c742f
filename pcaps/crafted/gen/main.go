// Command gen writes the crafted captures of pcaps/crafted. Output is
// deterministic: fixed timestamps, addresses, transaction IDs and "random"
// bytes, so running it again reproduces the committed files byte for byte.
//
// Usage: go run ./pcaps/crafted/gen [-o dir]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
)

// main runs the generator and exits 1 on error, 2 on a usage error.
func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		if err == errUsage {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// errUsage reports bad command-line arguments.
var errUsage = fmt.Errorf("usage: gen [-o dir]")

// run parses args and writes every capture into the output directory,
// listing each file on stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := pflag.NewFlagSet("gen", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.StringP("out", "o", "pcaps/crafted", "output directory")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return errUsage
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, c := range captures {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := c.build()
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if err := os.WriteFile(filepath.Join(*out, c.name), data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\t%d bytes\n", c.name, len(data))
	}
	return nil
}
