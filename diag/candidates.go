package diag

import "github.com/icediag/icediag/ice"

// candidateType returns the type of a raw SDP candidate line ("host",
// "srflx", "relay", "prflx"), or "other" when the line does not parse.
func candidateType(raw string) string {
	c, err := ice.ParseCandidate(raw)
	if err != nil {
		return "other"
	}
	if c.Form == ice.FormDraft6 {
		return "draft-06"
	}
	return c.Type.String()
}
