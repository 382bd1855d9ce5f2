# Helpers shared by the trail rules. Each record in input.records is the CloudTrail record
# with a member "keytrail" that keytrail computes in Go (see README.md beside this file).
package keytrail.trail.lib

# config is data.keytrail.config: the merged --data files.
default config := {}

config := data.keytrail.config

# kms(r, name): a KMS call named name that succeeded.
kms(r, name) if {
	r.eventSource == "kms.amazonaws.com"
	r.eventName == name
	succeeded(r)
}

succeeded(r) if not r.errorCode

# outcome is " (denied: CODE)" for a failed call, else "".
outcome(r) := sprintf(" (failed: %s)", [r.errorCode]) if r.errorCode
else := ""

# crypto_ops are the KMS cryptographic operations: the calls that use key material.
crypto_ops := {
	"Decrypt", "Encrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
	"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "Sign", "Verify",
	"GenerateMac", "VerifyMac", "DeriveSharedSecret", "GenerateRandom",
}

crypto(r) if {
	r.eventSource == "kms.amazonaws.com"
	r.eventName in crypto_ops
	r.eventName != "GenerateRandom"
}

key(r) := r.keytrail.key

principal(r) := r.keytrail.principal

# by_service(r): an AWS service made the call (for itself or for the caller).
by_service(r) if r.userIdentity.invokedBy

by_service(r) if r.userIdentity.type == "AWSService"

# context is the encryption context of a KMS call ({} when none).
default context(_) := {}

context(r) := r.requestParameters.encryptionContext if is_object(r.requestParameters.encryptionContext)

# via_s3(r): S3 made the KMS call: its encryption context names the object or bucket
# (aws:s3:arn), or the directory bucket (aws:s3express:arn, S3 Express One Zone).
via_s3(r) if context(r)["aws:s3:arn"]

via_s3(r) if context(r)["aws:s3express:arn"]

# cloudtrail_delivery(r): CloudTrail writing its own log files with the key.
cloudtrail_delivery(r) if context(r)["aws:cloudtrail:arn"]

cloudtrail_delivery(r) if r.userIdentity.invokedBy == "cloudtrail.amazonaws.com"

# listed(patterns, value): value matches one of the glob patterns (* matches any run of
# characters, "/", ":" and "." included: glob.match's null delimiters; [] would mean ".").
listed(patterns, value) if {
	some p in patterns
	glob.match(p, null, value)
}

# account_of is the 12-digit account of an ARN, an account id or "ACCOUNT:aws:..." grantee.
account_of(p) := a if {
	regex.match(`^[0-9]{12}$`, p)
	a := p
}

account_of(p) := a if {
	startswith(p, "arn:")
	a := split(p, ":")[4]
	a != ""
}

account_of(p) := a if {
	not startswith(p, "arn:")
	regex.match(`^[0-9]{12}:`, p)
	a := substring(p, 0, 12)
}

# trusted(account): the account is ours or --data lists it in trusted_accounts.
trusted(account) if account in trusted_accounts

trusted_accounts := object.get(config, "trusted_accounts", [])

# foreign(r, account): account is neither the key's nor a trusted one.
foreign(r, account) if {
	account != r.keytrail.key_account
	r.keytrail.key_account != ""
	not trusted(account)
}

# as_list turns a JSON value that may be one item or a list into a list.
as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# s3_bucket is the bucket of an S3 data event.
s3_bucket(r) := r.requestParameters.bucketName

# object_url is s3://bucket/key of an S3 object event.
object_url(r) := sprintf("s3://%s/%s", [r.requestParameters.bucketName, r.requestParameters.key])
