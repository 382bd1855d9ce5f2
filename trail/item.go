package trail

import (
	"fmt"
	"time"
)

// item turns one record candidate into a Record, a skip, or a file error
// (look-alikes). f holds raw's members when raw is an object, else nil.
// kind is the container it came from: FormatRecords holds records;
// FormatLookup holds lookup-events entries; FormatArray and FormatLines hold
// records or EventBridge envelopes; FormatEventBridge holds envelopes only.
func (d *decoder) item(raw []byte, off int64, kind Format, f *fields) error {
	idx := d.index
	raw, f, reason := d.unwrap(raw, kind, f)
	var source, name, version string
	if reason == "" {
		source, version = d.str(f.eventSource.in(raw)), d.str(f.eventVersion.in(raw))
		if why := lookAlike(source, version); why != "" {
			return d.errorf(off, ErrNotCloudTrail, "%s", why)
		}
		name = d.str(f.eventName.in(raw))
		reason = missingFields(raw, f, name, source)
	}
	d.index++
	if reason != "" {
		return d.out.skip(Skip{File: d.name, Offset: off, Index: idx, Reason: reason})
	}
	r := Record{
		Raw:          raw,
		Source:       Source{File: d.name, Offset: off, Index: idx, Format: kind},
		EventID:      unquote(f.eventID.in(raw)),
		EventSource:  source,
		EventName:    name,
		EventVersion: version,
		top:          f.top,
	}
	r.top.set = true
	if t := f.eventTime.in(raw); len(t) > 2 && t[0] == '"' {
		if tm, err := time.Parse(time.RFC3339, unquote(t)); err == nil {
			r.EventTime = tm
		}
	}
	return d.out.record(r)
}

// skip counts a candidate that is not a record, at stream offset off.
func (d *decoder) skip(off int64, reason string) error {
	idx := d.index
	d.index++
	return d.out.skip(Skip{File: d.name, Offset: off, Index: idx, Reason: reason})
}

// unwrap peels lookup-events and EventBridge wrappers. A non-empty reason
// means the candidate is skipped.
func (d *decoder) unwrap(raw []byte, kind Format, f *fields) ([]byte, *fields, string) {
	if f == nil {
		return raw, nil, "not a JSON object"
	}
	switch kind {
	case FormatLookup:
		if !f.cloudTrailEvent.ok() {
			return raw, nil, "lookup-events entry has no CloudTrailEvent"
		}
		ev := f.cloudTrailEvent.in(raw)
		if ev[0] != '"' {
			return raw, nil, "lookup-events CloudTrailEvent is not a JSON string"
		}
		inner := []byte(unquote(ev))
		if len(inner) == 0 || inner[0] != '{' {
			if !validJSON(inner) {
				return raw, nil, "lookup-events CloudTrailEvent does not hold valid JSON"
			}
			return raw, nil, "lookup-events CloudTrailEvent is not a JSON object"
		}
		if end, err := scanObject(inner, 0, &d.g); err != nil || skipSpace(inner, end) != len(inner) {
			return raw, nil, "lookup-events CloudTrailEvent does not hold valid JSON"
		}
		if ro := d.g.readOnly; ro.ok() {
			if s := unquote(ro.in(inner)); s == "true" || s == "false" {
				out := make([]byte, 0, len(inner))
				out = append(append(append(out, inner[:ro.lo]...), s...), inner[ro.hi:]...)
				inner = out
				scanObject(inner, 0, &d.g) // the spans moved; inner is still valid
			}
		}
		return inner, &d.g, ""
	case FormatArray, FormatLines, FormatEventBridge:
		if !f.envelope() {
			if kind == FormatEventBridge {
				return raw, nil, "expected an EventBridge envelope with detail-type and detail"
			}
			break
		}
		raw = f.detail.in(raw)
		if raw[0] != '{' {
			return raw, nil, "EventBridge detail is not a JSON object"
		}
		scanObject(raw, 0, &d.g) // validated with its envelope
		return raw, &d.g, ""
	}
	return raw, f, ""
}

// validJSON reports whether b holds exactly one JSON value.
func validJSON(b []byte) bool {
	i := skipSpace(b, 0)
	if i == len(b) {
		return false
	}
	end, err := skipValue(b, i, true)
	return err == nil && skipSpace(b, end) == len(b)
}

// str decodes a JSON string value, interning the short ones that repeat
// (event sources, names and versions), or returns "" for other values.
func (d *decoder) str(v []byte) string {
	if len(v) < 2 || v[0] != '"' {
		return ""
	}
	if len(v) > 64 || hasEscape(v) {
		return unquote(v)
	}
	if s, ok := d.intern[string(v)]; ok {
		return s
	}
	s := unquote(v)
	if d.intern == nil {
		d.intern = make(map[string]string)
	}
	if len(d.intern) < 4096 {
		d.intern[string(v)] = s
	}
	return s
}

// missingFields names absent or non-string eventName/eventSource, or "".
func missingFields(raw []byte, f *fields, name, source string) string {
	var bad []string
	for _, m := range []struct {
		key string
		v   span
		s   string
	}{{"eventName", f.eventName, name}, {"eventSource", f.eventSource, source}} {
		switch {
		case !m.v.ok():
			bad = append(bad, "missing "+m.key)
		case m.v.in(raw)[0] != '"':
			bad = append(bad, m.key+" is not a string")
		case m.s == "":
			bad = append(bad, m.key+" is empty")
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
