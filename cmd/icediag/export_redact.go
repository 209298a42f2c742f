package main

import (
	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/diag"
)

// redaction is the --redact state of one export.
type redaction struct{}

func newRedaction(key string) *redaction     { return &redaction{} }
func (r *redaction) learn(ev *decode.Event)  {}
func (r *redaction) rewriter() diag.Rewriter { return nil }
func (r *redaction) summary() string         { return "" }
