package sipflow

import (
	"os"
	"testing"
)

// TestParseProvisioning reads the port ranges of the SUBSCRIBE response
// quoted in seed 002, both rebuilt as a message and as the article prints it
// (with its broken xmlns quote).
func TestParseProvisioning(t *testing.T) {
	want := MediaPortRange{Enabled: true, Min: 50000, Max: 50059, Audio: [2]int{50000, 50019},
		Video: [2]int{50020, 50039}, AppSharing: [2]int{50040, 50059}, FileTransfer: [2]int{50040, 50059}}
	if got, ok := readLync(t, "subscribe_200_provisioning").Provisioning(); !ok || got != want {
		t.Errorf("Provisioning() = %+v, %v, want %+v", got, ok, want)
	}
	seed, err := os.ReadFile("testdata/sip/lync/provisioning_seed002.xml")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := ParseProvisioning(seed); !ok || got != want {
		t.Errorf("ParseProvisioning(seed) = %+v, %v, want %+v", got, ok, want)
	}
	if got, ok := ParseProvisioning([]byte("<ucMinMediaPort>99999</ucMinMediaPort>")); ok || got.Min != 0 {
		t.Errorf("ParseProvisioning(out of range) = %+v, %v, want nothing", got, ok)
	}
}
