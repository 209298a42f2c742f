//go:build windows || (libpcap && (linux || darwin))

package live

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/gopacket/pcap"

	"github.com/icediag/icediag/decode/capfile"
)

const filterExpressions = true

// pcapSource captures through libpcap or Npcap (gopacket/pcap).
type pcapSource struct {
	h      *pcap.Handle
	info   Interface
	closed bool
	last   Stats
}

func open(name string, o Options) (Source, error) {
	if err := loadLibrary(); err != nil {
		return nil, err
	}
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, pcapErr("listing interfaces", err)
	}
	dev, ok := findDev(devs, name)
	if !ok {
		return nil, noInterface(name, devNames(devs))
	}
	h, err := activate(dev.Name, o)
	if err != nil {
		return nil, err
	}
	expr := o.Filter
	if expr == "" {
		expr = BuiltinFilterExpr()
	}
	if expr != FilterAll {
		if err := h.SetBPFFilter(expr); err != nil {
			h.Close()
			return nil, fmt.Errorf("filter %q: %w", expr, err)
		}
	}
	info := describeDev(dev)
	info.LinkType = uint16(h.LinkType())
	return &pcapSource{h: h, info: info}, nil
}

// activate creates, configures and activates a handle.
func activate(name string, o Options) (*pcap.Handle, error) {
	ih, err := pcap.NewInactiveHandle(name)
	if err != nil {
		return nil, pcapErr(name, err)
	}
	defer ih.CleanUp()
	ih.SetSnapLen(o.Snaplen)
	ih.SetPromisc(!o.NoPromisc)
	ih.SetTimeout(o.PollInterval)
	ih.SetBufferSize(o.BufferSize)
	ih.SetTimestampSource(pcap.TimestampSource(0))
	h, err := ih.Activate()
	if err != nil {
		return nil, pcapErr(name, err)
	}
	return h, nil
}

// findDev matches a device by name, or on Windows by its friendly
// description as well.
func findDev(devs []pcap.Interface, name string) (pcap.Interface, bool) {
	for _, d := range devs {
		if d.Name == name {
			return d, true
		}
	}
	for _, d := range devs {
		if d.Description != "" && strings.EqualFold(d.Description, name) {
			return d, true
		}
	}
	return pcap.Interface{}, false
}

func devNames(devs []pcap.Interface) []string {
	out := make([]string, len(devs))
	for i, d := range devs {
		out[i] = d.Name
	}
	return out
}

func describeDev(d pcap.Interface) Interface {
	in := Interface{Name: d.Name, Description: d.Description, Up: d.Flags&0x2 != 0} // PCAP_IF_UP
	for _, a := range d.Addresses {
		in.Addrs = append(in.Addrs, a.IP.String())
	}
	return in
}

func (s *pcapSource) ReadPacket(p *capfile.Packet) error {
	if s.closed {
		return ErrClosed
	}
	data, ci, err := s.h.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, pcap.NextErrorTimeoutExpired) {
			return ErrTimeout
		}
		return pcapErr("read", err)
	}
	*p = capfile.Packet{Data: data, CaptureLength: len(data), Length: ci.Length,
		LinkType: s.info.LinkType, Timestamp: ci.Timestamp.UTC()}
	if p.Length < p.CaptureLength {
		p.Length = p.CaptureLength
	}
	return nil
}

func (s *pcapSource) Stats() (Stats, error) {
	if s.closed {
		return s.last, nil
	}
	st, err := s.h.Stats()
	if err != nil {
		return s.last, pcapErr("stats", err)
	}
	s.last = Stats{Received: uint64(st.PacketsReceived), Dropped: uint64(st.PacketsDropped), IfDropped: uint64(st.PacketsIfDropped)}
	return s.last, nil
}

func (s *pcapSource) Info() Interface { return s.info }

func (s *pcapSource) Close() error {
	if s.closed {
		return nil
	}
	s.Stats()
	s.closed = true
	s.h.Close()
	return nil
}

func listInterfaces() ([]Interface, error) {
	if err := loadLibrary(); err != nil {
		return nil, err
	}
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, pcapErr("listing interfaces", err)
	}
	out := make([]Interface, len(devs))
	for i, d := range devs {
		out[i] = describeDev(d)
	}
	return out, nil
}

// pcapErr classifies libpcap's error text, the only form it reports
// errors in, into ErrPermission and ErrNoInterface.
func pcapErr(op string, err error) error {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "permission") || strings.Contains(msg, "access is denied") ||
		strings.Contains(msg, "not permitted"):
		return fmt.Errorf("%s: %w (%s): %v", op, ErrPermission, permissionHint, err)
	case strings.Contains(msg, "no such device") || strings.Contains(msg, "doesn't exist") ||
		strings.Contains(msg, "not found"):
		return fmt.Errorf("%s: %w: %v", op, ErrNoInterface, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
