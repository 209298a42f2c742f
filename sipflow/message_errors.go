package sipflow

import (
	"errors"
	"fmt"
)

// Sentinel errors of the SIP message parser (RFC 3261 §7, §20, §25.1). A
// *ParseError wraps one of them, so callers branch with errors.Is.
var (
	ErrEmpty          = errors.New("empty message")
	ErrNoHeaderEnd    = errors.New("header section not terminated by an empty line")
	ErrStartLine      = errors.New("malformed start line")
	ErrVersion        = errors.New("malformed SIP version")
	ErrStatusCode     = errors.New("status code out of range 100-699")
	ErrMethod         = errors.New("method is not a token")
	ErrRequestURI     = errors.New("malformed Request-URI")
	ErrHeaderLine     = errors.New("header line without a colon")
	ErrHeaderName     = errors.New("header name is not a token")
	ErrContentLength  = errors.New("malformed Content-Length")
	ErrTruncatedBody  = errors.New("body shorter than Content-Length")
	ErrCSeq           = errors.New("malformed CSeq")
	ErrMaxForwards    = errors.New("Max-Forwards out of range 0-255")
	ErrNameAddr       = errors.New("malformed name-addr")
	ErrQuote          = errors.New("unterminated quoted string")
	ErrVia            = errors.New("malformed Via")
	ErrParam          = errors.New("empty or malformed parameter")
	ErrURI            = errors.New("malformed URI")
	ErrMediaType      = errors.New("malformed media type")
	ErrBoundary       = errors.New("multipart body without boundary")
	ErrMultipartDepth = errors.New("multipart nesting too deep")
	ErrNoParts        = errors.New("multipart body without parts")
	ErrDiagnostic     = errors.New("malformed diagnostics header")
	ErrQoE            = errors.New("not a QoE report")

	ErrUnsupportedVersion = errors.New("SIP version other than SIP/2.0")
	ErrCSeqMethod         = errors.New("CSeq method differs from the request method")
	ErrUnbracketedIPv6    = errors.New("IPv6 address without brackets")
	ErrURIHeaders         = errors.New("headers in a Request-URI")
	ErrAddrSpecHeaders    = errors.New("URI with headers outside angle brackets")
	ErrDateZone           = errors.New("Date not in GMT")
)

// ParseError locates a parse failure in a SIP message: 1-based line and
// column of the offending text, and the field (start line, header name,
// body part) being parsed. It wraps a sentinel error.
type ParseError struct {
	Line, Column int
	Field        string
	Err          error
}

// Error implements error.
func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("sip: %s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("sip: line %d column %d: %s: %v", e.Line, e.Column, e.Field, e.Err)
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }
