package sipflow

import (
	"bytes"
	"strconv"
	"strings"
)

// MediaPortRange is the media port configuration a Lync / Skype for
// Business server provisions to its clients in the ServerConfiguration
// provisioning group (vnd-microsoft-provisioning-v2 SUBSCRIBE response or
// NOTIFY; MS-SIPRE, field article seed 002): ucPortRangeEnabled, the
// overall ucMinMediaPort..ucMaxMediaPort and the per-modality ranges.
// A zero range means the element was absent.
type MediaPortRange struct {
	Enabled                                bool
	Min, Max                               int
	Audio, Video, AppSharing, FileTransfer [2]int
}

// ParseProvisioning reads the media port range elements from a
// provisioning body. It scans for the elements by name rather than parsing
// XML, so bodies with broken markup elsewhere still yield their ranges. The
// bool is false when the body holds none of the elements.
func ParseProvisioning(body []byte) (MediaPortRange, bool) {
	var r MediaPortRange
	found := false
	num := func(name string) int {
		v, ok := elementText(body, name)
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 || n > 65535 {
			return 0
		}
		found = true
		return n
	}
	r.Min, r.Max = num("ucMinMediaPort"), num("ucMaxMediaPort")
	r.Audio = [2]int{num("ucMinAudioPort"), num("ucMaxAudioPort")}
	r.Video = [2]int{num("ucMinVideoPort"), num("ucMaxVideoPort")}
	r.AppSharing = [2]int{num("ucMinAppSharingPort"), num("ucMaxAppSharingPort")}
	r.FileTransfer = [2]int{num("ucMinFileTransferPort"), num("ucMaxFileTransferPort")}
	if v, ok := elementText(body, "ucPortRangeEnabled"); ok {
		r.Enabled, found = strings.EqualFold(v, "true"), true
	}
	return r, found
}

// elementText returns the trimmed text of the first <name>text</name>.
func elementText(body []byte, name string) (string, bool) {
	open := []byte("<" + name + ">")
	i := bytes.Index(body, open)
	if i < 0 {
		return "", false
	}
	rest := body[i+len(open):]
	end := bytes.Index(rest, []byte("</"+name+">"))
	if end < 0 {
		return "", false
	}
	return strings.TrimSpace(string(rest[:end])), true
}

// Provisioning returns the media port range carried in the message body
// (any part), and whether one was found.
func (m *Message) Provisioning() (MediaPortRange, bool) {
	parts, _ := m.BodyParts()
	for _, p := range parts {
		if r, ok := ParseProvisioning(p.Body); ok {
			return r, true
		}
	}
	return MediaPortRange{}, false
}
