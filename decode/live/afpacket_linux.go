//go:build linux && !libpcap

package live

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/icediag/icediag/decode/capfile"
)

const (
	backend           = "afpacket"
	filterExpressions = false
	permissionHint    = "capturing needs CAP_NET_RAW and CAP_NET_ADMIN: run as root or grant them once with " +
		"`sudo setcap cap_net_raw,cap_net_admin+ep $(command -v icediag)`"
)

// ARPHRD_* device types (include/uapi/linux/if_arp.h) and the LINKTYPE_*
// their SOCK_RAW frames have.
var arphrdLinkType = map[int]uint16{
	1:     LinkTypeEthernet, // ARPHRD_ETHER
	772:   LinkTypeEthernet, // ARPHRD_LOOPBACK: Ethernet header with zero addresses
	65534: LinkTypeRaw,      // ARPHRD_NONE: tun, WireGuard
	512:   LinkTypeRaw,      // ARPHRD_PPP
}

// afPacket is an AF_PACKET SOCK_RAW socket bound to one interface
// (packet(7)).
type afPacket struct {
	fd       int
	info     Interface
	loopback bool
	buf      []byte
	oob      []byte
	stats    Stats
	closed   bool
}

func open(name string, o Options) (Source, error) {
	if o.Filter != "" && o.Filter != FilterAll {
		return nil, fmt.Errorf("%w: the AF_PACKET backend has only the built-in filter (%s); "+
			"build with -tags libpcap for tcpdump expressions", ErrFilterUnsupported, BuiltinFilterDescription)
	}
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, noInterface(name, netNames())
	}
	lt, err := linkTypeOf(ifi)
	if err != nil {
		return nil, err
	}
	s := &afPacket{info: describe(*ifi, lt), loopback: ifi.Flags&net.FlagLoopback != 0,
		buf: make([]byte, o.Snaplen), oob: make([]byte, unix.CmsgSpace(16))}
	if err := s.setup(ifi, lt, o); err != nil {
		if s.fd > 0 {
			unix.Close(s.fd)
		}
		return nil, err
	}
	return s, nil
}

// setup opens the socket, attaches the filter before binding (so that no
// unfiltered frame is queued), binds, and sets promiscuous mode, the
// buffer, timestamps and the poll timeout.
func (s *afPacket) setup(ifi *net.Interface, lt uint16, o Options) error {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return sysErr("socket(AF_PACKET)", err)
	}
	s.fd = fd
	if o.Filter != FilterAll {
		if err := attachBuiltin(fd, lt); err != nil {
			return err
		}
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}
	if err := unix.Bind(fd, sa); err != nil {
		return sysErr("bind "+ifi.Name, err)
	}
	if !o.NoPromisc {
		mreq := unix.PacketMreq{Ifindex: int32(ifi.Index), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			return sysErr("promiscuous mode on "+ifi.Name, err)
		}
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, o.BufferSize) != nil {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, o.BufferSize) // capped by net.core.rmem_max
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return sysErr("SO_TIMESTAMPNS", err)
	}
	tv := unix.NsecToTimeval(o.PollInterval.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return sysErr("SO_RCVTIMEO", err)
	}
	s.drain()
	return nil
}

// attachBuiltin attaches the built-in filter (SO_ATTACH_FILTER).
func attachBuiltin(fd int, lt uint16) error {
	raw, err := BuiltinFilter(lt)
	if err != nil {
		return err
	}
	prog := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		prog[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	fp := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fp); err != nil {
		return sysErr("SO_ATTACH_FILTER", err)
	}
	return nil
}

// drain discards frames queued between socket() and bind() of other
// interfaces, which the filter did not see bound yet.
func (s *afPacket) drain() {
	for {
		_, _, err := unix.Recvfrom(s.fd, s.buf, unix.MSG_DONTWAIT)
		if err != nil {
			return
		}
	}
}

func (s *afPacket) ReadPacket(p *capfile.Packet) error {
	for {
		if s.closed {
			return ErrClosed
		}
		n, oobn, _, from, err := unix.Recvmsg(s.fd, s.buf, s.oob, unix.MSG_TRUNC)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				return ErrTimeout
			}
			return sysErr("recvmsg", err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && s.loopback && ll.Pkttype == unix.PACKET_OUTGOING {
			continue // loopback frames are seen leaving and arriving: keep one copy
		}
		capLen := min(n, len(s.buf))
		*p = capfile.Packet{Data: s.buf[:capLen], CaptureLength: capLen, Length: n,
			LinkType: s.info.LinkType, Timestamp: stampOf(s.oob[:oobn])}
		return nil
	}
}

// stampOf reads the SCM_TIMESTAMPNS control message; without one (never
// expected) the frame gets the time it was read.
func stampOf(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err == nil {
		for _, m := range msgs {
			if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_TIMESTAMPNS {
				continue
			}
			switch len(m.Data) {
			case 16: // struct timespec of 64-bit platforms
				return time.Unix(int64(nativeUint64(m.Data[0:8])), int64(nativeUint64(m.Data[8:16]))).UTC()
			case 8: // 32-bit platforms
				return time.Unix(int64(int32(nativeUint32(m.Data[0:4]))), int64(nativeUint32(m.Data[4:8]))).UTC()
			}
		}
	}
	return time.Now().UTC()
}

func (s *afPacket) Stats() (Stats, error) {
	if s.closed {
		return s.stats, nil
	}
	st, err := unix.GetsockoptTpacketStats(s.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return s.stats, sysErr("PACKET_STATISTICS", err)
	}
	// The kernel resets its counters on every read; tp_packets includes
	// the drops.
	s.stats.Received += uint64(st.Packets)
	s.stats.Dropped += uint64(st.Drops)
	return s.stats, nil
}

func (s *afPacket) Info() Interface { return s.info }

func (s *afPacket) Close() error {
	if s.closed {
		return nil
	}
	s.Stats()
	s.closed = true
	return unix.Close(s.fd)
}

func listInterfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]Interface, 0, len(ifs))
	for _, ifi := range ifs {
		lt, _ := linkTypeOf(&ifi)
		out = append(out, describe(ifi, lt))
	}
	return out, nil
}

// linkTypeOf maps the device type in /sys/class/net/NAME/type to the
// LINKTYPE_* of its frames.
func linkTypeOf(ifi *net.Interface) (uint16, error) {
	b, err := os.ReadFile("/sys/class/net/" + ifi.Name + "/type")
	if err != nil {
		if ifi.Flags&net.FlagLoopback != 0 || len(ifi.HardwareAddr) == 6 {
			return LinkTypeEthernet, nil
		}
		return 0, fmt.Errorf("%s: %w (device type unknown)", ifi.Name, ErrLinkType)
	}
	t, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if lt, ok := arphrdLinkType[t]; ok {
		return lt, nil
	}
	return 0, fmt.Errorf("%s: %w (ARPHRD %d; Ethernet, loopback, tun and PPP devices are supported)", ifi.Name, ErrLinkType, t)
}

func describe(ifi net.Interface, lt uint16) Interface {
	in := Interface{Name: ifi.Name, LinkType: lt, Up: ifi.Flags&net.FlagUp != 0}
	addrs, _ := ifi.Addrs()
	for _, a := range addrs {
		in.Addrs = append(in.Addrs, a.String())
	}
	return in
}

// sysErr wraps a system call error, turning EPERM and EACCES into
// ErrPermission with the hint.
func sysErr(op string, err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return fmt.Errorf("%s: %w (%s)", op, ErrPermission, permissionHint)
	}
	if errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO) {
		return fmt.Errorf("%s: %w", op, ErrNoInterface)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
