package keytrail.lint.admin_can_use_key_test

import data.keytrail.lint.admin_can_use_key
import data.keytrail.lint.testlib as t

k := t.principal(["arn:aws:iam::111122223333:user/K"])

test_admin_and_user if {
	t.ids(admin_can_use_key.deny) == {1} with input as t.doc("key", [
		t.stmt({"principal": k, "covers": ["kms:putkeypolicy", "kms:schedulekeydeletion"]}),
		t.stmt({"principal": k, "covers": ["kms:decrypt", "kms:encrypt"]}),
	])
}

test_admin_only if {
	count(admin_can_use_key.deny) == 0 with input as t.doc("key", [t.stmt({"principal": k, "covers": ["kms:putkeypolicy", "kms:describekey"]})])
}
