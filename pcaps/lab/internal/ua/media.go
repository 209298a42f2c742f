package ua

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"

	"github.com/pion/ice/v4"
)

// RTP parameters: PCMU (RFC 3551 §4.5.14) in 20 ms packets of 160 samples.
const (
	rtpHeaderLen = 12
	pcmuSamples  = 160
	ptime        = 20 * time.Millisecond
)

// media sends RTP every 20 ms for d (when the config says so) and counts RTP
// received, until d has passed or ctx ends.
func (c *call) media(ctx context.Context, conn *ice.Conn, d time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.receive(ctx, conn) }()
	defer wg.Wait() // runs before cancel: the counters are final on return
	if !c.cfg.SendRTP {
		<-ctx.Done()
		return
	}
	var ssrc [4]byte
	_, _ = rand.Read(ssrc[:])
	pkt := make([]byte, rtpHeaderLen+pcmuSamples)
	for i := rtpHeaderLen; i < len(pkt); i++ {
		pkt[i] = 0xFF // PCMU silence
	}
	pkt[0], pkt[1] = 0x80, 0x00 // version 2, payload type 0
	copy(pkt[8:12], ssrc[:])
	t := time.NewTicker(ptime)
	defer t.Stop()
	for seq := uint16(1); ; seq++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		binary.BigEndian.PutUint16(pkt[2:4], seq)
		binary.BigEndian.PutUint32(pkt[4:8], uint32(seq)*pcmuSamples)
		if _, err := conn.Write(pkt); err == nil {
			c.res.RTPSent++
		}
	}
}

func (c *call) receive(ctx context.Context, conn *ice.Conn) {
	buf := make([]byte, 1500)
	for ctx.Err() == nil {
		_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := conn.Read(buf)
		if err == nil && n >= rtpHeaderLen && buf[0]>>6 == 2 {
			c.res.RTPReceived++
		}
	}
}
