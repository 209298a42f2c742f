package truth

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
)

// Packet is one IPv4 UDP or TCP frame of a capture as tshark decoded it.
type Packet struct {
	Frame    int
	Proto    string // "udp" or "tcp"
	Src, Dst netip.AddrPort
	Payload  []byte
	TCPFlags uint16   // TCP header flags (RFC 9293 §3.1)
	CallIDs  []string // sip.Call-ID of the SIP messages completed in this frame
	Methods  []string // sip.Method of requests completed in this frame
	Statuses []int    // sip.Status-Code of responses completed in this frame
	// ClassicSTUN are the message types tshark's classicstun dissector (RFC 3489
	// and MS-TURN) decoded in this frame.
	ClassicSTUN []uint16
	// STUNAddrs are the IPv4 addresses tshark's stun and classicstun
	// dissectors decoded from address attributes (XOR ones un-XORed).
	STUNAddrs []netip.Addr
	// TLSHandshakes and TLSAlerts are the handshake message types and alert
	// descriptions tshark's TLS dissector decoded in this frame.
	TLSHandshakes []int
	TLSAlerts     []int
	// Time is the capture timestamp in seconds since the epoch.
	Time float64
	// SDPAttrs are the SDP media attributes (a= values) tshark decoded.
	SDPAttrs []string
}

// ErrNoTshark is returned when tshark is not installed.
var ErrNoTshark = errors.New("truth: tshark not found")

var tsharkFields = []string{
	"frame.number", "ip.src", "ip.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
	"udp.payload", "tcp.payload", "sip.Call-ID", "sip.Method", "sip.Status-Code", "tcp.flags",
	"classicstun.type", "stun.att.ipv4", "classicstun.att.ipv4",
	"tls.handshake.type", "tls.alert_message.desc", "frame.time_epoch", "sdp.media_attr",
}

// ReadCapture decodes a capture with tshark: frame, addresses, payload and SIP
// fields, with SIP over TCP reassembled by tshark.
func ReadCapture(path string) ([]Packet, error) {
	if _, err := exec.LookPath("tshark"); err != nil {
		return nil, ErrNoTshark
	}
	args := []string{"-r", path, "-n", "-Y", "udp or tcp", "-T", "fields",
		"-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|"}
	for _, f := range tsharkFields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command("tshark", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("tshark %s: %w", path, err)
	}
	var pkts []Packet
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		p, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		pkts = append(pkts, p)
	}
	return pkts, sc.Err()
}

func parseLine(line string) (Packet, error) {
	f := strings.Split(line, "\t")
	if len(f) != len(tsharkFields) {
		return Packet{}, fmt.Errorf("tshark line has %d fields, want %d", len(f), len(tsharkFields))
	}
	var p Packet
	p.Frame, _ = strconv.Atoi(f[0])
	p.Proto = "udp"
	sport, dport, payload := f[3], f[4], f[7]
	if f[5] != "" {
		p.Proto, sport, dport, payload = "tcp", f[5], f[6], f[8]
	}
	var err error
	if p.Src, err = addrPort(f[1], sport); err != nil {
		return p, err
	}
	if p.Dst, err = addrPort(f[2], dport); err != nil {
		return p, err
	}
	// tshark prints hex bytes plain or colon separated, by version.
	if p.Payload, err = hex.DecodeString(strings.ReplaceAll(payload, ":", "")); err != nil {
		return p, fmt.Errorf("frame %d payload: %w", p.Frame, err)
	}
	p.CallIDs = split(f[9])
	p.Methods = split(f[10])
	for _, s := range split(f[11]) {
		if code, err := strconv.Atoi(s); err == nil {
			p.Statuses = append(p.Statuses, code)
		}
	}
	for _, t := range split(f[13]) {
		if v, err := strconv.ParseUint(strings.TrimPrefix(t, "0x"), 16, 16); err == nil {
			p.ClassicSTUN = append(p.ClassicSTUN, uint16(v))
		}
	}
	p.TLSHandshakes, p.TLSAlerts = ints(f[16]), ints(f[17])
	p.Time, _ = strconv.ParseFloat(f[18], 64)
	for _, a := range split(f[19]) {
		p.SDPAttrs = append(p.SDPAttrs, strings.Split(a, ",")...) // tshark joins one frame's values with commas
	}
	for _, a := range append(split(f[14]), split(f[15])...) {
		if ip, err := netip.ParseAddr(a); err == nil {
			p.STUNAddrs = append(p.STUNAddrs, ip)
		}
	}
	if f[12] != "" {
		flags, _ := strconv.ParseUint(strings.TrimPrefix(f[12], "0x"), 16, 16)
		p.TCPFlags = uint16(flags)
	}
	return p, nil
}

func addrPort(ip, port string) (netip.AddrPort, error) {
	// With tunnels tshark lists several ip.src values: the innermost is last.
	ips := split(ip)
	if len(ips) == 0 {
		return netip.AddrPort{}, fmt.Errorf("no IPv4 address")
	}
	return netip.ParseAddrPort(ips[len(ips)-1] + ":" + port)
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func ints(s string) []int {
	var out []int
	for _, v := range split(s) {
		for _, part := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(part); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
