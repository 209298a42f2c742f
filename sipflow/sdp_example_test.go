package sipflow_test

import (
	"fmt"

	"github.com/icediag/icediag/sipflow"
)

func ExampleParseSDP() {
	body := "v=0\r\no=- 0 0 IN IP4 192.168.66.57\r\ns=session\r\nc=IN IP4 192.168.66.57\r\nt=0 0\r\n" +
		"m=audio 31848 RTP/SAVP 0\r\na=ice-ufrag:M+7x\r\na=ice-pwd:iqMvxVs03gM/jyhb9feLQ466\r\n" +
		"a=candidate:1 1 UDP 2130706431 192.168.66.57 31848 typ host\r\n"
	sd, err := sipflow.ParseSDP([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := sd.Media[0]
	fmt.Println(sd.ICEForm, m.Type, m.ConnAddr, m.Port, m.ICEUfrag, len(m.Candidates))
	// Output: RFC5245 audio 192.168.66.57 31848 M+7x 1
}
