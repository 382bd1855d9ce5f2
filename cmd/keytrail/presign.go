package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/keytrail/keytrail/simulate/sigv4"
)

const presignHelp = `
Usage: keytrail presign s3://BUCKET/KEY [flags]

Prints a SigV4 presigned URL for an S3 object, byte-identical to what botocore (and so
'aws s3 presign') produces for the same credentials, time, region, bucket, key and expiry.
Credentials come from the flags, else from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN. Nothing is sent anywhere.

Examples:
  keytrail presign s3://kms-bogo-test/eiffel.png --access-key-id AKIDEXAMPLE --secret-access-key SECRET
  keytrail presign s3://kms-bogo-test/eiffel.png --expires 600 --method PUT --region eu-west-1
  keytrail presign s3://bucket/key --time 2026-11-29T12:00:00Z --endpoint http://127.0.0.1:9000 --path-style

Exit status: 0 printed, 2 usage error.
`

func runPresign(args []string, s *stdio) int {
	var region, method, ak, sk, token, at, endpoint string
	var expires int64
	var pathStyle bool
	fs := newFlags("presign", presignHelp, s)
	fs.StringVar(&region, "region", "us-east-1", "the bucket's `REGION`")
	fs.Int64Var(&expires, "expires", 3600, "validity in `SECONDS` (1 to 604800)")
	fs.StringVar(&method, "method", "GET", "HTTP `METHOD`: GET or PUT")
	fs.StringVar(&ak, "access-key-id", "", "access key `ID` (default $AWS_ACCESS_KEY_ID)")
	fs.StringVar(&sk, "secret-access-key", "", "secret access `KEY` (default $AWS_SECRET_ACCESS_KEY)")
	fs.StringVar(&token, "session-token", "", "session `TOKEN` (default $AWS_SESSION_TOKEN)")
	fs.StringVar(&at, "time", "", "signing `TIME`, RFC 3339 (default now)")
	fs.StringVar(&endpoint, "endpoint", "", "a custom endpoint `URL` (scheme://host[:port])")
	fs.BoolVar(&pathStyle, "path-style", false, "path-style URL (host/bucket/key) instead of virtual-hosted")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(s, "presign", "expected one s3://BUCKET/KEY")
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(fs.Arg(0), "s3://"), "/")
	if !strings.HasPrefix(fs.Arg(0), "s3://") || !ok || bucket == "" || key == "" {
		return usageError(s, "presign", fmt.Sprintf("invalid object %q: expected s3://BUCKET/KEY", fs.Arg(0)))
	}
	if method != "GET" && method != "PUT" {
		return usageError(s, "presign", fmt.Sprintf("invalid --method %q: expected GET or PUT", method))
	}
	if expires < 1 || expires > 604800 {
		return usageError(s, "presign", fmt.Sprintf("invalid --expires %d: expected 1 to 604800 seconds (7 days)", expires))
	}
	t := time.Now().UTC()
	if at != "" {
		var err error
		if t, err = time.Parse(time.RFC3339, at); err != nil {
			return usageError(s, "presign", fmt.Sprintf("invalid --time %q: expected RFC 3339 such as 2026-11-29T12:00:00Z", at))
		}
	}
	creds := sigv4.Credentials{AccessKeyID: orEnv(ak, "AWS_ACCESS_KEY_ID"), SecretAccessKey: orEnv(sk, "AWS_SECRET_ACCESS_KEY"), SessionToken: orEnv(token, "AWS_SESSION_TOKEN")}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return usageError(s, "presign", "no credentials: give --access-key-id and --secret-access-key, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	u, err := sigv4.PresignS3(sigv4.S3URL{Region: region, Bucket: bucket, Key: key, Endpoint: endpoint, PathStyle: pathStyle}, method, creds, t, time.Duration(expires)*time.Second)
	if err != nil {
		return usageError(s, "presign", err.Error())
	}
	fmt.Fprintln(s.out, u)
	return exitOK
}

func orEnv(v, name string) string {
	if v != "" {
		return v
	}
	return os.Getenv(name)
}
