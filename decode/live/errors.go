package live

import "errors"

// Errors a Source reports; callers branch with errors.Is.
var (
	// ErrNoInterface: the named interface does not exist.
	ErrNoInterface = errors.New("no such interface")
	// ErrPermission: the process may not capture (Linux needs
	// CAP_NET_RAW and CAP_NET_ADMIN, Windows needs Npcap and, unless Npcap
	// was installed for all users, Administrator rights).
	ErrPermission = errors.New("no permission to capture")
	// ErrFilterUnsupported: a tcpdump filter expression was given to a
	// backend that only has the built-in filter.
	ErrFilterUnsupported = errors.New("this build takes no --filter expression")
	// ErrUnsupported: this build has no capture backend for the platform.
	ErrUnsupported = errors.New("live capture is not supported by this build")
	// ErrLinkType: the interface's link layer is not one icediag decodes.
	ErrLinkType = errors.New("unsupported link type")
	// ErrTimeout: no packet arrived within the poll interval; read again.
	ErrTimeout = errors.New("no packet within the poll interval")
	// ErrClosed: the Source was closed.
	ErrClosed = errors.New("capture source closed")
)

// PermissionHint tells how to grant the capture permission on this
// platform; it is shown with ErrPermission.
func PermissionHint() string { return permissionHint }
