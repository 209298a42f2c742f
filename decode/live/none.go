//go:build !linux && !windows && !(libpcap && darwin)

package live

import "fmt"

const (
	backend           = "none"
	filterExpressions = false
	permissionHint    = "this build cannot capture"
)

func unsupported() error {
	return fmt.Errorf("%w: build icediag with -tags libpcap (cgo and libpcap) to capture on this platform", ErrUnsupported)
}

func open(string, Options) (Source, error) { return nil, unsupported() }

func listInterfaces() ([]Interface, error) { return nil, unsupported() }
