package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// decodeAs are the tshark rules a capture needs because it runs a protocol
// on a port tshark does not associate with it (see pcaps/README.md).
var decodeAs = map[string][]string{
	"arkime__turn.pcap":                     {"-d", "tcp.port==80,stun"},
	"heplify__sip_ipv4_tcp_fragmented.pcap": {"-d", "tcp.port==6060,sip"},
}

// captures returns every capture under pcaps/ that tests run on.
func captures(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"public", "crafted"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", dir, "*.pcap*"))
		out = append(out, m...)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatal("no captures found under pcaps/")
	}
	return out
}

// sightings are the STUN transaction IDs and SIP messages one tool found.
type sightings struct {
	stun map[string]bool
	sip  map[string]bool
	// messages counts distinct (Call-ID, CSeq, start line) messages
	messages map[string]bool
	// how icediag reached each STUN message: "relayed in <container>",
	// "TCP" or "UDP"
	how map[string]string
}

func newSightings() sightings {
	return sightings{stun: map[string]bool{}, sip: map[string]bool{}, messages: map[string]bool{}, how: map[string]string{}}
}

func sipKey(callID, cseq, start string) string {
	return strings.TrimSpace(callID) + " | " + strings.Join(strings.Fields(cseq), " ") + " | " + strings.TrimSpace(start)
}

// tsharkSightings runs tshark with TCP and IP reassembly on.
func tsharkSightings(t *testing.T, path string) sightings {
	t.Helper()
	args := []string{"-n", "-r", path,
		"-o", "tcp.desegment_tcp_streams:TRUE", "-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
		"-o", "sip.desegment_headers:TRUE", "-o", "sip.desegment_body:TRUE",
		"-Y", "stun || classicstun || sip",
		"-T", "fields", "-E", "occurrence=a", "-E", "aggregator=\x1f", "-E", "separator=\x1e",
		"-e", "stun.id", "-e", "classicstun.id", "-e", "sip.Call-ID", "-e", "sip.CSeq", "-e", "sip.Request-Line", "-e", "sip.Status-Line"}
	args = append(args, decodeAs[filepath.Base(path)]...)
	out, err := exec.Command("tshark", args...).Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", path, err)
	}
	s := newSightings()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\x1e")
		if len(f) < 6 {
			continue
		}
		for _, id := range append(split(f[0]), split(f[1])...) {
			s.stun[strings.ToLower(id)] = true
		}
		calls, cseqs := split(f[2]), split(f[3])
		starts := append(split(f[4]), split(f[5])...)
		// Fields come in message order within a frame, but a request line and
		// a status line land in different columns: pair them only when the
		// frame holds one message, else key on Call-ID and CSeq alone.
		for i := range calls {
			start := ""
			if len(calls) == 1 && len(starts) == 1 {
				start = starts[0]
			}
			cseq := ""
			if i < len(cseqs) {
				cseq = cseqs[i]
			}
			s.sip[sipKey(calls[i], cseq, start)] = true
		}
	}
	return s
}

func split(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, "\x1f")
}

// icediagSightings runs `icediag packets --format json`.
func icediagSightings(t *testing.T, path string) (sightings, []string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"packets", "--format", "json", "--no-media", path}, &stdout, &stderr); code != exitOK {
		t.Fatalf("icediag packets %s: exit %d: %s", path, code, stderr.String())
	}
	s := newSightings()
	type sipMsg struct {
		frame uint64
		key   string
	}
	var sips []sipMsg
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p struct {
			Frame     uint64
			Kind      string
			TxID      string
			Type      string
			Transport string
			Attrs     []string
			Relay     *struct{ Via string }
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		switch p.Kind {
		case "STUN":
			s.stun[p.TxID] = true
			how := p.Transport
			if p.Relay != nil {
				how = "relayed in " + p.Relay.Via
			}
			if _, seen := s.how[p.TxID]; !seen {
				s.how[p.TxID] = how
			}
		case "SIP":
			var callID, cseq string
			for _, a := range p.Attrs {
				if v, ok := strings.CutPrefix(a, "call-id="); ok {
					callID = v
				}
				if v, ok := strings.CutPrefix(a, "cseq="); ok {
					cseq = v
				}
			}
			s.messages[sipKey(callID, cseq, p.Type)] = true
			sips = append(sips, sipMsg{p.Frame, sipKey(callID, cseq, p.Type)})
			sips = append(sips, sipMsg{p.Frame, sipKey(callID, cseq, "")})
		}
	}
	for _, m := range sips {
		s.sip[m.key] = true
	}
	return s, nil
}

// TestCrossCheckTshark asserts that every STUN/classic-STUN transaction and
// every SIP message tshark finds in the captures is found by icediag too, and
// records what icediag finds beyond tshark in testdata/crosscheck.golden, so
// that each difference is named and a change in it fails the test.
func TestCrossCheckTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	var report strings.Builder
	for _, path := range captures(t) {
		name := filepath.Base(path)
		ts := tsharkSightings(t, path)
		ic, _ := icediagSightings(t, path)
		var missing []string
		for id := range ts.stun {
			if !ic.stun[id] {
				missing = append(missing, "STUN "+id)
			}
		}
		for k := range ts.sip {
			if !ic.sip[k] {
				missing = append(missing, "SIP "+k)
			}
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("%s: tshark finds %s, icediag does not", name, m)
		}
		extra := map[string]int{}
		for id := range ic.stun {
			if !ts.stun[id] {
				extra[ic.how[id]]++
			}
		}
		fmt.Fprintf(&report, "%s: tshark STUN=%d SIP keys=%d; icediag STUN=%d SIP messages=%d", name, len(ts.stun), len(ts.sip), len(ic.stun), len(ic.messages))
		var whys []string
		for how, n := range extra {
			whys = append(whys, fmt.Sprintf("+%d %s", n, how))
		}
		sort.Strings(whys)
		if len(whys) > 0 {
			fmt.Fprintf(&report, "; beyond tshark: %s", strings.Join(whys, ", "))
		}
		report.WriteString("\n")
	}
	golden := filepath.Join("testdata", "crosscheck.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/icediag -run CrossCheck -update)", err)
	}
	if got := report.String(); got != string(want) {
		t.Errorf("cross-check counts changed; diff against %s:\n%s", golden, lineDiff(string(want), got))
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "- %s\n+ %s\n", a, c)
		}
	}
	return b.String()
}
