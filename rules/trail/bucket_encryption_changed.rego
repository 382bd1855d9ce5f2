# METADATA
# title: Bucket default encryption changed or deleted
# description: |
#   PutBucketEncryption or DeleteBucketEncryption succeeded (CloudTrail logs these API names, not
#   the IAM action s3:PutEncryptionConfiguration). Deleting the configuration (the bucket falls
#   back to SSE-S3), setting a default other than SSE-KMS on a bucket --data lists in
#   sse_kms_buckets, or unblocking SSE-C (BlockedEncryptionTypes NONE: the step before SSE-C
#   ransomware) is an error; other changes are warnings.
# custom:
#   id: bucket-encryption-changed
#   severity: warning
#   select:
#     - eventSource: s3.amazonaws.com
#       eventName: [PutBucketEncryption, DeleteBucketEncryption]
package keytrail.trail.bucket_encryption_changed

import data.keytrail.trail.lib

deny contains {"record": i, "message": sprintf("%s deleted the default encryption configuration of bucket %s (new objects fall back to SSE-S3)", [lib.principal(r), lib.s3_bucket(r)])} if {
	some i, r in input.records
	r.eventSource == "s3.amazonaws.com"
	r.eventName == "DeleteBucketEncryption"
	lib.succeeded(r)
}

put contains i if {
	some i, r in input.records
	r.eventSource == "s3.amazonaws.com"
	r.eventName == "PutBucketEncryption"
	lib.succeeded(r)
}

deny contains {"record": i, "message": sprintf("%s set the default encryption of bucket %s to %s, but --data sse_kms_buckets requires SSE-KMS", [lib.principal(r), lib.s3_bucket(r), describe(r)])} if {
	some i in put
	r := input.records[i]
	must_kms(r)
	not kms_default(r)
}

warn contains {"record": i, "message": sprintf("%s set the default encryption of bucket %s to %s", [lib.principal(r), lib.s3_bucket(r), describe(r)])} if {
	some i in put
	r := input.records[i]
	not violates(r)
}

deny contains {"record": i, "message": sprintf("%s unblocked SSE-C (customer-provided keys) on bucket %s: objects can be encrypted with keys only the writer holds", [lib.principal(r), lib.s3_bucket(r)])} if {
	some i in put
	r := input.records[i]
	unblocks_sse_c(r)
}

violates(r) if {
	must_kms(r)
	not kms_default(r)
}

violates(r) if unblocks_sse_c(r)

rules(r) := lib.as_list(r.requestParameters.ServerSideEncryptionConfiguration.Rule)

# blocked are the encryption types the configuration blocks (SSE-C, or NONE to block none).
blocked(r) := {t |
	some rule in rules(r)
	some t in lib.as_list(rule.BlockedEncryptionTypes.EncryptionType)
}

unblocks_sse_c(r) if "NONE" in blocked(r)

must_kms(r) if lib.listed(object.get(lib.config, "sse_kms_buckets", []), lib.s3_bucket(r))

defaults(r) := [d |
	some rule in rules(r)
	d := rule.ApplyServerSideEncryptionByDefault
]

kms_default(r) if {
	some d in defaults(r)
	startswith(d.SSEAlgorithm, "aws:kms")
}

describe(r) := concat(", ", array.concat(algorithms(r), blocking(r))) if count(defaults(r)) > 0
else := "an unlogged configuration"

algorithms(r) := [s |
	some d in defaults(r)
	s := trim_space(sprintf("%s %s", [d.SSEAlgorithm, object.get(d, "KMSMasterKeyID", "")]))
]

blocking(r) := [sprintf("blocking %s", [concat(" and ", sort(blocked(r) - {"NONE"}))])] if count(blocked(r) - {"NONE"}) > 0
else := []
