package keytrail.lint.condition_bypassed_test

import data.keytrail.lint.condition_bypassed as c
import data.keytrail.lint.testlib as t

k := t.principal(["arn:aws:iam::111122223333:user/K"])

test_seed_pattern if {
	t.ids(c.deny) == {1} with input as t.doc("key", [
		t.stmt({"principal": k, "actions": {"not": false, "values": ["kms:Create*", "kms:List*", "kms:Revoke*"]}}),
		t.stmt({"principal": k, "actions": {"not": false, "values": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]},
			"conditions": [t.cond("Bool", "kms:GrantIsForAWSResource", ["true"])]}),
	])
}

test_account_grant_does_not_cover_users if {
	count(c.deny) == 0 with input as t.doc("key", [
		t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:root"]), "actions": {"not": false, "values": ["kms:*"]}}),
		t.stmt({"principal": k, "actions": {"not": false, "values": ["kms:CreateGrant"]}, "conditions": [t.cond("Bool", "kms:GrantIsForAWSResource", ["true"])]}),
	])
}
