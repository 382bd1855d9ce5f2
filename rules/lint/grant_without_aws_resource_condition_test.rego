package keytrail.lint.grant_without_aws_resource_condition_test

import data.keytrail.lint.grant_without_aws_resource_condition as g
import data.keytrail.lint.testlib as t

grant := {"not": false, "values": ["kms:CreateGrant", "kms:ListGrants"]}

test_unconditioned_grant if {
	count(g.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:role/app"]), "actions": grant})])
}

test_grant_for_aws_resource if {
	count(g.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:role/app"]), "actions": grant,
		"conditions": [t.cond("Bool", "kms:GrantIsForAWSResource", ["true"])]})])
}

test_false_counts_as_none if {
	count(g.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:role/app"]), "actions": grant,
		"conditions": [t.cond("Bool", "kms:GrantIsForAWSResource", ["false"])]})])
}

test_account_principal if {
	count(g.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["111122223333"]), "actions": grant})])
}
