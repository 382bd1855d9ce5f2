package keytrail.lint.condition_bypassed_test

import data.keytrail.lint.condition_bypassed as c
import data.keytrail.lint.testlib as t

k := t.principal(["arn:aws:iam::111122223333:user/K"])

# The pairing is computed in Go (see the policy package's lint tests and fixtures/lint); the
# rule reports it.
test_reports_bypass if {
	t.ids(c.deny) == {1} with input as t.doc("key", [
		t.stmt({"principal": k}),
		t.stmt({"principal": k, "conditions": [t.cond("Bool", "kms:GrantIsForAWSResource", ["true"])],
			"bypassed_by": {"statement": 0, "principal": "arn:aws:iam::111122223333:user/K", "actions": ["kms:CreateGrant"]}}),
	])
}

test_none if {
	count(c.deny) == 0 with input as t.doc("key", [t.stmt({"principal": k, "conditions": [t.cond("Bool", "kms:GrantIsForAWSResource", ["true"])]})])
}
