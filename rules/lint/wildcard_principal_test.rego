package keytrail.lint.wildcard_principal_test

import data.keytrail.lint.testlib as t
import data.keytrail.lint.wildcard_principal

test_star_unconditioned if {
	count(wildcard_principal.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.wildcard})])
}

test_star_with_caller_account if {
	count(wildcard_principal.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.wildcard,
		"conditions": [t.cond("StringEquals", "kms:CallerAccount", ["111122223333"]), t.cond("StringEquals", "kms:ViaService", ["s3.us-east-1.amazonaws.com"])]})])
}

test_viaservice_alone_does_not_restrict if {
	count(wildcard_principal.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.wildcard,
		"conditions": [t.cond("StringEquals", "kms:ViaService", ["s3.us-east-1.amazonaws.com"])]})])
}

test_wildcard_value_does_not_restrict if {
	count(wildcard_principal.deny) == 1 with input as t.doc("bucket", [t.stmt({"principal": t.wildcard,
		"conditions": [t.cond("StringLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/x"])]})])
}

test_broken_condition_is_skipped if {
	count(wildcard_principal.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.wildcard, "condition_broken": true})])
}

test_named_principal if {
	count(wildcard_principal.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:user/K"])})])
}
