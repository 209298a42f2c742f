package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/sipflow"
)

// sipStat is what `tshark -z sip,stat` counts: SIP packets per request
// method and per response status code. The tap runs once per SIP message,
// retransmissions included ("resent" messages are counted as well).
type sipStat struct {
	requests  map[string]int
	responses map[int]int
}

var (
	statusLine = regexp.MustCompile(`^\s*SIP (\d{3}) .*:\s*(\d+) Packets`)
	methodLine = regexp.MustCompile(`^\s*(\S+)\s*:\s*(\d+) Packets`)
)

// tsharkArgs are the reassembly settings of every tshark run here, and the
// capture's decode-as rules.
func tsharkArgs(path string, extra ...string) []string {
	args := []string{"-n", "-r", path, "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "ip.defragment:TRUE",
		"-o", "ipv6.defragment:TRUE"}
	args = append(args, decodeAs[filepath.Base(path)]...)
	return append(args, extra...)
}

func tsharkSIPStat(t *testing.T, path string) sipStat {
	t.Helper()
	out, err := exec.Command("tshark", tsharkArgs(path, "-q", "-z", "sip,stat")...).Output()
	if err != nil {
		t.Fatalf("tshark -z sip,stat %s: %v", path, err)
	}
	s := sipStat{requests: map[string]int{}, responses: map[int]int{}}
	inMethods := false
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "List of SIP Request methods") {
			inMethods = true
			continue
		}
		if m := statusLine.FindStringSubmatch(line); m != nil {
			code, _ := strconv.Atoi(m[1])
			s.responses[code], _ = strconv.Atoi(m[2])
			continue
		}
		if m := methodLine.FindStringSubmatch(line); inMethods && m != nil {
			s.requests[m[1]], _ = strconv.Atoi(m[2])
		}
	}
	return s
}

func tsharkInviteCallIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	out, err := exec.Command("tshark", tsharkArgs(path, "-Y", `sip.Method == "INVITE"`, "-T", "fields",
		"-E", "occurrence=a", "-E", "aggregator=\x1f", "-e", "sip.Call-ID", "-e", "sip.Method")...).Output()
	if err != nil {
		t.Fatalf("tshark -e sip.Call-ID %s: %v", path, err)
	}
	ids := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		callIDs, methods, _ := strings.Cut(line, "\t")
		ms := strings.Split(methods, "\x1f")
		for i, id := range strings.Split(callIDs, "\x1f") {
			// A frame holding several messages lists each one's Call-ID;
			// keep those whose own method is INVITE.
			if id != "" && (i >= len(ms) || ms[i] == "INVITE") {
				ids[strings.TrimSpace(id)] = true
			}
		}
	}
	return ids
}

func icediagInviteCallIDs(c *sipflow.Capture) map[string]bool {
	ids := map[string]bool{}
	for _, call := range c.Calls() {
		for _, m := range call.Messages {
			if m.Request && m.Method == "INVITE" {
				ids[call.CallID] = true
			}
		}
	}
	return ids
}

func diffCounts[K comparable](want, got map[K]int) []string {
	keys := map[K]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if want[k] != got[k] {
			out = append(out, fmt.Sprintf("%v: tshark %d icediag %d", k, want[k], got[k]))
		}
	}
	sort.Strings(out)
	return out
}

func diffSets(want, got map[string]bool) []string {
	var out []string
	for k := range want {
		if !got[k] {
			out = append(out, "only tshark: "+k)
		}
	}
	for k := range got {
		if !want[k] {
			out = append(out, "only icediag: "+k)
		}
	}
	sort.Strings(out)
	return out
}

// tsharkFrame is one frame tshark dissects SIP in: its number, capture
// time, addresses and the start line and transaction fields of each SIP
// message in it.
type tsharkFrame struct {
	number  uint64
	micros  int64
	key     string // addresses, Call-ID, CSeq, methods and status codes
	methods []string
	codes   []int
}

func tsharkFrames(t *testing.T, path string) []tsharkFrame {
	t.Helper()
	out, err := exec.Command("tshark", tsharkArgs(path, "-Y", "sip", "-T", "fields", "-E", "occurrence=a",
		"-E", "aggregator=\x1f", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ipv6.src",
		"-e", "ip.dst", "-e", "ipv6.dst", "-e", "sip.Call-ID", "-e", "sip.CSeq", "-e", "sip.Method", "-e", "sip.Status-Code")...).Output()
	if err != nil {
		t.Fatalf("tshark -Y sip %s: %v", path, err)
	}
	var frames []tsharkFrame
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 10 {
			continue
		}
		n, _ := strconv.ParseUint(f[0], 10, 64)
		sec, frac, _ := strings.Cut(f[1], ".")
		s, _ := strconv.ParseInt(sec, 10, 64)
		us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
		fr := tsharkFrame{number: n, micros: s*1e6 + us, key: strings.Join(f[2:], "|")}
		fr.methods = split(f[8])
		for _, c := range split(f[9]) {
			code, _ := strconv.Atoi(c)
			fr.codes = append(fr.codes, code)
		}
		frames = append(frames, fr)
	}
	return frames
}

// icediagSIP decodes a capture as icediag calls does and returns the
// tracked capture, the frames holding SIP events and the frames whose SIP
// payload ParseMessage refused (no message).
func icediagSIP(t *testing.T, path string) (c *sipflow.Capture, st *decode.Stats, seen, refused map[uint64]bool) {
	t.Helper()
	c = sipflow.NewCapture()
	seen, refused = map[uint64]bool{}, map[uint64]bool{}
	st, err := decode.Run([]string{path}, decode.Options{}, func(ev *decode.Event) {
		if ev.Kind != decode.KindSIP {
			return
		}
		seen[ev.Frame] = true
		if m, _ := sipflow.ParseMessage(ev.Payload); m == nil {
			refused[ev.Frame] = true
		}
		c.AddEvent(ev)
	})
	if err != nil {
		t.Fatalf("decode.Run(%s): %v", path, err)
	}
	return c, st, seen, refused
}

// explained removes from tshark's counts the messages icediag is known not
// to count, and says why:
//   - duplicate: icediag drops a frame that repeats an earlier frame
//     within 1 ms (SPAN or multi-interface copies, decode/dedup.go); tshark
//     dissects and counts both. A frame tshark shows with SIP, that icediag
//     has no SIP event in, with the same addresses, Call-ID, CSeq, methods
//     and status codes as a frame at most 1 ms earlier that icediag has, is
//     such a duplicate.
//   - refused: icediag decodes the payload as SIP but its parser refuses
//     the start line (for example a Request-URI with LWS inside, RFC 4475
//     §3.1.2.8), so the message is counted as a parse error instead. No
//     capture has one today: the Request-URIs with an IPv6 address outside
//     brackets (RFC 3261 §25.1 IPv6reference) of heplify__sip_ipv6_udp,
//     which tshark accepts, are read leniently and recorded as deviations.
func explained(ts sipStat, frames []tsharkFrame, seen, refused map[uint64]bool) []string {
	var why []string
	drop := func(fr tsharkFrame, reason string) {
		for _, m := range fr.methods {
			ts.requests[m]--
		}
		for _, c := range fr.codes {
			ts.responses[c]--
		}
		why = append(why, fmt.Sprintf("frame %d %s", fr.number, reason))
	}
	for i, fr := range frames {
		switch {
		case refused[fr.number]:
			drop(fr, "refused by the SIP parser")
		case !seen[fr.number] && duplicateOfEarlier(frames[:i], fr, seen):
			drop(fr, "duplicate dropped")
		}
	}
	for k, n := range ts.requests {
		if n == 0 {
			delete(ts.requests, k)
		}
	}
	for k, n := range ts.responses {
		if n == 0 {
			delete(ts.responses, k)
		}
	}
	return why
}

func duplicateOfEarlier(earlier []tsharkFrame, fr tsharkFrame, seen map[uint64]bool) bool {
	for j := len(earlier) - 1; j >= 0 && fr.micros-earlier[j].micros <= 1000; j-- {
		if seen[earlier[j].number] && earlier[j].key == fr.key {
			return true
		}
	}
	return false
}

// clipKey shortens a method or Call-ID for messages (the PROTOS capture
// has methods thousands of characters long).
func clipKey(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s...(%d bytes)", s[:40], len(s))
	}
	return s
}

// TestSIPStatTshark compares icediag's SIP message counts with tshark's
// SIP statistics (`tshark -z sip,stat`, with TCP and IP reassembly and the
// decode-as rules of crosscheck_test.go) on every capture with SIP:
// requests per method and responses per status code, and the set of
// Call-IDs with an INVITE.
//
// tshark counts every SIP message it dissects, retransmissions included;
// icediag's Capture.Requests and Capture.Responses count every message
// copy too, so retransmissions map one to one. The only differences
// allowed are those explained() names frame by frame (duplicates icediag
// drops, payloads its parser refuses); they are logged.
func TestSIPStatTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	for _, sc := range sipCaptures(t) {
		t.Run(sc.name, func(t *testing.T) {
			c, st, seen, refused := icediagSIP(t, sc.path)
			ts := tsharkSIPStat(t, sc.path)
			dups := 0
			for _, why := range explained(ts, tsharkFrames(t, sc.path), seen, refused) {
				t.Logf("tshark counts, icediag does not: %s", why)
				if strings.HasSuffix(why, "duplicate dropped") {
					dups++
				}
			}
			if uint64(dups) > st.Duplicates {
				t.Errorf("%d SIP frames explained as duplicates, but the decoder dropped only %d", dups, st.Duplicates)
			}
			for _, d := range diffCounts(ts.requests, c.Requests) {
				t.Errorf("requests %s", clipKey(d))
			}
			for _, d := range diffCounts(ts.responses, c.Responses) {
				t.Errorf("responses %s", d)
			}
			for _, d := range diffSets(tsharkInviteCallIDs(t, sc.path), icediagInviteCallIDs(c)) {
				t.Errorf("INVITE Call-IDs %s", clipKey(d))
			}
		})
	}
}
