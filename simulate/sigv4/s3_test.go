package sigv4

import (
	"encoding/json"
	"errors"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

type presignCase struct {
	Region, Bucket, Key, Method, Token string
	Expires                            int
}

var presignCases = []presignCase{
	{"us-east-1", "kms-bogo-test", "eiffel.png", "GET", "", 3600},
	{"us-east-1", "kms-bogo-test", "dir/a b+c~é (1).png", "GET", "", 60},
	{"eu-west-1", "my-bucket", "x/y/z.txt", "PUT", "", 604800},
	{"us-west-2", "bucket", "key", "GET", "FwoGZXIvYXdzEXAMPLETOKEN//+=", 900},
	{"ap-southeast-2", "bucket", "weird*key?&=%#[]@!$'();:,.txt", "GET", "", 3600},
}

// botocoreURLs asks botocore (the reference) for the presigned URLs of the cases at a pinned
// time. It skips the test when python3 or botocore is missing.
func botocoreURLs(t *testing.T, at time.Time, cases []presignCase) []string {
	t.Helper()
	script := `
import json, sys, datetime
from unittest import mock
import botocore.session, botocore.config
cases, at = json.load(sys.stdin), datetime.datetime(*map(int, sys.argv[1:7]))
out = []
with mock.patch("botocore.auth.get_current_datetime", return_value=at):
    for c in cases:
        s = botocore.session.get_session()
        cl = s.create_client("s3", region_name=c["Region"], aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            aws_session_token=c["Token"] or None,
            config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
        op = {"GET": "get_object", "PUT": "put_object"}[c["Method"]]
        out.append(cl.generate_presigned_url(op, Params={"Bucket": c["Bucket"], "Key": c["Key"]}, ExpiresIn=c["Expires"]))
print(json.dumps(out))
`
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: the botocore comparison needs it")
	}
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skip("botocore is not installed (pip install botocore): the comparison needs it")
	}
	in, _ := json.Marshal(cases)
	args := []string{"-c", script}
	for _, n := range []int{at.Year(), int(at.Month()), at.Day(), at.Hour(), at.Minute(), at.Second()} {
		args = append(args, itoa(n))
	}
	cmd := exec.Command("python3", args...)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	var urls []string
	if err := json.Unmarshal(out, &urls); err != nil {
		t.Fatal(err)
	}
	return urls
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestPresignMatchesBotocore: our presigned URLs equal botocore's, byte for byte.
func TestPresignMatchesBotocore(t *testing.T) {
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	want := botocoreURLs(t, at, presignCases)
	for i, c := range presignCases {
		got, err := PresignS3(S3URL{Region: c.Region, Bucket: c.Bucket, Key: c.Key}, c.Method,
			Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", c.Token}, at, time.Duration(c.Expires)*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got != want[i] {
			t.Errorf("%+v:\n got %s\nwant %s", c, got, want[i])
		}
	}
}

func TestVerifyPresigned(t *testing.T) {
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	lookup := func(id string) (Credentials, bool) { return creds, id == creds.AccessKeyID }
	raw, err := PresignS3(S3URL{Region: "us-east-1", Bucket: "kms-bogo-test", Key: "eiffel.png"}, "GET", creds, at, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(raw string, method string, now time.Time) error {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		_, err = VerifyPresigned(method, u.Host, u.Path, u.Query(), now, lookup)
		return err
	}
	if err := verify(raw, "GET", at.Add(59*time.Minute)); err != nil {
		t.Fatalf("valid URL rejected: %v", err)
	}
	if err := verify(raw, "GET", at.Add(61*time.Minute)); !errors.Is(err, ErrExpired) {
		t.Errorf("expired URL: %v", err)
	}
	if err := verify(raw, "PUT", at); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("other method: %v", err)
	}
	for _, tamper := range []func(string) string{
		func(s string) string { return strings.Replace(s, "eiffel.png", "eiffel.jpg", 1) },
		func(s string) string { return strings.Replace(s, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1) },
		func(s string) string {
			return s[:len(s)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", s[len(s)-1])+1)%16])
		},
	} {
		if err := verify(tamper(raw), "GET", at); !errors.Is(err, ErrSignatureMismatch) {
			t.Errorf("tampered URL accepted: %v", err)
		}
	}
	tooLong := strings.Replace(raw, "X-Amz-Expires=3600", "X-Amz-Expires=604801", 1)
	var qe *QueryError
	if err := verify(tooLong, "GET", at); !errors.As(err, &qe) {
		t.Errorf("X-Amz-Expires over a week: %v", err)
	}
	if _, err := PresignS3(S3URL{Region: "us-east-1", Bucket: "b", Key: "k"}, "GET", creds, at, MaxPresignExpiry+time.Second); err == nil {
		t.Error("presign over 7 days accepted")
	}
}
