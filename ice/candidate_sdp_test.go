package ice

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseCandidateSDPFixtures parses every candidate line of the SDP
// bodies kept for the sipflow tests (captures and MS-REFERENCE-based Lync
// bodies; provenance in sipflow/testdata/sdp/README.md).
func TestParseCandidateSDPFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "sipflow", "testdata", "sdp", "*.sdp"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no SDP fixtures: %v", err)
	}
	forms := map[Form]int{}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(line, "a=candidate:") && !strings.HasPrefix(line, "a=x-candidate-ipv6:") {
				continue
			}
			c, err := ParseCandidate(line)
			if err != nil {
				t.Errorf("%s: ParseCandidate(%q) error %v", filepath.Base(name), line, err)
				continue
			}
			if !c.AddrPort().IsValid() || c.Port == 0 && c.TCPType != TCPActive {
				t.Errorf("%s: ParseCandidate(%q) = %v, want an address and port", filepath.Base(name), line, c)
			}
			forms[c.Form]++
		}
	}
	if forms[FormRFC5245] == 0 || forms[FormMSICE2] == 0 || forms[FormDraft6] == 0 {
		t.Errorf("candidate forms seen in fixtures = %v, want all three", forms)
	}
}
