package trail

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Dim is a dimension of KMS key usage.
type Dim string

// The dimensions a summary groups by.
const (
	ByKey       Dim = "key"
	ByPrincipal Dim = "principal"
	ByEvent     Dim = "event"
	ByVia       Dim = "via"
	ByDay       Dim = "day"
)

// UsageKey identifies one group of KMS calls.
type UsageKey struct {
	Day       string `json:"day,omitempty"`    // YYYY-MM-DD (UTC); set only when grouped by day
	Key       string `json:"key"`              // resources[AWS::KMS::Key].ARN, else requestParameters.keyId, else "(none)"
	Principal string `json:"principal"`        // userIdentity.arn, else invokedBy or type
	Operation string `json:"operation"`        // eventName
	Via       string `json:"via"`              // s3, ebs, ... from the encryption context, else invokedBy, else "direct"
	Bucket    string `json:"bucket,omitempty"` // for via s3: the bucket in aws:s3:arn
}

// Usage counts the KMS calls of one group.
type Usage struct {
	UsageKey
	Count  int       `json:"count"`
	Errors int       `json:"errors"` // records with an errorCode
	First  time.Time `json:"first"`
	Last   time.Time `json:"last"`
}

// BucketUsage counts the S3 data events on one bucket.
type BucketUsage struct {
	Bucket string         `json:"bucket"`
	Count  int            `json:"count"`
	Errors int            `json:"errors"`
	Events map[string]int `json:"events"` // by eventName
	SSE    map[string]int `json:"sse"`    // by additionalEventData.SSEApplied ("none" when absent)
	First  time.Time      `json:"first"`
	Last   time.Time      `json:"last"`
}

// Summary aggregates KMS key usage and S3 data events from records. The
// zero value is not usable; call NewSummary.
type Summary struct {
	Records    int // records added
	KMSRecords int // eventSource kms.amazonaws.com
	S3Records  int // eventSource s3.amazonaws.com

	usage   map[UsageKey]*Usage // finest grain: Day always set
	buckets map[string]*BucketUsage

	lastDay     time.Time // UTC midnight of the last day formatted
	lastDayName string
	intern      map[string]string
}

// text is a value as gjson's Result.String gives it ("" for null or
// absent), interned when s is not nil: keys, principals and buckets repeat.
func (s *Summary) text(v []byte) string {
	if isNull(v) {
		return ""
	}
	if v[0] == '"' {
		v = v[1 : len(v)-1]
		if hasEscape(v) {
			return unquote(append(append([]byte{'"'}, v...), '"'))
		}
	}
	if s == nil {
		return string(v)
	}
	if t, ok := s.intern[string(v)]; ok {
		return t
	}
	t := string(v)
	if s.intern == nil {
		s.intern = make(map[string]string)
	}
	if len(s.intern) < 1<<16 {
		s.intern[t] = t
	}
	return t
}

// NewSummary returns an empty summary.
func NewSummary() *Summary {
	return &Summary{usage: make(map[UsageKey]*Usage), buckets: make(map[string]*BucketUsage)}
}

// Add accounts for one record; records from other services only count in Records.
func (s *Summary) Add(r Record) {
	s.Records++
	switch r.EventSource {
	case "kms.amazonaws.com":
		s.KMSRecords++
		s.addKMS(r)
	case "s3.amazonaws.com":
		s.S3Records++
		s.addS3(r)
	}
}

func (s *Summary) addKMS(r Record) {
	m := members(r)
	k := UsageKey{
		Day:       s.day(r.EventTime),
		Key:       m.key(s),
		Principal: m.principal(s),
		Operation: r.EventName,
	}
	k.Via, k.Bucket = m.via(s)
	u := s.usage[k]
	if u == nil {
		u = &Usage{UsageKey: k}
		s.usage[k] = u
	}
	u.Count++
	if m.failed() {
		u.Errors++
	}
	widen(&u.First, &u.Last, r.EventTime)
}

func (s *Summary) addS3(r Record) {
	m := members(r)
	name := s.text(memberValues(m.requestParameters, "bucketName")[0])
	if name == "" {
		name = "(none)"
	}
	b := s.buckets[name]
	if b == nil {
		b = &BucketUsage{Bucket: name, Events: map[string]int{}, SSE: map[string]int{}}
		s.buckets[name] = b
	}
	b.Count++
	if m.failed() {
		b.Errors++
	}
	b.Events[r.EventName]++
	sse := s.text(memberValues(m.additionalEventData, "SSEApplied")[0])
	if sse == "" {
		sse = "none"
	}
	b.SSE[sse]++
	widen(&b.First, &b.Last, r.EventTime)
}

// day formats t's UTC day, reusing the last answer: records come mostly in
// time order.
func (s *Summary) day(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	t = t.UTC()
	if d := s.lastDay; !d.IsZero() && !t.Before(d) && t.Before(d.AddDate(0, 0, 1)) {
		return s.lastDayName
	}
	y, mo, dd := t.Date()
	s.lastDay = time.Date(y, mo, dd, 0, 0, 0, 0, time.UTC)
	s.lastDayName = s.lastDay.Format(time.DateOnly)
	return s.lastDayName
}

func widen(first, last *time.Time, t time.Time) {
	if t.IsZero() {
		return
	}
	if first.IsZero() || t.Before(*first) {
		*first = t
	}
	if last.IsZero() || t.After(*last) {
		*last = t
	}
}

// Usage returns the KMS usage grouped by key, principal, operation and via
// (and by day too when by is ByDay), sorted with by as the first sort key,
// then day, key, principal, operation, via and bucket.
func (s *Summary) Usage(by Dim) []Usage {
	merged := make(map[UsageKey]*Usage)
	for k, u := range s.usage {
		if by != ByDay {
			k.Day = ""
		}
		m := merged[k]
		if m == nil {
			m = &Usage{UsageKey: k}
			merged[k] = m
		}
		m.Count += u.Count
		m.Errors += u.Errors
		widen(&m.First, &m.Last, u.First)
		widen(&m.First, &m.Last, u.Last)
	}
	out := make([]Usage, 0, len(merged))
	for _, u := range merged {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Usage) int {
		return cmp.Or(
			cmp.Compare(a.Dim(by), b.Dim(by)),
			cmp.Compare(a.Day, b.Day),
			cmp.Compare(a.Key, b.Key),
			cmp.Compare(a.Principal, b.Principal),
			cmp.Compare(a.Operation, b.Operation),
			cmp.Compare(a.Via, b.Via),
			cmp.Compare(a.Bucket, b.Bucket),
		)
	})
	return out
}

// Dim returns the key's value for a dimension.
func (k UsageKey) Dim(d Dim) string {
	switch d {
	case ByDay:
		return k.Day
	case ByPrincipal:
		return k.Principal
	case ByEvent:
		return k.Operation
	case ByVia:
		return k.Via
	}
	return k.Key
}

// Buckets returns the S3 data event counts per bucket, sorted by bucket.
func (s *Summary) Buckets() []BucketUsage {
	out := make([]BucketUsage, 0, len(s.buckets))
	for _, b := range s.buckets {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b BucketUsage) int { return cmp.Compare(a.Bucket, b.Bucket) })
	return out
}

// recordMembers are the top-level members a summary reads (the first of
// repeated keys, as gjson paths find), nil when absent.
type recordMembers struct {
	resources, requestParameters, userIdentity, errorCode, additionalEventData []byte
}

// members finds them where the reader noted them, else in one pass.
func members(r Record) recordMembers {
	t := r.top
	if !t.set {
		var f fields
		if len(r.Raw) == 0 || r.Raw[0] != '{' {
			return recordMembers{}
		}
		if _, err := scanObject(r.Raw, 0, &f); err != nil {
			return recordMembers{}
		}
		t = f.top
	}
	at := func(s span) []byte {
		if !s.ok() {
			return nil
		}
		return s.in(r.Raw)
	}
	return recordMembers{at(t.resources), at(t.requestParameters), at(t.userIdentity), at(t.errorCode), at(t.additionalEventData)}
}

// failed reports an errorCode whose string form is not empty.
func (m recordMembers) failed() bool {
	e := m.errorCode
	return len(e) > 0 && string(e) != "null" && string(e) != `""`
}

// KeyOf returns the KMS key a record is about: the AWS::KMS::Key resource
// ARN, else requestParameters.keyId, else "(none)".
func KeyOf(r Record) string { return members(r).key(nil) }

func (m recordMembers) key(s *Summary) string {
	var arn, untyped []byte
	eachElement(m.resources, func(v []byte) bool {
		r := memberValues(v, "type", "ARN")
		if len(r[0]) > 0 && r[0][0] == '"' && s.text(r[0]) == "AWS::KMS::Key" {
			arn = r[1]
			return false
		}
		// Older KMS records (eventVersion 1.02) list resources without a type.
		if len(r[0]) == 0 && untyped == nil && isKeyARN(s.text(r[1])) {
			untyped = r[1]
		}
		return true
	})
	if arn == nil {
		arn = untyped
	}
	if v := s.text(arn); v != "" {
		return v
	}
	if v := s.text(memberValues(m.requestParameters, "keyId")[0]); v != "" {
		return v
	}
	return "(none)"
}

// isKeyARN reports whether s is a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID).
func isKeyARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "kms" && strings.HasPrefix(parts[5], "key/")
}

// PrincipalOf names the caller: userIdentity.arn; for AWSService identities
// invokedBy; for AWSAccount identities "account:ID"; else invokedBy, else
// the identity type, else "(unknown)".
func PrincipalOf(r Record) string { return members(r).principal(nil) }

func (m recordMembers) principal(s *Summary) string {
	id := memberValues(m.userIdentity, "arn", "type", "invokedBy", "accountId")
	arn, typ, by, acct := s.text(id[0]), s.text(id[1]), s.text(id[2]), s.text(id[3])
	switch {
	case arn != "":
		return arn
	case typ == "AWSService" && by != "":
		return by
	case typ == "AWSAccount" && acct != "":
		return "account:" + acct
	case by != "":
		return by
	case typ != "":
		return typ
	}
	return "(unknown)"
}

// viaContext maps encryption context keys to the service that set them, in
// the order they are tried. CloudTrail delivering its log files sets both
// aws:cloudtrail:arn and aws:s3:arn (of the log file): it comes first.
var viaContext = []struct{ key, via string }{
	{"aws:cloudtrail:arn", "cloudtrail"},
	{"aws:s3:arn", "s3"},
	{"aws:s3express:arn", "s3express"},
	{"aws:ebs:id", "ebs"},
	{"aws:lambda:FunctionArn", "lambda"},
	{"aws:logs:arn", "logs"},
	{"aws:rds:db-id", "rds"},
	{"SecretARN", "secretsmanager"},
	{"PARAMETER_ARN", "ssm"},
}

// ViaOf says which service made a KMS call: from the encryption context
// (with the bucket for S3), else userIdentity.invokedBy without
// ".amazonaws.com", else "direct".
func ViaOf(r Record) (via, bucket string) { return members(r).via(nil) }

func (m recordMembers) via(s *Summary) (via, bucket string) {
	best, value := len(viaContext), []byte(nil)
	eachMember(memberValues(m.requestParameters, "encryptionContext")[0], func(k, v []byte) bool {
		for i, c := range viaContext[:min(best+1, len(viaContext))] {
			if keyIs(k, c.key) { // the last of repeated keys wins
				best, value = i, v
				break
			}
		}
		return true
	})
	if best < len(viaContext) {
		c := viaContext[best]
		if c.via == "s3" {
			bucket = s3Bucket(s.text(value))
		}
		return c.via, bucket
	}
	if by := s.text(memberValues(m.userIdentity, "invokedBy")[0]); by != "" {
		return strings.TrimSuffix(by, ".amazonaws.com"), ""
	}
	return "direct", ""
}

// s3Bucket returns the bucket of an S3 ARN (arn:PARTITION:s3:::bucket/key).
func s3Bucket(arn string) string {
	i := strings.Index(arn, ":::")
	if i < 0 {
		return ""
	}
	b, _, _ := strings.Cut(arn[i+3:], "/")
	return b
}
