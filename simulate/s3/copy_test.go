package s3

import (
	"bytes"
	"testing"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/simulate/kms"
)

// CopyObject reads the source as the caller (KMS Decrypt) and writes the copy as the caller,
// encrypted as asked or by the destination bucket's default, not as the source was.
func TestCopyObject(t *testing.T) {
	s, k, key := world(t)
	var kmsCalls, s3Calls []string
	k.OnCall = func(ev kms.Event) { kmsCalls = append(kmsCalls, ev.Name) }
	s.OnCall = func(ev Event) { s3Calls = append(s3Calls, ev.Name+" "+ev.CopySource) }
	signed := Request{Caller: principal(t, userK), SigV4: true, HTTPS: true}
	body := bytes.Repeat([]byte("report "), 20000)
	if _, err := s.PutObject(signed, "kms-bogo-test", "a.txt", bytes.NewReader(body), PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias}); err != nil {
		t.Fatal(err)
	}
	kmsCalls, s3Calls = nil, nil

	// No SSE header: the bucket default (SSE-S3) applies to the copy.
	res, err := s.CopyObject(signed, "kms-bogo-test", "a.txt", "kms-bogo-test", "b.txt", PutOptions{})
	if err != nil || res.SSE != SSES3 || res.KMSKeyID != "" {
		t.Fatalf("copy to the default: %+v %v", res, err)
	}
	if len(kmsCalls) != 1 || kmsCalls[0] != "Decrypt" || len(s3Calls) != 1 || s3Calls[0] != "CopyObject kms-bogo-test/a.txt" {
		t.Errorf("calls: KMS %v, S3 %v", kmsCalls, s3Calls)
	}
	// The SSE-S3 copy no longer needs the key: Bob, whom the key policy gives nothing, reads it.
	var got bytes.Buffer
	bobReq := Request{Caller: principal(t, bob), SigV4: true, HTTPS: true}
	if _, err := s.GetObject(bobReq, "kms-bogo-test", "b.txt", &got); err != nil || !bytes.Equal(got.Bytes(), body) {
		t.Fatalf("get the copy: %v", err)
	}

	// Asked for SSE-KMS: GenerateDataKey for the copy, full key ARN in the answer.
	kmsCalls = nil
	res, err = s.CopyObject(signed, "kms-bogo-test", "a.txt", "kms-bogo-test", "c.txt", PutOptions{SSE: SSEKMS, KMSKeyID: key.ID})
	if err != nil || res.SSE != SSEKMS || res.KMSKeyID != key.ARN {
		t.Fatalf("copy with SSE-KMS: %+v %v", res, err)
	}
	if len(kmsCalls) != 2 || kmsCalls[0] != "Decrypt" || kmsCalls[1] != "GenerateDataKey" {
		t.Errorf("KMS calls: %v", kmsCalls)
	}
	got.Reset()
	if _, err := s.GetObject(signed, "kms-bogo-test", "c.txt", &got); err != nil || !bytes.Equal(got.Bytes(), body) {
		t.Fatalf("get the SSE-KMS copy: %v", err)
	}

	// Bob may read and write the bucket but cannot decrypt the source: AccessDenied from KMS,
	// and no copy is made.
	_, err = s.CopyObject(bobReq, "kms-bogo-test", "a.txt", "kms-bogo-test", "d.txt", PutOptions{})
	if e := s3err(t, err); e.Code != "AccessDenied" || e.KMS == nil {
		t.Errorf("Bob's copy: %v", err)
	}
	if _, err := s.HeadObject(signed, "kms-bogo-test", "d.txt"); s3err(t, err).Code != "NoSuchKey" {
		t.Errorf("a denied copy left an object: %v", err)
	}
	// A missing source, a SigV2 request for an SSE-KMS source.
	if _, err := s.CopyObject(signed, "kms-bogo-test", "missing", "kms-bogo-test", "e.txt", PutOptions{}); s3err(t, err).Code != "NoSuchKey" {
		t.Errorf("missing source: %v", err)
	}
	v2 := Request{Caller: principal(t, userK), HTTPS: true}
	if _, err := s.CopyObject(v2, "kms-bogo-test", "a.txt", "kms-bogo-test", "f.txt", PutOptions{}); s3err(t, err).Message != requiresSigV4 {
		t.Errorf("SigV2 copy: %v", err)
	}
}
