package wire

import (
	"errors"
	"strconv"
)

// Sentinel errors wrapped by every ParseError of this package. Callers branch
// on them with errors.Is; they never match error strings.
var (
	// ErrTruncated reports that the input ends before a field does.
	ErrTruncated = errors.New("truncated")
	// ErrBadLength reports a length field that contradicts the input or the
	// format (for example a STUN attribute running past the message end).
	ErrBadLength = errors.New("bad length")
	// ErrBadValue reports a field whose value the format does not allow.
	ErrBadValue = errors.New("bad value")
	// ErrTooMany reports more elements than a decoder keeps (see MaxAttrs).
	ErrTooMany = errors.New("too many elements")
)

// ParseError locates a decoding failure: the protocol, the field and the
// byte offset of that field in the decoded message (-1 when the offset
// varies from message to message). It wraps one of the sentinel errors.
//
// Decoders on the per-packet path return preallocated *ParseError values so
// that a failure costs no allocation; callers must not modify them.
type ParseError struct {
	Proto  string // "stun", "channeldata", "rtp", ...
	Field  string // the field that failed, e.g. "attribute length"
	Offset int    // byte offset of the field, -1 when not fixed
	Err    error  // ErrTruncated, ErrBadLength, ErrBadValue or ErrTooMany

	reason string // Proto + ": " + Field + " " + Err, built once
}

// Error implements error.
func (e *ParseError) Error() string {
	s := e.Reason()
	if e.Offset >= 0 {
		s += " at offset " + strconv.Itoa(e.Offset)
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// Reason returns the short stable text of e, without the offset.
func (e *ParseError) Reason() string {
	if e.reason != "" {
		return e.reason
	}
	return e.Proto + ": " + e.Field + " " + sentinelText(e.Err)
}

func sentinelText(err error) string {
	switch err {
	case ErrTruncated:
		return "truncated"
	case ErrBadLength:
		return "past end"
	case ErrBadValue:
		return "invalid"
	case ErrTooMany:
		return "too many"
	case nil:
		return "error"
	}
	return err.Error()
}

// perr builds a preallocated ParseError at package initialisation.
func perr(proto, field string, off int, sentinel error) *ParseError {
	e := &ParseError{Proto: proto, Field: field, Offset: off, Err: sentinel}
	e.reason = e.Reason()
	return e
}

// Reason returns a short stable text for err, suitable as a counter key
// (for example "stun: attribute length past end"). It does not allocate for
// errors returned by this package.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	if pe, ok := err.(*ParseError); ok {
		return pe.Reason()
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.Reason()
	}
	return err.Error()
}
