package s3

import (
	"bytes"
	"errors"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
)

type iam map[string][]*policy.Policy

func (m iam) PolicySet(p policy.Principal) ([]*policy.Policy, *policy.Policy, *policy.Policy) {
	return m[p.ARN], nil, nil
}

const (
	userK = "arn:aws:iam::526262051452:user/K"
	bob   = "arn:aws:iam::526262051452:user/Bob"
)

func principal(t *testing.T, arn string) policy.Principal {
	t.Helper()
	p, err := policy.ParsePrincipal(arn)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// world is the seed walkthrough: key alias/myFirstKey with the seed policy, bucket
// kms-bogo-test (public read through its bucket policy, as in the walkthrough's public URL), K
// and Bob allowed S3 by IAM.
func world(t *testing.T) (*S3, *kms.KMS, *kms.Key) {
	t.Helper()
	s3all := policy.MustParse("s3.json", policy.Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	ids := iam{userK: {s3all}, bob: {s3all}}
	clock := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	rnd := mrand.NewChaCha8([32]byte{2})
	k := kms.New(fixtures.SeedAccount, fixtures.SeedRegion, ids, rnd, func() time.Time { return clock })
	p, err := policy.ParseResource("seed", policy.Key, fixtures.SeedKeyPolicy)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := k.CreateKey(fixtures.SeedKeyID, p, "seed")
	k.CreateAlias(fixtures.SeedAlias, key.ID)
	s := New(fixtures.SeedRegion, k, ids, rnd)
	public := policy.MustParse("bucket.json", policy.Resource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::kms-bogo-test/*"}]}`)
	if err := s.CreateBucket(&Bucket{Name: "kms-bogo-test", Account: fixtures.SeedAccount, Policy: public}); err != nil {
		t.Fatal(err)
	}
	return s, k, key
}

func s3err(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not an S3 error: %v", err)
	}
	return e
}

func TestSeedWalkthrough(t *testing.T) {
	s, k, key := world(t)
	img := bytes.Repeat([]byte("eiffel"), 100000) // 600 kB: several envelope chunks
	signed := Request{Caller: principal(t, userK), SigV4: true, HTTPS: true}
	res, err := s.PutObject(signed, "kms-bogo-test", "eiffel.png", bytes.NewReader(img), PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias})
	if err != nil {
		t.Fatal(err)
	}
	if res.SSE != SSEKMS || res.KMSKeyID != key.ARN { // S3 answers with the full key ARN
		t.Errorf("put result %+v", res)
	}
	var got bytes.Buffer
	if _, err := s.GetObject(signed, "kms-bogo-test", "eiffel.png", &got); err != nil || !bytes.Equal(got.Bytes(), img) {
		t.Fatalf("get: %v", err)
	}
	// The public URL: anonymous, unsigned: S3's message from the walkthrough.
	anon := Request{Caller: principal(t, "anonymous"), HTTPS: true}
	_, err = s.GetObject(anon, "kms-bogo-test", "eiffel.png", &got)
	if e := s3err(t, err); e.Status != 400 || e.Code != "InvalidArgument" || e.Message != "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4." {
		t.Errorf("public URL: %v", err)
	}
	// Bob may read the bucket but the key policy gives him nothing: S3 says AccessDenied, and the
	// KMS error explains it.
	_, err = s.GetObject(Request{Caller: principal(t, bob), SigV4: true, HTTPS: true}, "kms-bogo-test", "eiffel.png", &got)
	if e := s3err(t, err); e.Status != 403 || e.Code != "AccessDenied" || e.KMS == nil || e.KMS.Code != "AccessDeniedException" || e.Decision == nil {
		t.Errorf("Bob: %v", err)
	}
	// A disabled key.
	if err := k.SetState(kms.Call{Caller: principal(t, userK)}, key.ID, false); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetObject(signed, "kms-bogo-test", "eiffel.png", &got)
	if e := s3err(t, err); e.Status != 400 || e.Code != "KMS.DisabledException" || e.Message != key.ARN+" is disabled." {
		t.Errorf("disabled key: %v", err)
	}
}

func TestDefaultEncryption(t *testing.T) {
	s, _, _ := world(t)
	signed := Request{Caller: principal(t, bob), SigV4: true, HTTPS: true}
	// SSE-S3 by default: no KMS involved.
	if res, err := s.PutObject(signed, "kms-bogo-test", "a.txt", bytes.NewReader([]byte("hello")), PutOptions{}); err != nil || res.SSE != SSES3 || res.KMSKeyID != "" {
		t.Fatalf("SSE-S3 default: %+v %v", res, err)
	}
	// SSE-KMS without a key: the AWS managed aws/s3 key, created on first use; Bob, in the
	// account, may use it through S3.
	res, err := s.PutObject(signed, "kms-bogo-test", "b.txt", bytes.NewReader([]byte("hello")), PutOptions{SSE: SSEKMS})
	if err != nil || res.KMSKeyID == "" {
		t.Fatalf("aws/s3: %+v %v", res, err)
	}
	var got bytes.Buffer
	if _, err := s.GetObject(signed, "kms-bogo-test", "b.txt", &got); err != nil || got.String() != "hello" {
		t.Fatalf("get aws/s3 object: %v", err)
	}
	// SSE-KMS needs SigV4 and HTTPS.
	for _, r := range []Request{{Caller: signed.Caller, HTTPS: true}, {Caller: signed.Caller, SigV4: true}} {
		if _, err := s.PutObject(r, "kms-bogo-test", "c.txt", bytes.NewReader([]byte("x")), PutOptions{SSE: SSEKMS}); s3err(t, err).Code != "InvalidArgument" {
			t.Errorf("%+v: %v", r, err)
		}
	}
	if _, err := s.HeadObject(signed, "kms-bogo-test", "missing"); s3err(t, err).Code != "NoSuchKey" {
		t.Errorf("missing key: %v", err)
	}
}

// TestBucketKey: with S3 Bucket Keys, the KMS calls use the bucket's ARN as encryption context
// and S3 reuses the bucket-level key: one GenerateDataKey for many puts, one Decrypt per
// requester for many gets, until the key's time is up.
func TestBucketKey(t *testing.T) {
	s, k, key := world(t)
	var calls []string
	k.OnCall = func(ev kms.Event) {
		calls = append(calls, ev.Name+" "+ev.Parameters.EncryptionContext["aws:s3:arn"])
	}
	on := true
	signed := Request{Caller: principal(t, userK), SigV4: true, HTTPS: true}
	for _, obj := range []string{"a", "b", "c"} {
		res, err := s.PutObject(signed, "kms-bogo-test", obj, bytes.NewReader([]byte("data "+obj)), PutOptions{SSE: SSEKMS, KMSKeyID: key.ARN, BucketKey: &on})
		if err != nil || !res.BucketKey {
			t.Fatalf("put %s: %+v %v", obj, res, err)
		}
	}
	for _, obj := range []string{"a", "b", "c"} {
		var out bytes.Buffer
		if _, err := s.GetObject(signed, "kms-bogo-test", obj, &out); err != nil || out.String() != "data "+obj {
			t.Fatalf("get %s: %q %v", obj, out.String(), err)
		}
	}
	want := []string{"GenerateDataKey arn:aws:s3:::kms-bogo-test"} // the puts' key serves the gets too
	if strings.Join(calls, ";") != strings.Join(want, ";") {
		t.Errorf("KMS calls %v, want %v", calls, want)
	}
	// After the bucket key's time, S3 asks KMS again.
	k.Now = func() time.Time { return time.Date(2026, 11, 29, 14, 0, 0, 0, time.UTC) }
	var out bytes.Buffer
	if _, err := s.GetObject(signed, "kms-bogo-test", "a", &out); err != nil {
		t.Fatal(err)
	}
	if calls[len(calls)-1] != "Decrypt arn:aws:s3:::kms-bogo-test" {
		t.Errorf("after the TTL: %v", calls)
	}
	// Bob, another requester, is checked by KMS himself (and has no kms:Decrypt).
	if _, err := s.GetObject(Request{Caller: principal(t, bob), SigV4: true, HTTPS: true}, "kms-bogo-test", "a", &out); s3err(t, err).Code != "AccessDenied" {
		t.Errorf("Bob through a cached bucket key: %v", err)
	}
}
