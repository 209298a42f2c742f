package topo

import (
	"os"
	"os/exec"
	"strings"
)

func haveNFT() bool {
	_, err := exec.LookPath("nft")
	return err == nil && os.Geteuid() == 0
}

func nftCheck(ruleset string) error {
	cmd := exec.Command("nft", "-c", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &checkError{err: err, out: string(out)}
	}
	return nil
}

type checkError struct {
	err error
	out string
}

func (e *checkError) Error() string { return e.err.Error() + ": " + e.out }
