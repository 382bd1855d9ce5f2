package keytrail.trail.unexpected_key_user_test

import data.keytrail.trail.testlib as t
import data.keytrail.trail.unexpected_key_user as k

cfg := {"key_users": {"arn:aws:kms:us-east-1:111122223333:key/1234abcd-*": ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:user/ops-*"]}}

role := {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app/i-123", "accountId": "111122223333", "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/app"}}}

test_unlisted_user if {
	some f in k.deny with input as {"records": [t.kms("Decrypt", {})]} with data.keytrail.config as cfg
	contains(f.message, "user/Alice called Decrypt")
}

test_role_session_by_issuer if {
	count(k.deny) == 0 with input as {"records": [t.kms("Decrypt", {"userIdentity": role})]} with data.keytrail.config as cfg
}

test_dots_in_names if {
	# * crosses "." (session names are often e-mail addresses).
	c := {"key_users": {"*": ["arn:aws:sts::111122223333:assumed-role/Admin/*", "cloudtrail.amazonaws.com"]}}
	s := {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice.smith@example.com", "accountId": "111122223333"}
	count(k.deny) == 0 with input as {"records": [t.kms("Decrypt", {"userIdentity": s})]} with data.keytrail.config as c
	svc := {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}
	count(k.deny) == 0 with input as {"records": [t.kms("GenerateDataKey", {"userIdentity": svc})]} with data.keytrail.config as c
}

test_glob_user if {
	u := {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/ops-bob", "accountId": "111122223333"}
	count(k.deny) == 0 with input as {"records": [t.kms("GenerateDataKey", {"userIdentity": u})]} with data.keytrail.config as cfg
}

test_denied_calls_count if {
	some f in k.deny with input as {"records": [t.kms("Decrypt", {"errorCode": "AccessDenied"})]} with data.keytrail.config as cfg
	contains(f.message, "failed: AccessDenied")
}

test_unlisted_key_not_checked if {
	other := object.union(t.kms("Decrypt", {}), {"keytrail": {"key": "arn:aws:kms:us-east-1:111122223333:key/ffff", "principal": "p", "key_account": "111122223333"}})
	count(k.deny) == 0 with input as {"records": [other]} with data.keytrail.config as cfg
}

test_no_config_no_findings if {
	count(k.deny) == 0 with input as {"records": [t.kms("Decrypt", {})]}
}

test_encrypt_is_not_checked if {
	count(k.deny) == 0 with input as {"records": [t.kms("Encrypt", {})]} with data.keytrail.config as cfg
}
