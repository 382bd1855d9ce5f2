// Package simulate replays S3 SSE-KMS flows: a world of principals (with IAM policies and
// access keys), a simulated KMS and S3 on a virtual clock and a seeded random source, and the
// steps of a scenario run against it, each authorized by policy.Evaluate.
package simulate

import (
	"encoding/base64"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
	"github.com/keytrail/keytrail/simulate/s3"
	"github.com/keytrail/keytrail/simulate/sigv4"
)

// Identity is a principal of the world: its IAM policies and its access key.
type Identity struct {
	Principal policy.Principal
	Policies  []*policy.Policy
	Boundary  *policy.Policy
	Key       sigv4.Credentials
	Created   time.Time // when the identity (a role session: its credentials) came to be
}

// World is the simulated account(s): principals, KMS, S3, clock and randomness.
type World struct {
	Region     string
	Account    string
	Now        time.Time
	Rand       io.Reader
	KMS        *kms.KMS
	S3         *s3.S3
	identities map[string]*Identity // by principal ARN
	byKey      map[string]*Identity // by access key id
}

var (
	_ kms.Identities = (*World)(nil)
	_ s3.Identities  = (*World)(nil)
)

// NewWorld makes an empty world for an account and Region; seed makes every run identical.
func NewWorld(account, region string, start time.Time, seed uint64) *World {
	var s [32]byte
	for i := 0; i < 8; i++ {
		s[i] = byte(seed >> (8 * i))
	}
	w := &World{Region: region, Account: account, Now: start, Rand: mrand.NewChaCha8(s),
		identities: map[string]*Identity{}, byKey: map[string]*Identity{}}
	w.KMS = kms.New(account, region, w, w.Rand, func() time.Time { return w.Now })
	w.S3 = s3.New(region, w.KMS, w, w.Rand)
	return w
}

// PolicySet gives a caller's identity policies (kms.Identities, s3.Identities).
func (w *World) PolicySet(p policy.Principal) ([]*policy.Policy, *policy.Policy, *policy.Policy) {
	id := w.identities[p.ARN]
	if id == nil && p.Type == policy.AssumedRole {
		id = w.identities[p.PrincipalARN]
	}
	if id == nil {
		return nil, nil, nil
	}
	return id.Policies, id.Boundary, nil
}

// AddIdentity adds a principal with IAM policies and a generated access key.
func (w *World) AddIdentity(arn string, policies ...*policy.Policy) (*Identity, error) {
	p, err := policy.ParsePrincipal(arn)
	if err != nil {
		return nil, err
	}
	var b [20]byte
	io.ReadFull(w.Rand, b[:])
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	// Long-term keys are AKIA..., a session's temporary credentials ASIA... with a session token.
	session := p.Type == policy.AssumedRole || p.Type == policy.FederatedUser
	ak := []byte("AKIA")
	if session {
		ak = []byte("ASIA")
	}
	for _, c := range b[:16] {
		ak = append(ak, alphabet[int(c)%len(alphabet)])
	}
	secret := make([]byte, 30)
	io.ReadFull(w.Rand, secret)
	id := &Identity{Principal: p, Policies: policies, Created: w.Now,
		Key: sigv4.Credentials{AccessKeyID: string(ak), SecretAccessKey: fmt.Sprintf("%x", secret)[:40]}}
	if session {
		token := make([]byte, 96)
		io.ReadFull(w.Rand, token)
		id.Key.SessionToken = "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(token)
	}
	w.identities[arn] = id
	w.byKey[id.Key.AccessKeyID] = id
	return id, nil
}

// Identity returns a principal of the world.
func (w *World) Identity(arn string) *Identity { return w.identities[arn] }

// Advance moves the virtual clock.
func (w *World) Advance(d time.Duration) { w.Now = w.Now.Add(d) }

// Presign makes a presigned URL for an object as the identity would (aws s3 presign).
// region "" is the world's Region; another signs for that Region (which S3 here refuses).
func (w *World) Presign(id *Identity, method, region, bucket, key string, expires time.Duration) (string, error) {
	if region == "" {
		region = w.Region
	}
	return sigv4.PresignS3(sigv4.S3URL{Region: region, Bucket: bucket, Key: key}, method, id.Key, w.Now, expires)
}

// Close releases the world's storage: the temporary files of large objects.
func (w *World) Close() error { return w.S3.Close() }

// Fetch sends a URL the way a browser or curl would, with method GET (the object is written to
// out) or PUT (body is stored, encrypted by the bucket's default): a SigV4 presigned URL is
// verified for that method and run as its signer; an X-Amz-less URL is anonymous; a SigV2 URL
// (AWSAccessKeyId, Signature, Expires) is its signer's, signed with SigV2.
func (w *World) Fetch(method, raw string, body io.Reader, out io.Writer) (*s3.GetResult, error) {
	if method != "GET" && method != "PUT" {
		return nil, fmt.Errorf("fetch: method %q: expected GET or PUT", method)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &s3.Error{Status: 400, Code: "InvalidURI", Message: "Couldn't parse the specified URI."}
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	host := u.Host
	if b, _, found := strings.Cut(host, ".s3."); found {
		bucket, key, ok = b, strings.TrimPrefix(u.Path, "/"), true
	}
	if !ok || key == "" {
		return nil, &s3.Error{Status: 400, Code: "InvalidURI", Message: "Couldn't parse the specified URI."}
	}
	q := u.Query()
	req := s3.Request{HTTPS: u.Scheme == "https", QueryAuth: queryAuth(q)}
	// A request S3 turns away before serving it is still a (failed) data event.
	fail := func(id *Identity, e *s3.Error) (*s3.GetResult, error) {
		r := s3.Request{HTTPS: req.HTTPS, Presigned: true, SigV4: true, QueryAuth: req.QueryAuth}
		if id != nil {
			r.Caller = id.Principal
		} else {
			r.Caller, _ = policy.ParsePrincipal("anonymous")
		}
		if w.S3.OnCall != nil {
			w.S3.OnCall(s3.Event{Request: r, Name: map[string]string{"GET": "GetObject", "PUT": "PutObject"}[method], Bucket: bucket, Key: key, BucketAccount: w.Account, Err: e})
		}
		return nil, e
	}
	switch {
	case q.Get("X-Amz-Algorithm") != "":
		p, err := sigv4.VerifyPresigned(method, host, u.Path, q, w.Now, func(ak string) (sigv4.Credentials, bool) {
			id := w.byKey[ak]
			if id == nil {
				return sigv4.Credentials{}, false
			}
			return id.Key, true
		})
		var signer *Identity
		if p != nil {
			signer = w.byKey[p.AccessKeyID]
		}
		switch {
		case err == sigv4.ErrExpired:
			return fail(signer, &s3.Error{Status: 403, Code: "AccessDenied", Message: "Request has expired"})
		case err == sigv4.ErrSignatureMismatch:
			return fail(signer, &s3.Error{Status: 403, Code: "SignatureDoesNotMatch", Message: err.Error()})
		case err != nil:
			if qe, ok := err.(*sigv4.QueryError); ok {
				return fail(signer, &s3.Error{Status: 400, Code: "AuthorizationQueryParametersError", Message: qe.Msg})
			}
			return fail(nil, &s3.Error{Status: 403, Code: "InvalidAccessKeyId", Message: err.Error()})
		}
		if p.Region != w.Region {
			return nil, &s3.Error{Status: 400, Code: "AuthorizationQueryParametersError", Message: fmt.Sprintf("Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'", p.Region, w.Region)}
		}
		req.Caller, req.SigV4, req.Presigned = w.byKey[p.AccessKeyID].Principal, true, true
	case q.Get("AWSAccessKeyId") != "":
		id := w.byKey[q.Get("AWSAccessKeyId")]
		if id == nil {
			return nil, &s3.Error{Status: 403, Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records."}
		}
		req.Caller, req.Presigned = id.Principal, true // SigV2: S3 still serves non-KMS objects
	default:
		req.Caller, _ = policy.ParsePrincipal("anonymous")
	}
	if method == "PUT" {
		res, err := w.S3.PutObject(req, bucket, key, body, s3.PutOptions{})
		if err != nil {
			return nil, err
		}
		return &s3.GetResult{SSE: res.SSE, KMSKeyID: res.KMSKeyID}, nil
	}
	return w.S3.GetObject(req, bucket, key, out)
}

// queryAuth is the SigV4 query authentication a presigned URL carries, as CloudTrail lists it
// among requestParameters (TRAIL-FORMATS 4.10): never the signature or a session token.
func queryAuth(q url.Values) [][2]string {
	var out [][2]string
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"} {
		if v := q.Get(name); v != "" {
			out = append(out, [2]string{name, v})
		}
	}
	return out
}
