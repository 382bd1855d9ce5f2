// Package trail reads CloudTrail records from the containers AWS and common
// tools produce: trail delivery files, lookup-events output, JSON lines, bare
// arrays and EventBridge envelopes, gzipped or not.
package trail

import (
	"encoding/json"
	"time"
)

// Record is one CloudTrail record: its raw JSON object, where it came from,
// and the few fields every consumer needs.
type Record struct {
	// Raw is the record as a JSON object. For lookup-events input it is the
	// decoded CloudTrailEvent string with readOnly normalized to a boolean;
	// for EventBridge input it is the envelope's detail.
	Raw json.RawMessage

	Source Source

	EventID      string
	EventTime    time.Time // zero when absent or not RFC 3339
	EventSource  string
	EventName    string
	EventVersion string
}

// Source locates a record in its input.
type Source struct {
	File string // path as given, or "<stdin>"
	// Offset is the byte offset in the decoded (gunzipped) stream of the
	// value that carried the record: the record itself, or its lookup-events
	// entry or EventBridge envelope.
	Offset int64
	Index  int    // 0-based index among the file's record candidates, skipped ones included
	Format Format // container the record was found in
}

// newRecord builds a Record from a parsed top-level object whose eventName
// and eventSource are known to be strings.
func newRecord(raw []byte, m map[string]json.RawMessage, src Source) Record {
	r := Record{
		Raw:          raw,
		Source:       src,
		EventID:      str(m["eventID"]),
		EventSource:  str(m["eventSource"]),
		EventName:    str(m["eventName"]),
		EventVersion: str(m["eventVersion"]),
	}
	if t, err := time.Parse(time.RFC3339, str(m["eventTime"])); err == nil {
		r.EventTime = t
	}
	return r
}

// str returns v as a Go string if it is a JSON string, else "".
func str(v json.RawMessage) string {
	if len(v) == 0 || v[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

// isString reports whether v is present and a JSON string.
func isString(v json.RawMessage) bool {
	return len(v) > 0 && v[0] == '"'
}
