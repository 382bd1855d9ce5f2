package keytrail.trail.object_not_sse_kms_test

import data.keytrail.trail.object_not_sse_kms as k
import data.keytrail.trail.testlib as t

cfg := {"sse_kms_buckets": ["b"]}

test_sse_s3 if {
	some f in k.deny with input as {"records": [t.s3("PutObject", {}, {"additionalEventData": {"SSEApplied": "Default_SSE_S3"}})]} with data.keytrail.config as cfg
	contains(f.message, "s3://b/k with Default_SSE_S3")
}

test_kms_ok if {
	recs := [
		t.s3("PutObject", {}, {"additionalEventData": {"SSEApplied": "SSE_KMS"}}),
		t.s3("CopyObject", {}, {"additionalEventData": {"SSEApplied": "Default_SSE_KMS"}}),
		t.s3("PutObject", {"x-amz-server-side-encryption": "aws:kms"}, {}),
	]
	count(k.deny) == 0 with input as {"records": recs} with data.keytrail.config as cfg
}

test_old_header if {
	count(k.deny) == 1 with input as {"records": [t.s3("PutObject", {"x-amz-server-side-encryption": "AES256"}, {})]} with data.keytrail.config as cfg
}

test_unknown_not_reported if {
	count(k.deny) == 0 with input as {"records": [t.s3("PutObject", {}, {})]} with data.keytrail.config as cfg
}

test_other_bucket if {
	count(k.deny) == 0 with input as {"records": [t.s3("PutObject", {}, {"additionalEventData": {"SSEApplied": "SSE_S3"}})]} with data.keytrail.config as {"sse_kms_buckets": ["other"]}
}
