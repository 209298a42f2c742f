package synth

// RST returns a reset sent by from, acknowledging everything the other side
// has sent (RFC 9293 §3.5.2): what a firewall or proxy that refuses a
// session sends in place of data. It does not advance either sequence space.
func (c *TCPConn) RST(from Endpoint) []byte {
	if from == c.Server {
		return TCP(c.Server, c.Client, c.srvNext, c.cliNext, RST|ACK, nil)
	}
	return TCP(c.Client, c.Server, c.cliNext, c.srvNext, RST|ACK, nil)
}

// RetransmitSYN returns the client's SYN again with its original sequence
// number (RFC 9293 §3.8.1, RFC 6298 §5): what a client sends while a
// firewall silently drops its connection attempts. Call it after SYN.
func (c *TCPConn) RetransmitSYN() []byte {
	return TCP(c.Client, c.Server, c.cliNext-1, 0, SYN, nil)
}
