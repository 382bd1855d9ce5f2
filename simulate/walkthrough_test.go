package simulate

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestSeedWalkthrough: every step of the embedded scenario ends as expected, and the same seed
// gives the same run.
func TestSeedWalkthrough(t *testing.T) {
	run := func() []Result {
		w, steps, err := SeedWalkthrough(1)
		if err != nil {
			t.Fatal(err)
		}
		return Run(w, steps)
	}
	first := run()
	for _, r := range first {
		if !r.AsExpect {
			t.Errorf("step %d %s %q: %s (%s), expected %s", r.Step, r.Actor, r.Call, r.Outcome, r.Why, r.Expect)
		}
	}
	second := run()
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("step %d differs between runs with one seed: %+v vs %+v", i+1, first[i], second[i])
		}
	}
}

// TestTrail: the walkthrough's trail has the records AWS writes (S3 data events and the KMS
// calls S3 makes as the caller) and is byte-for-byte reproducible with one seed.
func TestTrail(t *testing.T) {
	trail := func() []byte {
		w, steps, err := SeedWalkthrough(7)
		if err != nil {
			t.Fatal(err)
		}
		rec := w.Record()
		Run(w, steps)
		var b bytes.Buffer
		if err := rec.WriteLog(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := trail(), trail()
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with one seed wrote different trails")
	}
	var log struct {
		Records []map[string]any `json:"Records"`
	}
	if err := json.Unmarshal(a, &log); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range log.Records {
		name := r["eventSource"].(string) + " " + r["eventName"].(string)
		if code, ok := r["errorCode"].(string); ok {
			name += " " + code
		}
		count[name]++
		if r["eventSource"] == "kms.amazonaws.com" && r["eventName"] == "GenerateDataKey" {
			id := r["userIdentity"].(map[string]any)
			ec := r["requestParameters"].(map[string]any)["encryptionContext"].(map[string]any)
			if id["arn"] != UserK || id["invokedBy"] != "AWS Internal" || r["sourceIPAddress"] != "AWS Internal" ||
				ec["aws:s3:arn"] != "arn:aws:s3:::kms-bogo-test/eiffel.png" || r["managementEvent"] != true || r["readOnly"] != true {
				t.Errorf("GenerateDataKey record: %v", r)
			}
		}
	}
	want := map[string]int{
		"s3.amazonaws.com PutObject":                       1, // K's put
		"kms.amazonaws.com GenerateDataKey":                1, // S3 for K
		"s3.amazonaws.com GetObject InvalidArgument":       2, // the public URL and the SigV2 URL
		"s3.amazonaws.com GetObject":                       2, // the presigned URL, the final get
		"kms.amazonaws.com Decrypt":                        2, // S3 for those two gets
		"kms.amazonaws.com Decrypt AccessDenied":           1, // Bob
		"s3.amazonaws.com GetObject AccessDenied":          2, // Bob, as S3 reports it; the expired URL
		"kms.amazonaws.com DisableKey":                     1,
		"kms.amazonaws.com Decrypt DisabledException":      1,
		"s3.amazonaws.com GetObject KMS.DisabledException": 1,
		"kms.amazonaws.com EnableKey":                      1,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d records, want %d (all: %v)", k, count[k], n, count)
		}
	}
}
