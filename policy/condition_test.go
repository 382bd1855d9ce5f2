package policy

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"
)

const (
	acct    = "111122223333"
	userBob = "arn:aws:iam::111122223333:user/Bob"
	roleApp = "arn:aws:sts::111122223333:assumed-role/app/session1"
	objARN  = "arn:aws:s3:::bucket/home/Bob/file.txt"
)

// ctxKey is one context key; nil values mean present with no values.
type ctxKey struct {
	key    string
	values []string
}

func ctx(pairs ...any) []ctxKey {
	var out []ctxKey
	for i := 0; i < len(pairs); i += 2 {
		k := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case string:
			out = append(out, ctxKey{k, []string{v}})
		case []string:
			out = append(out, ctxKey{k, v})
		case nil:
			out = append(out, ctxKey{k, nil})
		}
	}
	return out
}

// condCase is an identity policy with one Allow statement for s3:GetObject carrying the given
// Condition block; the request is allowed exactly when the condition is true.
type condCase struct {
	name      string
	version   string // "" for no Version element
	cond      string
	resource  string // the statement's Resource; "*" when empty
	principal string // userBob when empty
	reqRes    string // the request's resource; objARN when empty
	ctx       []ctxKey
	want      bool // the condition (and so the statement) applies
}

var condNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func (c condCase) policyText() string {
	res := c.resource
	if res == "" {
		res = "*"
	}
	resJSON, _ := json.Marshal(res)
	var b strings.Builder
	b.WriteString("{")
	if c.version != "none" {
		v := c.version
		if v == "" {
			v = Version2012
		}
		b.WriteString(`"Version": "` + v + `", `)
	}
	b.WriteString(`"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ` + string(resJSON))
	if c.cond != "" {
		b.WriteString(`, "Condition": ` + c.cond)
	}
	b.WriteString("}]}")
	return b.String()
}

func (c condCase) request(t testing.TB) *Request {
	p := c.principal
	if p == "" {
		p = userBob
	}
	res := c.reqRes
	if res == "" {
		res = objARN
	}
	req := &Request{Principal: mustPrincipal(t, p), Action: "s3:GetObject", Resource: res, ResourceAccount: acct, Time: condNow}
	for _, kv := range c.ctx {
		req.Context.Set(kv.key, kv.values...)
	}
	return req
}

func runCondCases(t *testing.T, tests []condCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("identity.json", Identity, []byte(tt.policyText()))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			set := &Set{Identity: []*Policy{p}}
			want := ImplicitDeny
			if tt.want {
				want = Allow
			}
			if d := set.Evaluate(tt.request(t)); d.Outcome != want {
				t.Errorf("%s\ncontext %v: got %v, want %v", tt.policyText(), tt.ctx, d.Outcome, want)
			}
		})
	}
}

// TestStringOperators follows the IAM User Guide, "Condition operators": string operators are
// case-sensitive except ...IgnoreCase; StringLike takes * and ? anywhere in the value; several
// policy values for one key are ORed; negated operators are true when no value matches.
func TestStringOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "StringEquals match", cond: `{"StringEquals": {"s3:prefix": "home/"}}`, ctx: ctx("s3:prefix", "home/"), want: true},
		{name: "StringEquals is case-sensitive", cond: `{"StringEquals": {"s3:prefix": "home/"}}`, ctx: ctx("s3:prefix", "Home/"), want: false},
		{name: "StringEquals has no wildcards", cond: `{"StringEquals": {"s3:prefix": "home/*"}}`, ctx: ctx("s3:prefix", "home/x"), want: false},
		{name: "StringEquals literal star", cond: `{"StringEquals": {"s3:prefix": "home/*"}}`, ctx: ctx("s3:prefix", "home/*"), want: true},
		{name: "StringEquals missing key", cond: `{"StringEquals": {"s3:prefix": "home/"}}`, want: false},
		{name: "several policy values are ORed", cond: `{"StringEquals": {"s3:prefix": ["a", "b"]}}`, ctx: ctx("s3:prefix", "b"), want: true},
		{name: "several policy values, none matches", cond: `{"StringEquals": {"s3:prefix": ["a", "b"]}}`, ctx: ctx("s3:prefix", "c"), want: false},
		{name: "StringNotEquals, no value matches (NOR)", cond: `{"StringNotEquals": {"s3:prefix": ["a", "b"]}}`, ctx: ctx("s3:prefix", "c"), want: true},
		{name: "StringNotEquals, first value matches", cond: `{"StringNotEquals": {"s3:prefix": ["a", "b"]}}`, ctx: ctx("s3:prefix", "a"), want: false},
		{name: "StringNotEquals, second value matches", cond: `{"StringNotEquals": {"s3:prefix": ["a", "b"]}}`, ctx: ctx("s3:prefix", "b"), want: false},
		{name: "StringNotEquals is true when the key is absent", cond: `{"StringNotEquals": {"s3:prefix": "a"}}`, want: true},
		{name: "key names are case-insensitive (policy)", cond: `{"StringEquals": {"S3:Prefix": "home/"}}`, ctx: ctx("s3:prefix", "home/"), want: true},
		{name: "key names are case-insensitive (request)", cond: `{"StringEquals": {"s3:prefix": "home/"}}`, ctx: ctx("S3:PREFIX", "home/"), want: true},
		{name: "derived aws:username", cond: `{"StringEquals": {"aws:username": "Bob"}}`, want: true},
		{name: "derived aws:username is case-sensitive", cond: `{"StringEquals": {"aws:username": "bob"}}`, want: false},
		{name: "StringEqualsIgnoreCase", cond: `{"StringEqualsIgnoreCase": {"s3:prefix": "HOME/"}}`, ctx: ctx("s3:prefix", "home/"), want: true},
		{name: "StringEqualsIgnoreCase different text", cond: `{"StringEqualsIgnoreCase": {"s3:prefix": "HOME/"}}`, ctx: ctx("s3:prefix", "work/"), want: false},
		{name: "StringNotEqualsIgnoreCase", cond: `{"StringNotEqualsIgnoreCase": {"s3:prefix": "HOME/"}}`, ctx: ctx("s3:prefix", "home/"), want: false},
		{name: "StringLike *", cond: `{"StringLike": {"s3:prefix": "home/*"}}`, ctx: ctx("s3:prefix", "home/bob/x"), want: true},
		{name: "StringLike * matches nothing", cond: `{"StringLike": {"s3:prefix": "home/*"}}`, ctx: ctx("s3:prefix", "home/"), want: true},
		{name: "StringLike * in the middle", cond: `{"StringLike": {"s3:prefix": "h*/x"}}`, ctx: ctx("s3:prefix", "home/bob/x"), want: true},
		{name: "StringLike ?", cond: `{"StringLike": {"s3:prefix": "h?me/"}}`, ctx: ctx("s3:prefix", "hime/"), want: true},
		{name: "StringLike ? is exactly one character", cond: `{"StringLike": {"s3:prefix": "home/?"}}`, ctx: ctx("s3:prefix", "home/ab"), want: false},
		{name: "StringLike ? matches a multi-byte character", cond: `{"StringLike": {"s3:prefix": "home/?"}}`, ctx: ctx("s3:prefix", "home/é"), want: true},
		{name: "StringLike is case-sensitive", cond: `{"StringLike": {"s3:prefix": "home/*"}}`, ctx: ctx("s3:prefix", "HOME/x"), want: false},
		{name: "StringNotLike", cond: `{"StringNotLike": {"s3:prefix": "home/*"}}`, ctx: ctx("s3:prefix", "work/x"), want: true},
		{name: "StringNotLike matching", cond: `{"StringNotLike": {"s3:prefix": ["work/*", "home/*"]}}`, ctx: ctx("s3:prefix", "home/x"), want: false},
		{name: "StringNotLike absent key", cond: `{"StringNotLike": {"s3:prefix": "home/*"}}`, want: true},
		{name: "several keys are ANDed", cond: `{"StringEquals": {"s3:prefix": "a", "aws:username": "Bob"}}`, ctx: ctx("s3:prefix", "a"), want: true},
		{name: "several keys, one false", cond: `{"StringEquals": {"s3:prefix": "b", "aws:username": "Bob"}}`, ctx: ctx("s3:prefix", "a"), want: false},
		{name: "several operators are ANDed", cond: `{"StringEquals": {"aws:username": "Bob"}, "StringLike": {"s3:prefix": "x*"}}`, ctx: ctx("s3:prefix", "a"), want: false},
		{name: "number as a string value", cond: `{"StringEquals": {"s3:max-keys": 10}}`, ctx: ctx("s3:max-keys", "10"), want: true},
	})
}

// TestNumericDateBoolOperators: Numeric and Date operators compare parsed values (a value that
// does not parse matches nothing); dates are W3C ISO 8601 or epoch seconds; Bool compares
// true/false.
func TestNumericDateBoolOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "NumericLessThan decimal", cond: `{"NumericLessThan": {"s3:max-keys": "10"}}`, ctx: ctx("s3:max-keys", "9.5"), want: true},
		{name: "NumericLessThan equal", cond: `{"NumericLessThan": {"s3:max-keys": "10"}}`, ctx: ctx("s3:max-keys", "10"), want: false},
		{name: "NumericLessThanEquals", cond: `{"NumericLessThanEquals": {"s3:max-keys": "10"}}`, ctx: ctx("s3:max-keys", "10.0"), want: true},
		{name: "NumericGreaterThan decimals", cond: `{"NumericGreaterThan": {"s3:max-keys": "1.5"}}`, ctx: ctx("s3:max-keys", "1.25"), want: false},
		{name: "NumericGreaterThanEquals JSON number", cond: `{"NumericGreaterThanEquals": {"s3:max-keys": 10}}`, ctx: ctx("s3:max-keys", "10"), want: true},
		{name: "NumericEquals compares values", cond: `{"NumericEquals": {"s3:max-keys": "1.50"}}`, ctx: ctx("s3:max-keys", "1.5"), want: true},
		{name: "NumericNotEquals", cond: `{"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}`, ctx: ctx("s3:max-keys", "3"), want: true},
		{name: "NumericNotEquals matching", cond: `{"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}`, ctx: ctx("s3:max-keys", "2"), want: false},
		{name: "Numeric unparseable request value", cond: `{"NumericLessThan": {"s3:max-keys": "10"}}`, ctx: ctx("s3:max-keys", "ten"), want: false},
		{name: "Numeric missing key", cond: `{"NumericLessThan": {"s3:max-keys": "10"}}`, want: false},
		{name: "NumericLessThanIfExists missing key", cond: `{"NumericLessThanIfExists": {"s3:max-keys": "10"}}`, want: true},
		{name: "NumericLessThanIfExists present and false", cond: `{"NumericLessThanIfExists": {"s3:max-keys": "10"}}`, ctx: ctx("s3:max-keys", "11"), want: false},

		{name: "DateLessThan ISO 8601", cond: `{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}`, ctx: ctx("aws:CurrentTime", "2025-06-01T12:00:00Z"), want: true},
		{name: "DateLessThan derived aws:CurrentTime", cond: `{"DateLessThan": {"aws:CurrentTime": "2025-06-01T12:00:01Z"}}`, want: true},
		{name: "DateGreaterThan derived aws:CurrentTime", cond: `{"DateGreaterThan": {"aws:CurrentTime": "2025-06-01T12:00:01Z"}}`, want: false},
		{name: "Date offsets denote instants", cond: `{"DateGreaterThan": {"aws:CurrentTime": "2025-06-01T12:00:00Z"}}`, ctx: ctx("aws:CurrentTime", "2025-06-01T13:00:00+02:00"), want: false},
		{name: "DateEquals fractional seconds", cond: `{"DateEquals": {"aws:CurrentTime": "2025-06-01T12:00:00Z"}}`, ctx: ctx("aws:CurrentTime", "2025-06-01T12:00:00.000Z"), want: true},
		{name: "DateNotEquals", cond: `{"DateNotEquals": {"aws:CurrentTime": "2025-06-01T12:00:00Z"}}`, ctx: ctx("aws:CurrentTime", "2025-06-01T12:00:01Z"), want: true},
		{name: "Date policy value a calendar date", cond: `{"DateLessThan": {"aws:CurrentTime": "2026-01-01"}}`, ctx: ctx("aws:CurrentTime", "2025-12-31T23:59:59Z"), want: true},
		{name: "Date policy value epoch seconds", cond: `{"DateLessThan": {"aws:CurrentTime": "1767225600"}}`, ctx: ctx("aws:CurrentTime", "2025-12-31T23:59:59Z"), want: true},
		{name: "Date policy value epoch seconds, later", cond: `{"DateGreaterThanEquals": {"aws:CurrentTime": "1767225600"}}`, ctx: ctx("aws:CurrentTime", "2025-12-31T23:59:59Z"), want: false},
		{name: "Date request value epoch seconds", cond: `{"DateGreaterThanEquals": {"aws:EpochTime": "2025-01-01T00:00:00Z"}}`, ctx: ctx("aws:EpochTime", "1735689600"), want: true},
		{name: "derived aws:EpochTime", cond: `{"DateLessThanEquals": {"aws:EpochTime": "1748779200"}}`, want: true},
		{name: "derived aws:EpochTime, later", cond: `{"DateGreaterThan": {"aws:EpochTime": "1748779200"}}`, want: false},
		{name: "Date unparseable request value", cond: `{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}`, ctx: ctx("aws:CurrentTime", "yesterday"), want: false},

		{name: "Bool true", cond: `{"Bool": {"aws:SecureTransport": "true"}}`, ctx: ctx("aws:SecureTransport", "true"), want: true},
		{name: "Bool false value", cond: `{"Bool": {"aws:SecureTransport": "true"}}`, ctx: ctx("aws:SecureTransport", "false"), want: false},
		{name: "Bool missing key", cond: `{"Bool": {"aws:SecureTransport": "false"}}`, want: false},
		{name: "Bool JSON true", cond: `{"Bool": {"aws:SecureTransport": true}}`, ctx: ctx("aws:SecureTransport", "true"), want: true},
		{name: "Bool JSON false", cond: `{"Bool": {"aws:SecureTransport": false}}`, ctx: ctx("aws:SecureTransport", "false"), want: true},
		{name: "Bool JSON false against true", cond: `{"Bool": {"aws:SecureTransport": false}}`, ctx: ctx("aws:SecureTransport", "true"), want: false},
		{name: "BoolIfExists missing key", cond: `{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`, want: true},
		{name: "BoolIfExists present", cond: `{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`, ctx: ctx("aws:MultiFactorAuthPresent", "true"), want: false},

		{name: "BinaryEquals base64", cond: `{"BinaryEquals": {"custom:blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, ctx: ctx("custom:blob", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), want: true},
		{name: "BinaryEquals different bytes", cond: `{"BinaryEquals": {"custom:blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, ctx: ctx("custom:blob", "QUJD"), want: false},
		{name: "BinaryEquals missing", cond: `{"BinaryEquals": {"custom:blob": "QUJD"}}`, want: false},
	})
}

// TestIPArnNullOperators: IpAddress takes CIDR blocks (IPv4 and IPv6) and single addresses;
// ArnLike/ArnEquals compare each colon-delimited part separately; Null is true when the key is
// absent (value true) or present (value false).
func TestIPArnNullOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "IpAddress IPv4 CIDR", cond: `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, ctx: ctx("aws:SourceIp", "203.0.113.7"), want: true},
		{name: "IpAddress IPv4 outside", cond: `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, ctx: ctx("aws:SourceIp", "198.51.100.1"), want: false},
		{name: "IpAddress IPv6 CIDR", cond: `{"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}`, ctx: ctx("aws:SourceIp", "2001:db8:1234:5678::1"), want: true},
		{name: "IpAddress IPv6 outside", cond: `{"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}`, ctx: ctx("aws:SourceIp", "2001:db8:1234:5679::1"), want: false},
		{name: "IpAddress single IP", cond: `{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}`, ctx: ctx("aws:SourceIp", "203.0.113.7"), want: true},
		{name: "IpAddress single IP, other address", cond: `{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}`, ctx: ctx("aws:SourceIp", "203.0.113.8"), want: false},
		{name: "IpAddress mixed list", cond: `{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}`, ctx: ctx("aws:SourceIp", "2001:db8::5"), want: true},
		{name: "IpAddress missing key", cond: `{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}`, want: false},
		{name: "NotIpAddress outside", cond: `{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`, ctx: ctx("aws:SourceIp", "203.0.113.7"), want: true},
		{name: "NotIpAddress inside", cond: `{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`, ctx: ctx("aws:SourceIp", "10.1.2.3"), want: false},
		{name: "NotIpAddress missing key", cond: `{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`, want: true},

		{name: "ArnLike wildcard in the resource part", cond: `{"ArnLike": {"aws:SourceArn": "arn:aws:iam::111122223333:role/*"}}`, ctx: ctx("aws:SourceArn", "arn:aws:iam::111122223333:role/app"), want: true},
		{name: "ArnEquals takes wildcards too", cond: `{"ArnEquals": {"aws:SourceArn": "arn:aws:iam::111122223333:role/*"}}`, ctx: ctx("aws:SourceArn", "arn:aws:iam::111122223333:role/app"), want: true},
		{name: "ArnLike per segment: a wildcard stays in its segment", cond: `{"ArnLike": {"aws:SourceArn": "arn:aws:kms:us-*:key/1"}}`, ctx: ctx("aws:SourceArn", "arn:aws:kms:us-east-1:111122223333:key/1"), want: false},
		{name: "StringLike on the same text crosses colons", cond: `{"StringLike": {"aws:SourceArn": "arn:aws:kms:us-*:key/1"}}`, ctx: ctx("aws:SourceArn", "arn:aws:kms:us-east-1:111122223333:key/1"), want: true},
		{name: "ArnLike wildcard segments", cond: `{"ArnLike": {"aws:SourceArn": "arn:aws:kms:*:*:key/1"}}`, ctx: ctx("aws:SourceArn", "arn:aws:kms:us-east-1:111122223333:key/1"), want: true},
		{name: "ArnLike is case-sensitive", cond: `{"ArnLike": {"aws:SourceArn": "arn:aws:iam::111122223333:role/App"}}`, ctx: ctx("aws:SourceArn", "arn:aws:iam::111122223333:role/app"), want: false},
		{name: "ArnNotLike other account", cond: `{"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::111122223333:*"}}`, ctx: ctx("aws:SourceArn", "arn:aws:iam::444455556666:role/x"), want: true},
		{name: "ArnNotEquals same ARN", cond: `{"ArnNotEquals": {"aws:SourceArn": "arn:aws:iam::111122223333:role/x"}}`, ctx: ctx("aws:SourceArn", "arn:aws:iam::111122223333:role/x"), want: false},
		{name: "derived aws:PrincipalArn", cond: `{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"}}`, want: true},
		{name: "aws:PrincipalArn of a role session is the role", principal: roleApp, cond: `{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}`, want: true},

		{name: "Null true, key absent", cond: `{"Null": {"aws:TokenIssueTime": "true"}}`, want: true},
		{name: "Null true, key present", cond: `{"Null": {"aws:TokenIssueTime": "true"}}`, ctx: ctx("aws:TokenIssueTime", "2025-06-01T11:00:00Z"), want: false},
		{name: "Null false, key present", cond: `{"Null": {"aws:TokenIssueTime": "false"}}`, ctx: ctx("aws:TokenIssueTime", "2025-06-01T11:00:00Z"), want: true},
		{name: "Null false, key absent", cond: `{"Null": {"aws:TokenIssueTime": "false"}}`, want: false},
		{name: "Null JSON boolean", cond: `{"Null": {"aws:TokenIssueTime": true}}`, want: true},
		{name: "Null sees derived keys", cond: `{"Null": {"aws:username": "false"}}`, want: true},
		{name: "Null: no aws:username for a role session", principal: roleApp, cond: `{"Null": {"aws:username": "true"}}`, want: true},
	})
}

// TestSetAndIfExistsOperators follows "Single-valued vs. multivalued context keys":
// ForAllValues is true when every request value matches some policy value, and also when the
// key is missing or empty; ForAnyValue is true when at least one request value matches, and
// false when the key is missing or empty. ...IfExists is true when the key is absent.
func TestSetAndIfExistsOperators(t *testing.T) {
	const allEq = `{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}`
	const anyEq = `{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}`
	runCondCases(t, []condCase{
		{name: "ForAllValues subset", cond: allEq, ctx: ctx("aws:TagKeys", []string{"a"}), want: true},
		{name: "ForAllValues all", cond: allEq, ctx: ctx("aws:TagKeys", []string{"b", "a"}), want: true},
		{name: "ForAllValues one outside", cond: allEq, ctx: ctx("aws:TagKeys", []string{"a", "c"}), want: false},
		{name: "ForAllValues missing key", cond: allEq, want: true},
		{name: "ForAllValues empty key", cond: allEq, ctx: ctx("aws:TagKeys", nil), want: true},
		{name: "ForAnyValue one matches", cond: anyEq, ctx: ctx("aws:TagKeys", []string{"c", "b"}), want: true},
		{name: "ForAnyValue none matches", cond: anyEq, ctx: ctx("aws:TagKeys", []string{"c"}), want: false},
		{name: "ForAnyValue missing key", cond: anyEq, want: false},
		{name: "ForAnyValue empty key", cond: anyEq, ctx: ctx("aws:TagKeys", nil), want: false},
		{name: "ForAnyValue negated missing key", cond: `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}`, want: false},
		{name: "ForAllValues:StringNotEquals none listed", cond: `{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret", "admin"]}}`, ctx: ctx("aws:TagKeys", []string{"a", "b"}), want: true},
		{name: "ForAllValues:StringNotEquals one listed", cond: `{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret", "admin"]}}`, ctx: ctx("aws:TagKeys", []string{"a", "admin"}), want: false},
		{name: "ForAllValues:StringNotEquals missing key", cond: `{"ForAllValues:StringNotEquals": {"aws:TagKeys": "secret"}}`, want: true},
		{name: "ForAnyValue:StringNotEquals one differs", cond: `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}`, ctx: ctx("aws:TagKeys", []string{"a", "b"}), want: true},
		{name: "ForAnyValue:StringNotEquals all listed", cond: `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}`, ctx: ctx("aws:TagKeys", []string{"a"}), want: false},
		{name: "ForAllValues:StringLike", cond: `{"ForAllValues:StringLike": {"aws:TagKeys": "env-*"}}`, ctx: ctx("aws:TagKeys", []string{"env-a", "env-b"}), want: true},
		{name: "ForAllValues:StringLike one outside", cond: `{"ForAllValues:StringLike": {"aws:TagKeys": "env-*"}}`, ctx: ctx("aws:TagKeys", []string{"env-a", "cost"}), want: false},
		{name: "ForAnyValue:StringEqualsIgnoreCase", cond: `{"ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": "ENV"}}`, ctx: ctx("aws:TagKeys", []string{"x", "env"}), want: true},
		{name: "ForAnyValue IfExists missing key", cond: `{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}`, want: true},

		{name: "StringEqualsIfExists absent", cond: `{"StringEqualsIfExists": {"ec2:InstanceType": ["t2.micro", "t2.small"]}}`, want: true},
		{name: "StringEqualsIfExists present, listed", cond: `{"StringEqualsIfExists": {"ec2:InstanceType": ["t2.micro", "t2.small"]}}`, ctx: ctx("ec2:InstanceType", "t2.small"), want: true},
		{name: "StringEqualsIfExists present, not listed", cond: `{"StringEqualsIfExists": {"ec2:InstanceType": ["t2.micro", "t2.small"]}}`, ctx: ctx("ec2:InstanceType", "m5.large"), want: false},
		{name: "StringNotEqualsIfExists absent", cond: `{"StringNotEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}`, want: true},
		{name: "StringNotEqualsIfExists present, equal", cond: `{"StringNotEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}`, ctx: ctx("ec2:InstanceType", "t2.micro"), want: false},
		{name: "IpAddressIfExists absent", cond: `{"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}`, want: true},
		{name: "DateLessThanIfExists absent", cond: `{"DateLessThanIfExists": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}`, want: true},
		{name: "ArnLikeIfExists present, no match", cond: `{"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:s3:::b"}}`, ctx: ctx("aws:SourceArn", "arn:aws:s3:::c"), want: false},
	})
}

// TestPolicyVariables follows "IAM policy elements: Variables and tags": variables expand only
// with Version 2012-10-17 (otherwise they are literal text), in the resource part of Resource
// ARNs and in string and ARN condition values; ${*}, ${?} and ${$} are literal characters; a
// default applies when the key is absent; a variable with no value matches nothing.
func TestPolicyVariables(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "condition value variable", cond: `{"StringEquals": {"s3:prefix": "home/${aws:username}"}}`, ctx: ctx("s3:prefix", "home/Bob"), want: true},
		{name: "variable names are case-insensitive", cond: `{"StringEquals": {"s3:prefix": "home/${AWS:UserName}"}}`, ctx: ctx("s3:prefix", "home/Bob"), want: true},
		{name: "condition value variable, other user", cond: `{"StringEquals": {"s3:prefix": "home/${aws:username}"}}`, ctx: ctx("s3:prefix", "home/Alice"), want: false},
		{name: "StringLike with a variable", cond: `{"StringLike": {"s3:prefix": "home/${aws:username}/*"}}`, ctx: ctx("s3:prefix", "home/Bob/docs"), want: true},
		{name: "ArnLike with a variable", cond: `{"ArnLike": {"aws:SourceArn": "arn:aws:iam::111122223333:user/${aws:username}"}}`, ctx: ctx("aws:SourceArn", userBob), want: true},
		{name: "Resource variable", resource: "arn:aws:s3:::bucket/home/${aws:username}/*", want: true},
		{name: "Resource variable, other user's folder", resource: "arn:aws:s3:::bucket/home/${aws:username}/*", reqRes: "arn:aws:s3:::bucket/home/Alice/file.txt", want: false},
		{name: "variable from a request key", cond: `{"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}}`,
			ctx: ctx("aws:PrincipalTag/team", "blue", "aws:ResourceTag/team", "blue"), want: true},
		{name: "default value when the key is absent", principal: roleApp, cond: `{"StringEquals": {"s3:prefix": "home/${aws:username, 'guest'}"}}`, ctx: ctx("s3:prefix", "home/guest"), want: true},
		{name: "default value unused when the key is present", cond: `{"StringEquals": {"s3:prefix": "home/${aws:username, 'guest'}"}}`, ctx: ctx("s3:prefix", "home/guest"), want: false},
		{name: "default value in Resource", principal: roleApp, resource: "arn:aws:s3:::bucket/home/${aws:username, 'Bob'}/*", want: true},
		{name: "missing variable matches nothing (condition)", principal: roleApp, cond: `{"StringEquals": {"s3:prefix": "home/${aws:username}"}}`, ctx: ctx("s3:prefix", "home/"), want: false},
		{name: "missing variable matches nothing (StringLike)", principal: roleApp, cond: `{"StringLike": {"s3:prefix": "home/${aws:username}*"}}`, ctx: ctx("s3:prefix", "home/x"), want: false},
		{name: "missing variable matches nothing (Resource)", principal: roleApp, resource: "arn:aws:s3:::bucket/home/${aws:username}/*", reqRes: "arn:aws:s3:::bucket/home//file.txt", want: false},
		{name: "${*} is a literal asterisk", cond: `{"StringLike": {"s3:prefix": "a${*}"}}`, ctx: ctx("s3:prefix", "a*"), want: true},
		{name: "${*} is not a wildcard", cond: `{"StringLike": {"s3:prefix": "a${*}"}}`, ctx: ctx("s3:prefix", "abc"), want: false},
		{name: "${?} is a literal question mark", cond: `{"StringLike": {"s3:prefix": "a${?}"}}`, ctx: ctx("s3:prefix", "ab"), want: false},
		{name: "${$} is a literal dollar sign", cond: `{"StringEquals": {"s3:prefix": "${$}{x}"}}`, ctx: ctx("s3:prefix", "${x}"), want: true},
		{name: "${*} in Resource", resource: "arn:aws:s3:::bucket/${*}", reqRes: "arn:aws:s3:::bucket/*", want: true},
		{name: "${*} in Resource is not a wildcard", resource: "arn:aws:s3:::bucket/${*}", want: false},
		{name: "Version 2008-10-17 does not expand", version: Version2008, cond: `{"StringEquals": {"s3:prefix": "home/${aws:username}"}}`, ctx: ctx("s3:prefix", "home/Bob"), want: false},
		{name: "Version 2008-10-17 keeps the text", version: Version2008, cond: `{"StringEquals": {"s3:prefix": "home/${aws:username}"}}`, ctx: ctx("s3:prefix", "home/${aws:username}"), want: true},
		{name: "no Version does not expand", version: "none", cond: `{"StringEquals": {"s3:prefix": "home/${aws:username}"}}`, ctx: ctx("s3:prefix", "home/Bob"), want: false},
		{name: "Version 2008-10-17 Resource is literal", version: Version2008, resource: "arn:aws:s3:::bucket/home/${aws:username}/*", want: false},
		{name: "variables only in the resource part of an ARN", resource: "arn:aws:s3:::bucket/${aws:username}", reqRes: "arn:aws:s3:::bucket/Bob", want: true},
	})
}

// TestParseOperator splits operator names into the base operator, set qualifier and IfExists.
func TestParseOperator(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		set      setQual
		ifExists bool
		err      bool
	}{
		{"StringEquals", "StringEquals", setNone, false, false},
		{"StringLikeIfExists", "StringLike", setNone, true, false},
		{"ForAnyValue:StringLike", "StringLike", setAnyValue, false, false},
		{"ForAllValues:ArnLikeIfExists", "ArnLike", setAllValues, true, false},
		{"Null", "Null", setNone, false, false},
		{"NullIfExists", "", setNone, true, true},
		{"ForAllValues:Null", "", setAllValues, false, true},
		{"ForAnyValue:", "", setAnyValue, false, true},
		{"IfExists", "", setNone, true, true},
		{"forAnyValue:StringLike", "", setNone, false, true},
	}
	for _, tt := range tests {
		info, set, ifExists, err := parseOperator(tt.name)
		if (err != nil) != tt.err || set != tt.set || ifExists != tt.ifExists {
			t.Errorf("parseOperator(%q) = set %v, ifExists %v, err %v", tt.name, set, ifExists, err)
			continue
		}
		if !tt.err && info != operators[tt.base] {
			t.Errorf("parseOperator(%q) info = %+v, want %s's", tt.name, info, tt.base)
		}
	}
}

func operatorNames() []string {
	var names []string
	for k := range operators {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func FuzzCondition(f *testing.F) {
	f.Add(uint8(0), uint8(0), "aws:username", "Bob", "Bob", true, false)
	f.Add(uint8(3), uint8(1), "s3:max-keys", "10,1.5,x", "9", true, true)
	f.Add(uint8(7), uint8(2), "aws:TagKeys", "a,b", "a,c", true, false)
	f.Add(uint8(11), uint8(3), "aws:CurrentTime", "2025-01-01T00:00:00Z,1700000000", "2024-12-31", true, true)
	f.Add(uint8(20), uint8(4), "aws:SourceIp", "10.0.0.0/8,::1", "10.1.1.1", false, false)
	f.Add(uint8(1), uint8(0), "s3:prefix", "home/${aws:username}/${*}${?}${$}", "home/Bob/*", true, false)
	f.Add(uint8(2), uint8(0), "aws:SourceArn", "arn:aws:s3:::b/${aws:PrincipalTag/x, 'd'}*", "arn:aws:s3:::b/d", true, true)
	f.Add(uint8(5), uint8(0), "kms:EncryptionContext:k", "v", "v", true, true)
	names := operatorNames()
	f.Fuzz(func(t *testing.T, op, variant uint8, key, policyVals, reqVals string, present, deny bool) {
		name := names[int(op)%len(names)]
		switch variant % 5 {
		case 1:
			name += "IfExists"
		case 2:
			name = "ForAnyValue:" + name
		case 3:
			name = "ForAllValues:" + name
		case 4:
			name = "ForAnyValue:" + name + "IfExists"
		}
		var vals []any
		for _, v := range strings.Split(policyVals, ",") {
			switch {
			case v == "true" || v == "false":
				vals = append(vals, v == "true")
			case json.Valid([]byte(v)) && strings.Trim(v, "-0123456789.eE+") == "" && v != "":
				vals = append(vals, json.Number(v))
			default:
				vals = append(vals, v)
			}
		}
		effect := "Allow"
		if deny {
			effect = "Deny"
		}
		doc := map[string]any{
			"Version": Version2012,
			"Statement": []any{map[string]any{
				"Effect": effect, "Action": "kms:*", "Resource": "*",
				"Condition": map[string]any{name: map[string]any{key: vals}},
			}},
		}
		text, err := json.Marshal(doc)
		if err != nil {
			return
		}
		p, err := Parse("fuzz.json", Identity, text)
		if err != nil {
			return
		}
		rp, err := Parse("key.json", Resource, []byte(strings.Replace(string(text), `"Effect"`, `"Principal":"*","Effect"`, 1)))
		if err != nil {
			rp = nil
		}
		req := &Request{Principal: Principal{ARN: roleApp, Type: AssumedRole, Partition: "aws", Account: acct, Name: "app", Session: "session1",
			PrincipalARN: "arn:aws:iam::111122223333:role/app"}, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k"}
		if present {
			req.Context.Set(key, strings.Split(reqVals, ",")...)
		}
		set := &Set{Resource: rp, Identity: []*Policy{p}, Boundary: p}
		set.Evaluate(req)
		if x := set.Explain(req); x.Decision.DependsOnMissingKeys && len(x.Requirements) == 0 {
			t.Fatalf("the answer depends on missing keys but Explain names none")
		}
		if _, err := p.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})
}
