package policy

import (
	"slices"
	"testing"
)

// Context key names are case-insensitive (IAM: "condition key names are not case-sensitive"):
// setting a key again in another case replaces it, Get finds it in any case, Keys gives the
// names as last given, and Reset empties the context for reuse.
func TestContextKeys(t *testing.T) {
	var c Context
	c.Set("aws:SourceIp", "203.0.113.10")
	c.Set("kms:EncryptionContext:Project", "alpha")
	c.Set("AWS:SOURCEIP", "198.51.100.7", "192.0.2.1")
	if c.Len() != 2 {
		t.Fatalf("%d keys, want 2", c.Len())
	}
	if v, ok := c.Get("aws:sourceip"); !ok || !slices.Equal(v, []string{"198.51.100.7", "192.0.2.1"}) {
		t.Errorf("aws:sourceip = %v %v", v, ok)
	}
	if v, ok := c.Get("KMS:ENCRYPTIONCONTEXT:project"); !ok || !slices.Equal(v, []string{"alpha"}) {
		t.Errorf("encryption context key = %v %v", v, ok)
	}
	if _, ok := c.Get("aws:SourceVpc"); ok {
		t.Error("an unset key is set")
	}
	if got := c.Keys(); !slices.Equal(got, []string{"AWS:SOURCEIP", "kms:EncryptionContext:Project"}) {
		t.Errorf("Keys() = %v", got)
	}
	c.Reset()
	if _, ok := c.Get("aws:SourceIp"); ok || c.Len() != 0 {
		t.Error("Reset left keys")
	}
	c.Set("aws:SecureTransport", "true")
	if v, _ := c.Get("aws:securetransport"); !slices.Equal(v, []string{"true"}) || c.Len() != 1 {
		t.Errorf("after Reset: %v", v)
	}
}

// The derived kms:EncryptionContextKeys lists the context's keys as given, whatever the case
// of the condition key's prefix.
func TestEncryptionContextKeysDerived(t *testing.T) {
	req := &Request{Action: "kms:Decrypt", Resource: seedKey}
	req.Context.Set("kms:EncryptionContext:b", "2")
	req.Context.Set("KMS:ENCRYPTIONCONTEXT:A", "1")
	req.Context.Set("kms:ViaService", "s3.us-east-1.amazonaws.com")
	e := newEnv(req)
	v := e.get("kms:encryptioncontextkeys")
	var got []string
	for i := range v.len() {
		got = append(got, v.at(i))
	}
	if !slices.Equal(got, []string{"A", "b"}) {
		t.Errorf("kms:EncryptionContextKeys = %v", got)
	}
}
