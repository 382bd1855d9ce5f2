package keytrail.lint.root_access_missing_test

import data.keytrail.lint.root_access_missing
import data.keytrail.lint.testlib as t

test_only_named_admins if {
	count(root_access_missing.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:user/K"]), "covers": ["kms:putkeypolicy"]})])
}

test_account_admin if {
	count(root_access_missing.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:root"]), "covers": ["kms:putkeypolicy"]})])
}
