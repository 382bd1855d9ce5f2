package keytrail.lint.kms_star_non_root_test

import data.keytrail.lint.kms_star_non_root
import data.keytrail.lint.testlib as t

test_kms_star_to_user if {
	count(kms_star_non_root.deny) == 1 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:user/K"]), "actions": {"not": false, "values": ["kms:*"]}})])
}

test_kms_star_to_root if {
	count(kms_star_non_root.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:root"]), "actions": {"not": false, "values": ["kms:*"]}})])
}

test_listed_actions if {
	count(kms_star_non_root.deny) == 0 with input as t.doc("key", [t.stmt({"principal": t.principal(["arn:aws:iam::111122223333:user/K"])})])
}
