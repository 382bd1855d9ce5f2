package keytrail.lint.notaction_allow_test

import data.keytrail.lint.notaction_allow
import data.keytrail.lint.testlib as t

test_allow_notaction if {
	count(notaction_allow.deny) == 1 with input as t.doc("identity", [t.stmt({"actions": {"not": true, "values": ["s3:*"]}})])
}

test_deny_notaction if {
	count(notaction_allow.deny) == 0 with input as t.doc("identity", [t.stmt({"effect": "Deny", "actions": {"not": true, "values": ["s3:*"]}})])
}
