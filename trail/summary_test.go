package trail

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/simulate"
)

const testKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// summaryTrail holds records shaped as TRAIL-FORMATS.md section 4: an S3-made
// GenerateDataKey (4.1) and Decrypt (4.4) under invokedBy AWS Internal, a
// direct Decrypt, a denied Decrypt (4.6) and an S3 PutObject data event (4.9).
const summaryTrail = `{"Records": [
{"eventVersion": "1.11", "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app-writer/app-session", "accountId": "111122223333", "invokedBy": "AWS Internal"},
 "eventTime": "2025-10-27T00:01:13Z", "eventSource": "kms.amazonaws.com", "eventName": "GenerateDataKey",
 "requestParameters": {"keyId": "` + testKey + `", "encryptionContext": {"aws:s3:arn": "arn:aws:s3:::amzn-s3-demo-bucket/reports/2025/10/q3.csv"}, "keySpec": "AES_256"},
 "eventID": "e1", "readOnly": true, "resources": [{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "` + testKey + `"}]},
{"eventVersion": "1.08", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/analyst", "invokedBy": "AWS Internal"},
 "eventTime": "2025-10-28T20:07:45Z", "eventSource": "kms.amazonaws.com", "eventName": "Decrypt",
 "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:s3:arn": "arn:aws:s3:::amzn-s3-demo-bucket/prefix/data-1"}},
 "eventID": "e2", "readOnly": true, "resources": [{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "` + testKey + `"}]},
{"eventVersion": "1.08", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/Alice"},
 "eventTime": "2025-10-28T09:00:00Z", "eventSource": "kms.amazonaws.com", "eventName": "Decrypt",
 "requestParameters": {"keyId": "alias/app", "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
 "eventID": "e3", "readOnly": true},
{"eventVersion": "1.09", "userIdentity": {"type": "Unknown", "invokedBy": "s3.amazonaws.com"},
 "eventTime": "2025-10-28T08:15:00Z", "eventSource": "kms.amazonaws.com", "eventName": "Decrypt",
 "errorCode": "AccessDenied", "errorMessage": "User: anonymous is not authorized to perform: kms:Decrypt",
 "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:s3:arn": "arn:aws:s3:::amzn-s3-demo-bucket/site/index.html"}},
 "eventID": "e4", "readOnly": true},
{"eventVersion": "1.10", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/uploader"},
 "eventTime": "2025-01-15T09:30:12Z", "eventSource": "s3.amazonaws.com", "eventName": "PutObject",
 "requestParameters": {"bucketName": "amzn-s3-demo-bucket", "key": "reports/2025/01/q4.csv", "x-amz-server-side-encryption": "aws:kms"},
 "additionalEventData": {"SSEApplied": "SSE_KMS", "bytesTransferredIn": 10485},
 "eventID": "e5", "readOnly": false, "eventCategory": "Data", "managementEvent": false}
]}`

func summarize(t *testing.T, input string) *Summary {
	t.Helper()
	s := NewSummary()
	if _, err := Read(strings.NewReader(input), "in.json", Options{}, func(r Record) error { s.Add(r); return nil }); err != nil {
		t.Fatalf("read: %v", err)
	}
	return s
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSummary(t *testing.T) {
	s := summarize(t, summaryTrail)
	if s.Records != 5 || s.KMSRecords != 4 || s.S3Records != 1 {
		t.Errorf("records %d, kms %d, s3 %d; want 5, 4, 1", s.Records, s.KMSRecords, s.S3Records)
	}
	u := func(day, key, principal, op, via, bucket string, n, errs int, first, last string) Usage {
		return Usage{UsageKey{day, key, principal, op, via, bucket}, n, errs, ts(first), ts(last)}
	}
	want := []Usage{
		u("", "(none)", "s3.amazonaws.com", "Decrypt", "s3", "amzn-s3-demo-bucket", 1, 1, "2025-10-28T08:15:00Z", "2025-10-28T08:15:00Z"),
		u("", "alias/app", "arn:aws:iam::111122223333:user/Alice", "Decrypt", "direct", "", 1, 0, "2025-10-28T09:00:00Z", "2025-10-28T09:00:00Z"),
		u("", testKey, "arn:aws:iam::111122223333:user/analyst", "Decrypt", "s3", "amzn-s3-demo-bucket", 1, 0, "2025-10-28T20:07:45Z", "2025-10-28T20:07:45Z"),
		u("", testKey, "arn:aws:sts::111122223333:assumed-role/app-writer/app-session", "GenerateDataKey", "s3", "amzn-s3-demo-bucket", 1, 0, "2025-10-27T00:01:13Z", "2025-10-27T00:01:13Z"),
	}
	if got := s.Usage(ByKey); !reflect.DeepEqual(got, want) {
		t.Errorf("Usage(ByKey):\n got %+v\nwant %+v", got, want)
	}
	// By event: Decrypt rows first, GenerateDataKey last; by day: one row per record here.
	if got := s.Usage(ByEvent); got[3].Operation != "GenerateDataKey" || got[0].Operation != "Decrypt" {
		t.Errorf("Usage(ByEvent) order: %+v", got)
	}
	days := s.Usage(ByDay)
	if len(days) != 4 || days[0].Day != "2025-10-27" || days[1].Day != "2025-10-28" {
		t.Errorf("Usage(ByDay): %+v", days)
	}
	wantB := []BucketUsage{{Bucket: "amzn-s3-demo-bucket", Count: 1, Events: map[string]int{"PutObject": 1},
		SSE: map[string]int{"SSE_KMS": 1}, First: ts("2025-01-15T09:30:12Z"), Last: ts("2025-01-15T09:30:12Z")}}
	if got := s.Buckets(); !reflect.DeepEqual(got, wantB) {
		t.Errorf("Buckets:\n got %+v\nwant %+v", got, wantB)
	}
}

func TestPrincipalAndVia(t *testing.T) {
	for _, tc := range []struct{ raw, principal, via, bucket string }{
		{`{"userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com"}}`, "s3.amazonaws.com", "s3", ""},
		{`{"userIdentity":{"type":"AWSAccount","accountId":"444455556666","invokedBy":"AWS Internal"}}`, "account:444455556666", "AWS Internal", ""},
		{`{"userIdentity":{"accountId":"1","invokedBy":"AWS Internal"}}`, "AWS Internal", "AWS Internal", ""},
		{`{"userIdentity":{"type":"Root"}}`, "Root", "direct", ""},
		{`{}`, "(unknown)", "direct", ""},
		{`{"requestParameters":{"encryptionContext":{"aws:ebs:id":"vol-1"}}}`, "(unknown)", "ebs", ""},
		{`{"requestParameters":{"encryptionContext":{"SecretARN":"x","SecretVersionId":"y"}}}`, "(unknown)", "secretsmanager", ""},
		{`{"requestParameters":{"encryptionContext":{"PARAMETER_ARN":"x"}}}`, "(unknown)", "ssm", ""},
		{`{"requestParameters":{"encryptionContext":{"aws:lambda:FunctionArn":"x"}}}`, "(unknown)", "lambda", ""},
		{`{"requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws-cn:s3:::bkt"}}}`, "(unknown)", "s3", "bkt"},
		{`{"userIdentity":{"invokedBy":"ec2.amazonaws.com"},"requestParameters":{"encryptionContext":{"k":"v"}}}`, "ec2.amazonaws.com", "ec2", ""},
		// TRAIL-FORMATS 4.11: CloudTrail delivering its own log file also sets aws:s3:arn.
		{`{"userIdentity":{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"},"requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::trail-bucket/AWSLogs/f.json.gz","aws:cloudtrail:arn":"arn:aws:cloudtrail:us-west-2:111122223333:trail/t"}}}`, "cloudtrail.amazonaws.com", "cloudtrail", ""},
	} {
		r := Record{Raw: []byte(tc.raw)}
		via, bucket := ViaOf(r)
		if p := PrincipalOf(r); p != tc.principal || via != tc.via || bucket != tc.bucket {
			t.Errorf("%s: principal %q via %q bucket %q; want %q %q %q", tc.raw, p, via, bucket, tc.principal, tc.via, tc.bucket)
		}
	}
}

// TestSummarySimulated summarizes the trail of the simulated seed walkthrough.
func TestSummarySimulated(t *testing.T) {
	w, steps, err := simulate.SeedWalkthrough(1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rec := w.Record()
	simulate.Run(w, steps)
	var buf bytes.Buffer
	if err := rec.WriteLog(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "trail.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewSummary()
	st, err := ReadPaths([]string{path}, Options{}, func(r Record) error { s.Add(r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Parsed != len(rec.Records) || s.Records != st.Parsed {
		t.Fatalf("parsed %d, summarized %d, recorded %d", st.Parsed, s.Records, len(rec.Records))
	}
	const key = "arn:aws:kms:us-east-1:526262051452:key/da0f41cc-b71c-484f-977f-f4edac09859a"
	const acct = "arn:aws:iam::526262051452:"
	type row struct {
		principal, op, via string
		n, errs            int
	}
	got := map[row]bool{}
	for _, u := range s.Usage(ByKey) {
		if u.Key != key {
			t.Errorf("unexpected key %q", u.Key)
		}
		if u.Via == "s3" && u.Bucket != "kms-bogo-test" {
			t.Errorf("via s3 bucket %q", u.Bucket)
		}
		got[row{u.Principal, u.Operation, u.Via, u.Count, u.Errors}] = true
	}
	for _, want := range []row{
		{acct + "user/K", "GenerateDataKey", "s3", 1, 0}, // the put
		{acct + "user/K", "Decrypt", "s3", 3, 1},         // the presigned GET, the GET while disabled (DisabledException), the GET after enable
		{acct + "user/Bob", "Decrypt", "s3", 1, 1},       // Bob has no kms:Decrypt
		{acct + "user/K", "DisableKey", "direct", 1, 0},
		{acct + "user/K", "EnableKey", "direct", 1, 0},
	} {
		if !got[want] {
			t.Errorf("missing %+v in %+v", want, got)
		}
	}
	b := s.Buckets()
	if len(b) != 1 || b[0].Bucket != "kms-bogo-test" || b[0].Events["PutObject"] != 1 || b[0].SSE["SSE_KMS"] != 1 {
		t.Errorf("buckets: %+v", b)
	}
}

func TestSummaryFixtureMismatch(t *testing.T) {
	dir := t.TempDir()
	trailFile := filepath.Join(dir, "t.json")
	os.WriteFile(trailFile, []byte(`{"Records":[{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","eventID":"e1","eventTime":"2025-03-01T10:00:00Z","requestParameters":{"keyId":"k1"}}]}`), 0o644)
	exp := filepath.Join(dir, "t"+SummarySuffix)
	os.WriteFile(exp, []byte(`{"records":1,"kmsRecords":1,"s3Records":0,"by":"key","kms":[{"key":"k1","principal":"(unknown)","operation":"Encrypt","via":"direct","count":1,"errors":0,"first":"2025-03-01T10:00:00Z","last":"2025-03-01T10:00:00Z"}],"s3":[]}`), 0o644)
	ok, why, err := RunSummaryFixture(exp)
	if err != nil || ok || why != "kms[0].operation: got Decrypt, want Encrypt" {
		t.Fatalf("ok %v why %q err %v", ok, why, err)
	}
}

func TestKeyOf(t *testing.T) {
	const arn = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, tc := range []struct{ raw, want string }{
		{`{"resources":[{"type":"AWS::KMS::Key","ARN":"` + arn + `"}],"requestParameters":{"keyId":"alias/a"}}`, arn},
		// The KMS CreateGrant doc example (eventVersion 1.02): resources without a type.
		{`{"resources":[{"ARN":"` + arn + `","accountId":"111122223333"}],"requestParameters":{"keyId":"1234abcd"}}`, arn},
		{`{"resources":[{"ARN":"arn:aws:kms:us-west-2:111122223333:alias/a"}],"requestParameters":{"keyId":"alias/a"}}`, "alias/a"},
		{`{"requestParameters":{"keyId":"alias/a"}}`, "alias/a"},
		{`{}`, "(none)"},
	} {
		if got := KeyOf(Record{Raw: []byte(tc.raw)}); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.raw, got, tc.want)
		}
	}
}
