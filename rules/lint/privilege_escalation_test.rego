package keytrail.lint.privilege_escalation_test

import data.keytrail.lint.privilege_escalation as p
import data.keytrail.lint.testlib as t

test_completed_by_second_statement if {
	t.ids(p.deny) == {1} with input as t.doc("identity", [
		t.stmt({"covers": ["iam:passrole"]}),
		t.stmt({"covers": ["lambda:createfunction", "lambda:invokefunction"]}),
	])
}

test_incomplete if {
	count(p.deny) == 0 with input as t.doc("identity", [t.stmt({"covers": ["iam:passrole", "lambda:createfunction"]})])
}

test_single_action_method if {
	t.ids(p.deny) == {0} with input as t.doc("identity", [t.stmt({"covers": ["iam:createpolicyversion"]})])
}
