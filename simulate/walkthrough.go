package simulate

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
	"github.com/keytrail/keytrail/simulate/s3"
)

// Step is one call of a scenario and its expected outcome: "ok" or an error code.
type Step struct {
	Actor, Call string
	Expect      string
	Do          func(w *World) (detail string, err error)
}

// Result is what a step did.
type Result struct {
	Step     int    `json:"step"`
	Actor    string `json:"actor"`
	Call     string `json:"call"`
	Expect   string `json:"expect"`
	Outcome  string `json:"outcome"`
	Why      string `json:"why"`
	AsExpect bool   `json:"asExpected"`
}

// Run runs the steps in order.
func Run(w *World, steps []Step) []Result {
	var out []Result
	for i, s := range steps {
		detail, err := s.Do(w)
		r := Result{Step: i + 1, Actor: s.Actor, Call: s.Call, Expect: s.Expect, Outcome: "ok", Why: detail}
		if err != nil {
			r.Outcome, r.Why = describe(err)
		}
		r.AsExpect = r.Outcome == s.Expect
		out = append(out, r)
	}
	return out
}

// describe gives an error's code and the reason, with the policy explanation AWS never gives.
func describe(err error) (code, why string) {
	var se *s3.Error
	var ke *kms.Error
	switch {
	case errors.As(err, &se):
		code, why = se.Code, se.Message
		if se.Decision != nil {
			why += ": " + se.Decision.Summary
		}
	case errors.As(err, &ke):
		code, why = ke.Code, ke.Message
		if ke.Decision != nil {
			why = ke.Decision.Summary
		}
	default:
		code, why = "error", err.Error()
	}
	return code, why
}

// The seed walkthrough's cast.
const (
	SeedBucket = "kms-bogo-test"
	SeedObject = "eiffel.png"
	UserK      = "arn:aws:iam::526262051452:user/K"
	UserBob    = "arn:aws:iam::526262051452:user/Bob"
)

// SeedWalkthrough is the embedded default scenario: user K creates key alias/myFirstKey with
// the seed key policy, puts eiffel.png into kms-bogo-test with SSE-KMS, tries the public URL,
// presigns a SigV4 URL (3,600 s) and fetches it, then the failures around it: a SigV2 URL, the
// URL after it expired, Bob (who may read the bucket but has no kms:Decrypt), and the key
// disabled.
func SeedWalkthrough(seed uint64) (*World, []Step, error) {
	w := NewWorld(fixtures.SeedAccount, fixtures.SeedRegion, time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), seed)
	s3All := policy.MustParse("K's S3 policy", policy.Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	k, err := w.AddIdentity(UserK, s3All)
	if err != nil {
		return nil, nil, err
	}
	if _, err := w.AddIdentity(UserBob, s3All); err != nil {
		return nil, nil, err
	}
	kp, err := policy.ParseResource("seed-key-policy.json", policy.Key, fixtures.SeedKeyPolicy)
	if err != nil {
		return nil, nil, err
	}
	key, err := w.KMS.CreateKey(fixtures.SeedKeyID, kp, "myFirstKey")
	if err != nil {
		return nil, nil, err
	}
	if err := w.KMS.CreateAlias(fixtures.SeedAlias, key.ID); err != nil {
		return nil, nil, err
	}
	public := policy.MustParse("kms-bogo-test bucket policy", policy.Resource, `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::kms-bogo-test/*"}]}`)
	if err := w.S3.CreateBucket(&s3.Bucket{Name: SeedBucket, Account: fixtures.SeedAccount, Policy: public}); err != nil {
		return nil, nil, err
	}
	img := bytes.Repeat([]byte("\x89PNG eiffel "), 20000)
	var presigned string
	asK := s3.Request{Caller: k.Principal, SigV4: true, HTTPS: true}
	fetch := func(u string) func(w *World) (string, error) {
		return func(w *World) (string, error) {
			var buf bytes.Buffer
			r, err := w.Fetch(u, &buf)
			if err != nil {
				return "", err
			}
			if !bytes.Equal(buf.Bytes(), img) {
				return "", fmt.Errorf("the object came back different")
			}
			return fmt.Sprintf("%d bytes, %s with %s", r.Size, r.SSE, r.KMSKeyID), nil
		}
	}
	steps := []Step{
		{"K", "aws s3 cp ./eiffel.png s3://kms-bogo-test/eiffel.png --sse aws:kms --sse-kms-key-id alias/myFirstKey", "ok", func(w *World) (string, error) {
			r, err := w.S3.PutObject(asK, SeedBucket, SeedObject, bytes.NewReader(img), s3.PutOptions{SSE: s3.SSEKMS, KMSKeyID: fixtures.SeedAlias})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("SSE %s with %s (S3 called kms:GenerateDataKey as K)", r.SSE, r.KMSKeyID), nil
		}},
		{"anonymous", "GET https://kms-bogo-test.s3.amazonaws.com/eiffel.png (the public URL)", "InvalidArgument", fetch("https://kms-bogo-test.s3.amazonaws.com/eiffel.png")},
		{"K", "aws s3 presign s3://kms-bogo-test/eiffel.png (3600 s)", "ok", func(w *World) (string, error) {
			u, err := w.Presign(k, SeedBucket, SeedObject, time.Hour)
			presigned = u
			return "a SigV4 URL valid until " + w.Now.Add(time.Hour).Format(time.RFC3339), err
		}},
		{"anyone with the URL", "GET the presigned URL", "ok", func(w *World) (string, error) { return fetch(presigned)(w) }},
		{"K", "GET a SigV2 presigned URL", "InvalidArgument", fetch("https://kms-bogo-test.s3.amazonaws.com/eiffel.png?AWSAccessKeyId=" + k.Key.AccessKeyID + "&Expires=1796040000&Signature=sig")},
		{"clock", "61 minutes later: GET the presigned URL again", "AccessDenied", func(w *World) (string, error) {
			w.Advance(61 * time.Minute)
			return fetch(presigned)(w)
		}},
		{"Bob", "aws s3 cp s3://kms-bogo-test/eiffel.png . (Bob: S3 allowed, no kms:Decrypt)", "AccessDenied", func(w *World) (string, error) {
			return "", get(w, w.Identity(UserBob).Principal)
		}},
		{"K", "aws kms disable-key --key-id alias/myFirstKey", "ok", func(w *World) (string, error) {
			return "the key is Disabled", w.KMS.SetState(kms.Call{Caller: k.Principal}, fixtures.SeedAlias, false)
		}},
		{"K", "aws s3 cp s3://kms-bogo-test/eiffel.png . (key disabled)", "KMS.DisabledException", func(w *World) (string, error) {
			return "", get(w, k.Principal)
		}},
		{"K", "aws kms enable-key, then get again", "ok", func(w *World) (string, error) {
			if err := w.KMS.SetState(kms.Call{Caller: k.Principal}, fixtures.SeedAlias, true); err != nil {
				return "", err
			}
			return "the key is Enabled; S3 called kms:Decrypt as K", get(w, k.Principal)
		}},
	}
	return w, steps, nil
}

func get(w *World, p policy.Principal) error {
	var buf bytes.Buffer
	_, err := w.S3.GetObject(s3.Request{Caller: p, SigV4: true, HTTPS: true}, SeedBucket, SeedObject, &buf)
	return err
}
