package ice

import "github.com/icediag/icediag/decode/wire"

// verifyResponses checks the MESSAGE-INTEGRITY of every success response of
// a session whose SDP is known. A connectivity check request is signed with
// the password of the agent it is sent to, and that agent signs its
// response with the same password (RFC 8445 §7.2.2, §7.2.5.1; short-term
// credentials, RFC 8489 §9.1). A response that does not verify with the
// answering side's ice-pwd is discarded by the requester: the check failed.
// Responses of sessions without SDP cannot be checked and stay successes.
func verifyResponses(s *Session) {
	var m wire.STUN
	for _, c := range s.Checks {
		resp := c.response
		c.response = nil
		if c.Result != ResultSuccess || resp == nil {
			continue
		}
		answerer := s.Sides[1-c.Side]
		if answerer == nil || answerer.Pwd == "" {
			continue
		}
		if m.Decode(resp) != nil {
			continue
		}
		if ok, present := m.VerifyIntegrity([]byte(answerer.Pwd)); present && !ok {
			c.Result = ResultIntegrity
		}
	}
}
