package policy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// caret marks the expected error position in test policies; mark removes it and returns its
// line and column (in characters).
const caret = "‸"

func mark(t testing.TB, text string) (string, Position) {
	t.Helper()
	i := strings.Index(text, caret)
	if i < 0 || strings.Count(text, caret) != 1 {
		t.Fatalf("test policy needs exactly one %s: %s", caret, text)
	}
	before := text[:i]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return before + text[i+len(caret):], Position{Line: line, Col: col}
}

// stmt wraps statement text in a policy.
func stmt(s string) string {
	return `{"Version": "2012-10-17", "Statement": [` + s + `]}`
}

func TestParseErrors(t *testing.T) {
	const elements = "Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition"
	tests := []struct {
		name string
		kind Kind
		text string // with a caret at the error position
		msg  string
	}{
		{"invalid JSON", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*",‸}`),
			`invalid JSON: trailing comma before '}'`},
		{"not an object", Identity, `‸["Statement"]`, `a policy must be a JSON object, not an array`},
		{"duplicate top-level key", Identity,
			"{\n  \"Version\": \"2012-10-17\",\n  ‸\"Version\": \"2008-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}\n}",
			`duplicate member "Version" in the policy`},
		{"duplicate statement key", Identity,
			stmt("{\n    \"Effect\": \"Allow\",\n    ‸\"Effect\": \"Deny\",\n    \"Action\": \"kms:*\",\n    \"Resource\": \"*\"\n  }"),
			`duplicate member "Effect" in statement 0`},
		{"duplicate key in the second statement", Identity,
			stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, {"Effect": "Allow", "Action": "kms:*", ‸"Action": "s3:*", "Resource": "*"}`),
			`duplicate member "Action" in statement 1`},
		{"unknown top-level element", Identity, `{"Version": "2012-10-17", ‸"statement": []}`,
			`unknown element "statement" in the policy (did you mean "Statement"? element names are case-sensitive); expected one of Version, Id, Statement`},
		{"element name in the wrong case", Identity, stmt(`{‸"effect": "Allow", "Action": "kms:*", "Resource": "*"}`),
			`unknown element "effect" in statement 0 (did you mean "Effect"? element names are case-sensitive); expected one of ` + elements},
		{"unknown element", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", ‸"Resources": "*"}`),
			`unknown element "Resources" in statement 0; expected one of ` + elements},
		{"Effect in lower case", Identity, stmt(`{"Effect": ‸"allow", "Action": "kms:*", "Resource": "*"}`),
			`invalid Effect "allow": expected "Allow" or "Deny" (case-sensitive)`},
		{"Effect not a string", Identity, stmt(`{"Effect": ‸true, "Action": "kms:*", "Resource": "*"}`),
			`Effect must be a string, not a boolean`},
		{"Version as a number", Identity, `{"Version": ‸2012, "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}`,
			`Version must be a string, not a number`},
		{"invalid Version", Identity, `{"Version": ‸"2012-10-18", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}`,
			`invalid Version "2012-10-18": expected "2012-10-17" or "2008-10-17"`},
		{"Id not a string", Identity, `{"Id": ‸7, "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}`,
			`Id must be a string, not a number`},
		{"no Statement", Identity, `‸{"Version": "2012-10-17"}`, `the policy has no Statement`},
		{"empty Statement array", Identity, `{"Version": "2012-10-17", "Statement": ‸[]}`, `Statement is empty`},
		{"Statement a string", Identity, `{"Version": "2012-10-17", "Statement": ‸"Allow"}`,
			`Statement must be an object or an array of objects, not a string`},
		{"statement not an object", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, ‸null`),
			`statement 1 must be an object, not null`},
		{"Action as a number", Identity, stmt(`{"Effect": "Allow", "Action": ‸42, "Resource": "*"}`),
			`Action must be a string or an array of strings, not a number`},
		{"Action element not a string", Identity, stmt(`{"Effect": "Allow", "Action": ["kms:Decrypt", ‸{}], "Resource": "*"}`),
			`Action values must be strings, not an object`},
		{"Action empty array", Identity, stmt(`{"Effect": "Allow", "Action": ‸[], "Resource": "*"}`),
			`Action is an empty array`},
		{"action without a service", Identity, stmt(`{"Effect": "Allow", "Action": ‸"Decrypt", "Resource": "*"}`),
			`invalid action "Decrypt": expected "*" or "service:Action" (wildcards * and ? allowed)`},
		{"Resource as an object", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": ‸{}}`),
			`Resource must be a string or an array of strings, not an object`},
		{"resource not an ARN", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": ["*", ‸"key/1234"]}`),
			`invalid resource "key/1234": expected "*" or an ARN (arn:partition:service:region:account:resource)`},
		{"ARN with too few parts", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": ‸"arn:aws:kms:us-east-1"}`),
			`invalid resource ARN "arn:aws:kms:us-east-1": an ARN has six colon-separated parts`},
		{"missing Effect", Identity, stmt("\n  ‸{\"Action\": \"kms:*\", \"Resource\": \"*\"}"),
			`statement 0 has no Effect`},
		{"missing Effect names the Sid", Identity, stmt(`‸{"Sid": "S1", "Action": "kms:*", "Resource": "*"}`),
			`statement "S1" has no Effect`},
		{"missing Action", Identity, stmt(`‸{"Effect": "Allow", "Resource": "*"}`),
			`statement 0 has no Action or NotAction`},
		{"missing Resource", Identity, stmt(`‸{"Effect": "Allow", "Action": "kms:*"}`),
			`statement 0 has no Resource or NotResource`},
		{"Action and NotAction", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", ‸"NotAction": "kms:Decrypt", "Resource": "*"}`),
			`statement 0 has both Action and NotAction`},
		{"Resource and NotResource", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", ‸"NotResource": "*"}`),
			`statement 0 has both Resource and NotResource`},
		{"Principal in an identity policy", Identity, stmt(`{"Effect": "Allow", ‸"Principal": "*", "Action": "kms:*", "Resource": "*"}`),
			`statement 0: Principal is not allowed in identity policies`},
		{"NotPrincipal in an SCP", SCP, stmt(`{"Effect": "Deny", ‸"NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}`),
			`statement 0: NotPrincipal is not allowed in scp policies`},
		{"missing Principal in a resource policy", Resource, stmt(`‸{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}`),
			`statement 0 has no Principal or NotPrincipal (required in resource policies)`},
		{"missing Principal in an RCP", RCP, stmt(`‸{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}`),
			`statement 0 has no Principal or NotPrincipal (required in rcp policies)`},
		{"Principal and NotPrincipal", Resource, stmt(`{"Effect": "Deny", "Principal": "*", ‸"NotPrincipal": "*", "Action": "kms:*", "Resource": "*"}`),
			`statement 0 has both Principal and NotPrincipal`},
		{"partial wildcard principal", Resource, stmt(`{"Effect": "Allow", "Principal": {"AWS": ‸"arn:aws:iam::*:root"}, "Action": "kms:*", "Resource": "*"}`),
			`invalid AWS principal "arn:aws:iam::*:root": wildcards are not allowed in a principal, except "*" alone`},
		{"wildcard in a role name", Resource, stmt(`{"Effect": "Allow", "Principal": {"AWS": ["111122223333", ‸"arn:aws:iam::111122223333:role/app-*"]}, "Action": "kms:*", "Resource": "*"}`),
			`invalid AWS principal "arn:aws:iam::111122223333:role/app-*": wildcards are not allowed in a principal, except "*" alone`},
		{"Principal string other than *", Resource, stmt(`{"Effect": "Allow", "Principal": ‸"111122223333", "Action": "kms:*", "Resource": "*"}`),
			`invalid Principal "111122223333": use "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}`},
		{"principal type in the wrong case", Resource, stmt(`{"Effect": "Allow", "Principal": {‸"aws": "*"}, "Action": "kms:*", "Resource": "*"}`),
			`unknown element "aws" in Principal (did you mean "AWS"? element names are case-sensitive); expected one of AWS, Service, Federated, CanonicalUser`},
		{"empty Principal object", Resource, stmt(`{"Effect": "Allow", "Principal": ‸{}, "Action": "kms:*", "Resource": "*"}`),
			`Principal is empty`},
		{"invalid AWS principal", Resource, stmt(`{"Effect": "Allow", "Principal": {"AWS": ‸"bob"}, "Action": "kms:*", "Resource": "*"}`),
			`invalid AWS principal "bob": expected "*", a 12-digit account id, or an account root, IAM user, role, assumed-role or federated-user ARN`},
		{"NotPrincipal with Allow", Resource, stmt(`{"Effect": "Allow", ‸"NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}`),
			`statement 0: NotPrincipal with "Effect": "Allow" is not supported by AWS; name the principals in Principal`},
		{"Condition not an object", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": ‸[]}`),
			`Condition must be an object, not an array`},
		{"unknown condition operator", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {‸"StringEqual": {"aws:username": "bob"}}}`),
			`unknown condition operator "StringEqual"`},
		{"condition operator in the wrong case", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {‸"stringEquals": {"aws:username": "bob"}}}`),
			`unknown condition operator "stringEquals" (did you mean "StringEquals"? operator names are case-sensitive)`},
		{"NullIfExists", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {‸"NullIfExists": {"aws:username": "true"}}}`),
			`invalid condition operator "NullIfExists": IfExists cannot be used with Null`},
		{"set qualifier on Null", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {‸"ForAnyValue:Null": {"aws:TagKeys": "true"}}}`),
			`invalid condition operator "ForAnyValue:Null": Null takes no set qualifier`},
		{"duplicate condition operator", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}, ‸"Bool": {"aws:MultiFactorAuthPresent": "true"}}}`),
			`duplicate condition operator "Bool"`},
		{"duplicate condition key differing only in case", Identity,
			stmt("{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\",\n \"Condition\": {\"StringEquals\": {\n   \"aws:username\": \"a\",\n   ‸\"AWS:UserName\": \"b\"}}}"),
			`duplicate condition key "AWS:UserName" in StringEquals (same as "aws:username": condition keys are case-insensitive)`},
		{"condition key without a service", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {‸"username": "bob"}}}`),
			`invalid condition key "username": expected service:name`},
		{"operator with no keys", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": ‸{}}}`),
			`StringEquals has no condition keys`},
		{"operator value not an object", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": ‸"aws:username"}}`),
			`the value of StringEquals must be an object of condition keys, not a string`},
		{"condition value null", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": ‸null}}}`),
			`condition values must be strings, numbers or booleans, not null`},
		{"condition value object in an array", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": ["a", ‸{}]}}}`),
			`condition values must be strings, numbers or booleans, not an object`},
		{"condition empty value array", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": ‸[]}}}`),
			`condition key "aws:username" has an empty array of values`},
		{"Sid with a space in an identity policy", Identity, stmt(`{"Sid": ‸"Allow use", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}`),
			`invalid Sid "Allow use": in identity policies a Sid may contain only letters and digits`},
		{"Sid with a space in an SCP", SCP, stmt(`{"Sid": ‸"Deny-all", "Effect": "Deny", "Action": "*", "Resource": "*"}`),
			`invalid Sid "Deny-all": in scp policies a Sid may contain only letters and digits`},
		{"Sid not a string", Resource, stmt(`{"Sid": ‸1, "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}`),
			`Sid must be a string, not a number`},
		{"policy variable default without quotes", Identity, stmt(`{"Effect": "Allow", "Action": "s3:*", "Resource": ‸"arn:aws:s3:::b/${aws:username, guest}"}`),
			`invalid policy variable "${aws:username, guest}": a default value must be in single quotes, as in ${aws:username, 'default'}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, pos := mark(t, tt.text)
			_, err := Parse("p.json", tt.kind, []byte(text))
			checkError(t, err, "p.json", pos, tt.msg)
		})
	}
}

func checkError(t *testing.T, err error, file string, pos Position, msg string) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v, want an *Error", err)
	}
	if pe.File != file || pe.Pos != pos || pe.Msg != msg {
		t.Errorf("error = %s %v %s\nwant    %s %v %s", pe.File, pe.Pos, pe.Msg, file, pos, msg)
	}
	if want := fmt.Sprintf("%s:%s: %s", file, pos, msg); err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		text string
	}{
		{"Sid with spaces in a key policy", Resource, stmt(`{"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}`)},
		{"Statement as an object", Identity, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}}`},
		{"no Version", Identity, `{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}`},
		{"Version 2008", Identity, `{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}`},
		{"account short form", Resource, stmt(`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}`)},
		{"Principal *", Resource, stmt(`{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}`)},
		{"AWS *", Resource, stmt(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}`)},
		{"service and federated principals", Resource, stmt(`{"Effect": "Allow", "Principal": {"Service": ["s3.amazonaws.com"], "Federated": "cognito-identity.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}`)},
		{"unique id left by a deleted principal", Resource, stmt(`{"Effect": "Allow", "Principal": {"AWS": "AIDAJQABLZS4A3QDU576Q"}, "Action": "kms:*", "Resource": "*"}`)},
		{"NotPrincipal with Deny", Resource, stmt(`{"Effect": "Deny", "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:user/Bob"]}, "Action": "kms:*", "Resource": "*"}`)},
		{"condition values of every JSON scalar type", Identity, stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:max-keys": 10}, "StringEquals": {"aws:username": ["a", "b"]}}}`)},
		{"BOM", Identity, "\xEF\xBB\xBF" + stmt(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}`)},
		{"service wildcard action", Identity, stmt(`{"Effect": "Allow", "Action": "*:Get*", "Resource": "*"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("p.json", tt.kind, []byte(tt.text)); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

func TestParseModel(t *testing.T) {
	text := "{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"key-policy-1\",\n  \"Statement\": [\n    {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\",\n     \"Condition\": {\"StringEquals\": {\"aws:PrincipalAccount\": \"111122223333\"}}},\n    {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"kms:ScheduleKeyDeletion\", \"Resource\": \"*\"}\n  ]\n}"
	p, err := Parse("key.json", Resource, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "key.json" || p.Kind != Resource || p.Version != Version2012 || p.ID != "key-policy-1" || len(p.Statements) != 2 {
		t.Fatalf("policy = %+v", p)
	}
	s0, s1 := p.Statements[0], p.Statements[1]
	if s0.Sid != "A" || s0.Effect != EffectAllow || s0.Pos != (Position{5, 5}) || s0.Index != 0 || !s0.HasCondition() || s0.Policy != p {
		t.Errorf("statement 0 = %+v", s0)
	}
	if s1.Sid != "" || s1.Effect != EffectDeny || s1.Pos != (Position{7, 5}) || s1.Index != 1 || s1.HasCondition() {
		t.Errorf("statement 1 = %+v", s1)
	}
	if s0.Name() != "A" || s1.Name() != "#1" {
		t.Errorf("names = %q, %q; want \"A\", \"#1\"", s0.Name(), s1.Name())
	}
	if got, want := s0.Ref(), `key.json statement "A" (5:5)`; got != want {
		t.Errorf("Ref() = %q, want %q", got, want)
	}
	if got, want := s1.Ref(), `key.json statement 1 (7:5)`; got != want {
		t.Errorf("Ref() = %q, want %q", got, want)
	}
	if s0.Effect.String() != "Allow" || s1.Effect.String() != "Deny" {
		t.Errorf("Effect strings = %s, %s", s0.Effect, s1.Effect)
	}
}

func TestParseSizeLimit(t *testing.T) {
	_, err := Parse("huge.json", Identity, make([]byte, MaxPolicySize+1))
	var pe *Error
	if !errors.As(err, &pe) || pe.Pos.Line != 0 || pe.Error() != fmt.Sprintf("huge.json: policy is %d bytes, over the %d-byte limit", MaxPolicySize+1, MaxPolicySize) {
		t.Errorf("error = %v, want the size limit error without a position", err)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid policy did not panic")
		}
	}()
	MustParse("bad.json", Identity, "{")
}

// bigPolicy is a valid identity policy of at least size bytes on one line: one statement with
// many resources, then a last statement whose text is last.
func bigPolicy(size int, last string) string {
	var b strings.Builder
	b.WriteString(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"arn:aws:s3:::bucket-é/object-%d"`, i)
	}
	b.WriteString(`]}, ` + last + `]}`)
	return b.String()
}

func TestParseMegabytePolicy(t *testing.T) {
	text := bigPolicy(1<<20, `{"Sid": "Last", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}`)
	p, err := Parse("big.json", Identity, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	last := p.Statements[1]
	wantCol := utf8.RuneCountInString(text[:strings.Index(text, `{"Sid": "Last"`)]) + 1
	if last.Sid != "Last" || last.Pos != (Position{1, wantCol}) {
		t.Errorf("last statement %q at %v, want \"Last\" at 1:%d", last.Sid, last.Pos, wantCol)
	}

	bad, pos := mark(t, bigPolicy(1<<20, `{"Effect": ‸"allow", "Action": "s3:DeleteObject", "Resource": "*"}`))
	_, err = Parse("big.json", Identity, []byte(bad))
	checkError(t, err, "big.json", pos, `invalid Effect "allow": expected "Allow" or "Deny" (case-sensitive)`)
	if pos.Col < 1<<19 {
		t.Fatalf("the error is at %v; the test meant it to be a megabyte in", pos)
	}
}

// roundTrip checks parse → MarshalJSON → parse → MarshalJSON gives the same text twice.
func roundTrip(t *testing.T, kind Kind, data []byte) {
	t.Helper()
	p, err := Parse("in.json", kind, data)
	if err != nil {
		return
	}
	first, err := p.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON of %q: %v", data, err)
	}
	q, err := Parse("out.json", kind, first)
	if err != nil {
		t.Fatalf("the canonical form of %q does not parse: %v\n%s", data, err, first)
	}
	second, err := q.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON of the canonical form: %v", err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("round trip is not stable for %q:\nfirst  %s\nsecond %s", data, first, second)
	}
	if len(q.Statements) != len(p.Statements) || q.Version != p.Version || q.ID != p.ID {
		t.Fatalf("round trip changed the policy %q: %s", data, first)
	}
}

func TestMarshalJSON(t *testing.T) {
	p := MustParse("p.json", Resource, `{"Statement": {"Sid": "S", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com", "AWS": ["*", "111122223333"]},
		"Action": "kms:Decrypt", "NotResource": "arn:aws:kms:*:*:key/x",
		"Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:max-keys": 10}}}, "Version": "2012-10-17", "Id": "i"}`)
	got, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"i","Statement":[{"Sid":"S","Effect":"Allow","Principal":{"AWS":["*","111122223333"],"Service":["s3.amazonaws.com"]},"Action":["kms:Decrypt"],"NotResource":["arn:aws:kms:*:*:key/x"],"Condition":{"Bool":{"aws:SecureTransport":["true"]},"NumericLessThan":{"s3:max-keys":["10"]}}}]}`
	if string(got) != want {
		t.Errorf("MarshalJSON =\n%s\nwant\n%s", got, want)
	}
	roundTrip(t, Resource, []byte(want))
}

func FuzzPolicy(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "policies", "*.json"))
	if len(files) == 0 {
		f.Fatal("no seed policies under ../fixtures/policies")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(Resource))
	}
	for _, s := range []struct {
		kind Kind
		text string
	}{
		{Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"arn:aws:kms:*:111122223333:key/*"}}`},
		{Identity, `{"Statement":[{"Sid":"A1","Effect":"Deny","NotAction":"s3:*","NotResource":["arn:aws:s3:::b/${aws:username}/*"],"Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*","b?"]},"NumericLessThanIfExists":{"s3:max-keys":5}}}]}`},
		{Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username, 'guest'}/${*}","Condition":{"StringEquals":{"aws:PrincipalTag/team":"${aws:username}"},"Null":{"aws:TokenIssueTime":true}}}]}`},
		{Resource, `{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:sts::111122223333:assumed-role/r/s"]},"Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}`},
		{Resource, `{"Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"kms:*","Resource":"*","Condition":{"BinaryEquals":{"aws:x":"QUJD"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b*"}}}]}`},
		{SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`},
		{RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`},
		{Endpoint, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"}]}`},
		{Identity, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/\\u00e9<&>\\u2028\"}]}"},
	} {
		f.Add([]byte(s.text), uint8(s.kind))
	}
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		roundTrip(t, Kind(kind%uint8(len(kindNames))), data)
	})
}

// TestInvalidConditionValues: a value that cannot be parsed for its operator is an error, not a
// condition that silently never matches (which would make a negated Deny always apply, or an
// Allow's NotIpAddress always true).
func TestInvalidConditionValues(t *testing.T) {
	for _, cond := range []string{
		`{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/33"}}`,
		`{"NumericGreaterThan": {"s3:max-keys": "one"}}`,
		`{"NumericLessThan": {"s3:max-keys": "${aws:username}"}}`,
		`{"Null": {"aws:TokenIssueTime": "yes"}}`,
		`{"DateGreaterThan": {"aws:CurrentTime": "2020-13-45"}}`,
		`{"Bool": {"aws:SecureTransport": "flase"}}`,
		`{"BinaryEquals": {"custom:blob": "***"}}`,
	} {
		text := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":` + cond + `}]}`
		_, err := Parse("p.json", Identity, []byte(text))
		var pe *Error
		if !errors.As(err, &pe) || pe.Pos.Line != 1 || !strings.Contains(pe.Msg, "invalid value") {
			t.Errorf("%s: got %v, want a positioned invalid-value error", cond, err)
		}
	}
}

// TestRCPGrammar: RCPs support Allow only in RCPFullAWSAccess, and neither NotAction nor
// NotPrincipal (Organizations RCP syntax).
func TestRCPGrammar(t *testing.T) {
	full := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	if _, err := Parse("full.json", RCP, []byte(full)); err != nil {
		t.Errorf("RCPFullAWSAccess rejected: %v", err)
	}
	for _, st := range []string{
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`,
		`{"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"*"}`,
		`{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}`,
	} {
		if _, err := Parse("rcp.json", RCP, []byte(`{"Version":"2012-10-17","Statement":[`+st+`]}`)); err == nil {
			t.Errorf("accepted: %s", st)
		}
	}
}

// TestKeyPolicyOverlyPermissive: KMS rejects ForAllValues with kms:EncryptionContext:* or
// aws:RequestTag/* in key policies (OverlyPermissiveCondition); bucket policies are not KMS's.
func TestKeyPolicyOverlyPermissive(t *testing.T) {
	for _, key := range []string{"kms:EncryptionContext:Department", "aws:RequestTag/team"} {
		text := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"` + key + `":"x"}}}]}`
		if _, err := Parse("key.json", Key, []byte(text)); err == nil {
			t.Errorf("key policy with ForAllValues on %s accepted", key)
		}
		if _, err := Parse("bucket.json", Resource, []byte(text)); err != nil {
			t.Errorf("bucket policy with ForAllValues on %s rejected: %v", key, err)
		}
	}
}
