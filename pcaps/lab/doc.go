// Package lab is the icediag scenario lab: real calls between pion/ice user
// agents through a SIP proxy and coturn, in Linux network namespaces with NATs,
// firewalls and an Edge, captured at several vantage points. The committed
// captures are under captures/<scenario>/ with their ground truth in
// scenario.json; the test of this package proves every capture still matches
// it. `go run ./cmd/lab -all` (as root) regenerates them.
package lab
