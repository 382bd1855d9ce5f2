# Helpers for the trail rules' tests: records in the shapes of TRAIL-FORMATS.md section 4.
package keytrail.trail.testlib

key_arn := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

alice := {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/Alice", "accountId": "111122223333", "userName": "Alice"}

# kms(name, extra) is a KMS call by Alice on the key, with the keytrail member Go adds.
kms(name, extra) := object.union(
	{
		"eventVersion": "1.08", "eventSource": "kms.amazonaws.com", "eventName": name,
		"eventTime": "2025-03-01T10:00:00Z", "eventID": "e1", "userIdentity": alice,
		"awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.10", "requestParameters": {"keyId": key_arn},
		"resources": [{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": key_arn}],
		"recipientAccountId": "111122223333",
		"keytrail": {"key": key_arn, "principal": alice.arn, "key_account": "111122223333"},
	},
	extra,
)

# s3(name, params, extra) is an S3 data event by Alice on bucket b.
s3(name, params, extra) := object.union(
	{
		"eventVersion": "1.10", "eventSource": "s3.amazonaws.com", "eventName": name,
		"eventTime": "2025-03-01T10:00:00Z", "eventID": "s1", "userIdentity": alice,
		"awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.10",
		"requestParameters": object.union({"bucketName": "b", "key": "k"}, params),
		"recipientAccountId": "111122223333",
		"keytrail": {"key": "", "principal": alice.arn, "key_account": ""},
	},
	extra,
)

# at(i) is eventTime i seconds after 2025-03-01T10:00:00Z (i < 3600).
at(i) := sprintf("2025-03-01T10:%02d:%02dZ", [floor(i / 60), i % 60])
