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
	//
	// Raw stays valid after the callback returns: the reader copies records
	// into blocks it never reuses, so a Record may be kept as is. Keeping
	// one keeps its block (up to 256 KiB) alive; copy Raw to keep a few
	// records of a large input. Raw's capacity ends at its length, so
	// appending to it never overwrites the next record.
	Raw json.RawMessage

	Source Source

	EventID      string
	EventTime    time.Time // zero when absent or not RFC 3339
	EventSource  string
	EventName    string
	EventVersion string

	top topMembers // where Raw's members are, when the reader made the Record
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
