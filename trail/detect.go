package trail

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"
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

// digestKeys mark a CloudTrail digest file.
var digestKeys = []string{"digestStartTime", "digestEndTime", "digestPublicKeyFingerprint", "digestSignatureAlgorithm", "digestS3Object"}

// lookAlike reports why a record-shaped object is not CloudTrail, or "",
// from its eventSource and eventVersion. S3 Event Notifications (and their
// SQS/SNS cousins) use eventSource "aws:<svc>" and eventVersion 2.x.
func lookAlike(es, ev string) string {
	if !strings.HasPrefix(es, "aws:") || !strings.HasPrefix(ev, "2.") {
		return ""
	}
	if es == "aws:s3" {
		return fmt.Sprintf("S3 Event Notification (eventSource %q, eventVersion %q), not a CloudTrail record", es, ev)
	}
	return fmt.Sprintf("AWS event notification (eventSource %q, eventVersion %q), not a CloudTrail record", es, ev)
}

// describeObject names what an unrecognised top-level object looks like.
func describeObject(raw []byte, f *fields) string {
	if k := f.digestKey(); k != "" {
		return fmt.Sprintf("found a CloudTrail digest file (%s), not records", k)
	}
	if f.topicArn.ok() {
		return "found an SNS notification (TopicArn, Message), not records"
	}
	seen := map[string]bool{}
	var keys []string
	gjson.ParseBytes(raw).ForEach(func(k, _ gjson.Result) bool {
		s := k.String()
		if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
			s = strconv.Quote(s) // one line, whatever the key holds
		}
		if !seen[s] {
			seen[s] = true
			keys = append(keys, s)
		}
		return true
	})
	sort.Strings(keys)
	if len(keys) > 6 {
		keys = append(keys[:6], "...")
	}
	return fmt.Sprintf("expected CloudTrail records (Records, Events, a record or an EventBridge envelope), found an object with keys [%s]", strings.Join(keys, ", "))
}
