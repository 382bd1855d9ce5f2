package trail

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/policy"
)

func TestQuery(t *testing.T) {
	r := Record{Raw: json.RawMessage(`{"eventName":"Decrypt","readOnly":true,"n":5,"z":null,
		"userIdentity":{"arn":"arn:aws:iam::111122223333:user/K"},
		"requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::b/k"}},
		"resources":[{"type":"AWS::KMS::Key","ARN":"arn:k"}]}`)}
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"eventName=Decrypt", true},
		{"eventName=Encrypt", false},
		{"eventName!=Encrypt", true},
		{"errorCode!=AccessDenied", true},
		{"readOnly=true", true},
		{"readOnly=false", false},
		{`readOnly="true"`, false},
		{"n=5", true},
		{"n=5.0", true},
		{"n=6", false},
		{"z=null", true},
		{"z?", false},
		{"errorCode?", false},
		{"eventName?", true},
		{"userIdentity.arn~*:user/K", true},
		{"userIdentity.arn~*:user/?", true},
		{"userIdentity.arn~*:user/Bob", false},
		{"requestParameters.encryptionContext.aws:s3:arn~arn:aws:s3:::b/*", true},
		{`resources.#(type=="AWS::KMS::Key").ARN=arn:k`, true},
		{"eventName=Decrypt AND readOnly=true AND userIdentity.arn?", true},
		{"eventName=Decrypt AND errorCode?", false},
	} {
		q, err := ParseQuery(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := q.Match(r); got != tc.want {
			t.Errorf("%s: match %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, expr := range []string{"", "eventName", "=x", "?", "a=b AND ", "a=b AND c"} {
		if _, err := ParseQuery(expr); err == nil {
			t.Errorf("%q: no error", expr)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"", "", true}, {"*", "", true}, {"a*", "abc", true}, {"*c", "abc", true},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*b*", "abc", true}, {"a*b*c", "aXbYc", true},
		{"a*b", "abc", false}, {"é?", "éx", true},
	} {
		if got := policy.Glob(tc.p, tc.s); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}

// FuzzQuery: any expression parses or is a one-line error, and a parsed query matches any
// record without a panic.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"eventName=Decrypt", "eventName=Decrypt AND errorCode?", "userIdentity.arn~*:user/K",
		"readOnly=true", `requestParameters.encryptionContext.aws:s3:arn~arn:aws:s3:::b/*`, `resources.#(type=="AWS::KMS::Key").ARN?`,
		"a!=", "=x", "?", "a AND", "~"} {
		f.Add(s, `{"eventName":"Decrypt","readOnly":true,"userIdentity":{"arn":"arn:aws:iam::1:user/K"}}`)
	}
	f.Fuzz(func(t *testing.T, expr, record string) {
		q, err := ParseQuery(expr)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("a multi-line error: %q", err)
			}
			return
		}
		q.Match(Record{Raw: []byte(record)})
		policy.Glob(expr, record)
	})
}
