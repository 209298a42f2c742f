package redact

// Exported for the tests of package redact_test.
var (
	IsVocabulary = isVocabulary
	IsIPLiteral  = isIPLiteral
)
