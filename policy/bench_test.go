package policy

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/fixtures"
)

const seedKey = "arn:aws:kms:us-east-1:526262051452:key/da0f41cc-b71c-484f-977f-f4edac09859a"

func seedSet(tb testing.TB) *Set {
	tb.Helper()
	kp, err := ParseResource("seed-key-policy.json", Key, fixtures.SeedKeyPolicy)
	if err != nil {
		tb.Fatal(err)
	}
	return &Set{Resource: kp}
}

func mustPrincipal(tb testing.TB, s string) Principal {
	tb.Helper()
	p, err := ParsePrincipal(s)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkEvaluateSeed decides user/K kms:Decrypt on the seed key policy once parsed.
func BenchmarkEvaluateSeed(b *testing.B) {
	set := seedSet(b)
	req := &Request{Principal: mustPrincipal(b, "arn:aws:iam::526262051452:user/K"), Action: "kms:Decrypt", Resource: seedKey}
	b.ReportAllocs()
	for b.Loop() {
		if d := set.Evaluate(req); d.Outcome != Allow {
			b.Fatal(d.Outcome)
		}
	}
}

// BenchmarkEvaluateConditional decides role/app kms:CreateGrant under a key policy that
// allows it only with kms:GrantIsForAWSResource true, which the request lacks: the slow path
// (a second, optimistic pass finds the answer hinges on the missing key).
func BenchmarkEvaluateConditional(b *testing.B) {
	data, err := os.ReadFile("../fixtures/policies/app-attachment-key-policy.json")
	if err != nil {
		b.Fatal(err)
	}
	kp, err := Parse("app-attachment-key-policy.json", Resource, data)
	if err != nil {
		b.Fatal(err)
	}
	set := &Set{Resource: kp}
	req := &Request{Principal: mustPrincipal(b, "arn:aws:iam::526262051452:role/app"), Action: "kms:CreateGrant", Resource: seedKey}
	b.ReportAllocs()
	for b.Loop() {
		if d := set.Evaluate(req); d.Outcome != ImplicitDeny || !d.DependsOnMissingKeys {
			b.Fatal(d.Outcome, d.DependsOnMissingKeys)
		}
	}
}

// fiftyStatements builds a 50-statement key policy whose last statement allows the request,
// with conditions of several families along the way.
func fiftyStatements() string {
	var st []string
	for i := 0; i < 49; i++ {
		st = append(st, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:role/r%d"},
			"Action":["kms:Encrypt","kms:GenerateDataKey*"],"Resource":"*",
			"Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"},"IpAddress":{"aws:SourceIp":"10.%d.0.0/16"}}}`, i, i, i))
	}
	st = append(st, `{"Sid":"Last","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:user/K"},"Action":"kms:Decrypt","Resource":"*",
		"Condition":{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::kms-bogo-test/*"},"Bool":{"aws:SecureTransport":"true"}}}`)
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

func BenchmarkEvaluate50(b *testing.B) {
	kp := MustParse("fifty.json", Resource, fiftyStatements())
	set := &Set{Resource: kp}
	req := &Request{Principal: mustPrincipal(b, "arn:aws:iam::526262051452:user/K"), Action: "kms:Decrypt", Resource: seedKey}
	req.Context.Set("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::kms-bogo-test/eiffel.png")
	req.Context.Set("aws:SecureTransport", "true")
	req.Context.Set("aws:SourceIp", "203.0.113.7")
	req.Context.Set("kms:ViaService", "s3.us-east-1.amazonaws.com")
	b.ReportAllocs()
	for b.Loop() {
		if d := set.Evaluate(req); d.Outcome != Allow {
			b.Fatal(d.Outcome)
		}
	}
}

func BenchmarkParseSeed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("seed", Resource, fixtures.SeedKeyPolicy); err != nil {
			b.Fatal(err)
		}
	}
}
