package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	keyARN    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	acctB     = "444455556666"
	roleARN   = "arn:aws:iam::111122223333:role/app"
	rootA     = "arn:aws:iam::111122223333:root"
	userCarol = "arn:aws:iam::444455556666:user/Carol"
	bucketObj = "arn:aws:s3:::b/report.csv"
)

func pol(t testing.TB, kind Kind, name, text string) *Policy {
	t.Helper()
	p, err := Parse(name, kind, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// doc builds a policy document from statements.
func doc(stmts ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ", ") + `]}`
}

// newReq builds a request; kv are context key/value pairs.
func newReq(t testing.TB, principal, action, resource string, kv ...string) *Request {
	t.Helper()
	req := &Request{Principal: mustPrincipal(t, principal), Action: action, Resource: resource}
	if strings.HasPrefix(resource, "arn:aws:s3:") {
		req.ResourceAccount = acct
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Context.Set(kv[i], kv[i+1])
	}
	return req
}

func names(ss []*Statement) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.Name())
	}
	return out
}

type evalCase struct {
	name    string
	set     *Set
	req     *Request
	want    Outcome
	gap     Gap      // checked for ImplicitDeny
	by      []string // the deciding statements' names, when not nil
	grantID string   // the allowing grant, when set
}

func runEvalCases(t *testing.T, tests []evalCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.set.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			d := tt.set.Evaluate(tt.req)
			if d.Outcome != tt.want {
				t.Fatalf("Outcome = %v (gap %d), want %v", d.Outcome, d.Gap, tt.want)
			}
			if tt.want == ImplicitDeny && d.Gap != tt.gap {
				t.Errorf("Gap = %d, want %d", d.Gap, tt.gap)
			}
			if tt.by != nil && !reflect.DeepEqual(names(d.Statements()), tt.by) {
				t.Errorf("Statements() = %v, want %v", names(d.Statements()), tt.by)
			}
			if tt.want == ExplicitDeny {
				for _, s := range d.Statements() {
					if s.Effect != EffectDeny {
						t.Errorf("deciding statement %s of an explicit deny is not a Deny", s.Ref())
					}
				}
			}
			if tt.grantID != "" && (d.Grant == nil || d.Grant.ID != tt.grantID) {
				t.Errorf("Grant = %+v, want grant %s", d.Grant, tt.grantID)
			}
			if x := tt.set.Explain(tt.req); x.Summary == "" || x.Decision.DependsOnMissingKeys && len(x.Requirements) == 0 {
				t.Errorf("Explain: summary %q, requirements %v", x.Summary, x.Requirements)
			}
		})
	}
}

const (
	fullAccess  = `{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}`
	keyAccount  = `{"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}`
	idDecrypt   = `{"Sid": "IdAllow", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}`
	denyDecrypt = `{"Sid": "DenyHere", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}`
	denyAnyone  = `{"Sid": "DenyHere", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}`
)

// TestExplicitDenyWins follows "Policy evaluation logic": an explicit Deny in any policy
// overrides every Allow, whichever kind of policy it is in.
func TestExplicitDenyWins(t *testing.T) {
	base := func() *Set {
		return &Set{
			Resource: pol(t, Resource, "key.json", doc(keyAccount)),
			Identity: []*Policy{pol(t, Identity, "role.json", doc(idDecrypt))},
			Boundary: pol(t, Identity, "boundary.json", doc(`{"Sid": "Boundary", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}`)),
			Session:  pol(t, Identity, "session.json", doc(`{"Sid": "Session", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}`)),
			Endpoint: pol(t, Endpoint, "vpce.json", doc(`{"Sid": "Endpoint", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`)),
			SCPs:     [][]*Policy{{pol(t, SCP, "scp0.json", doc(fullAccess))}, {pol(t, SCP, "scp1.json", doc(fullAccess))}},
			RCPs:     [][]*Policy{{}},
		}
	}
	req := newReq(t, roleApp, "kms:Decrypt", keyARN)
	grant := &Grant{ID: "g1", GranteePrincipal: roleARN, Operations: []string{"Decrypt"}}
	if err := grant.Compile(); err != nil {
		t.Fatal(err)
	}
	variants := []struct {
		name string
		edit func(s *Set)
	}{
		{"key policy", func(s *Set) { s.Resource = pol(t, Resource, "key.json", doc(keyAccount, denyAnyone)) }},
		{"identity policy", func(s *Set) {
			s.Identity = append(s.Identity, pol(t, Identity, "deny.json", doc(denyDecrypt)))
		}},
		{"permissions boundary", func(s *Set) {
			s.Boundary = pol(t, Identity, "boundary.json", doc(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}`, denyDecrypt))
		}},
		{"session policy", func(s *Set) {
			s.Session = pol(t, Identity, "session.json", doc(`{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}`, denyDecrypt))
		}},
		{"VPC endpoint policy", func(s *Set) {
			s.Endpoint = pol(t, Endpoint, "vpce.json", doc(`{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`, denyAnyone))
		}},
		{"SCP at the account level", func(s *Set) {
			s.SCPs[1] = append(s.SCPs[1], pol(t, SCP, "deny-scp.json", doc(denyDecrypt)))
		}},
		{"RCP", func(s *Set) { s.RCPs[0] = []*Policy{pol(t, RCP, "rcp.json", doc(denyAnyone))} }},
		{"key policy, over a grant", func(s *Set) {
			s.Resource = pol(t, Resource, "key.json", doc(keyAccount, denyAnyone))
			s.Grants = []*Grant{grant}
		}},
	}
	allowed := base()
	d := allowed.Evaluate(req)
	if d.Outcome != Allow {
		t.Fatalf("baseline: %v, want Allow", d.Outcome)
	}
	if got, want := names(d.Statements()), []string{"FullAWSAccess", "FullAWSAccess", "Endpoint", "Account", "IdAllow", "Boundary", "Session"}; !reflect.DeepEqual(got, want) {
		t.Errorf("baseline Statements() = %v, want %v", got, want)
	}
	var tests []evalCase
	for _, v := range variants {
		s := base()
		v.edit(s)
		tests = append(tests, evalCase{name: "Deny in the " + v.name, set: s, req: req, want: ExplicitDeny, by: []string{"DenyHere"}})
	}
	runEvalCases(t, tests)
}

// TestOrganizationPolicies follows the Organizations guide: every SCP level from the root to
// the account must allow (SCPs grant nothing themselves and apply to member-account root
// users, not to AWS service principals or anonymous callers); RCPs only restrict, with
// RCPFullAWSAccess implicit.
func TestOrganizationPolicies(t *testing.T) {
	const queue = "arn:aws:sqs:us-east-1:111122223333:q1"
	full := func(name string) *Policy { return pol(t, SCP, name, doc(fullAccess)) }
	s3Only := pol(t, SCP, "s3-only.json", doc(`{"Sid": "S3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}`))
	sqsOnly := pol(t, SCP, "sqs-only.json", doc(`{"Sid": "SqsOnly", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"}`))
	idAll := []*Policy{pol(t, Identity, "admin.json", doc(`{"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"}`))}
	bob := newReq(t, userBob, "sqs:SendMessage", queue)

	orgCheck := pol(t, RCP, "rcp-org.json", doc(`{"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
		"Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}`))
	crossKey := pol(t, Resource, "key.json", doc(`{"Sid": "External", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Decrypt", "Resource": "*"}`))
	carolID := []*Policy{pol(t, Identity, "carol.json", doc(`{"Sid": "CarolDecrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "`+keyARN+`"}`))}

	runEvalCases(t, []evalCase{
		{name: "every level allows", set: &Set{Identity: idAll, SCPs: [][]*Policy{{full("root")}, {full("ou")}, {full("acct")}}}, req: bob, want: Allow},
		{name: "the middle level does not allow", set: &Set{Identity: idAll, SCPs: [][]*Policy{{full("root")}, {s3Only}, {full("acct")}}}, req: bob, want: ImplicitDeny, gap: GapSCP},
		{name: "a level with no policy allows nothing", set: &Set{Identity: idAll, SCPs: [][]*Policy{{full("root")}, {}}}, req: bob, want: ImplicitDeny, gap: GapSCP},
		{name: "one policy of a level is enough", set: &Set{Identity: idAll, SCPs: [][]*Policy{{full("root")}, {s3Only, sqsOnly}}}, req: bob, want: Allow,
			by: []string{"FullAWSAccess", "SqsOnly", "Admin"}},
		{name: "SCPs grant nothing", set: &Set{SCPs: [][]*Policy{{full("root")}}}, req: bob, want: ImplicitDeny, gap: GapNoAllow},
		{name: "SCP Deny applies to a member account's root user",
			set: &Set{SCPs: [][]*Policy{{full("root"), pol(t, SCP, "deny-s3.json", doc(`{"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}`))}}},
			req: newReq(t, rootA, "s3:GetObject", bucketObj), want: ExplicitDeny, by: []string{"NoS3"}},
		{name: "SCPs do not apply to AWS service principals",
			set: &Set{
				Resource: pol(t, Resource, "key.json", doc(`{"Sid": "S3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*"}`)),
				SCPs:     [][]*Policy{{pol(t, SCP, "deny-kms.json", doc(`{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}`))}},
			},
			req: newReq(t, "s3.amazonaws.com", "kms:Decrypt", keyARN), want: Allow, by: []string{"S3"}},
		{name: "SCPs do not apply to anonymous callers",
			set: &Set{
				Resource: pol(t, Resource, "bucket.json", doc(`{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`)),
				SCPs:     [][]*Policy{{}, {pol(t, SCP, "deny-s3.json", doc(`{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}`))}},
			},
			req: newReq(t, "anonymous", "s3:GetObject", bucketObj), want: Allow, by: []string{"Public"}},
		{name: "RCP denies a principal outside the organization",
			set: &Set{Resource: crossKey, Identity: carolID, RCPs: [][]*Policy{{orgCheck}}},
			req: newReq(t, userCarol, "kms:Decrypt", keyARN, "aws:PrincipalOrgID", "o-zzzzzzzzzz"), want: ExplicitDeny, by: []string{"OrgOnly"}},
		{name: "RCP lets a principal of the organization through",
			set: &Set{Resource: crossKey, Identity: carolID, RCPs: [][]*Policy{{orgCheck}}},
			req: newReq(t, userCarol, "kms:Decrypt", keyARN, "aws:PrincipalOrgID", "o-a1b2c3d4e5"), want: Allow, by: []string{"External", "CarolDecrypt"}},
		{name: "RCPFullAWSAccess is implicit",
			set: &Set{Identity: idAll, RCPs: [][]*Policy{{pol(t, RCP, "rcp-s3.json", doc(`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}`))}, {}}},
			req: bob, want: Allow},
		{name: "RCPs grant nothing",
			set: &Set{RCPs: [][]*Policy{{pol(t, RCP, "rcp-allow.json", doc(`{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`))}}},
			req: bob, want: ImplicitDeny, gap: GapNoAllow},
	})
	d := (&Set{Identity: idAll, SCPs: [][]*Policy{{full("root")}, {s3Only}, {full("acct")}}}).Evaluate(bob)
	if d.Level != 1 {
		t.Errorf("Level = %d, want 1 (the OU level)", d.Level)
	}
}

// TestEndpointPolicy: a request through a VPC endpoint must also be allowed by the endpoint's
// policy.
func TestEndpointPolicy(t *testing.T) {
	key := pol(t, Resource, "key.json", doc(keyAccount))
	id := []*Policy{pol(t, Identity, "bob.json", doc(`{"Sid": "IdKMS", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}`))}
	req := newReq(t, userBob, "kms:Decrypt", keyARN)
	runEvalCases(t, []evalCase{
		{name: "endpoint allows another action", want: ImplicitDeny, gap: GapEndpoint, req: req,
			set: &Set{Resource: key, Identity: id, Endpoint: pol(t, Endpoint, "vpce.json", doc(`{"Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"}`))}},
		{name: "endpoint allows another principal", want: ImplicitDeny, gap: GapEndpoint, req: req,
			set: &Set{Resource: key, Identity: id, Endpoint: pol(t, Endpoint, "vpce.json", doc(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": "kms:*", "Resource": "*"}`))}},
		{name: "endpoint allows", want: Allow, req: req, by: []string{"Vpce", "Account", "IdKMS"},
			set: &Set{Resource: key, Identity: id, Endpoint: pol(t, Endpoint, "vpce.json", doc(`{"Sid": "Vpce", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "`+keyARN+`"}`))}},
		{name: "endpoint does not grant", want: ImplicitDeny, gap: GapIdentity, req: req,
			set: &Set{Resource: key, Endpoint: pol(t, Endpoint, "vpce.json", doc(`{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`))}},
	})
}

// TestBoundariesAndSessions follows "Permissions boundaries for IAM entities" and "Session
// policies": both limit identity-based permissions and resource-based permissions granted to
// the role ARN, but not resource-based permissions that name the user ARN or the role session
// ARN directly (same account).
func TestBoundariesAndSessions(t *testing.T) {
	bucket := func(principal string) *Policy {
		return pol(t, Resource, "bucket.json", doc(`{"Sid": "Bucket", "Effect": "Allow", "Principal": {"AWS": "`+principal+`"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`))
	}
	getObject := []*Policy{pol(t, Identity, "get.json", doc(`{"Sid": "IdGet", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`))}
	putOnly := pol(t, Identity, "put-only.json", doc(`{"Sid": "PutOnly", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}`))
	getAllowed := pol(t, Identity, "get-ok.json", doc(`{"Sid": "GetOK", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`))
	bobGet := newReq(t, userBob, "s3:GetObject", bucketObj)
	appGet := newReq(t, roleApp, "s3:GetObject", bucketObj)
	fed := newReq(t, "arn:aws:sts::111122223333:federated-user/Dana", "s3:GetObject", bucketObj)

	kmsAll := []*Policy{pol(t, Identity, "kms.json", doc(`{"Sid": "IdKMS", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}`))}
	s3Boundary := pol(t, Identity, "s3-boundary.json", doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`))
	bobKey := pol(t, Resource, "key.json", doc(keyAccount, `{"Sid": "Bob", "Effect": "Allow", "Principal": {"AWS": "`+userBob+`"}, "Action": "kms:Decrypt", "Resource": "*"}`))

	runEvalCases(t, []evalCase{
		{name: "boundary limits identity policies", set: &Set{Identity: getObject, Boundary: putOnly}, req: bobGet, want: ImplicitDeny, gap: GapBoundary},
		{name: "boundary and identity policy both allow", set: &Set{Identity: getObject, Boundary: getAllowed}, req: bobGet, want: Allow, by: []string{"IdGet", "GetOK"}},
		{name: "boundary alone grants nothing", set: &Set{Boundary: getAllowed}, req: bobGet, want: ImplicitDeny, gap: GapNoAllow},
		{name: "bucket policy naming the user ARN is not limited by the boundary", set: &Set{Resource: bucket(userBob), Identity: getObject, Boundary: putOnly}, req: bobGet, want: Allow, by: []string{"Bucket"}},
		{name: "bucket policy naming the account delegates to the limited identity policies", set: &Set{Resource: bucket(acct), Identity: getObject, Boundary: putOnly}, req: bobGet, want: ImplicitDeny, gap: GapBoundary},
		{name: "bucket policy naming the role ARN is limited by the boundary", set: &Set{Resource: bucket(roleARN), Boundary: putOnly}, req: appGet, want: ImplicitDeny, gap: GapBoundary},
		{name: "bucket policy naming the role ARN, boundary allows", set: &Set{Resource: bucket(roleARN), Boundary: getAllowed}, req: appGet, want: Allow},
		{name: "bucket policy naming the session ARN is not limited by the boundary", set: &Set{Resource: bucket(roleApp), Boundary: putOnly}, req: appGet, want: Allow, by: []string{"Bucket"}},
		{name: "session policy limits identity policies", set: &Set{Identity: getObject, Session: putOnly}, req: appGet, want: ImplicitDeny, gap: GapSession},
		{name: "session policy allows", set: &Set{Identity: getObject, Session: getAllowed}, req: appGet, want: Allow, by: []string{"IdGet", "GetOK"}},
		{name: "session policy alone grants nothing", set: &Set{Session: getAllowed}, req: appGet, want: ImplicitDeny, gap: GapNoAllow},
		{name: "bucket policy naming the session ARN is not limited by the session policy", set: &Set{Resource: bucket(roleApp), Session: putOnly}, req: appGet, want: Allow, by: []string{"Bucket"}},
		{name: "bucket policy naming the role ARN is limited by the session policy", set: &Set{Resource: bucket(roleARN), Session: putOnly}, req: appGet, want: ImplicitDeny, gap: GapSession},
		{name: "federated user without a session policy has no identity permissions", set: &Set{Identity: getObject}, req: fed, want: ImplicitDeny, gap: GapSession},
		{name: "federated user with a session policy", set: &Set{Identity: getObject, Session: getAllowed}, req: fed, want: Allow},
		{name: "KMS: boundary limits identity policies", set: &Set{Resource: pol(t, Resource, "key.json", doc(keyAccount)), Identity: kmsAll, Boundary: s3Boundary},
			req: newReq(t, userBob, "kms:Decrypt", keyARN), want: ImplicitDeny, gap: GapBoundary},
		{name: "KMS: key policy naming the user is not limited by the boundary", set: &Set{Resource: bobKey, Identity: kmsAll, Boundary: s3Boundary},
			req: newReq(t, userBob, "kms:Decrypt", keyARN), want: Allow, by: []string{"Bob"}},
	})
}

func mustGrant(t testing.TB, g *Grant) *Grant {
	t.Helper()
	if err := g.Compile(); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestKMS follows the KMS Developer Guide: a key policy is required; IAM policies count only
// when the key policy allows the account (for that action); cross-account use needs both the
// key policy and the caller's IAM policies; the root user is not special for keys; grants
// allow their operations to their grantee, subject to encryption context constraints that
// compare keys case-insensitively and values case-sensitively and that do not apply to
// operations without an encryption context.
func TestKMS(t *testing.T) {
	bobKMS := []*Policy{pol(t, Identity, "bob.json", doc(`{"Sid": "IdKMS", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}`))}
	delegate := pol(t, Resource, "key.json", doc(keyAccount))
	delegateEncrypt := pol(t, Resource, "key.json", doc(`{"Sid": "AccountEncrypt", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Encrypt", "Resource": "*"}`))
	bobOnly := pol(t, Resource, "key.json", doc(`{"Sid": "BobDecrypt", "Effect": "Allow", "Principal": {"AWS": "`+userBob+`"}, "Action": "kms:Decrypt", "Resource": "*"}`))
	external := pol(t, Resource, "key.json", doc(`{"Sid": "External", "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:Decrypt", "Resource": "*"}`))
	carolKey := pol(t, Resource, "key.json", doc(`{"Sid": "Carol", "Effect": "Allow", "Principal": {"AWS": "`+userCarol+`"}, "Action": "kms:Decrypt", "Resource": "*"}`))
	carolID := []*Policy{pol(t, Identity, "carol.json", doc(`{"Sid": "CarolDecrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:111122223333:key/*"}`))}
	bobDecrypt := newReq(t, userBob, "kms:Decrypt", keyARN)
	carolDecrypt := newReq(t, userCarol, "kms:Decrypt", keyARN)

	subset := mustGrant(t, &Grant{ID: "subset", GranteePrincipal: roleARN, Operations: []string{"Decrypt", "DescribeKey"},
		EncryptionContextSubset: map[string]string{"Department": "IT"}})
	equals := mustGrant(t, &Grant{ID: "equals", GranteePrincipal: roleARN, Operations: []string{"Decrypt", "DescribeKey"},
		EncryptionContextEquals: map[string]string{"Department": "IT"}})
	other := mustGrant(t, &Grant{ID: "other", GranteePrincipal: "arn:aws:iam::111122223333:role/other", Operations: []string{"Decrypt"}})
	const ec = "kms:EncryptionContext:"
	withGrants := func(gs ...*Grant) *Set { return &Set{Resource: bobOnly, Grants: gs} }

	runEvalCases(t, []evalCase{
		{name: "no key policy", set: &Set{Identity: bobKMS}, req: bobDecrypt, want: ImplicitDeny, gap: GapNoKeyPolicy},
		{name: "key policy does not allow the account", set: &Set{Resource: pol(t, Resource, "key.json", doc(`{"Effect": "Allow", "Principal": {"AWS": "`+roleARN+`"}, "Action": "kms:*", "Resource": "*"}`)), Identity: bobKMS},
			req: bobDecrypt, want: ImplicitDeny, gap: GapKeyPolicyTrust},
		{name: "key policy delegates to IAM policies", set: &Set{Resource: delegate, Identity: bobKMS}, req: bobDecrypt, want: Allow, by: []string{"Account", "IdKMS"}},
		{name: "key policy delegates, no IAM policy allows", set: &Set{Resource: delegate}, req: bobDecrypt, want: ImplicitDeny, gap: GapIdentity},
		{name: "key policy delegates only Encrypt: IAM Decrypt does not count", set: &Set{Resource: delegateEncrypt, Identity: bobKMS}, req: bobDecrypt, want: ImplicitDeny, gap: GapKeyPolicyTrust},
		{name: "key policy delegates only Encrypt: IAM Encrypt counts", set: &Set{Resource: delegateEncrypt, Identity: bobKMS}, req: newReq(t, userBob, "kms:Encrypt", keyARN), want: Allow, by: []string{"AccountEncrypt", "IdKMS"}},
		{name: "key policy alone allows the user it names", set: &Set{Resource: bobOnly}, req: bobDecrypt, want: Allow, by: []string{"BobDecrypt"}},
		{name: "an alias ARN is a key resource too", set: &Set{Identity: bobKMS}, req: newReq(t, userBob, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:alias/app"), want: ImplicitDeny, gap: GapNoKeyPolicy},
		{name: "CreateKey takes no key: IAM policies decide", set: &Set{Identity: bobKMS}, req: newReq(t, userBob, "kms:CreateKey", "*"), want: Allow, by: []string{"IdKMS"}},

		{name: "cross-account: key policy and IAM policy allow", set: &Set{Resource: external, Identity: carolID}, req: carolDecrypt, want: Allow, by: []string{"External", "CarolDecrypt"}},
		{name: "cross-account: no IAM policy", set: &Set{Resource: external}, req: carolDecrypt, want: ImplicitDeny, gap: GapCrossAccountKey},
		{name: "cross-account: key policy does not allow the account", set: &Set{Resource: delegate, Identity: carolID}, req: carolDecrypt, want: ImplicitDeny, gap: GapKeyPolicyTrust},
		{name: "cross-account: key policy names the user, no IAM policy", set: &Set{Resource: carolKey}, req: carolDecrypt, want: ImplicitDeny, gap: GapCrossAccountKey},
		{name: "cross-account: key policy names the user, IAM policy allows", set: &Set{Resource: carolKey, Identity: carolID}, req: carolDecrypt, want: Allow},

		{name: "root user: key policy allows the account", set: &Set{Resource: delegate}, req: newReq(t, rootA, "kms:ScheduleKeyDeletion", keyARN), want: Allow, by: []string{"Account"}},
		{name: "root user: key policy does not allow the account", set: &Set{Resource: bobOnly}, req: newReq(t, rootA, "kms:Decrypt", keyARN), want: ImplicitDeny, gap: GapNoAllow},
		{name: "root user: own account's bucket without a policy", set: &Set{}, req: newReq(t, rootA, "s3:GetObject", bucketObj), want: Allow, by: []string{}},
		{name: "root user of another account", set: &Set{}, req: newReq(t, "arn:aws:iam::444455556666:root", "s3:GetObject", bucketObj), want: ImplicitDeny, gap: GapResourcePolicy},

		{name: "grant: Subset holds, key compared case-insensitively", set: withGrants(subset), want: Allow, grantID: "subset",
			req: newReq(t, roleApp, "kms:Decrypt", keyARN, ec+"department", "IT", ec+"project", "x")},
		{name: "grant: Subset value compared case-sensitively", set: withGrants(subset), want: ImplicitDeny, gap: GapNoAllow,
			req: newReq(t, roleApp, "kms:Decrypt", keyARN, ec+"Department", "it")},
		{name: "grant: Subset key missing", set: withGrants(subset), want: ImplicitDeny, gap: GapNoAllow,
			req: newReq(t, roleApp, "kms:Decrypt", keyARN, ec+"project", "x")},
		{name: "grant: Equals holds", set: withGrants(equals), want: Allow, grantID: "equals",
			req: newReq(t, roleApp, "kms:Decrypt", keyARN, ec+"DEPARTMENT", "IT")},
		{name: "grant: Equals with an extra pair", set: withGrants(equals), want: ImplicitDeny, gap: GapNoAllow,
			req: newReq(t, roleApp, "kms:Decrypt", keyARN, ec+"Department", "IT", ec+"project", "x")},
		{name: "grant: Equals with no encryption context", set: withGrants(equals), want: ImplicitDeny, gap: GapNoAllow,
			req: newReq(t, roleApp, "kms:Decrypt", keyARN)},
		{name: "grant: DescribeKey ignores constraints", set: withGrants(equals), want: Allow, grantID: "equals",
			req: newReq(t, roleApp, "kms:DescribeKey", keyARN)},
		{name: "grant: operation not granted", set: withGrants(subset), want: ImplicitDeny, gap: GapNoAllow,
			req: newReq(t, roleApp, "kms:Encrypt", keyARN, ec+"Department", "IT")},
		{name: "grant: other grantee", set: withGrants(other), want: ImplicitDeny, gap: GapNoAllow,
			req: newReq(t, roleApp, "kms:Decrypt", keyARN)},
		{name: "grant: the first applicable grant allows", set: withGrants(other, equals, subset), want: Allow, grantID: "subset",
			req: newReq(t, roleApp, "kms:Decrypt", keyARN, ec+"Department", "IT", ec+"x", "y")},
	})
}

// TestAttachmentDependsOnMissingKey is the seed key policy's "Allow attachment of persistent
// resources" pattern: a principal allowed CreateGrant only by a statement with
// Bool kms:GrantIsForAWSResource "true". Without the key the answer is an implicit deny that
// the key would turn into an allow.
func TestAttachmentDependsOnMissingKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "policies", "app-attachment-key-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	kp, err := ParseResource("app-attachment-key-policy.json", Key, data)
	if err != nil {
		t.Fatal(err)
	}
	set := &Set{Resource: kp}
	const seedKeyARN = "arn:aws:kms:us-east-1:526262051452:key/da0f41cc-b71c-484f-977f-f4edac09859a"
	for _, principal := range []string{"arn:aws:iam::526262051452:role/app", "arn:aws:sts::526262051452:assumed-role/app/i-0abc"} {
		t.Run(principal, func(t *testing.T) {
			req := newReq(t, principal, "kms:CreateGrant", seedKeyARN)
			d := set.Evaluate(req)
			if d.Outcome != ImplicitDeny || !d.DependsOnMissingKeys {
				t.Fatalf("Outcome = %v, DependsOnMissingKeys = %v; want ImplicitDeny, true", d.Outcome, d.DependsOnMissingKeys)
			}
			x := set.Explain(req)
			if len(x.Requirements) != 1 {
				t.Fatalf("Requirements = %v, want one", x.Requirements)
			}
			r := x.Requirements[0]
			if r.Key != "kms:GrantIsForAWSResource" || r.Operator != "Bool" || !reflect.DeepEqual(r.Values, []string{"true"}) ||
				r.Statement.Sid != "Allow attachment of persistent resources" {
				t.Errorf("Requirement = %+v", r)
			}
			if got, want := r.String(), "kms:GrantIsForAWSResource Bool true"; got != want {
				t.Errorf("Requirement.String() = %q, want %q", got, want)
			}
			var missing int
			for _, st := range x.Steps {
				if st.Missing {
					missing++
					if st.Statement != r.Statement || st.Layer != "key policy" {
						t.Errorf("step %+v is missing a key, want only the attachment statement", st)
					}
				}
			}
			if missing != 1 {
				t.Errorf("%d steps missing a key, want 1", missing)
			}

			req.Context.Set("kms:GrantIsForAWSResource", "true")
			if d := set.Evaluate(req); d.Outcome != Allow || d.DependsOnMissingKeys {
				t.Errorf("with the key true: %v, DependsOnMissingKeys %v; want Allow, false", d.Outcome, d.DependsOnMissingKeys)
			} else if got := names(d.Statements()); !reflect.DeepEqual(got, []string{"Allow attachment of persistent resources"}) {
				t.Errorf("Statements() = %v", got)
			}
			req.Context.Set("kms:GrantIsForAWSResource", "false")
			if d := set.Evaluate(req); d.Outcome != ImplicitDeny || d.DependsOnMissingKeys {
				t.Errorf("with the key false: %v, DependsOnMissingKeys %v; want ImplicitDeny, false", d.Outcome, d.DependsOnMissingKeys)
			}
			if x := set.Explain(req); len(x.Requirements) != 0 {
				t.Errorf("Requirements with the key present = %v, want none", x.Requirements)
			}
		})
	}
}

// TestAllowDependsOnMissingDeny: an allow that a Deny conditioned on a missing key could
// overturn also depends on missing keys; Explain names the Deny's condition.
func TestAllowDependsOnMissingDeny(t *testing.T) {
	set := &Set{Identity: []*Policy{pol(t, Identity, "id.json", doc(
		`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`,
		`{"Sid": "NoPlainHTTP", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`))}}
	req := newReq(t, userBob, "s3:GetObject", bucketObj)
	d := set.Evaluate(req)
	if d.Outcome != Allow || !d.DependsOnMissingKeys {
		t.Fatalf("Outcome = %v, DependsOnMissingKeys = %v; want Allow, true", d.Outcome, d.DependsOnMissingKeys)
	}
	x := set.Explain(req)
	if len(x.Requirements) != 1 || x.Requirements[0].Key != "aws:SecureTransport" || x.Requirements[0].Statement.Sid != "NoPlainHTTP" {
		t.Errorf("Requirements = %+v", x.Requirements)
	}
	req.Context.Set("aws:SecureTransport", "true")
	if d := set.Evaluate(req); d.Outcome != Allow || d.DependsOnMissingKeys {
		t.Errorf("over TLS: %v, %v", d.Outcome, d.DependsOnMissingKeys)
	}
}

func TestExplainSteps(t *testing.T) {
	set := &Set{
		Resource: pol(t, Resource, "key.json", doc(keyAccount)),
		Identity: []*Policy{pol(t, Identity, "bob.json", doc(idDecrypt, `{"Sid": "Other", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}`))},
		SCPs:     [][]*Policy{{pol(t, SCP, "scp.json", doc(fullAccess))}},
	}
	x := set.Explain(newReq(t, userBob, "kms:Decrypt", keyARN))
	if x.Decision.Outcome != Allow {
		t.Fatalf("Outcome = %v", x.Decision.Outcome)
	}
	want := []struct {
		layer, name string
		applies     bool
	}{
		{"SCP level 0", "FullAWSAccess", true},
		{"key policy", "Account", true},
		{"identity policy", "IdAllow", true},
		{"identity policy", "Other", false},
	}
	if len(x.Steps) != len(want) {
		t.Fatalf("Steps = %+v", x.Steps)
	}
	for i, w := range want {
		st := x.Steps[i]
		if st.Layer != w.layer || st.Statement.Name() != w.name || st.Applies != w.applies {
			t.Errorf("step %d = %s %s applies=%v (%s), want %s %s applies=%v", i, st.Layer, st.Statement.Name(), st.Applies, st.Why, w.layer, w.name, w.applies)
		}
	}
	if x.Steps[1].Match != "account" {
		t.Errorf("key policy step Match = %q, want account", x.Steps[1].Match)
	}
	if !strings.HasPrefix(x.Summary, "allowed by ") {
		t.Errorf("Summary = %q", x.Summary)
	}
}

func TestParsePrincipal(t *testing.T) {
	tests := []struct {
		in   string
		want Principal
		typ  string // aws:PrincipalType
	}{
		{userBob, Principal{ARN: userBob, Type: User, Partition: "aws", Account: acct, Name: "Bob", PrincipalARN: userBob}, "User"},
		{"arn:aws:iam::111122223333:user/division/Bob", Principal{ARN: "arn:aws:iam::111122223333:user/division/Bob", Type: User, Partition: "aws", Account: acct, Name: "Bob", PrincipalARN: "arn:aws:iam::111122223333:user/division/Bob"}, "User"},
		{"arn:aws:iam::111122223333:role/service/app", Principal{ARN: "arn:aws:iam::111122223333:role/service/app", Type: Role, Partition: "aws", Account: acct, Name: "app", PrincipalARN: "arn:aws:iam::111122223333:role/service/app"}, "AssumedRole"},
		{roleApp, Principal{ARN: roleApp, Type: AssumedRole, Partition: "aws", Account: acct, Name: "app", Session: "session1", PrincipalARN: roleARN}, "AssumedRole"},
		{"arn:aws-cn:sts::111122223333:assumed-role/app/s", Principal{ARN: "arn:aws-cn:sts::111122223333:assumed-role/app/s", Type: AssumedRole, Partition: "aws-cn", Account: acct, Name: "app", Session: "s", PrincipalARN: "arn:aws-cn:iam::111122223333:role/app"}, "AssumedRole"},
		{"arn:aws:sts::111122223333:federated-user/Dana", Principal{ARN: "arn:aws:sts::111122223333:federated-user/Dana", Type: FederatedUser, Partition: "aws", Account: acct, Name: "Dana", PrincipalARN: "arn:aws:sts::111122223333:federated-user/Dana"}, "FederatedUser"},
		{rootA, Principal{ARN: rootA, Type: Root, Partition: "aws", Account: acct, PrincipalARN: rootA}, "Account"},
		{acct, Principal{ARN: rootA, Type: Root, Partition: "aws", Account: acct, PrincipalARN: rootA}, "Account"},
		{"s3.amazonaws.com", Principal{ARN: "s3.amazonaws.com", Type: Service, Name: "s3"}, ""},
		{"anonymous", Principal{ARN: "anonymous", Type: Anonymous}, "Anonymous"},
	}
	for _, tt := range tests {
		got, err := ParsePrincipal(tt.in)
		if err != nil {
			t.Errorf("ParsePrincipal(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParsePrincipal(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if tt.typ != "" && got.Type.String() != tt.typ {
			t.Errorf("ParsePrincipal(%q).Type = %v, want aws:PrincipalType %s", tt.in, got.Type, tt.typ)
		}
	}
	for _, bad := range []string{
		"", "bob", "12345678901", "arn:aws:iam::1234:user/x", "arn:aws:s3:::bucket", "arn:aws:iam:us-east-1:111122223333:user/x",
		"arn:aws:iam::111122223333:user/", "arn:aws:sts::111122223333:assumed-role/app", "arn:aws:sts::111122223333:assumed-role//s",
		"arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:group/devs", "arn:aws:sts::111122223333:federated-user/a/b",
	} {
		if p, err := ParsePrincipal(bad); err == nil {
			t.Errorf("ParsePrincipal(%q) = %+v, want an error", bad, p)
		}
	}
}

func TestPrincipals(t *testing.T) {
	p := pol(t, Resource, "key.json", doc(
		`{"Effect": "Allow", "Principal": {"AWS": ["111122223333", "`+userBob+`", "arn:aws:iam::444455556666:root"], "Service": "s3.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}`,
		`{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}`,
		`{"Effect": "Deny", "NotPrincipal": {"AWS": "`+roleARN+`"}, "Action": "kms:*", "Resource": "*"}`,
		`{"Effect": "Allow", "Principal": {"AWS": "`+userBob+`"}, "Action": "kms:Encrypt", "Resource": "*"}`))
	want := []string{rootA, userBob, "arn:aws:iam::444455556666:root", "s3.amazonaws.com", "*"}
	if got := p.Principals(); !reflect.DeepEqual(got, want) {
		t.Errorf("Principals() = %v, want %v", got, want)
	}
}

func TestParseResource(t *testing.T) {
	text := doc(keyAccount)
	plain, err := ParseResource("key.json", Key, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	wrapped, _ := json.Marshal(map[string]string{"Policy": text, "PolicyName": "default"})
	w, err := ParseResource("get-key-policy.json", Key, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Policy{plain, w} {
		if p.Kind != Key || len(p.Statements) != 1 || p.Statements[0].Sid != "Account" {
			t.Errorf("%s: %+v", p.Name, p)
		}
	}
	if w.Statements[0].Pos != plain.Statements[0].Pos {
		t.Errorf("wrapped statement at %v, want %v (positions within the policy text)", w.Statements[0].Pos, plain.Statements[0].Pos)
	}
	// Errors in the wrapped text are positioned in the text.
	bad, pos := mark(t, doc(`{"Effect": ‸"allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}`))
	wrapped, _ = json.Marshal(map[string]string{"Policy": bad})
	_, err = ParseResource("get-key-policy.json", Key, wrapped)
	checkError(t, err, "get-key-policy.json (Policy)", pos, `invalid Effect "allow": expected "Allow" or "Deny" (case-sensitive)`)
	// A resource policy needs a Principal.
	_, err = ParseResource("key.json", Key, []byte(doc(idDecrypt)))
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "has no Principal or NotPrincipal") {
		t.Errorf("error = %v, want a missing Principal error", err)
	}
}

func TestParseGrants(t *testing.T) {
	const out = `{
    "Grants": [
        {
            "KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "GrantId": "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
            "Name": "app-grant",
            "CreationDate": "2025-01-15T10:00:00+00:00",
            "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
            "RetiringPrincipal": "arn:aws:iam::111122223333:role/admin",
            "IssuingAccount": "arn:aws:iam::111122223333:root",
            "Operations": ["Decrypt", "Encrypt", "DescribeKey"],
            "Constraints": {"EncryptionContextSubset": {"Department": "IT"}}
        },
        {
            "KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "GrantId": "abcde1237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d",
            "CreationDate": "2025-01-16T10:00:00+00:00",
            "GranteePrincipal": "s3.amazonaws.com",
            "IssuingAccount": "arn:aws:iam::111122223333:root",
            "Operations": ["GenerateDataKey"]
        }
    ],
    "Truncated": false
}`
	gs, err := ParseGrants("grants.json", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 {
		t.Fatalf("got %d grants", len(gs))
	}
	g := gs[0]
	if g.ID != "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60" || g.Name != "app-grant" || g.GranteePrincipal != roleARN ||
		g.RetiringPrincipal != "arn:aws:iam::111122223333:role/admin" || !reflect.DeepEqual(g.Operations, []string{"Decrypt", "Encrypt", "DescribeKey"}) ||
		!reflect.DeepEqual(g.EncryptionContextSubset, map[string]string{"Department": "IT"}) || g.EncryptionContextEquals != nil {
		t.Errorf("grant 0 = %+v", g)
	}
	if gs[1].GranteePrincipal != "s3.amazonaws.com" || gs[1].EncryptionContextSubset != nil {
		t.Errorf("grant 1 = %+v", gs[1])
	}
	// A bare array is accepted too.
	var v struct{ Grants []json.RawMessage }
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	arr, _ := json.Marshal(v.Grants)
	if gs, err := ParseGrants("grants.json", arr); err != nil || len(gs) != 2 {
		t.Errorf("bare array: %d grants, %v", len(gs), err)
	}

	errCases := []struct {
		name, text, msg string
	}{
		{"unknown constraint type", `{"Grants": [{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt"],
			"Constraints": {"EncryptionContextAll": ‸{"a": "b"}}}]}`, `grant g1: unsupported constraint "EncryptionContextAll" (expected EncryptionContextEquals or EncryptionContextSubset)`},
		{"unknown operation", `{"Grants": [‸{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt", "Destroy"]}]}`,
			`grant g1: unknown grant operation "Destroy"`},
		{"no grantee", `{"Grants": [‸{"GrantId": "g1", "Operations": ["Decrypt"]}]}`, `grant g1 has no GranteePrincipal`},
		{"no operations", `{"Grants": [‸{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111122223333:role/app"}]}`,
			`grant g1: Operations must be an array of operation names`},
		{"both constraints", `{"Grants": [‸{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt"],
			"Constraints": {"EncryptionContextEquals": {"a": "b"}, "EncryptionContextSubset": {"a": "b"}}}]}`, `grant g1 has both EncryptionContextEquals and EncryptionContextSubset`},
		{"constraint value not a string", `{"Grants": [{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt"],
			"Constraints": {"EncryptionContextSubset": {"a": ‸1}}}]}`, `the value of "a" must be a string`},
		{"not list-grants output", `‸{"Policy": "{}"}`, `expected list-grants output: an object with "Grants" or an array of grants`},
		{"Grants not an array", `{"Grants": ‸{}}`, `Grants must be an array, not an object`},
		{"invalid JSON", `{"Grants": [1,‸]}`, `invalid JSON: trailing comma before ']'`},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			text, pos := mark(t, tt.text)
			_, err := ParseGrants("grants.json", []byte(text))
			checkError(t, err, "grants.json", pos, tt.msg)
		})
	}
}

func TestParseAuthorizationDetails(t *testing.T) {
	const file = "testdata/account-authorization-details.json"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := ParseAuthorizationDetails(file, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(dir.Identities) != 2 {
		t.Fatalf("got %d identities, want 2", len(dir.Identities))
	}

	bob := dir.Lookup(mustPrincipal(t, userBob))
	if bob == nil || bob.Type != User || bob.Name != "Bob" || !reflect.DeepEqual(bob.Groups, []string{"developers"}) ||
		bob.Boundary != nil || bob.Tags["team"] != "blue" {
		t.Fatalf("Lookup(Bob) = %+v", bob)
	}
	// Bob's inline policy, the managed ReadKeys, the group's URL-encoded inline policy and the
	// group's managed DevKMS.
	if len(bob.Policies) != 4 {
		t.Fatalf("Bob has %d policies, want 4", len(bob.Policies))
	}

	session := mustPrincipal(t, "arn:aws:sts::111122223333:assumed-role/app/i-0abc")
	app := dir.Lookup(session)
	if app == nil || app.Type != Role || app.ARN != "arn:aws:iam::111122223333:role/service/app" || app.Boundary == nil || len(app.Policies) != 2 {
		t.Fatalf("Lookup(session) = %+v", app)
	}
	if dir.Lookup(mustPrincipal(t, "arn:aws:iam::111122223333:role/service/app")) != app {
		t.Error("Lookup(role ARN) did not find the role")
	}
	if dir.Lookup(mustPrincipal(t, "arn:aws:sts::444455556666:assumed-role/app/s")) != nil {
		t.Error("Lookup found a role of another account")
	}
	if dir.Lookup(mustPrincipal(t, "arn:aws:iam::111122223333:user/Alice")) != nil {
		t.Error("Lookup found an unknown user")
	}
	var nilDir *Directory
	if nilDir.Lookup(session) != nil {
		t.Error("Lookup on a nil Directory")
	}

	key := pol(t, Resource, "key.json", doc(keyAccount))
	evalAs := func(id *IdentityInfo, p Principal, action, resource string) Outcome {
		req := &Request{Principal: p, Action: action, Resource: resource}
		if strings.HasPrefix(resource, "arn:aws:s3:") {
			req.ResourceAccount = acct
		}
		set := &Set{Identity: id.Policies, Boundary: id.Boundary}
		if strings.HasPrefix(resource, "arn:aws:kms:") {
			set.Resource = key
		}
		return set.Evaluate(req).Outcome
	}
	bobP := mustPrincipal(t, userBob)
	checks := []struct {
		name             string
		id               *IdentityInfo
		p                Principal
		action, resource string
		want             Outcome
	}{
		{"user: group's managed policy", bob, bobP, "kms:Decrypt", keyARN, Allow},
		{"user: managed policy's default version", bob, bobP, "kms:DescribeKey", keyARN, Allow},
		{"user: not the non-default version", bob, bobP, "kms:ScheduleKeyDeletion", keyARN, ImplicitDeny},
		{"user: group's URL-encoded inline policy", bob, bobP, "s3:ListBucket", "arn:aws:s3:::team-bucket", Allow},
		{"user: own inline policy with a variable", bob, bobP, "s3:GetObject", "arn:aws:s3:::team-bucket/home/Bob/a.txt", Allow},
		{"user: another user's folder", bob, bobP, "s3:GetObject", "arn:aws:s3:::team-bucket/home/Alice/a.txt", ImplicitDeny},
		{"role: inline policy within the boundary", app, session, "kms:Decrypt", keyARN, Allow},
		{"role: managed policy outside the boundary", app, session, "kms:DescribeKey", keyARN, ImplicitDeny},
		{"role: inline policy outside the boundary", app, session, "kms:GenerateDataKey", keyARN, ImplicitDeny},
	}
	for _, c := range checks {
		if got := evalAs(c.id, c.p, c.action, c.resource); got != c.want {
			t.Errorf("%s: %s on %s = %v, want %v", c.name, c.action, c.resource, got, c.want)
		}
	}

	// A managed policy that is attached but not listed.
	_, err = ParseAuthorizationDetails("auth.json", []byte(`{"UserDetailList": [{"UserName": "x", "Arn": "arn:aws:iam::111122223333:user/x",
		"AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/Gone"}]}]}`))
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "managed policy arn:aws:iam::111122223333:policy/Gone is attached but its document is not in the file's Policies list") {
		t.Errorf("error = %v", err)
	}
	if _, err := ParseAuthorizationDetails("auth.json", []byte(`{"Grants": []}`)); err == nil {
		t.Error("ParseAuthorizationDetails accepted list-grants output")
	}
}

func TestSetValidate(t *testing.T) {
	id := pol(t, Identity, "id.json", doc(idDecrypt))
	res := pol(t, Resource, "key.json", doc(keyAccount))
	if err := (&Set{Resource: id}).Validate(); err == nil {
		t.Error("an identity policy as the resource policy was accepted")
	}
	if err := (&Set{Identity: []*Policy{res}}).Validate(); err == nil {
		t.Error("a resource policy as an identity policy was accepted")
	}
	if err := (&Set{SCPs: make([][]*Policy, MaxLevels+1)}).Validate(); err == nil {
		t.Error("too many SCP levels were accepted")
	}
	if err := (&Set{Resource: res, Identity: []*Policy{id}, Boundary: id, Session: id}).Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseOutcome(t *testing.T) {
	for _, o := range []Outcome{Allow, ExplicitDeny, ImplicitDeny} {
		got, err := ParseOutcome(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOutcome(%q) = %v, %v", o.String(), got, err)
		}
	}
	if _, err := ParseOutcome("allow"); err == nil {
		t.Error(`ParseOutcome("allow") succeeded`)
	}
}
