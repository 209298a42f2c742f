package ice

import (
	"time"

	"github.com/icediag/icediag/sipflow"
)

// mediaDesc is one SDP media line with ICE credentials, as one party
// offered or answered it.
type mediaDesc struct {
	callID     string
	index      int
	mtype      string
	ufrag, pwd string
	fallback   bool
	time       time.Time
	cands      []Candidate
	lines      []string
	remote     []RemoteCandidate
}

// AddCall registers the SDP bodies of a call (RFC 3264 offers and answers,
// both parts of a Lync multipart/alternative offer, MS-REFERENCE §2.1):
// per media line the ufrag and pwd (RFC 8839 §5.4), the candidates parsed
// with ParseCandidate and the a=remote-candidates of an MS re-INVITE
// (MS-REFERENCE §2.5). Bodies that do not parse are skipped.
func (b *Builder) AddCall(c *sipflow.Call) {
	if c == nil {
		return
	}
	for _, ex := range c.Exchanges {
		for _, body := range ex.Offer {
			b.addBody(c.CallID, body)
		}
		for _, body := range ex.Answer {
			b.addBody(c.CallID, body)
		}
	}
}

func (b *Builder) addBody(callID string, body sipflow.SDPBody) {
	sd, err := sipflow.ParseSDPPart(body.Body, body.MSFallback)
	if err != nil {
		return
	}
	for i, m := range sd.Media {
		d := &mediaDesc{callID: callID, index: i, mtype: m.Type, ufrag: m.ICEUfrag, pwd: m.ICEPwd,
			fallback: body.MSFallback || sd.ICEForm == sipflow.ICEFormDraft6, time: body.Msg.Meta.Time}
		for _, line := range m.Candidates {
			cand, err := ParseCandidate(line)
			if err != nil {
				continue
			}
			if d.ufrag == "" && cand.Form == FormDraft6 {
				d.ufrag, d.pwd = cand.Ufrag, cand.Password
			}
			d.cands = append(d.cands, cand)
			d.lines = append(d.lines, line)
		}
		if m.RemoteCandidates != "" {
			d.remote, _ = ParseRemoteCandidates(m.RemoteCandidates)
		}
		if d.ufrag != "" {
			b.media = append(b.media, d)
		}
	}
}

// descsFor returns the media descriptions of a call and media line whose
// ufrag is u.
func (b *Builder) descsFor(callID string, index int, u string) []*mediaDesc {
	var out []*mediaDesc
	for _, d := range b.media {
		if d.callID == callID && d.index == index && d.ufrag == u {
			out = append(out, d)
		}
	}
	return out
}

// mediaLine names one media line of one call.
type mediaLine struct {
	callID string
	index  int
}

// joinSDP finds the media line whose ufrags are the session's: both
// ufrags on the same call and line, preferring the line whose candidates
// match the most addresses the checks used.
func (b *Builder) joinSDP(s *Session) (mediaLine, bool) {
	best, bestScore, found := mediaLine{}, -1, false
	for _, d := range b.media {
		if d.ufrag != s.Sides[0].Ufrag {
			continue
		}
		ml := mediaLine{d.callID, d.index}
		if len(b.descsFor(ml.callID, ml.index, s.Sides[1].Ufrag)) == 0 {
			continue
		}
		if score := b.lineScore(s, ml); score > bestScore {
			best, bestScore, found = ml, score, true
		}
	}
	return best, found
}

// lineScore counts check addresses that a media line's candidates name.
func (b *Builder) lineScore(s *Session, ml mediaLine) int {
	n := 0
	for side := range 2 {
		for _, d := range b.descsFor(ml.callID, ml.index, s.Sides[side].Ufrag) {
			for _, c := range d.cands {
				for _, ck := range s.Checks {
					a := ck.Local
					if ck.Side != side {
						a = ck.Remote
					}
					if c.AddrPort() == a || (c.RelAddr.IsValid() && c.RelAddr == a.Addr() && c.RelPort == a.Port()) {
						n++
					}
				}
			}
		}
	}
	return n
}
