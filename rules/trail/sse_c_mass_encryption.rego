# METADATA
# title: Mass SSE-C encryption
# description: |
#   At least threshold objects written to one bucket with SSE-C (customer-provided keys) within
#   the window. Ransomware re-encrypts objects with a key only the attacker holds; SSE-C is how
#   it does so inside S3. An object write uses SSE-C when additionalEventData.SSEApplied is SSE_C
#   or the request carries x-amz-server-side-encryption-customer-algorithm. Change the numbers
#   with --data thresholds: {sse-c-mass-encryption: {threshold: N, window: 10m}}.
# custom:
#   id: sse-c-mass-encryption
#   severity: error
#   threshold: 20
#   window: 6m
#   select:
#     - eventSource: s3.amazonaws.com
#       eventName: [PutObject, CopyObject, CreateMultipartUpload]
#       additionalEventData.SSEApplied: SSE_C
#     - eventSource: s3.amazonaws.com
#       eventName: [PutObject, CopyObject, CreateMultipartUpload]
#       requestParameters.x-amz-server-side-encryption-customer-algorithm: "*"
package keytrail.trail.sse_c_mass_encryption

import data.keytrail.trail.lib

writes := {"PutObject", "CopyObject", "CreateMultipartUpload"}

sse_c(r) if r.additionalEventData.SSEApplied == "SSE_C"

sse_c(r) if r.requestParameters["x-amz-server-side-encryption-customer-algorithm"]

signal contains {"record": i, "group": sprintf("objects written with SSE-C (customer-provided keys) to bucket %s", [lib.s3_bucket(r)])} if {
	some i, r in input.records
	r.eventSource == "s3.amazonaws.com"
	r.eventName in writes
	lib.succeeded(r)
	sse_c(r)
}
