// Package diag holds the rules that turn the joined model of calls and ICE
// sessions into findings (docs/DIAGNOSES.md), and the report renderers.
package diag
