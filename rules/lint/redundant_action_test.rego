package keytrail.lint.redundant_action_test

import data.keytrail.lint.redundant_action as r
import data.keytrail.lint.testlib as t

test_covered_by_wildcard if {
	count(r.deny) == 1 with input as t.doc("key", [t.stmt({"actions": {"not": false, "values": ["kms:Get*", "kms:GetKeyPolicy"]}})])
}

test_repeated if {
	count(r.deny) == 1 with input as t.doc("key", [t.stmt({"actions": {"not": false, "values": ["kms:Decrypt", "KMS:decrypt"]}})])
}

test_distinct if {
	count(r.deny) == 0 with input as t.doc("key", [t.stmt({"actions": {"not": false, "values": ["kms:Decrypt", "kms:Encrypt"]}})])
}
