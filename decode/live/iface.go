package live

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
)

// noInterface builds the error for a missing interface, naming the ones
// that exist.
func noInterface(name string, have []string) error {
	if len(have) == 0 {
		return fmt.Errorf("%q: %w", name, ErrNoInterface)
	}
	return fmt.Errorf("%q: %w (have %s; see --list-interfaces)", name, ErrNoInterface, strings.Join(have, ", "))
}

// netNames lists the operating system's interface names.
func netNames() []string {
	var names []string
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifi := range ifs {
			names = append(names, ifi.Name)
		}
	}
	return names
}

// nativeUint64 and nativeUint32 read kernel structure fields in host byte
// order; callers check the length.
func nativeUint64(b []byte) uint64 { return binary.NativeEndian.Uint64(b) }
func nativeUint32(b []byte) uint32 { return binary.NativeEndian.Uint32(b) }
