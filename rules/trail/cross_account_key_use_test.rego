package keytrail.trail.cross_account_key_use_test

import data.keytrail.trail.cross_account_key_use as k
import data.keytrail.trail.testlib as t

# TRAIL-FORMATS 4.5: the key owner's copy of a cross-account Decrypt.
owner_copy := t.kms("Decrypt", {"eventID": "a", "sharedEventID": "shared-1", "userIdentity": {"type": "AWSAccount", "principalId": "AROAOTHER:etl", "accountId": "444455556666", "invokedBy": "AWS Internal"}})

caller_copy := t.kms("Decrypt", {"eventID": "b", "sharedEventID": "shared-1", "recipientAccountId": "444455556666", "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::444455556666:assumed-role/etl/x", "accountId": "444455556666"}})

test_twins_share_a_dedupe_key if {
	fs := k.warn with input as {"records": [owner_copy, caller_copy]}
	count(fs) == 2
	{f.dedupe | some f in fs} == {"shared-1"}
}

test_same_account if {
	count(k.warn) == 0 with input as {"records": [t.kms("Decrypt", {})]}
}

test_trusted if {
	count(k.warn) == 0 with input as {"records": [owner_copy]} with data.keytrail.config as {"trusted_accounts": ["444455556666"]}
}

test_anonymous_is_not_an_account if {
	r := t.kms("Decrypt", {"userIdentity": {"type": "AWSAccount", "accountId": "ANONYMOUS_PRINCIPAL"}})
	count(k.warn) == 0 with input as {"records": [r]}
}
