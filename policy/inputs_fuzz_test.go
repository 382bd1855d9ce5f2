package policy

import (
	"os"
	"testing"
)

// FuzzInputs: the AWS CLI output readers (get-key-policy, list-grants,
// get-account-authorization-details) return a value or an error for any input, never panic,
// and a directory's lookups work on whatever they read.
func FuzzInputs(f *testing.F) {
	for _, p := range []string{"testdata/account-authorization-details.json", "../fixtures/policies/seed-key-policy.json"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}", "PolicyName": "default"}`))
	f.Add([]byte(`{"Grants":[{"GranteePrincipal":"arn:aws:iam::111122223333:role/a","Operations":["Decrypt"],"Constraints":{"EncryptionContextSubset":{"k":"v"}}}]}`))
	f.Add([]byte(`{"UserDetailList":[{"Arn":"arn:aws:iam::111122223333:user/a","UserPolicyList":[{"PolicyName":"p","PolicyDocument":"%7B%7D"}]}]}`))
	caller, _ := ParsePrincipal("arn:aws:sts::111122223333:assumed-role/a/s")
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := ParseResource("f.json", Key, data); err == nil && p == nil {
			t.Fatal("nil policy without error")
		}
		if gs, err := ParseGrants("f.json", data); err == nil {
			req := &Request{Principal: caller, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k"}
			(&Set{Grants: gs}).Explain(req)
		}
		if d, err := ParseAuthorizationDetails("f.json", data); err == nil {
			d.Lookup(caller)
		}
	})
}
