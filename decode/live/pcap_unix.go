//go:build libpcap && (linux || darwin)

package live

const (
	backend        = "libpcap"
	permissionHint = "capturing needs root, or on Linux `sudo setcap cap_net_raw,cap_net_admin+ep $(command -v icediag)`, " +
		"or on macOS read access to /dev/bpf* (the Wireshark ChmodBPF package grants it)"
)

func loadLibrary() error { return nil }
