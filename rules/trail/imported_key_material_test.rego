package keytrail.trail.imported_key_material_test

import data.keytrail.trail.imported_key_material as k
import data.keytrail.trail.testlib as t

test_import_is_a_fact if {
	recs := [t.kms("ImportKeyMaterial", {})]
	k.fact == {{"record": 0, "key": t.key_arn}} with input as {"records": recs}
	some f in k.warn with input as {"records": recs}
	f.severity == "info"
}

test_delete if {
	count(k.deny) == 1 with input as {"records": [t.kms("DeleteImportedKeyMaterial", {})]}
	count(k.deny) == 1 with input as {"records": [t.kms("DeleteExpiredKeyMaterial", {"userIdentity": {"accountId": "111122223333", "invokedBy": "AWS Internal"}})]}
}

test_use_needs_fact if {
	some f in k.warn with input as {"records": [t.kms("Decrypt", {})]}
	f.needs == t.key_arn
	f.dedupe == concat(" ", [t.key_arn, t.alice.arn, "Decrypt"])
}

test_use_of_listed_key if {
	some f in k.warn with input as {"records": [t.kms("GenerateDataKey", {})]}
		with data.keytrail.config as {"imported_keys": ["arn:aws:kms:*:111122223333:key/1234abcd-*"]}
	not f.needs
}

test_management_call_is_not_a_use if {
	count(k.warn) == 0 with input as {"records": [t.kms("DescribeKey", {})]}
}

test_use_without_key_is_not_reported if {
	r := object.union(t.kms("Decrypt", {}), {"keytrail": {"key": ""}})
	count(k.warn) == 0 with input as {"records": [r]}
}
