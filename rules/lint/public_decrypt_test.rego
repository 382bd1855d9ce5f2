package keytrail.lint.public_decrypt_test

import data.keytrail.lint.public_decrypt
import data.keytrail.lint.testlib as t

test_public_decrypt if {
	count(public_decrypt.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.wildcard})])
}

test_public_describe_only if {
	count(public_decrypt.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.wildcard, "covers": ["kms:describekey"]})])
}

test_restricted if {
	count(public_decrypt.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.wildcard, "conditions": [t.cond("StringEquals", "aws:PrincipalOrgID", ["o-abc"])]})])
}

test_notprincipal_allow_creategrant if {
	count(public_decrypt.deny) == 1 with input as t.doc("key", [t.stmt({"principal": object.union(t.principal(["111122223333"]), {"not": true}), "covers": ["kms:creategrant"]})])
}
