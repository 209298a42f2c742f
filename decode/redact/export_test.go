package redact

// Exported for the tests of package redact_test.
var (
	IsIPLiteral = isIPLiteral
)
