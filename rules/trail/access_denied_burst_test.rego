package keytrail.trail.access_denied_burst_test

import data.keytrail.trail.access_denied_burst as k
import data.keytrail.trail.testlib as t

test_two_groups if {
	s := k.signal with input as {"records": [t.kms("Decrypt", {"errorCode": "AccessDenied"})]}
	count(s) == 2
	some x in s
	x.group == "calls by arn:aws:iam::111122223333:user/Alice denied on kms.amazonaws.com"
}

test_service_address_not_grouped if {
	s := k.signal with input as {"records": [t.kms("Decrypt", {"errorCode": "AccessDeniedException", "sourceIPAddress": "s3.amazonaws.com"})]}
	count(s) == 1
}

test_other_errors_ignored if {
	count(k.signal) == 0 with input as {"records": [t.kms("Decrypt", {"errorCode": "InvalidCiphertextException"}), t.kms("Decrypt", {})]}
}

test_sns_code if {
	count(k.signal) == 2 with input as {"records": [t.kms("Publish", {"eventSource": "sns.amazonaws.com", "errorCode": "AuthorizationError"})]}
}

test_ec2_code if {
	count(k.signal) == 2 with input as {"records": [t.kms("Decrypt", {"errorCode": "Client.UnauthorizedOperation"})]}
}
