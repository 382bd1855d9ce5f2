package simulate

import (
	"errors"

	"github.com/keytrail/keytrail/fixtures"
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

// SeedWalkthrough is the embedded default scenario (fixtures/scenarios/seed-walkthrough.yaml):
// user K puts eiffel.png into kms-bogo-test with SSE-KMS under alias/myFirstKey, the public URL
// is refused, K presigns a URL and it is fetched, then the failures around it: a SigV2 URL, the
// URL after it expired, Bob (who may read the bucket but has no kms:Decrypt), the key disabled.
func SeedWalkthrough(seed uint64) (*World, []Step, error) {
	sc, err := LoadScenario(fixtures.FS, fixtures.SeedScenario)
	if err != nil {
		return nil, nil, err
	}
	return sc.Build(seed)
}
