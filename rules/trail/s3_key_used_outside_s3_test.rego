package keytrail.trail.s3_key_used_outside_s3_test

import data.keytrail.trail.s3_key_used_outside_s3 as k
import data.keytrail.trail.testlib as t

cfg := {"s3_keys": [t.key_arn]}

via_s3 := {"requestParameters": {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::b/k"}}, "userIdentity": object.union(t.alice, {"invokedBy": "AWS Internal"})}

test_direct_decrypt if {
	count(k.warn) == 1 with input as {"records": [t.kms("Decrypt", {"requestParameters": {"encryptionContext": {"app": "x"}}})]} with data.keytrail.config as cfg
}

test_via_s3 if {
	count(k.warn) == 0 with input as {"records": [t.kms("GenerateDataKey", via_s3)]} with data.keytrail.config as cfg
}

test_s3_express_directory_bucket if {
	r := t.kms("GenerateDataKey", {"requestParameters": {"encryptionContext": {"aws:s3express:arn": "arn:aws:s3express:us-east-1:111122223333:bucket/b--use1-az4--x-s3"}}})
	count(k.warn) == 0 with input as {"records": [r]} with data.keytrail.config as cfg
}

test_invoked_by_s3_without_context_is_not_s3 if {
	r := t.kms("Decrypt", {"userIdentity": {"type": "AWSService", "invokedBy": "s3.amazonaws.com"}})
	count(k.warn) == 1 with input as {"records": [r]} with data.keytrail.config as cfg
}

test_cloudtrail_delivery_excluded if {
	r := t.kms("GenerateDataKey", {
		"userIdentity": {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
		"requestParameters": {"encryptionContext": {"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}},
	})
	count(k.warn) == 0 with input as {"records": [r]} with data.keytrail.config as cfg
}

test_unlisted_key if {
	count(k.warn) == 0 with input as {"records": [t.kms("Decrypt", {})]} with data.keytrail.config as {"s3_keys": ["arn:aws:kms:*:*:key/other"]}
}
