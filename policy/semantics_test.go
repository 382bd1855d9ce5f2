package policy

import (
	"strings"
	"testing"

	"github.com/keytrail/keytrail/fixtures"
)

func keyPolicy(t *testing.T, statements string) *Policy {
	t.Helper()
	p, err := Parse("key.json", Key, []byte(`{"Version":"2012-10-17","Statement":[`+statements+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func request(t *testing.T, principal, action string, ctx ...string) *Request {
	t.Helper()
	req := &Request{Principal: mustPrincipal(t, principal), Action: action, Resource: seedKey}
	for i := 0; i+1 < len(ctx); i += 2 {
		req.Context.Set(ctx[i], ctx[i+1])
	}
	return req
}

// KMS accepts only authenticated requests ("To use AWS KMS, you must have credentials that AWS
// can use to authenticate your requests", KMS developer guide, Authentication and access
// control): a key policy allowing "*" does not open a key to anonymous callers.
func TestAnonymousKMS(t *testing.T) {
	set := &Set{Resource: keyPolicy(t, `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:DescribeKey","Resource":"*"}`)}
	if d := set.Evaluate(request(t, "anonymous", "kms:DescribeKey")); d.Outcome != ImplicitDeny || d.Gap != GapAnonymousKMS {
		t.Errorf("anonymous DescribeKey: %v gap %d", d.Outcome, d.Gap)
	}
	if d := set.Evaluate(request(t, "arn:aws:iam::526262051452:user/a", "kms:DescribeKey")); d.Outcome != Allow {
		t.Errorf("authenticated caller under \"*\": %v", d.Outcome)
	}
}

// KMS developer guide, Retiring and revoking grants: the retiring principal may retire a grant
// without kms:RetireGrant permission, and kms:RetireGrant "is not effective in a key policy or
// resource control policy".
func TestRetireGrant(t *testing.T) {
	kp := keyPolicy(t, `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:user/K"},"Action":"kms:RetireGrant","Resource":"*"},
		{"Effect":"Deny","Principal":"*","Action":"kms:RetireGrant","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::526262051452:role/ops"}}}`)
	g := &Grant{ID: "g1", GranteePrincipal: "arn:aws:iam::526262051452:role/app", RetiringPrincipal: "arn:aws:iam::526262051452:role/ops", Operations: []string{"Decrypt"}}
	if err := g.Compile(); err != nil {
		t.Fatal(err)
	}
	rcp := MustParse("rcp.json", RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}]}`)
	set := &Set{Resource: kp, Grants: []*Grant{g}, RCPs: [][]*Policy{{rcp}}}
	for _, tt := range []struct {
		who  string
		id   []*Policy
		want Outcome
	}{
		{"arn:aws:iam::526262051452:user/K", nil, ImplicitDeny},                                  // key-policy allow is not effective
		{"arn:aws:sts::526262051452:assumed-role/ops/s", nil, Allow},                             // the retiring principal; key-policy deny and RCP not effective
		{"arn:aws:sts::526262051452:assumed-role/app/s", nil, ImplicitDeny},                      // the grantee, without RetireGrant in the grant
		{"arn:aws:iam::526262051452:user/Bob", []*Policy{allowAll(t)}, Allow},                    // IAM policy allowing kms:RetireGrant
		{"arn:aws:iam::526262051452:user/Bob", []*Policy{allowAll(t), denyAll(t)}, ExplicitDeny}, // IAM deny applies
	} {
		set.Identity = tt.id
		if d := set.Evaluate(request(t, tt.who, "kms:RetireGrant")); d.Outcome != tt.want {
			t.Errorf("%s RetireGrant: %v, want %v", tt.who, d.Outcome, tt.want)
		}
	}
}

func allowAll(t *testing.T) *Policy {
	return MustParse("allow.json", Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
}

func denyAll(t *testing.T) *Policy {
	return MustParse("deny.json", Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
}

// Absent keys under negated operators, Null and IfExists also make the answer conditional:
// the decision follows AWS (a negated operator is true on an absent key), and Explain names
// the condition that would change it.
func TestConditionalOnAbsentKeys(t *testing.T) {
	for _, tt := range []struct {
		name, stmts string
		want        Outcome
		lead        string // the requirement, as Key Operator
		negated     bool
	}{
		{"deny unless org", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:user/K"},"Action":"kms:*","Resource":"*"},
			{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}}}`,
			ExplicitDeny, "aws:PrincipalOrgID StringNotEquals", true},
		{"allow if via service present", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:user/K"},"Action":"kms:*","Resource":"*","Condition":{"Null":{"kms:ViaService":"false"}}}`,
			ImplicitDeny, "kms:ViaService Null", false},
		{"allow unless via another service", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:user/K"},"Action":"kms:*","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}`,
			Allow, "kms:ViaService StringEqualsIfExists", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set := &Set{Resource: keyPolicy(t, tt.stmts)}
			req := request(t, "arn:aws:iam::526262051452:user/K", "kms:Decrypt")
			x := set.Explain(req)
			if x.Decision.Outcome != tt.want || !x.Decision.DependsOnMissingKeys {
				t.Fatalf("%v (depends on missing keys: %v), want %v and true", x.Decision.Outcome, x.Decision.DependsOnMissingKeys, tt.want)
			}
			if len(x.Requirements) != 1 || x.Requirements[0].Key+" "+x.Requirements[0].Operator != tt.lead || x.Requirements[0].Negated != tt.negated {
				t.Fatalf("requirements %v, want %s (negated %v)", x.Requirements, tt.lead, tt.negated)
			}
		})
	}
}

// Evaluate allocates nothing on the seed policy once parsed (the target), including
// when the answer hinges on a missing key.
func TestEvaluateAllocs(t *testing.T) {
	set := seedSet(t)
	for _, req := range []*Request{
		request(t, "arn:aws:iam::526262051452:user/K", "kms:Decrypt"),
		request(t, "arn:aws:iam::526262051452:user/Bob", "kms:CreateGrant"),
		request(t, "arn:aws:iam::526262051452:root", "kms:PutKeyPolicy", "kms:GrantIsForAWSResource", "true"),
	} {
		if n := testing.AllocsPerRun(100, func() { set.Evaluate(req) }); n != 0 {
			t.Errorf("%s %s: %v allocations per Evaluate", req.Principal.ARN, req.Action, n)
		}
	}
	if !strings.Contains(string(fixtures.SeedKeyPolicy), "Allow use of the key") {
		t.Fatal("unexpected seed policy")
	}
}
