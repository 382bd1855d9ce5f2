package trail

import "bytes"

// span is a member value's bytes [lo, hi) counted from its object's '{';
// hi == 0 when the member is absent.
type span struct{ lo, hi int }

func (s span) ok() bool { return s.hi > 0 }

// in returns the span's bytes in raw, the object it was found in.
func (s span) in(raw []byte) []byte { return raw[s.lo:s.hi] }

// fields are the top-level members of an object that reading looks at,
// found while the object is validated. As with decoding into a map, the
// last of repeated keys wins (readOnly: the first, as lookup-events
// normalization has always done).
type fields struct {
	eventID, eventTime, eventSource, eventName, eventVersion span
	readOnly                                                 span
	detailType, detail, cloudTrailEvent, topicArn            span
	digest                                                   uint8 // bit i: digestKeys[i] present
	top                                                      topMembers
}

// topMembers locate the members a Summary reads (the first of repeated
// keys, as gjson paths find), so it need not walk the record again.
type topMembers struct {
	resources, requestParameters, userIdentity, errorCode, additionalEventData span
	set                                                                        bool
}

func first(dst *span, v span) {
	if !dst.ok() {
		*dst = v
	}
}

// note records the member key (its bytes between the quotes) with value span v.
func (f *fields) note(key []byte, v span) {
	if len(key) == 0 {
		return
	}
	switch key[0] {
	case 'e', 'r', 'u', 'd', 'C', 'T', 'a':
	case '\\':
		f.noteEscaped(key, v)
		return
	default:
		return
	}
	switch string(key) {
	case "eventID":
		f.eventID = v
	case "eventTime":
		f.eventTime = v
	case "eventSource":
		f.eventSource = v
	case "eventName":
		f.eventName = v
	case "eventVersion":
		f.eventVersion = v
	case "readOnly":
		first(&f.readOnly, v)
	case "userIdentity":
		first(&f.top.userIdentity, v)
	case "resources":
		first(&f.top.resources, v)
	case "requestParameters":
		first(&f.top.requestParameters, v)
	case "errorCode":
		first(&f.top.errorCode, v)
	case "additionalEventData":
		first(&f.top.additionalEventData, v)
	case "detail-type":
		f.detailType = v
	case "detail":
		f.detail = v
	case "CloudTrailEvent":
		f.cloudTrailEvent = v
	case "TopicArn":
		f.topicArn = v
	default:
		if key[0] == 'd' {
			for i, k := range digestKeys {
				if string(key) == k {
					f.digest |= 1 << i
				}
			}
		}
		if hasEscape(key) {
			f.noteEscaped(key, v)
		}
	}
}

func (f *fields) noteEscaped(key []byte, v span) {
	if !hasEscape(key) {
		return
	}
	q := make([]byte, 0, len(key)+2)
	q = append(append(append(q, '"'), key...), '"')
	if k := unquote(q); k != "" && !hasEscape([]byte(k)) {
		f.note([]byte(k), v)
	}
}

func hasEscape(b []byte) bool { return bytes.IndexByte(b, '\\') >= 0 }

// recordish reports a member that marks a CloudTrail record (recordKeys).
func (f *fields) recordish() bool {
	return f.top.userIdentity.ok() || f.eventID.ok() || f.eventTime.ok() || f.eventSource.ok() || f.eventName.ok() || f.eventVersion.ok()
}

func (f *fields) envelope() bool { return f.detailType.ok() && f.detail.ok() }

// digestKey returns the first of digestKeys present, or "".
func (f *fields) digestKey() string {
	for i, k := range digestKeys {
		if f.digest&(1<<i) != 0 {
			return k
		}
	}
	return ""
}

// scanObject validates the object starting at b[i] == '{', fills f and
// returns the object's end.
func scanObject(b []byte, i int, f *fields) (int, error) {
	*f = fields{}
	end, _, _, err := scanMembers(b, i+1, i, true, nil, f)
	return end, err
}

// scanMembers scans object members from b[i]: the first member or '}' when
// first, else the ',' or '}' after a member. start is the object's '{'.
// When stop names a key (in the Records/Events sense of container), scanning
// stops at that key's value and returns its start and the key; otherwise it
// returns the object's end.
func scanMembers(b []byte, i, start int, first bool, stop func(key []byte) Format, f *fields) (end, value int, key Format, err error) {
	if i = skipSpace(b, i); i >= len(b) {
		return i, 0, FormatAuto, errShort
	}
	if b[i] == '}' {
		return i + 1, 0, FormatAuto, nil
	}
	if !first {
		if b[i] != ',' {
			return i, 0, FormatAuto, badChar(i, b[i], "after object key:value pair")
		}
		if i = skipSpace(b, i+1); i >= len(b) {
			return i, 0, FormatAuto, errShort
		}
	}
	for {
		ks := i
		var ke int
		if ke, i, err = memberKey(b, i); err != nil {
			return i, 0, FormatAuto, err
		}
		k := b[ks+1 : ke-1]
		if stop != nil {
			if kind := stop(k); kind != FormatAuto {
				return i, i, kind, nil
			}
		}
		vs := i
		if i, err = skipValue(b, i, false); err != nil {
			return i, 0, FormatAuto, err
		}
		f.note(k, span{vs - start, i - start})
		if i = skipSpace(b, i); i >= len(b) {
			return i, 0, FormatAuto, errShort
		}
		switch b[i] {
		case '}':
			return i + 1, 0, FormatAuto, nil
		case ',':
		default:
			return i, 0, FormatAuto, badChar(i, b[i], "after object key:value pair")
		}
		if i = skipSpace(b, i+1); i >= len(b) {
			return i, 0, FormatAuto, errShort
		}
	}
}
