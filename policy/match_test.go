package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s    string
		fold, escaped bool
		want          bool
	}{
		{"", "", false, false, true},
		{"", "a", false, false, false},
		{"*", "", false, false, true},
		{"*", "anything: at/all", false, false, true},
		{"**", "x", false, false, true},
		{"?", "", false, false, false},
		{"?", "a", false, false, true},
		{"?", "ab", false, false, false},
		{"a*b", "ab", false, false, true},
		{"a*b", "axxb", false, false, true},
		{"a*b", "axxbc", false, false, false},
		{"a*b*c", "abbbcbc", false, false, true},
		{"*a*", "bab", false, false, true},
		{"*a*", "bbb", false, false, false},
		{"a?c", "abc", false, false, true},
		{"a?c", "ac", false, false, false},
		{"a??", "abc", false, false, true},
		{"*?", "", false, false, false},
		{"*?", "x", false, false, true},
		{"abc", "ABC", false, false, false},
		{"a*", "a*", false, false, true},
		// '?' is one character, not one byte.
		{"?", "é", false, false, true},
		{"??", "é", false, false, false},
		{"a?c", "a日c", false, false, true},
		{"日?", "日本", false, false, true},
		{"?本", "日本", false, false, true},
		{"*本", "日本", false, false, true},
		{"*?語", "日本語", false, false, true},
		{"???", "日本語", false, false, true},
		{"????", "日本語", false, false, false},
		// fold: ASCII letters compare case-insensitively (action names).
		{"kms:decrypt", "KMS:Decrypt", true, false, true},
		{"KMS:DEC*", "kms:decrypt", true, false, true},
		{"kms:decrypt", "kms:encrypt", true, false, false},
		// escaped: '\' makes the next character literal.
		{`a\*b`, "a*b", false, true, true},
		{`a\*b`, "axb", false, true, false},
		{`\?`, "?", false, true, true},
		{`\?`, "x", false, true, false},
		{`\\`, `\`, false, true, true},
		{`*\*`, "xx*", false, true, true},
		{`*\*`, "xx", false, true, false},
		{`a\*`, "a*", false, true, true},
		{`a\`, `a\`, false, true, true}, // a trailing backslash is itself
		// Without escaped mode a backslash is an ordinary character.
		{`a\*`, `a\xyz`, false, false, true},
		{`a\*`, "a*", false, false, false},
		// Backtracking that a naive recursive matcher would take exponential time on.
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 200), false, false, false},
		{strings.Repeat("*a", 30), strings.Repeat("a", 200), false, false, true},
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s, tt.fold, tt.escaped); got != tt.want {
			t.Errorf("glob(%q, %q, fold=%v, escaped=%v) = %v, want %v", tt.pattern, tt.s, tt.fold, tt.escaped, got, tt.want)
		}
	}
}

func TestMatchAction(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"*", "s3:GetObject", true},
		{"kms:decrypt", "kms:Decrypt", true},
		{"kms:decrypt", "KMS:DECRYPT", true},
		{"kms:*", "kms:Encrypt", true},
		{"kms:*", "KMS:Encrypt", true},
		{"kms:generatedatakey*", "kms:GenerateDataKeyWithoutPlaintext", true},
		{"kms:generatedatakey*", "kms:GenerateDataKey", true},
		{"kms:re*", "kms:ReEncryptFrom", true},
		{"kms:describe*", "kms:DescribeKey", true},
		{"kms:?ncrypt", "kms:Encrypt", true},
		{"kms:?ncrypt", "kms:Decrypt", false},
		{"kms:decrypt", "kms:Encrypt", false},
		{"kms:decrypt", "kms:DecryptX", false},
		{"s3:*", "kms:Decrypt", false},
		{"*:decrypt", "kms:Decrypt", true},
	}
	for _, tt := range tests {
		if got := matchAction(tt.pattern, tt.action); got != tt.want {
			t.Errorf("matchAction(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestMatchARN(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd"
	tests := []struct {
		name              string
		pattern, arn      string
		escaped, resource bool
		want              bool
	}{
		{"star", "*", key, false, false, true},
		{"exact", key, key, false, false, true},
		{"case-sensitive", "arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", false, false, false},
		{"wildcard region", "arn:aws:kms:*:111122223333:key/*", key, false, false, true},
		{"wildcard account", "arn:aws:kms:us-east-1:*:key/1234abcd", key, false, false, true},
		{"? in a segment", "arn:aws:kms:us-east-?:111122223333:key/1234abcd", key, false, false, true},
		{"wrong service", "arn:aws:s3:*:111122223333:key/*", key, false, false, false},
		{"resource path wildcard", "arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/path/x", false, false, true},
		{"last segment takes colons", "arn:aws:logs:us-east-1:111122223333:log-group:*", "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", false, false, true},

		// ArnLike: a wildcard stays inside its segment.
		{"ArnLike: star ending a segment does not cross a colon", "arn:aws:kms:us-*:key/1234abcd", key, false, false, false},
		{"ArnLike: star alone does not cross a colon", "arn:aws:kms:*:key/1234abcd", key, false, false, false},
		{"ArnLike: ? does not match a colon", "arn:aws:kms:us-east-1?111122223333:key/1234abcd", key, false, false, false},
		// Resource: a '*' that ends a segment may reach across colons, as IAM documents.
		{"Resource: star ending a segment crosses colons", "arn:aws:kms:us-*:key/1234abcd", key, false, true, true},
		{"Resource: star alone crosses colons", "arn:aws:kms:*:key/1234abcd", key, false, true, true},
		{"Resource: the rest must still match", "arn:aws:kms:*:key/other", key, false, true, false},
		{"Resource: star inside a segment does not cross colons", "arn:aws:kms:u*1:key/1234abcd", key, false, true, false},
		{"Resource: escaped star does not cross colons", `arn:aws:kms:us-\*:key/1234abcd`, key, true, true, false},

		// A pattern with fewer segments: its last segment takes the rest of the ARN.
		{"fewer segments, trailing star", "arn:aws:iam::*", "arn:aws:iam::111122223333:role/x", false, false, true},
		{"two segments", "arn:*", "arn:aws:s3:::b", false, false, true},
		{"fewer segments, no wildcard", "arn:aws:s3", "arn:aws:s3:::b", false, false, false},
		// An ARN with fewer segments than the pattern.
		{"short ARN", "arn:aws:s3:::b", "arn:aws:s3", false, false, false},
		{"S3 object", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c", false, false, true},
		{"S3 bucket is not its objects", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false, false, false},

		// Values that are not ARNs are matched whole.
		{"not an ARN", "s3.*.amazonaws.com", "s3.us-east-1.amazonaws.com", false, false, true},
		{"pattern is not an ARN", "abc*", "arn:aws:s3:::b", false, false, false},

		// Escaped mode (expanded policy variables): wildcards in substituted text are literal.
		{"escaped literal star", `arn:aws:s3:::b/\*`, "arn:aws:s3:::b/*", true, true, true},
		{"escaped literal star is not a wildcard", `arn:aws:s3:::b/\*`, "arn:aws:s3:::b/x", true, true, false},
	}
	for _, tt := range tests {
		if got := matchARN(tt.pattern, tt.arn, tt.escaped, tt.resource); got != tt.want {
			t.Errorf("%s: matchARN(%q, %q, escaped=%v, resource=%v) = %v, want %v", tt.name, tt.pattern, tt.arn, tt.escaped, tt.resource, got, tt.want)
		}
	}
}

// globRegexp is the reference for glob: '*' is '.*', '?' is '.', every other character is
// literal, the whole string must match, and '.' matches newlines.
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}

func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"*", ""}, {"a*b?c", "axxbyc"}, {"?", "é"}, {"*本?", "日本語"}, {"kms:*", "kms:Decrypt"},
		{"a*a*a*b", "aaaaaaaaab"}, {"*?*?", "x"}, {"\\*", "*"}, {"[a-z]*", "[a-z]x"}, {"a\nb*", "a\nbc"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || len(pattern) > 1000 {
			return
		}
		want := globRegexp(pattern).MatchString(s)
		if got := glob(pattern, s, false, false); got != want {
			t.Fatalf("glob(%q, %q) = %v, the reference says %v", pattern, s, got, want)
		}
		if !strings.Contains(pattern, `\`) {
			if got := glob(pattern, s, false, true); got != want {
				t.Fatalf("glob(%q, %q, escaped) = %v, the reference says %v", pattern, s, got, want)
			}
		}
	})
}

// Plain and trailing-star action patterns take a fast path: it must answer as glob does, in
// any case, for every kind of pattern.
func TestActionPatternKinds(t *testing.T) {
	patterns := []string{"kms:decrypt", "kms:*", "*", "kms:generatedatakey*", "kms:re*", "kms:re?ncrypt*", "s3:get*object", "kms:", "kms:decrypt*", "k*"}
	actions := []string{"kms:Decrypt", "KMS:DECRYPT", "kms:DecryptX", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
		"kms:RetireGrant", "s3:GetObject", "kms:", "kms", "", "kmsx:Decrypt"}
	for _, p := range patterns {
		st := &Statement{actions: []string{p}, actionKinds: []patternKind{kindOf(p)}}
		for _, a := range actions {
			if got, want := st.matchesAction(a), matchAction(p, a); got != want {
				t.Errorf("pattern %q (kind %d), action %q: %v, glob says %v", p, kindOf(p), a, got, want)
			}
		}
	}
}
