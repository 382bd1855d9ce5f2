package trail

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"
)

// item turns one record candidate into a Record, a skip, a duplicate, or a
// file error (look-alikes). kind is the container it came from:
// FormatRecords holds records; FormatLookup holds lookup-events entries;
// FormatArray and FormatLines hold records or EventBridge envelopes;
// FormatEventBridge holds envelopes only.
func (rd *reader) item(raw []byte, off int64, kind Format) error {
	idx := rd.index
	raw, m, reason := rd.unwrap(raw, kind)
	if reason == "" {
		if why := lookAlike(m); why != "" {
			return rd.errorf(off, ErrNotCloudTrail, "%s", why)
		}
		reason = missingFields(m)
	}
	rd.index++
	st := &rd.s.stats
	st.Read++
	if reason != "" {
		rd.skipAt(off, idx, reason)
		return nil
	}
	r := newRecord(raw, m, Source{File: rd.name, Offset: off + rd.base, Index: idx, Format: kind})
	if r.EventID != "" {
		if _, dup := rd.s.seen[r.EventID]; dup {
			st.Duplicates++
			return nil
		}
		rd.s.seen[r.EventID] = struct{}{}
	}
	st.Parsed++
	if err := rd.s.fn(r); err != nil {
		return &callbackError{err}
	}
	return nil
}

// unwrap decodes the candidate and peels lookup-events and EventBridge
// wrappers. A non-empty reason means the candidate is skipped.
func (rd *reader) unwrap(raw []byte, kind Format) ([]byte, map[string]json.RawMessage, string) {
	m, ok := object(raw)
	if !ok {
		return raw, nil, "not a JSON object"
	}
	switch kind {
	case FormatLookup:
		ev, ok := m["CloudTrailEvent"]
		if !ok {
			return raw, nil, "lookup-events entry has no CloudTrailEvent"
		}
		if !isString(ev) {
			return raw, nil, "lookup-events CloudTrailEvent is not a JSON string"
		}
		inner := []byte(str(ev))
		if !json.Valid(inner) {
			return raw, nil, "lookup-events CloudTrailEvent does not hold valid JSON"
		}
		raw = normalizeReadOnly(inner)
		if m, ok = object(raw); !ok {
			return raw, nil, "lookup-events CloudTrailEvent is not a JSON object"
		}
	case FormatArray, FormatLines, FormatEventBridge:
		if !isEnvelope(m) {
			if kind == FormatEventBridge {
				return raw, nil, "expected an EventBridge envelope with detail-type and detail"
			}
			break
		}
		raw = m["detail"]
		if m, ok = object(raw); !ok {
			return raw, nil, "EventBridge detail is not a JSON object"
		}
	}
	return raw, m, ""
}

// object splits raw, a JSON object the decoder already validated, into its top-level members
// (the last of repeated keys wins, as with encoding/json). gjson walks it without decoding the
// values, which the record's consumers look up themselves.
func object(raw []byte) (map[string]json.RawMessage, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	m := make(map[string]json.RawMessage, 16)
	gjson.ParseBytes(raw).ForEach(func(k, v gjson.Result) bool {
		m[k.String()] = json.RawMessage(v.Raw)
		return true
	})
	return m, true
}

// missingFields names absent or non-string eventName/eventSource, or "".
func missingFields(m map[string]json.RawMessage) string {
	var bad []string
	for _, k := range []string{"eventName", "eventSource"} {
		v, ok := m[k]
		switch {
		case !ok:
			bad = append(bad, "missing "+k)
		case !isString(v):
			bad = append(bad, k+" is not a string")
		case str(v) == "":
			bad = append(bad, k+" is empty")
		}
	}
	switch len(bad) {
	case 0:
		return ""
	case 1:
		return bad[0]
	}
	return fmt.Sprintf("%s; %s", bad[0], bad[1])
}

func (rd *reader) skip(off int64, reason string) {
	rd.skipAt(off, rd.index, reason)
	rd.index++
}

func (rd *reader) skipAt(off int64, idx int, reason string) {
	st := &rd.s.stats
	st.Skipped++
	st.Skips = append(st.Skips, Skip{File: rd.name, Offset: off + rd.base, Index: idx, Reason: reason})
}
