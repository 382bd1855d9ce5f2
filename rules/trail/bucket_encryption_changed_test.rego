package keytrail.trail.bucket_encryption_changed_test

import data.keytrail.trail.bucket_encryption_changed as k
import data.keytrail.trail.testlib as t

conf(alg) := {"ServerSideEncryptionConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": alg}}}}

test_delete if {
	count(k.deny) == 1 with input as {"records": [t.s3("DeleteBucketEncryption", {}, {})]}
}

test_put_kms if {
	some f in k.warn with input as {"records": [t.s3("PutBucketEncryption", conf("aws:kms"), {})]}
		with data.keytrail.config as {"sse_kms_buckets": ["b"]}
	contains(f.message, "to aws:kms")
}

test_put_aes_on_kms_bucket if {
	recs := [t.s3("PutBucketEncryption", conf("AES256"), {})]
	count(k.deny) == 1 with input as {"records": recs} with data.keytrail.config as {"sse_kms_buckets": ["b*"]}
	count(k.warn) == 0 with input as {"records": recs} with data.keytrail.config as {"sse_kms_buckets": ["b*"]}
	count(k.warn) == 1 with input as {"records": recs}
}

test_rule_list if {
	c := {"ServerSideEncryptionConfiguration": {"Rule": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse", "KMSMasterKeyID": "k1"}}]}}
	count(k.deny) == 0 with input as {"records": [t.s3("PutBucketEncryption", c, {})]} with data.keytrail.config as {"sse_kms_buckets": ["b"]}
}

test_sse_c_blocking if {
	block := {"ServerSideEncryptionConfiguration": {"Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BlockedEncryptionTypes": {"EncryptionType": "SSE-C"}}}}
	some f in k.warn with input as {"records": [t.s3("PutBucketEncryption", block, {})]}
	contains(f.message, "aws:kms, blocking SSE-C")
	unblock := {"ServerSideEncryptionConfiguration": {"Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}}}
	some g in k.deny with input as {"records": [t.s3("PutBucketEncryption", unblock, {})]}
	contains(g.message, "unblocked SSE-C")
	count(k.warn) == 0 with input as {"records": [t.s3("PutBucketEncryption", unblock, {})]}
}

test_failed if {
	count(k.deny) == 0 with input as {"records": [t.s3("DeleteBucketEncryption", {}, {"errorCode": "AccessDenied"})]}
}
