package trail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Format is a container shape. FormatAuto detects it from content.
type Format int

const (
	FormatAuto        Format = iota
	FormatRecords            // {"Records":[r, ...]}: trail delivery files
	FormatLookup             // {"Events":[{"CloudTrailEvent":"<json>"}]}: aws cloudtrail lookup-events
	FormatLines              // one record per line (any whitespace-separated JSON objects)
	FormatArray              // [r, ...]
	FormatEventBridge        // {"detail-type":..., "detail": r}, singly, per line or in an array
)

var formatNames = map[Format]string{
	FormatAuto:        "auto",
	FormatRecords:     "records",
	FormatLookup:      "lookup-events",
	FormatLines:       "jsonl",
	FormatArray:       "array",
	FormatEventBridge: "eventbridge",
}

func (f Format) String() string {
	if s, ok := formatNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat maps a name from Format.String back to a Format.
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if name == s {
			return f, nil
		}
	}
	return FormatAuto, fmt.Errorf("unknown trail format %q (want auto, records, lookup-events, jsonl, array or eventbridge)", s)
}

// recordKeys mark a top-level object as a CloudTrail record.
var recordKeys = []string{"eventVersion", "eventSource", "eventName", "eventID", "eventTime", "userIdentity"}

// digestKeys mark a CloudTrail digest file.
var digestKeys = []string{"digestStartTime", "digestEndTime", "digestPublicKeyFingerprint", "digestSignatureAlgorithm", "digestS3Object"}

func hasAny(m map[string]json.RawMessage, keys []string) (string, bool) {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return k, true
		}
	}
	return "", false
}

func isEnvelope(m map[string]json.RawMessage) bool {
	_, dt := m["detail-type"]
	_, d := m["detail"]
	return dt && d
}

// lookAlike reports why a record-shaped object is not CloudTrail, or "".
// S3 Event Notifications (and their SQS/SNS cousins) use eventSource
// "aws:<svc>" and eventVersion 2.x.
func lookAlike(m map[string]json.RawMessage) string {
	es, ev := str(m["eventSource"]), str(m["eventVersion"])
	if !strings.HasPrefix(es, "aws:") || !strings.HasPrefix(ev, "2.") {
		return ""
	}
	if es == "aws:s3" {
		return fmt.Sprintf("S3 Event Notification (eventSource %q, eventVersion %q), not a CloudTrail record", es, ev)
	}
	return fmt.Sprintf("AWS event notification (eventSource %q, eventVersion %q), not a CloudTrail record", es, ev)
}

// describeObject names what an unrecognised top-level object looks like.
func describeObject(m map[string]json.RawMessage) string {
	if k, ok := hasAny(m, digestKeys); ok {
		return fmt.Sprintf("found a CloudTrail digest file (%s), not records", k)
	}
	if _, ok := m["TopicArn"]; ok {
		return "found an SNS notification (TopicArn, Message), not records"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 6 {
		keys = append(keys[:6], "...")
	}
	return fmt.Sprintf("expected CloudTrail records (Records, Events, a record or an EventBridge envelope), found an object with keys [%s]", strings.Join(keys, ", "))
}

// normalizeReadOnly rewrites a top-level "readOnly":"true"/"false" string
// into a JSON boolean, leaving every other byte as it was.
func normalizeReadOnly(raw []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return raw
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return raw
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return raw
		}
		if kt != json.Token("readOnly") {
			continue
		}
		s := str(v)
		if s != "true" && s != "false" {
			return raw
		}
		end := dec.InputOffset()
		start := end - int64(len(v))
		out := make([]byte, 0, len(raw))
		out = append(out, raw[:start]...)
		out = append(out, s...)
		return append(out, raw[end:]...)
	}
	return raw
}
