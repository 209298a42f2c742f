package capfile_test

import (
	"errors"
	"fmt"
	"io"

	"github.com/icediag/icediag/decode/capfile"
)

// Reading a capture: the format comes from the magic number, damage from a
// located FileError after the good packets.
func Example() {
	f, err := capfile.Open("testdata/arkime__stun.pcap")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	var p capfile.Packet
	for {
		err := f.Next(&p)
		if err == io.EOF {
			break
		}
		var fe *capfile.FileError
		if errors.As(err, &fe) {
			fmt.Println("damaged at frame", fe.Frame, "offset", fe.Offset, ":", fe.Reason)
			break
		}
		if p.Frame <= 2 {
			fmt.Println(p.Frame, p.Timestamp.Format("2006-01-02T15:04:05.000000Z"), p.CaptureLength, p.LinkType)
		}
	}
	fmt.Println(f.Format(), p.Frame, "frames")
	// Output:
	// 1 2016-12-30T13:28:00.102684Z 90 1
	// 2 2016-12-30T14:46:19.834386Z 179 1
	// pcap 8 frames
}
