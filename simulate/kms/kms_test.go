package kms

import (
	"bytes"
	"errors"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
)

type iam map[string][]*policy.Policy

func (m iam) PolicySet(p policy.Principal) ([]*policy.Policy, *policy.Policy, *policy.Policy) {
	return m[p.ARN], nil, nil
}

func call(t *testing.T, arn string) Call {
	t.Helper()
	p, err := policy.ParsePrincipal(arn)
	if err != nil {
		t.Fatal(err)
	}
	return Call{Caller: p}
}

func seedKMS(t *testing.T, ids iam) (*KMS, *Key) {
	t.Helper()
	clock := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	k := New(fixtures.SeedAccount, fixtures.SeedRegion, ids, mrand.NewChaCha8([32]byte{1}), func() time.Time { return clock })
	p, err := policy.ParseResource("seed", policy.Key, fixtures.SeedKeyPolicy)
	if err != nil {
		t.Fatal(err)
	}
	key, err := k.CreateKey(fixtures.SeedKeyID, p, "seed")
	if err != nil {
		t.Fatal(err)
	}
	if err := k.CreateAlias(fixtures.SeedAlias, key.ID); err != nil {
		t.Fatal(err)
	}
	return k, key
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

const userK = "arn:aws:iam::526262051452:user/K"

func TestDataKeyRoundTrip(t *testing.T) {
	k, key := seedKMS(t, nil)
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::kms-bogo-test/eiffel.png"}
	dk, err := k.GenerateDataKey(call(t, userK), fixtures.SeedAlias, ec, "AES_256", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dk.Plaintext) != 32 || dk.KeyARN != key.ARN {
		t.Fatalf("data key %d bytes, ARN %s", len(dk.Plaintext), dk.KeyARN)
	}
	pt, arn, err := k.Decrypt(call(t, userK), dk.CiphertextBlob, ec, "")
	if err != nil || !bytes.Equal(pt, dk.Plaintext) || arn != key.ARN {
		t.Fatalf("decrypt: %v", err)
	}
	dk.Zero()
	if !bytes.Equal(dk.Plaintext, make([]byte, 32)) {
		t.Error("Zero left key bytes")
	}
	// The encryption context is bound exactly: another context, a missing one, or the same
	// bytes split differently ({"ab":"c"} vs {"a":"bc"}) fail with InvalidCiphertextException.
	blob, _, err := k.Encrypt(call(t, userK), key.ID, []byte("secret"), map[string]string{"ab": "c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, wrong := range []map[string]string{{"a": "bc"}, nil, {"ab": "C"}, {"ab": "c", "x": "y"}} {
		if _, _, err := k.Decrypt(call(t, userK), blob, wrong, ""); code(err) != "InvalidCiphertextException" {
			t.Errorf("context %v: %v", wrong, err)
		}
	}
	for i := range blob {
		tampered := append([]byte(nil), blob...)
		tampered[i] ^= 1
		if _, _, err := k.Decrypt(call(t, userK), tampered, map[string]string{"ab": "c"}, ""); err == nil {
			t.Fatalf("byte %d flipped: decrypted", i)
		}
	}
}

func TestDenialReasons(t *testing.T) {
	k, key := seedKMS(t, iam{})
	// Another account's role: the key policy does not trust its account.
	_, err := k.GenerateDataKey(call(t, "arn:aws:iam::111122223333:role/x"), key.ID, nil, "AES_256", 0)
	if e, ok := err.(*Error); !ok || e.Message != "User: arn:aws:iam::111122223333:role/x is not authorized to perform: kms:GenerateDataKey on resource: "+key.ARN+" because no resource-based policy allows the kms:GenerateDataKey action" {
		t.Errorf("cross-account: %v", err)
	}
}

func TestErrors(t *testing.T) {
	bob := "arn:aws:iam::526262051452:user/Bob"
	k, key := seedKMS(t, iam{})
	ec := map[string]string{"a": "b"}
	// Bob has no IAM policy: the key policy only delegates to the account.
	_, err := k.GenerateDataKey(call(t, bob), key.ID, ec, "AES_256", 0)
	var e *Error
	if !errors.As(err, &e) || e.Code != "AccessDeniedException" || e.Decision == nil ||
		e.Message != "User: arn:aws:iam::526262051452:user/Bob is not authorized to perform: kms:GenerateDataKey on resource: "+key.ARN+" because no identity-based policy allows the kms:GenerateDataKey action" {
		t.Errorf("Bob: %v", err)
	}
	if _, err := k.Key("alias/nope"); code(err) != "NotFoundException" || err.(*Error).Message != "Alias arn:aws:kms:us-east-1:526262051452:alias/nope is not found." {
		t.Errorf("unknown alias: %v", err)
	}
	if _, err := k.GenerateDataKey(call(t, userK), "1234abcd-0000", ec, "AES_256", 0); code(err) != "NotFoundException" || err.(*Error).Message != "Invalid keyId '1234abcd-0000'" {
		t.Errorf("unknown key: %v", err)
	}
	for _, bad := range []struct {
		spec string
		n    int
	}{{"AES_256", 32}, {"", 0}, {"", 1025}, {"AES_512", 0}} {
		if _, err := k.GenerateDataKey(call(t, userK), key.ID, ec, bad.spec, bad.n); code(err) != "ValidationException" {
			t.Errorf("spec %q bytes %d: %v", bad.spec, bad.n, err)
		}
	}
	other, _ := k.CreateKey("", key.Policy, "other")
	blob, _, _ := k.Encrypt(call(t, userK), key.ID, []byte("x"), nil)
	if _, _, err := k.Decrypt(call(t, userK), blob, nil, other.ID); code(err) != "IncorrectKeyException" {
		t.Errorf("wrong key id: %v", err)
	}
	if _, _, err := k.Decrypt(call(t, userK), []byte("garbage"), nil, ""); code(err) != "InvalidCiphertextException" || err.(*Error).Message != "" {
		t.Errorf("garbage blob: %v", err)
	}
	// Key states: disabled, pending deletion (7-30 days), cancel → Disabled.
	if err := k.SetState(call(t, userK), key.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := k.GenerateDataKey(call(t, userK), key.ID, ec, "AES_256", 0); code(err) != "DisabledException" || err.(*Error).Message != key.ARN+" is disabled." {
		t.Errorf("disabled: %v", err)
	}
	if _, err := k.ScheduleKeyDeletion(call(t, userK), key.ID, 6); code(err) != "ValidationException" {
		t.Errorf("6 days: %v", err)
	}
	if _, err := k.ScheduleKeyDeletion(call(t, userK), key.ID, 7); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.Decrypt(call(t, userK), blob, nil, ""); code(err) != "KMSInvalidStateException" || err.(*Error).Message != key.ARN+" is pending deletion." {
		t.Errorf("pending deletion: %v", err)
	}
	if err := k.CancelKeyDeletion(call(t, userK), key.ID); err != nil || key.State != Disabled {
		t.Errorf("cancel: %v, state %s", err, key.State)
	}
}

// TestReEncrypt: ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
// destination; the result decrypts under the destination key with the new context only.
func TestReEncrypt(t *testing.T) {
	k, key := seedKMS(t, nil)
	other, err := k.CreateKey("", key.Policy, "other") // the seed policy also lets K use it
	if err != nil {
		t.Fatal(err)
	}
	blob, _, err := k.Encrypt(call(t, userK), key.ID, []byte("payload"), map[string]string{"a": "1"})
	if err != nil {
		t.Fatal(err)
	}
	out, src, dst, err := k.ReEncrypt(call(t, userK), blob, map[string]string{"a": "1"}, other.ID, map[string]string{"b": "2"})
	if err != nil || src != key.ARN || dst != other.ARN {
		t.Fatalf("ReEncrypt: %v %s %s", err, src, dst)
	}
	if pt, arn, err := k.Decrypt(call(t, userK), out, map[string]string{"b": "2"}, ""); err != nil || string(pt) != "payload" || arn != other.ARN {
		t.Errorf("decrypt the re-encrypted blob: %v", err)
	}
	if _, _, err := k.Decrypt(call(t, userK), out, map[string]string{"a": "1"}, ""); code(err) != "InvalidCiphertextException" {
		t.Errorf("old context on the new blob: %v", err)
	}
	if _, _, _, err := k.ReEncrypt(call(t, userK), blob, map[string]string{"a": "wrong"}, other.ID, nil); code(err) != "InvalidCiphertextException" {
		t.Errorf("wrong source context: %v", err)
	}
	if _, _, _, err := k.ReEncrypt(call(t, "arn:aws:iam::526262051452:user/Bob"), blob, map[string]string{"a": "1"}, other.ID, nil); code(err) != "AccessDeniedException" {
		t.Errorf("Bob: %v", err)
	}
}

// A key is named by its id, its ARN, its alias or its alias ARN (KMS's KeyId forms); other
// ARNs and names are NotFoundException.
func TestKeyReferences(t *testing.T) {
	k, key := seedKMS(t, iam{})
	aliasARN := "arn:aws:kms:" + fixtures.SeedRegion + ":" + fixtures.SeedAccount + ":" + fixtures.SeedAlias
	for _, ref := range []string{key.ID, key.ARN, fixtures.SeedAlias, aliasARN} {
		if got, err := k.Key(ref); err != nil || got != key {
			t.Errorf("%s: %v", ref, err)
		}
	}
	for _, ref := range []string{"arn:aws:kms:us-east-1:" + fixtures.SeedAccount, "arn:aws:kms:us-east-1:" + fixtures.SeedAccount + ":key/nope",
		"arn:aws:kms:us-east-1:" + fixtures.SeedAccount + ":" + key.ID, "arn:aws:kms:us-east-1:" + fixtures.SeedAccount + ":alias/nope", "key/" + key.ID, ""} {
		if _, err := k.Key(ref); code(err) != "NotFoundException" {
			t.Errorf("%q: %v, want NotFoundException", ref, err)
		}
	}
}
