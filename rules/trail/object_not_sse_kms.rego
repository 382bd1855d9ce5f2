# METADATA
# title: Object written without SSE-KMS to a bucket that requires it
# description: |
#   PutObject, CopyObject or CreateMultipartUpload succeeded on a bucket --data lists in
#   sse_kms_buckets, and the object is not encrypted with KMS: additionalEventData.SSEApplied is
#   SSE_S3, Default_SSE_S3 or SSE_C, or (older records without SSEApplied) the request's
#   x-amz-server-side-encryption header names something other than aws:kms. Records that show
#   neither do not say how the object was encrypted and are not reported.
# custom:
#   id: object-not-sse-kms
#   severity: error
#   requires: [sse_kms_buckets]
#   select:
#     - eventSource: s3.amazonaws.com
#       eventName: [PutObject, CopyObject, CreateMultipartUpload]
#       requestParameters.bucketName: data.sse_kms_buckets
package keytrail.trail.object_not_sse_kms

import data.keytrail.trail.lib

writes := {"PutObject", "CopyObject", "CreateMultipartUpload"}

deny contains {"record": i, "message": sprintf("%s wrote %s with %s, but --data sse_kms_buckets requires SSE-KMS for bucket %s", [lib.principal(r), lib.object_url(r), sse, lib.s3_bucket(r)])} if {
	buckets := object.get(lib.config, "sse_kms_buckets", [])
	some i, r in input.records
	r.eventSource == "s3.amazonaws.com"
	r.eventName in writes
	lib.succeeded(r)
	lib.listed(buckets, lib.s3_bucket(r))
	sse := applied(r) # undefined when the record shows neither: not reported
	not kms(sse)
}

applied(r) := r.additionalEventData.SSEApplied

applied(r) := r.requestParameters["x-amz-server-side-encryption"] if not r.additionalEventData.SSEApplied

kms(s) if contains(lower(s), "kms")
