package keytrail.lint.lockout_risk_test

import data.keytrail.lint.lockout_risk
import data.keytrail.lint.testlib as t

test_no_put_key_policy if {
	t.ids(lockout_risk.deny) == {null} with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:user/K"])})])
}

test_root_has_put_key_policy if {
	count(lockout_risk.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["111122223333"]), "covers": ["kms:putkeypolicy"]})])
}

test_unconditional_deny if {
	t.ids(lockout_risk.deny) == {1} with input as t.doc("key", [
		t.stmt({"principal": t.principal(["111122223333"]), "covers": ["kms:putkeypolicy"]}),
		t.stmt({"effect": "Deny", "principal": t.wildcard, "covers": ["kms:putkeypolicy"]}),
	])
}

test_skipped_on_structural_errors if {
	count(lockout_risk.deny) == 0 with input as object.union(t.doc("key", [t.stmt({})]), {"structural_errors": true})
}
