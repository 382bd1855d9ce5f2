package sigv4

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// S3URL says where an S3 object is: virtual-hosted (bucket.s3[.region].amazonaws.com) unless
// PathStyle, or under Endpoint (scheme://host[:port]) when given.
type S3URL struct {
	Region, Bucket, Key string
	Endpoint            string
	PathStyle           bool
}

// hostPath returns the scheme, host and decoded path botocore would use.
func (u S3URL) hostPath() (scheme, host, path string, err error) {
	scheme = "https"
	switch {
	case u.Endpoint != "":
		e, perr := url.Parse(u.Endpoint)
		if perr != nil || e.Host == "" {
			return "", "", "", fmt.Errorf("invalid endpoint %q: expected scheme://host[:port]", u.Endpoint)
		}
		scheme, host = e.Scheme, e.Host
	case u.Region == "us-east-1":
		host = "s3.amazonaws.com"
	default:
		host = "s3." + u.Region + ".amazonaws.com"
	}
	if u.PathStyle || strings.Contains(u.Bucket, ".") {
		return scheme, host, "/" + u.Bucket + "/" + u.Key, nil
	}
	return scheme, u.Bucket + "." + host, "/" + u.Key, nil
}

// PresignS3 returns a presigned URL for an S3 object, byte-identical to botocore's
// generate_presigned_url for the same credentials, time, region, bucket, key, method and
// expiry: S3 rules (no path normalization, single encoding, UNSIGNED-PAYLOAD, Host signed).
func PresignS3(u S3URL, method string, c Credentials, t time.Time, expires time.Duration) (string, error) {
	if u.Bucket == "" || u.Key == "" || u.Region == "" {
		return "", errors.New("a presigned S3 URL needs a region, a bucket and a key")
	}
	scheme, host, path, err := u.hostPath()
	if err != nil {
		return "", err
	}
	s := Scope{Region: u.Region, Service: "s3"}
	r := &Request{Method: method, Path: path, Headers: []Header{{"host", host}}, PayloadHash: UnsignedPayload}
	sig, err := s.Presign(r, c, t, expires)
	if err != nil {
		return "", err
	}
	// botocore writes the parameters in the order it adds them, the session token after
	// X-Amz-SignedHeaders, and the signature last.
	order := []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token"}
	var q strings.Builder
	for _, k := range order {
		for _, p := range r.Query {
			if p.Key == k {
				q.WriteString(Encode(p.Key) + "=" + Encode(p.Value) + "&")
			}
		}
	}
	return scheme + "://" + host + EncodePath(path) + "?" + q.String() + "X-Amz-Signature=" + sig, nil
}

// Verification errors, as S3 reports them.
var (
	ErrExpired           = errors.New("Request has expired")
	ErrSignatureMismatch = errors.New("The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	ErrNotYetValid       = errors.New("Request is not valid yet")
)

// QueryError is a malformed presigned query (S3's AuthorizationQueryParametersError).
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

// Presigned is what a presigned URL claims.
type Presigned struct {
	AccessKeyID string
	Region      string
	Service     string
	Time        time.Time
	Expires     time.Duration
	Token       string
}

// SecretLookup finds the secret (and session token) of an access key id; ok is false for an
// unknown key.
type SecretLookup func(accessKeyID string) (c Credentials, ok bool)

// VerifyPresigned checks a presigned request: its parameters, its signature (constant-time)
// and its validity window at now. host is the Host the request was sent to.
func VerifyPresigned(method, host, path string, query url.Values, now time.Time, lookup SecretLookup) (*Presigned, error) {
	if query.Get("X-Amz-Algorithm") != Algorithm {
		return nil, &QueryError{"X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""}
	}
	cred := strings.Split(query.Get("X-Amz-Credential"), "/")
	if len(cred) != 5 || cred[4] != "aws4_request" {
		return nil, &QueryError{"Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."}
	}
	t, err := time.Parse(timeFormat, query.Get("X-Amz-Date"))
	if err != nil || t.Format(dateFormat) != cred[1] {
		return nil, &QueryError{"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\" and match the credential date"}
	}
	secs, err := strconv.ParseInt(query.Get("X-Amz-Expires"), 10, 64)
	switch {
	case err != nil || secs < 0:
		return nil, &QueryError{"X-Amz-Expires should be a number"}
	case time.Duration(secs)*time.Second > MaxPresignExpiry:
		return nil, &QueryError{"X-Amz-Expires must be less than a week (in seconds) that is; the given X-Amz-Expires must be less than 604800 seconds"}
	}
	p := &Presigned{AccessKeyID: cred[0], Region: cred[2], Service: cred[3], Time: t, Expires: time.Duration(secs) * time.Second, Token: query.Get("X-Amz-Security-Token")}
	c, ok := lookup(p.AccessKeyID)
	if !ok {
		return p, errors.New("The AWS Access Key Id you provided does not exist in our records.")
	}
	signed := strings.Split(query.Get("X-Amz-SignedHeaders"), ";")
	var q []Pair
	for k, vs := range query {
		if k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			q = append(q, Pair{k, v})
		}
	}
	r := &Request{Method: method, Path: path, Query: q, Headers: []Header{{"host", host}}, PayloadHash: UnsignedPayload}
	s := Scope{Region: p.Region, Service: p.Service}
	want := s.Signature(c.SecretAccessKey, t, s.StringToSign(t, s.CanonicalRequest(r, signed)))
	if !hmac.Equal([]byte(want), []byte(query.Get("X-Amz-Signature"))) {
		return p, ErrSignatureMismatch
	}
	switch {
	case now.Before(t.Add(-15 * time.Minute)):
		return p, ErrNotYetValid
	case now.After(t.Add(p.Expires)):
		return p, ErrExpired
	}
	return p, nil
}
