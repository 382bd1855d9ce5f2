# METADATA
# title: S3-dedicated key used outside S3
# description: |
#   A cryptographic call on a key --data lists in s3_keys (key ARN patterns) that S3 did not make.
#   Whether S3 made it is read from the encryption context, which S3 always sets to
#   {"aws:s3:arn": object or bucket ARN}; invokedBy is not evidence (other services and "AWS
#   Internal" use it too); S3 Express One Zone directory buckets set aws:s3express:arn instead.
#   CloudTrail delivering its own log files with the key is excluded: its
#   context carries aws:cloudtrail:arn beside aws:s3:arn. Each key, caller, operation and outcome
#   is reported once (with the first call's encryption context), with the number of such calls.
# custom:
#   id: s3-key-used-outside-s3
#   severity: warning
#   requires: [s3_keys]
#   select:
#     - eventSource: kms.amazonaws.com
#       eventName: [Decrypt, Encrypt, ReEncrypt, GenerateDataKey*, Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret]
#       keytrail.key: data.s3_keys
#       requestParameters.encryptionContext.aws:s3:arn: null
#       requestParameters.encryptionContext.aws:s3express:arn: null
#   once_per: [keytrail.key, keytrail.principal, eventName, errorCode]
package keytrail.trail.s3_key_used_outside_s3

import data.keytrail.trail.lib

warn contains {"record": i, "message": sprintf("%s called %s on %s, a key for S3 only, outside S3 (encryption context %s)%s", [lib.principal(r), r.eventName, lib.key(r), json.marshal(lib.context(r)), lib.outcome(r)])} if {
	keys := object.get(lib.config, "s3_keys", [])
	count(keys) > 0
	some i, r in input.records
	lib.crypto(r)
	lib.listed(keys, lib.key(r))
	not lib.via_s3(r)
	not lib.cloudtrail_delivery(r)
}
