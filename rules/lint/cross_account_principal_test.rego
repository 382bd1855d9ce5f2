package keytrail.lint.cross_account_principal_test

import data.keytrail.lint.cross_account_principal as x
import data.keytrail.lint.testlib as t

test_external if {
	count(x.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::444455556666:role/x"])})])
}

test_same_account if {
	count(x.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:role/x"])})])
}
