package catalog

import (
	"strings"
	"testing"
)

func defaultCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefault(t *testing.T) {
	c := defaultCatalog(t)
	if c.Version == "" || c.Date == "" || len(c.Services) < 300 {
		t.Fatalf("catalog %s %s has %d services", c.Version, c.Date, len(c.Services))
	}
	// The KMS API, as the KMS API reference lists it.
	for _, a := range []string{"kms:Decrypt", "KMS:decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant", "kms:PutKeyPolicy", "s3:GetObject", "iam:PassRole"} {
		if c.Action(a) == nil {
			t.Errorf("%s missing", a)
		}
	}
	for _, a := range []string{"kms:Decrypts", "kmz:Decrypt", "kms", "kms:"} {
		if c.Action(a) != nil {
			t.Errorf("%s found", a)
		}
	}
	if a := c.Action("kms:Decrypt"); a.Access != "Write" || len(a.Resources) == 0 || a.Resources[0].Type != "key" {
		t.Errorf("kms:Decrypt entry: %+v", a)
	}
}

func TestExpand(t *testing.T) {
	c := defaultCatalog(t)
	names := func(as []*Action) string {
		var out []string
		for _, a := range as {
			out = append(out, a.FullName())
		}
		return strings.Join(out, ",")
	}
	// kms:ReEncrypt* covers ReEncryptFrom and ReEncryptTo (KMS developer guide, key policy defaults).
	if got := names(c.Expand("kms:ReEncrypt*")); got != "kms:ReEncryptFrom,kms:ReEncryptTo" {
		t.Errorf("kms:ReEncrypt* = %s", got)
	}
	// kms:Create* covers CreateGrant (the seed key policy's administrators statement).
	if !strings.Contains(names(c.Expand("kms:create*")), "kms:CreateGrant") {
		t.Error("kms:create* does not cover CreateGrant")
	}
	if n := len(c.Expand("kms:*")); n < 50 {
		t.Errorf("kms:* expands to %d actions", n)
	}
	if n := len(c.Expand("*")); n < 10000 {
		t.Errorf("* expands to %d actions", n)
	}
	if got := c.Expand("kms:Decrpyt"); len(got) != 0 {
		t.Errorf("misspelling expands to %s", names(got))
	}
}

func TestConditionKey(t *testing.T) {
	c := defaultCatalog(t)
	for name, typ := range map[string]string{
		"aws:SourceIp":                     "IPAddress",
		"AWS:sourceip":                     "IPAddress",
		"aws:PrincipalTag/team":            "String",
		"aws:CurrentTime":                  "Date",
		"kms:GrantIsForAWSResource":        "Bool",
		"kms:EncryptionContext:aws:s3:arn": "String",
		"kms:EncryptionContextKeys":        "ArrayOfString",
		"kms:CallerAccount":                "String",
	} {
		k, ok := c.ConditionKey(name)
		if !ok || k.Type != typ {
			t.Errorf("%s: got %+v %v, want type %s", name, k, ok, typ)
		}
	}
	for _, name := range []string{"kms:CallersAccount", "aws:SourceIpp", "kms:EncryptionContext:", "nosuch:Key", "aws:PrincipalTag/"} {
		if k, ok := c.ConditionKey(name); ok {
			t.Errorf("%s found: %+v", name, k)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, in := range []string{"", "{}", "not json", "\x1f\x8bgarbage"} {
		if _, err := Load(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func BenchmarkDefaultLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(strings.NewReader(string(embedded))); err != nil {
			b.Fatal(err)
		}
	}
}
