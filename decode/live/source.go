package live

import (
	"time"

	"github.com/icediag/icediag/decode/capfile"
)

// Source is one interface being captured. It is used by one goroutine.
type Source interface {
	// ReadPacket reads the next frame into p: Data (which aliases the
	// source's buffer until the next call), Timestamp (kernel time, UTC),
	// CaptureLength, Length and LinkType. Frame and Interface are left to
	// the caller. It returns ErrTimeout when nothing arrived within the
	// poll interval and ErrClosed after Close.
	ReadPacket(p *capfile.Packet) error
	// Stats returns the counters since Open.
	Stats() (Stats, error)
	// Info describes the interface.
	Info() Interface
	// Close stops the capture and restores the interface (promiscuous
	// mode is dropped with the socket or handle).
	Close() error
}

// Stats are the counters of one Source since it was opened.
type Stats struct {
	// Received counts frames the kernel passed the filter and queued.
	Received uint64
	// Dropped counts frames the kernel dropped because the socket buffer
	// was full (PACKET_STATISTICS tp_drops, pcap_stats ps_drop).
	Dropped uint64
	// IfDropped counts frames the interface or driver dropped, where the
	// backend knows (pcap_stats ps_ifdrop); 0 otherwise.
	IfDropped uint64
}

// Interface describes a capturable interface.
type Interface struct {
	Name        string
	Description string
	// LinkType is the LINKTYPE_* value of the frames read (1 Ethernet,
	// 101 raw IP, ...), 0 when not known before opening.
	LinkType uint16
	Addrs    []string
	Up       bool
}

// Options tune Open. The zero value means the defaults.
type Options struct {
	// Filter is a tcpdump filter expression (libpcap and Npcap backends
	// only); empty means the built-in filter. "all" captures everything.
	Filter string
	// Snaplen is the most bytes kept of a frame; 0 means DefaultSnaplen.
	Snaplen int
	// BufferSize is the kernel socket buffer in bytes; 0 means
	// DefaultBufferSize.
	BufferSize int
	// NoPromisc leaves the interface out of promiscuous mode.
	NoPromisc bool
	// PollInterval bounds how long ReadPacket waits; 0 means
	// DefaultPollInterval.
	PollInterval time.Duration
}

// Defaults of Options.
const (
	DefaultSnaplen      = 262144
	DefaultBufferSize   = 16 << 20
	DefaultPollInterval = 200 * time.Millisecond
)

// FilterAll is the Options.Filter value that captures every frame.
const FilterAll = "all"

func (o Options) withDefaults() Options {
	if o.Snaplen <= 0 {
		o.Snaplen = DefaultSnaplen
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	return o
}

// Open starts capturing on the named interface with the platform's
// backend (see the package documentation).
func Open(name string, o Options) (Source, error) {
	return open(name, o.withDefaults())
}

// ListInterfaces returns the interfaces the backend can capture on.
func ListInterfaces() ([]Interface, error) { return listInterfaces() }

// Backend names the capture backend of this build: "afpacket", "libpcap",
// "npcap" or "none".
func Backend() string { return backend }

// FilterExpressions reports whether Options.Filter takes tcpdump
// expressions in this build (libpcap and Npcap backends).
func FilterExpressions() bool { return filterExpressions }
