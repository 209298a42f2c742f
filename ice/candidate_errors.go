package ice

import (
	"errors"
	"fmt"
)

// Sentinel errors of the candidate grammar. Callers branch on them with
// errors.Is; a *CandidateError wraps one of them and says where it happened.
var (
	// ErrMissingField reports a line that ends before a mandatory field of
	// RFC 8445 §5.1 (or of the ICE draft-06 form, MS-REFERENCE §2.2).
	ErrMissingField = errors.New("missing field")
	// ErrBadNumber reports a component, priority or port that is not a
	// decimal number in its range (RFC 8445 §5.1: component 1-256,
	// priority 1-2^31, port 0-65535).
	ErrBadNumber = errors.New("bad number")
	// ErrBadTransport reports a transport token that is neither UDP, TCP
	// (RFC 6544) nor Microsoft's TCP-ACT/TCP-PASS (MS-REFERENCE §2.3).
	ErrBadTransport = errors.New("unknown transport")
	// ErrBadTyp reports a candidate line whose seventh field is not the
	// "typ" keyword of RFC 8445 §5.1.
	ErrBadTyp = errors.New(`expected "typ"`)
	// ErrBadAddress reports an empty connection address.
	ErrBadAddress = errors.New("bad address")
)

// CandidateError is a located parse error of a candidate attribute
// (RFC 8445 §5.1) or of an a=remote-candidates value (RFC 8839 §5.2): the
// zero-based index of the whitespace-separated field (after any
// "candidate:" prefix), the field's name and the token found there.
type CandidateError struct {
	Field int    // zero-based field index
	Name  string // field name, e.g. "priority"
	Token string // the offending token; empty when the field is missing
	Err   error  // one of the sentinel errors above
}

// Error describes the failure with its location.
func (e *CandidateError) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("ice: candidate field %d (%s): %v", e.Field, e.Name, e.Err)
	}
	return fmt.Sprintf("ice: candidate field %d (%s) %q: %v", e.Field, e.Name, e.Token, e.Err)
}

// Unwrap returns the sentinel error.
func (e *CandidateError) Unwrap() error { return e.Err }

// fieldErr builds a *CandidateError for field i of fields f.
func fieldErr(f []string, i int, name string, err error) error {
	tok := ""
	if i < len(f) {
		tok = f[i]
	}
	return &CandidateError{Field: i, Name: name, Token: tok, Err: err}
}
