package keytrail.lint.notprincipal_allow_test

import data.keytrail.lint.notprincipal_allow
import data.keytrail.lint.testlib as t

test_allow_notprincipal if {
	count(notprincipal_allow.deny) == 1 with input as t.doc("key", [t.stmt({"principal": object.union(t.principal(["111122223333"]), {"not": true})})])
}

test_deny_notprincipal if {
	count(notprincipal_allow.deny) == 0 with input as t.doc("key", [t.stmt({"effect": "Deny", "principal": object.union(t.principal(["111122223333"]), {"not": true})})])
}
