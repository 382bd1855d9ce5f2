package keytrail.lint.kms_decrypt_any_key_test

import data.keytrail.lint.kms_decrypt_any_key as k
import data.keytrail.lint.testlib as t

test_decrypt_star if {
	count(k.deny) == 1 with input as t.doc("identity", [t.stmt({})])
}

test_decrypt_key_star if {
	count(k.deny) == 1 with input as t.doc("identity", [t.stmt({"resources": {"not": false, "values": ["arn:aws:kms:*:111122223333:key/*"]}})])
}

test_via_service if {
	count(k.deny) == 0 with input as t.doc("identity", [t.stmt({"conditions": [t.cond("StringEquals", "kms:ViaService", ["s3.us-east-1.amazonaws.com"])]})])
}

test_one_key if {
	count(k.deny) == 0 with input as t.doc("identity", [t.stmt({"resources": {"not": false, "values": ["arn:aws:kms:us-east-1:111122223333:key/abc"]}})])
}
