package keytrail.trail.root_or_anonymous_kms_test

import data.keytrail.trail.root_or_anonymous_kms as k
import data.keytrail.trail.testlib as t

test_root if {
	some f in k.deny with input as {"records": [t.kms("Decrypt", {"userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}})]}
	contains(f.message, "root user of account 111122223333 called Decrypt")
}

test_anonymous_through_s3 if {
	# TRAIL-FORMATS 4.6: CloudFront OAI against SSE-KMS.
	r := t.kms("Decrypt", {"userIdentity": {"type": "Unknown", "invokedBy": "s3.amazonaws.com"}, "errorCode": "AccessDenied", "errorMessage": "User: anonymous is not authorized to perform: kms:Decrypt"})
	fs := k.deny with input as {"records": [r]}
	count(fs) == 1
	some f in fs
	contains(f.message, "through s3.amazonaws.com")
}

test_anonymous_account if {
	count(k.deny) == 1 with input as {"records": [t.kms("Decrypt", {"userIdentity": {"type": "AWSAccount", "principalId": "anonymous", "accountId": "ANONYMOUS_PRINCIPAL"}})]}
}

test_user if {
	count(k.deny) == 0 with input as {"records": [t.kms("Decrypt", {})]}
}
