//go:build windows

package live

import (
	"fmt"

	"github.com/google/gopacket/pcap"
)

const (
	backend        = "npcap"
	permissionHint = "install Npcap (https://npcap.com) and run icediag from an Administrator prompt, " +
		"or install Npcap without the \"restrict to Administrators\" option"
)

// loadLibrary loads wpcap.dll from the Npcap installation.
func loadLibrary() error {
	if err := pcap.LoadWinPCAP(); err != nil {
		return fmt.Errorf("%w: Npcap is not installed (%v); install it from https://npcap.com", ErrUnsupported, err)
	}
	return nil
}
