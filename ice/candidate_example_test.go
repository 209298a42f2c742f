package ice_test

import (
	"fmt"

	"github.com/icediag/icediag/ice"
)

func ExampleParseCandidate() {
	c, err := ice.ParseCandidate("a=candidate:4 1 TCP-ACT 1684797951 198.51.100.7 50010 typ srflx raddr 192.168.66.57 rport 50010")
	if err != nil {
		fmt.Println(err)
		return
	}
	p := ice.SplitPriority(c.Priority)
	fmt.Println(c, c.Form, "type preference", p.TypePref)
	// Output: srflx TCP-active 198.51.100.7:50010 MS-ICE2 type preference 100
}

func ExampleParseUsername() {
	u, ok := ice.ParseUsername([]byte("+mIv:JFwj"))
	fmt.Println(u.Remote, u.Local, u.Form, ok)
	// Output: +mIv JFwj RFC5245 true
}
