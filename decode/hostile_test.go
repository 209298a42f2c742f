package decode

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode/synth/hostile"
)

// hostileHeapBound is the most heap the decoder may hold while it reads any
// capture of the hostile corpus.
const hostileHeapBound = 128 << 20

// TestHostileCorpus decodes every capture of the hostile corpus to the end:
// no panic, heap within hostileHeapBound (runtime.MemStats, sampled while
// decoding), the good messages around the attack still decoded, and the
// damage named in the problems or the file error.
func TestHostileCorpus(t *testing.T) {
	type want struct {
		sip      []string // Call-IDs that must still be decoded
		stun     int      // STUN events expected, -1 = any
		problems []string // reasons that must be counted
		fileErr  string   // text the file error must contain
	}
	wants := map[string]want{
		"syn-flood.pcap":              {sip: []string{"flood-survivor"}, stun: 0, problems: []string{"connection table full"}},
		"tcp-overlap.pcap":            {sip: []string{"overlap"}, stun: 0},
		"sip-content-length.pcap":     {sip: []string{"after-lengths"}, stun: 0, problems: []string{"framing lost in SIP stream"}},
		"sip-folding.pcap":            {sip: []string{"after-fold", "fold-udp"}, stun: 0, problems: []string{"framing lost in SIP stream"}},
		"stun-lengths.pcap":           {stun: 1, problems: []string{"stun"}},
		"turn-nesting.pcap":           {stun: -1, problems: []string{"nested too deep"}},
		"fragments.pcap":              {problems: []string{"fragment table full", "overlapping fragment", "maximum datagram size", "never completed"}},
		"pcap-past-eof.pcap":          {sip: []string{"eof-1", "eof-2"}, fileErr: "frame 3"},
		"pcapng-lying-lengths.pcapng": {sip: []string{"ng-1"}, fileErr: "frame 2"},
		"gzip-bomb.pcap.gz":           {fileErr: "expanded"},
		"time-backwards.pcap":         {sip: []string{"backwards"}},
		"sip-call-flood.pcap":         {sip: []string{"flood-0", "flood-49999"}},
	}
	dir := t.TempDir()
	for _, c := range hostile.All() {
		t.Run(c.Name, func(t *testing.T) {
			w, ok := wants[c.Name]
			if !ok {
				t.Fatalf("no expectations for %s (%s)", c.Name, c.What)
			}
			path := filepath.Join(dir, c.Name)
			if err := os.WriteFile(path, c.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			var peak uint64
			var ms runtime.MemStats
			sample := func() {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			seen := map[string]bool{}
			events, stun := 0, 0
			st, err := Run([]string{path}, Options{}, func(ev *Event) {
				events++
				if events%2000 == 0 {
					sample()
				}
				switch ev.Kind {
				case KindSIP:
					seen[sipHeader(ev.Payload, "call-id", "i")] = true
				case KindSTUN:
					stun++
				}
			})
			sample()
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if peak > hostileHeapBound {
				t.Errorf("heap peaked at %d MiB, bound %d MiB", peak>>20, hostileHeapBound>>20)
			}
			for _, id := range w.sip {
				if !seen[id] {
					t.Errorf("SIP message with Call-ID %q not decoded", id)
				}
			}
			if w.stun >= 0 && stun != w.stun && (w.stun != 0 || stun != 0) {
				t.Errorf("%d STUN events, want %d", stun, w.stun)
			}
			var reasons []string
			for _, p := range st.Problems() {
				reasons = append(reasons, p.Layer+": "+p.Reason)
			}
			all := strings.Join(reasons, "\n")
			for _, r := range w.problems {
				if !strings.Contains(all, r) {
					t.Errorf("problems lack %q; have:\n%s", r, all)
				}
			}
			if w.fileErr != "" && !strings.Contains(st.Files[0].Err, w.fileErr) {
				t.Errorf("file error %q, want it to mention %q", st.Files[0].Err, w.fileErr)
			}
			t.Logf("%s: %d events, heap peak %d MiB, problems: %s", c.What, events, peak>>20, strings.Join(reasons, "; "))
		})
	}
}
