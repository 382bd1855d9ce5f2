package keytrail.trail.key_policy_changed_test

import data.keytrail.trail.key_policy_changed as k
import data.keytrail.trail.testlib as t

put(policy, extra) := t.kms("PutKeyPolicy", object.union({"requestParameters": {"keyId": "k", "policyName": "default", "policy": json.marshal(policy), "bypassPolicyLockoutSafetyCheck": false}}, extra))

own := {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}

foreign := {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::999988887777:role/x"]}, "Action": "kms:Decrypt", "Resource": "*"}]}

test_plain_change_warns if {
	count(k.warn) == 1 with input as {"records": [put(own, {})]}
	count(k.deny) == 0 with input as {"records": [put(own, {})]}
}

test_foreign_account if {
	some f in k.deny with input as {"records": [put(foreign, {})]}
	contains(f.message, "grants account 999988887777")
}

test_trusted_account if {
	count(k.deny) == 0 with input as {"records": [put(foreign, {})]}
		with data.keytrail.config as {"trusted_accounts": ["999988887777"]}
}

test_public_from_lint if {
	r := put(own, {"keytrail": {"key": t.key_arn, "principal": "p", "key_account": "111122223333", "policy_findings": [{"id": "wildcard-principal", "severity": "error", "message": "public"}]}})
	some f in k.deny with input as {"records": [r]}
	contains(f.message, "is public")
}

test_bypass if {
	r := put(own, {"requestParameters": {"keyId": "k", "policy": json.marshal(own), "bypassPolicyLockoutSafetyCheck": true}})
	some f in k.deny with input as {"records": [r]}
	contains(f.message, "lockout safety check")
}

test_by_service_plain_change_ignored if {
	r := put(own, {"userIdentity": {"type": "AWSService", "invokedBy": "secretsmanager.amazonaws.com"}})
	count(k.deny) + count(k.warn) == 0 with input as {"records": [r]}
}

test_by_service_foreign_still_reported if {
	# A CloudFormation stack running on the user's credentials.
	r := put(foreign, {"userIdentity": object.union(t.alice, {"invokedBy": "cloudformation.amazonaws.com"})})
	count(k.deny) == 1 with input as {"records": [r]}
}

test_failed_ignored if {
	count(k.deny) + count(k.warn) == 0 with input as {"records": [put(foreign, {"errorCode": "MalformedPolicyDocumentException"})]}
}
