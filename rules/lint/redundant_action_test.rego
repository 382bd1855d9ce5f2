package keytrail.lint.redundant_action_test

import data.keytrail.lint.redundant_action as r
import data.keytrail.lint.testlib as t

# The redundant entries are computed in Go (policy/lint_input.go; see policy's lint tests);
# the rule reports them, one finding per statement.
test_reports_redundant_entries if {
	count(r.deny) == 1 with input as t.doc("key", [t.stmt({"actions": {"not": false, "values": ["kms:Get*", "kms:GetKeyPolicy"]}, "redundant_actions": ["kms:GetKeyPolicy"]})])
}

test_none if {
	count(r.deny) == 0 with input as t.doc("key", [t.stmt({"actions": {"not": false, "values": ["kms:Decrypt", "kms:Encrypt"]}})])
}
