package keytrail.lint.allow_all_test

import data.keytrail.lint.allow_all as a
import data.keytrail.lint.testlib as t

test_admin if {
	count(a.deny) == 1 with input as t.doc("identity", [t.stmt({"actions": {"not": false, "values": ["*"]}})])
}

test_conditioned if {
	count(a.deny) == 0 with input as t.doc("identity", [t.stmt({"actions": {"not": false, "values": ["*"]}, "conditions": [t.cond("Bool", "aws:MultiFactorAuthPresent", ["true"])]})])
}

test_key_policy if {
	count(a.deny) == 0 with input as t.doc("key", [t.stmt({"actions": {"not": false, "values": ["*"]}})])
}
