package s3

import (
	"bytes"
	"os"
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

// A spilled source streams into its copy (onto itself too), a multipart source's parts become
// one object, and a damaged source copies nothing.
func TestCopyLargeObject(t *testing.T) {
	s, _, _ := world(t)
	s.SpillDir, s.SpillSize = t.TempDir(), 1<<20
	defer s.Close()
	signed := Request{Caller: principal(t, userK), SigV4: true, HTTPS: true}
	body := bytes.Repeat([]byte("a large object "), 400_000) // 6 MB: spilled
	kmsPut := PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias}
	if _, err := s.PutObject(signed, "kms-bogo-test", "big", bytes.NewReader(body), kmsPut); err != nil {
		t.Fatal(err)
	}
	get := func(key string) []byte {
		t.Helper()
		var got bytes.Buffer
		if _, err := s.GetObject(signed, "kms-bogo-test", key, &got); err != nil {
			t.Fatalf("get %s: %v", key, err)
		}
		return got.Bytes()
	}
	for _, dst := range []string{"copy", "big"} {
		if _, err := s.CopyObject(signed, "kms-bogo-test", "big", "kms-bogo-test", dst, kmsPut); err != nil {
			t.Fatalf("copy to %s: %v", dst, err)
		}
		if !bytes.Equal(get(dst), body) {
			t.Errorf("copy to %s: different bytes", dst)
		}
	}
	parts := [][]byte{bytes.Repeat([]byte("p1 "), MinPartSize/3+1), []byte("the end")}
	if _, err := uploadParts(t, s, signed, "parts", kmsPut, []int{1, 2}, parts); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CopyObject(signed, "kms-bogo-test", "parts", "kms-bogo-test", "joined", PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if obj := s.buckets["kms-bogo-test"].objects["joined"]; obj.parts != nil || !bytes.Equal(get("joined"), append(bytes.Clone(parts[0]), parts[1]...)) {
		t.Errorf("the copy of a multipart object is not its parts joined")
	}
	file := s.buckets["kms-bogo-test"].objects["copy"].data.file
	data, _ := os.ReadFile(file)
	data[len(data)/2] ^= 1
	os.WriteFile(file, data, 0o600)
	if _, err := s.CopyObject(signed, "kms-bogo-test", "copy", "kms-bogo-test", "bad", kmsPut); s3err(t, err).Code != "InternalError" {
		t.Errorf("damaged source: %v", err)
	}
	if _, err := s.HeadObject(signed, "kms-bogo-test", "bad"); s3err(t, err).Code != "NoSuchKey" {
		t.Errorf("a failed copy left an object: %v", err)
	}
}
