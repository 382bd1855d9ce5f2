package keytrail.trail.key_disabled_or_deleted_test

import data.keytrail.trail.key_disabled_or_deleted as k
import data.keytrail.trail.testlib as t

test_disable if {
	some f in k.warn with input as {"records": [t.kms("DisableKey", {})]}
	f.resolve_key == concat(" ", ["disable", t.key_arn])
	f.record == 0
}

test_schedule if {
	some f in k.deny with input as {"records": [t.kms("ScheduleKeyDeletion", {"requestParameters": {"keyId": "k", "pendingWindowInDays": 7}})]}
	contains(f.message, "in 7 days")
}

test_failed_call_is_not_a_change if {
	count(k.deny) + count(k.warn) == 0 with input as {"records": [t.kms("ScheduleKeyDeletion", {"errorCode": "KMSInvalidStateException"})]}
}

test_resolvers if {
	r := k.resolve with input as {"records": [t.kms("EnableKey", {}), t.kms("CancelKeyDeletion", {})]}
	r == {{"record": 0, "key": concat(" ", ["disable", t.key_arn])}, {"record": 1, "key": concat(" ", ["delete", t.key_arn])}}
}

test_enable_does_not_resolve_deletion if {
	r := k.resolve with input as {"records": [t.kms("EnableKey", {})]}
	not {"record": 0, "key": concat(" ", ["delete", t.key_arn])} in r
}

test_delete_key if {
	count(k.deny) == 1 with input as {"records": [t.kms("DeleteKey", {"userIdentity": {"accountId": "111122223333", "invokedBy": "AWS Internal"}})]}
}
