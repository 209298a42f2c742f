package sipflow

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/icediag/icediag/decode"
)

// FuzzAddEvent feeds one SIP payload, three times as three copies of a
// call, and checks that tracking, the report (text and JSON) and the
// ladder never panic and never print control characters. Seeds are the
// Lync messages, the RFC 4475 torture messages and payloads of the real
// captures.
func FuzzAddEvent(f *testing.F) {
	addSeeds(f)
	lync, _ := filepath.Glob(filepath.Join("testdata", "sip", "lync", "*.sip"))
	for _, name := range lync {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		c := NewCapture()
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 3; i++ {
			ev := sipEvent(payload, uint64(i+1), "192.0.2.1:5060", "192.0.2.2:5060", at.Add(time.Duration(i)*time.Second))
			if i == 1 {
				ev.Flow = ev.Flow.Reverse()
			}
			c.AddEvent(ev)
		}
		c.AddEvent(&decode.Event{Kind: decode.KindSIP})
		r := NewReport(c, ReportOptions{CandidateType: typOf})
		var text bytes.Buffer
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		for _, call := range c.Calls() {
			if err := c.Ladder(call).WriteText(&text); err != nil {
				t.Fatal(err)
			}
		}
		checkPrintable(t, text.String())
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("json.Marshal(report): %v", err)
		}
	})
}
