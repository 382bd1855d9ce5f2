package keytrail.trail.sse_c_mass_encryption_test

import data.keytrail.trail.sse_c_mass_encryption as k
import data.keytrail.trail.testlib as t

test_header if {
	s := k.signal with input as {"records": [t.s3("PutObject", {"x-amz-server-side-encryption-customer-algorithm": "AES256"}, {})]}
	s == {{"record": 0, "group": "objects written with SSE-C (customer-provided keys) to bucket b"}}
}

test_sse_applied if {
	count(k.signal) == 1 with input as {"records": [t.s3("CopyObject", {}, {"additionalEventData": {"SSEApplied": "SSE_C"}})]}
}

test_kms_and_reads_ignored if {
	recs := [
		t.s3("PutObject", {}, {"additionalEventData": {"SSEApplied": "SSE_KMS"}}),
		t.s3("GetObject", {"x-amz-server-side-encryption-customer-algorithm": "AES256"}, {}),
		t.s3("PutObject", {"x-amz-server-side-encryption-customer-algorithm": "AES256"}, {"errorCode": "AccessDenied"}),
	]
	count(k.signal) == 0 with input as {"records": recs}
}
