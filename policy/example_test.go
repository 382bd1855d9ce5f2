package policy_test

import (
	"fmt"

	"github.com/keytrail/keytrail/policy"
)

const exampleKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func ExampleParse() {
	p, err := policy.Parse("key-policy.json", policy.Resource, []byte(`{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "Allow use of the key",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:user/Bob"},
    "Action": ["kms:Encrypt", "kms:Decrypt"],
    "Resource": "*"
  }]
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Statements {
		fmt.Println(s.Ref(), s.Effect)
	}

	// Errors carry the file, line and column.
	_, err = policy.Parse("bad.json", policy.Identity, []byte(`{"Statement": {"Effect": "allow", "Action": "kms:*", "Resource": "*"}}`))
	fmt.Println(err)
	// Output:
	// key-policy.json statement "Allow use of the key" (3:17) Allow
	// bad.json:1:26: invalid Effect "allow": expected "Allow" or "Deny" (case-sensitive)
}

func ExampleParsePrincipal() {
	p, err := policy.ParsePrincipal("arn:aws:sts::111122223333:assumed-role/app/session1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Type, p.Account, p.Name, p.Session)
	fmt.Println(p.PrincipalARN)

	_, err = policy.ParsePrincipal("arn:aws:iam::111122223333:user/*")
	fmt.Println(err)
	// Output:
	// AssumedRole 111122223333 app session1
	// arn:aws:iam::111122223333:role/app
	// invalid principal "arn:aws:iam::111122223333:user/*": a caller cannot contain wildcards
}

func ExampleSet_Evaluate() {
	key := policy.MustParse("key-policy.json", policy.Resource, `{"Version": "2012-10-17", "Statement": [
  {"Sid": "EnableIAMPolicies", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}`)
	bob := policy.MustParse("bob.json", policy.Identity, `{"Version": "2012-10-17", "Statement": [
  {"Sid": "UseKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}`)
	set := &policy.Set{Resource: key, Identity: []*policy.Policy{bob}}

	caller, err := policy.ParsePrincipal("arn:aws:iam::111122223333:user/Bob")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, action := range []string{"kms:Decrypt", "kms:ScheduleKeyDeletion"} {
		d := set.Evaluate(&policy.Request{Principal: caller, Action: action, Resource: exampleKey})
		fmt.Println(action, d.Outcome)
		for _, s := range d.Statements() {
			fmt.Println("  by", s.Ref())
		}
	}
	// Output:
	// kms:Decrypt Allow
	//   by key-policy.json statement "EnableIAMPolicies" (2:3)
	//   by bob.json statement "UseKey" (2:3)
	// kms:ScheduleKeyDeletion ImplicitDeny
}

func ExampleSet_Explain() {
	key := policy.MustParse("key-policy.json", policy.Resource, `{"Version": "2012-10-17", "Statement": [{
  "Sid": "Allow attachment of persistent resources", "Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
  "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
  "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]}`)
	set := &policy.Set{Resource: key}
	caller, err := policy.ParsePrincipal("arn:aws:iam::111122223333:role/app")
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &policy.Request{Principal: caller, Action: "kms:CreateGrant", Resource: exampleKey}

	x := set.Explain(req)
	fmt.Println(x.Decision.Outcome, x.Decision.DependsOnMissingKeys)
	fmt.Println(x.Summary)
	for _, st := range x.Steps {
		fmt.Println(st.Layer+":", st.Why)
	}
	for _, r := range x.Requirements {
		fmt.Println("allowed if", r)
	}

	req.Context.Set("kms:GrantIsForAWSResource", "true")
	fmt.Println(set.Explain(req).Summary)
	// Output:
	// ImplicitDeny true
	// implicitly denied: no key policy, grant or identity policy allows arn:aws:iam::111122223333:role/app to kms:CreateGrant
	// key policy: condition key not in the request: Bool kms:GrantIsForAWSResource "true" (absent)
	// allowed if kms:GrantIsForAWSResource Bool true
	// allowed by key-policy.json statement "Allow attachment of persistent resources" (1:41)
}

func ExampleParseGrants() {
	grants, err := policy.ParseGrants("grants.json", []byte(`{"Grants": [{
  "GrantId": "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
  "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
  "Operations": ["Decrypt", "DescribeKey"],
  "Constraints": {"EncryptionContextSubset": {"Department": "IT"}}}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range grants {
		fmt.Println(g.GranteePrincipal, g.Operations, g.EncryptionContextSubset)
	}

	key := policy.MustParse("key-policy.json", policy.Resource, `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}]}`)
	set := &policy.Set{Resource: key, Grants: grants}
	caller, err := policy.ParsePrincipal("arn:aws:sts::111122223333:assumed-role/app/worker")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, dept := range []string{"IT", "it"} {
		req := &policy.Request{Principal: caller, Action: "kms:Decrypt", Resource: exampleKey}
		req.Context.Set("kms:EncryptionContext:department", dept)
		d := set.Evaluate(req)
		fmt.Println("department", dept, d.Outcome, d.Grant != nil)
	}
	// Output:
	// arn:aws:iam::111122223333:role/app [Decrypt DescribeKey] map[Department:IT]
	// department IT Allow true
	// department it ImplicitDeny false
}
