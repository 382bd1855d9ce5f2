package keytrail.lint.pass_role_star_test

import data.keytrail.lint.pass_role_star as p
import data.keytrail.lint.testlib as t

test_pass_role_star if {
	count(p.deny) == 1 with input as t.doc("identity", [t.stmt({"covers": ["iam:passrole"]})])
}

test_passed_to_service if {
	count(p.deny) == 0 with input as t.doc("identity", [t.stmt({"covers": ["iam:passrole"], "conditions": [t.cond("StringEquals", "iam:PassedToService", ["lambda.amazonaws.com"])]})])
}

test_named_roles if {
	count(p.deny) == 0 with input as t.doc("identity", [t.stmt({"covers": ["iam:passrole"], "resources": {"not": false, "values": ["arn:aws:iam::111122223333:role/app"]}})])
}
